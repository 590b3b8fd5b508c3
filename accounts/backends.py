"""A printed one-time password is accepted as people type it from paper."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from volunteer_site.accounts import one_time_code_as_printed, one_time_code_typed


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
