"""What the accounts' pages keep: the password-reset requests, counted for the rate limit."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PasswordResetRequest(models.Model):
    """One request for a reset mail, whether or not the address belongs to anyone.

    Only keyed hashes are kept (of the address typed and of the visitor's address), so
    that the requests can be counted without keeping who asked. Rows older than the
    limit's window are deleted as new ones come (accounts/services.py).
    """

    email_hash = models.CharField(_("e-mail address (hashed)"), max_length=64)
    ip_hash = models.CharField(_("visitor's address (hashed)"), max_length=64)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")
        indexes = [
            models.Index(fields=["email_hash", "created_at"], name="reset_email_recent_idx"),
            models.Index(fields=["ip_hash", "created_at"], name="reset_ip_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.email_hash[:8]}"
