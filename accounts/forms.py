"""The forms of members' own accounts: setting a password from a link, asking for one."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from volunteer_site.forms import PASSWORD_MAX_LENGTH


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
