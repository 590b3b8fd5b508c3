from django.contrib.auth.forms import AuthenticationForm
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
