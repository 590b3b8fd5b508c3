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
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
