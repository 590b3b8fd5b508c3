from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    # The link of the invitation mail (accounts/logins.py): the first password.
    path(
        "accounts/welcome/<uidb64>/<token>/",
        views.InvitationConfirmView.as_view(),
        name="invitation",
    ),
]
