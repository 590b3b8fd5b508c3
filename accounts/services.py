"""Password reset by e-mail: how often it may be asked for.

docs/domain.md § Accounts, input and faults ("Logins").
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import PasswordResetRequest

# An address gets at most this many reset mails an hour, and a visitor may ask for at
# most this many (for any addresses) an hour. The answer is the same whether the address
# belongs to anyone or not, so the limit reveals nothing about who has a login.
RESET_LIMIT_PER_ADDRESS = 3
RESET_LIMIT_PER_VISITOR = 10
RESET_WINDOW = datetime.timedelta(hours=1)


def keyed_hash(kind: str, value: str) -> str:
    """A keyed SHA-256 (salted with SECRET_KEY): countable, not reversible."""
    return salted_hmac(
        f"accounts.PasswordResetRequest.{kind}", value, algorithm="sha256"
    ).hexdigest()


@transaction.atomic
def password_reset_request_record(*, email: str, ip: str | None) -> bool:
    """Count a request for a reset mail to ``email`` from ``ip``; False (and not
    counted) when the address or the visitor has reached the hour's limit."""
    now = timezone.now()
    since = now - RESET_WINDOW
    PasswordResetRequest.objects.filter(created_at__lt=since).delete()
    email_hash = keyed_hash("email", email.casefold())
    ip_hash = keyed_hash("ip", ip or "")
    recent = PasswordResetRequest.objects.filter(created_at__gte=since)
    if (
        recent.filter(email_hash=email_hash).count() >= RESET_LIMIT_PER_ADDRESS
        or recent.filter(ip_hash=ip_hash).count() >= RESET_LIMIT_PER_VISITOR
    ):
        return False
    PasswordResetRequest.objects.create(email_hash=email_hash, ip_hash=ip_hash)
    return True
