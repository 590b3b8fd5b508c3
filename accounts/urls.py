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
    # The secretary's pages for one member's login.
    path(
        "teams/<slug:slug>/members/<int:pk>/login/",
        views.member_login,
        name="member_login",
    ),
    path(
        "teams/<slug:slug>/members/<int:pk>/login/create/",
        views.login_create_view,
        name="login_create",
    ),
    path(
        "teams/<slug:slug>/members/<int:pk>/login/reset/",
        views.login_reset_view,
        name="login_reset",
    ),
    path(
        "teams/<slug:slug>/members/<int:pk>/login/disable/",
        views.login_disable_view,
        name="login_disable",
    ),
    path(
        "teams/<slug:slug>/members/<int:pk>/login/enable/",
        views.login_enable_view,
        name="login_enable",
    ),
    path(
        "teams/<slug:slug>/members/<int:pk>/login/code/",
        views.login_code,
        name="login_code",
    ),
]
