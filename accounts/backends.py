"""A printed one-time password is accepted as people type it from paper."""

from __future__ import annotations

import re
import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.logins import ONE_TIME_ALPHABET
from volunteer_site.models import PasswordChangeRequired

SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−_.]+")


def one_time_code_as_printed(typed: str) -> str | None:
    """``typed`` as the printed code (ABCD-EFGH-JKMN), or None if it cannot be one.

    Typed with a Chinese input method the letters may be full-width (ＡＢＣＤ), in lower
    case, and separated by spaces or another dash; all of these are the same code.
    """
    letters = SEPARATORS.sub("", unicodedata.normalize("NFKC", typed)).upper()
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


class OneTimeCodeBackend(ModelBackend):
    """After Django's own check failed: a login whose password is a printed one-time
    code (PasswordChangeRequired ``one_time``) also accepts the code typed in a
    look-alike form. Other passwords are compared exactly, as always."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or not password or one_time_code_as_printed(password) is None:
            return None
        try:
            user = get_user_model()._default_manager.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            return None
        if one_time_code_typed(user, password) and self.user_can_authenticate(user):
            return user
        return None
