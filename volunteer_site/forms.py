from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    # The same message whether the user exists or not: it must not reveal which.
    error_messages = {
        **AuthenticationForm.error_messages,
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
