"""Users' own accounts: "must change password" (a password others know), and the printed
one-time password read back as people type it.

A user flagged with ``PasswordChangeRequired`` (the demo logins, by ``seed_demo``;
a one-time password a secretary prints, accounts/logins.py) is sent to the password-change page
from every page until they choose a new password. The flag is read once, at login,
and kept in the session, so other requests cost no query; the middleware only
looks at the session.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.contrib.auth import password_validation
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect
from django.utils.translation import ngettext

from volunteer_site.models import PasswordChangeRequired

SESSION_KEY = "password_change_required"

# What a user who must change their password can still open: the change page, the
# way out, the language switch and the health check. Static files never get here
# (WhiteNoise serves them first).
OPEN_URL_NAMES = {"password_change", "password_change_done", "logout", "set_language", "healthz"}


@transaction.atomic
def password_change_require(*, users: Iterable, reason: str) -> None:
    """Flag ``users``: at their next login they must choose a new password first."""
    for user in users:
        PasswordChangeRequired.objects.update_or_create(user=user, defaults={"reason": reason})


def password_change_required_clear(*, request) -> None:
    """The user changed their password: remove the flag, here and in the session."""
    PasswordChangeRequired.objects.filter(user=request.user).delete()
    request.session.pop(SESSION_KEY, None)


@receiver(user_logged_in, dispatch_uid="password-change-required-at-login")
def _remember_at_login(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    required = PasswordChangeRequired.objects.filter(user=user).first()
    if required is not None and required.is_enforced():
        request.session[SESSION_KEY] = required.reason


class PasswordChangeRequiredMiddleware:
    """Sends a user who must change their password to the change page, from any page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.session.get(SESSION_KEY):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_URL_NAMES:
            return None
        return redirect("password_change")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule, with a message that has a Chinese translation (Django 5.2's
    catalogue lacks the wording its validator uses, so the message came out English)."""

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: it needs at least %(min_length)d character.",
            "This password is too short: it needs at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


# A printed one-time password (accounts/logins.py prints it as ABCD-EFGH-JKMN): letters
# and digits that cannot be mistaken for one another on paper (no 0/O, 1/I/L).
ONE_TIME_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−_.]+")


def one_time_code_as_printed(typed: str) -> str | None:
    """``typed`` as the printed code (ABCD-EFGH-JKMN), or None if it cannot be one.

    Typed with a Chinese input method the letters may be full-width (ＡＢＣＤ), in lower
    case, and separated by spaces or another dash; all of these are the same code.
    """
    letters = CODE_SEPARATORS.sub("", unicodedata.normalize("NFKC", typed)).upper()
    if len(letters) != 12 or any(letter not in ONE_TIME_ALPHABET for letter in letters):
        return None
    return "-".join(letters[i : i + 4] for i in range(0, 12, 4))


def one_time_code_typed(user, typed: str) -> str | None:
    """The one-time code of ``user`` if ``typed`` is it in a look-alike form, else None."""
    code = one_time_code_as_printed(typed)
    if code is None or code == typed:
        return None
    one_time = PasswordChangeRequired.objects.filter(
        user=user, reason=PasswordChangeRequired.Reason.ONE_TIME
    ).exists()
    return code if one_time and user.check_password(code) else None
