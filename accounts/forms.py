"""The forms of members' own accounts: setting a password from a link, asking for one."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db.models import Q
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from accounts.logins import link_expiry_text, login_address, user_display_name
from volunteer_site.forms import PASSWORD_MAX_LENGTH
from volunteer_site.names import normalise_name


def limit_password_fields(form: forms.Form, names: tuple[str, ...]) -> None:
    """The same limits as the password-change form (volunteer_site/forms.py): at most
    PASSWORD_MAX_LENGTH characters and a NUL character refused in Chinese."""
    for name in names:
        field: forms.CharField = form.fields[name]
        field.validators = [
            validator
            for validator in field.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ] + [
            ProhibitNullCharactersValidator(_("A password cannot contain a NUL character.")),
            MaxLengthValidator(
                PASSWORD_MAX_LENGTH, _("A password has at most %(limit_value)d characters.")
            ),
        ]
        field.max_length = PASSWORD_MAX_LENGTH
        field.widget.attrs["maxlength"] = str(PASSWORD_MAX_LENGTH)


class SetPasswordForm(auth_forms.SetPasswordForm):
    """A new password twice, checked by the validators in settings."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        limit_password_fields(self, ("new_password1", "new_password2"))


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, finding the login by the member's e-mail too (the secretary keeps
    it on the member), and also for a login whose password was never set (an invitation
    whose link expired). Only active logins get a mail; nothing tells whether one did."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["email"]
        field.label = _("E-mail address")
        field.error_messages["max_length"] = _(
            "An e-mail address has at most %(limit_value)d characters."
        )

    def full_clean(self) -> None:
        if self.is_bound and "email" in self.data:
            # Typed with a Chinese input method, full-width ＠ and letters are the ASCII
            # ones (volunteer_site/names.py); normalised before Django's e-mail check.
            self.data = self.data.copy()
            self.data["email"] = normalise_name(str(self.data["email"]))
        super().full_clean()

    def get_users(self, email: str):
        """(user, the stored address that matched) for each active login at ``email``.

        Compared again in Python, as Django does: a database's case-insensitive match
        can pair different addresses (Unicode case folding), and the mail goes to the
        address stored, never to the one typed."""
        matching = (
            get_user_model()
            ._default_manager.filter(is_active=True)
            .filter(Q(email__iexact=email) | Q(member__email__iexact=email))
            .select_related("member")
            .distinct()
        )
        for user in matching:
            for stored in (login_address(user), user.email):
                if stored and stored.casefold() == email.casefold():
                    yield user, stored
                    break

    def save(self, *, request, subject_template_name, email_template_name, **kwargs) -> None:
        """Mail each login found at the address typed; Django's send_mail logs a failure
        and goes on (the page's answer does not change)."""
        for user, address in self.get_users(self.cleaned_data["email"]):
            context = {
                "user": user,
                "name": user_display_name(user),
                "username": user.get_username(),
                "link": settings.SITE_URL.rstrip("/")
                + reverse(
                    "accounts:password_reset_confirm",
                    kwargs={
                        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                        "token": default_token_generator.make_token(user),
                    },
                ),
                "expires": link_expiry_text(),
            }
            self.send_mail(subject_template_name, email_template_name, context, None, address)


class LoginWayForm(forms.Form):
    """How a member gets into a new or reset login: a mailed link or a printed code."""

    WAYS = [("link", _("e-mail a link")), ("code", _("print a one-time password"))]
    way = forms.ChoiceField(choices=WAYS)
