"""Members' own accounts: the set-password page of the invitation link, password reset
by e-mail, and the secretary's login pages (docs/domain.md § Accounts, input and faults)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from accounts.forms import SetPasswordForm
from volunteer_site.audit import audit
from volunteer_site.models import AuditAction, PasswordChangeRequired


class SetPasswordFromLinkView(auth_views.PasswordResetConfirmView):
    """Django's page behind a one-time link: a disabled login's link does not work, and a
    password set here is audited and lifts any "must change" flag (the user chose it)."""

    form_class = SetPasswordForm

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        # Before Django logs the user in: the flag is read at login.
        PasswordChangeRequired.objects.filter(user=form.user).delete()
        response = super().form_valid(form)
        audit(
            self.request,
            AuditAction.PASSWORD_RESET,
            target=form.user.get_username(),
            user=form.user,
            link=self.link_kind,
        )
        return response


class InvitationConfirmView(SetPasswordFromLinkView):
    """The invitation's link: the member chooses a first password and is logged in."""

    template_name = "accounts/set_password.html"
    link_kind = "invitation"
    post_reset_login = True
    # Two backends are configured (django-axes's and Django's); the user proved who
    # they are with the token, so Django's own logs them in.
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. You are logged in."))
        return response
