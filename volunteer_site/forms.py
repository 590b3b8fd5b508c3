from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from volunteer_site.accounts import one_time_code_typed

# Long enough for any passphrase; a password is hashed at every login.
PASSWORD_MAX_LENGTH = 128


class LoginForm(auth_forms.AuthenticationForm):
    # The same message whether the user exists or not: it must not reveal which.
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _(
            "The user name or password is wrong. Please try again; both are case-sensitive."
        ),
        "inactive": _("This account is disabled. Please contact your team secretary."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django gives the field a max_length but not its validator, so a longer name
        # reached django-axes' failure log (255 characters) and failed there, a 500.
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form (old password, new password twice, the validators in settings),
    refusing a new password that is the old one: a known password must really go."""

    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_unchanged": _("The new password must differ from the current one."),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Django's own wording for a NUL character is wrong in Chinese ("empty string").
            field.validators = [
                validator
                for validator in field.validators
                if not isinstance(validator, ProhibitNullCharactersValidator)
            ] + [ProhibitNullCharactersValidator(_("A password cannot contain a NUL character."))]
        for name in ("new_password1", "new_password2"):
            field: forms.CharField = self.fields[name]
            field.max_length = PASSWORD_MAX_LENGTH
            field.widget.attrs["maxlength"] = str(PASSWORD_MAX_LENGTH)
            field.validators.append(
                MaxLengthValidator(
                    PASSWORD_MAX_LENGTH,
                    _("A password has at most %(limit_value)d characters."),
                )
            )

    def clean_old_password(self):
        # A printed one-time password typed as at the login, full-width or in lower
        # case, is the code (volunteer_site/accounts.py).
        old_password = self.cleaned_data["old_password"]
        if not self.user.check_password(old_password):
            code = one_time_code_typed(self.user, old_password)
            if code is not None:
                self.cleaned_data["old_password"] = code
        return super().clean_old_password()

    def clean(self):
        cleaned_data = super().clean()
        new_password = cleaned_data.get("new_password1")
        if new_password and self.user.check_password(new_password):
            self.add_error(
                "new_password1",
                forms.ValidationError(
                    self.error_messages["password_unchanged"], code="password_unchanged"
                ),
            )
        return cleaned_data
