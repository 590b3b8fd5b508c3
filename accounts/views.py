"""Members' own accounts: the set-password page of the invitation link, password reset
by e-mail, and the secretary's login pages (docs/domain.md § Accounts, input and faults)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from accounts.forms import PasswordResetForm, SetPasswordForm
from accounts.services import RESET_WINDOW, password_reset_request_record
from volunteer_site.audit import audit, client_ip
from volunteer_site.models import AuditAction, PasswordChangeRequired
from volunteer_site.views import too_many_requests


class SetPasswordFromLinkView(auth_views.PasswordResetConfirmView):
    """Django's page behind a one-time link: a disabled login's link does not work, and a
    password set here is audited and lifts any "must change" flag (the user chose it)."""

    form_class = SetPasswordForm
    template_name = "registration/password_reset_confirm.html"

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

    extra_context = {"heading": gettext_lazy("Set your password")}
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


# --- Password reset by e-mail (Django's views in the site's layout) ----------------------


@method_decorator(never_cache, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an e-mail address and mails a one-time link to each active login there.

    The next page says the same whatever was typed, so that nobody learns who has a
    login; a mail server that fails is logged and changes nothing on the page.
    """

    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    subject_template_name = "emails/password_reset_subject.txt"
    email_template_name = "emails/password_reset.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if not password_reset_request_record(email=email, ip=client_ip(self.request)):
            minutes = round(RESET_WINDOW.total_seconds() / 60)
            message = _(
                "Too many requests for a password reset from this computer or for this "
                "address. Please try again in %(minutes)d minutes, or ask your team's "
                "secretary."
            ) % {"minutes": minutes}
            return too_many_requests(self.request, message)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(SetPasswordFromLinkView):
    extra_context = {"heading": gettext_lazy("Choose a new password")}
    link_kind = "reset"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
