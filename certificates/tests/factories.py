import datetime

from certificates import services
from certificates.models import Certificate


def issued_certificate(member, *, start=None, end=None, user=None, **kwargs) -> Certificate:
    """A certificate issued directly for ``member`` (2018 by default)."""
    return services.certificate_issue_direct(
        member=member,
        start=start or datetime.date(2018, 1, 1),
        end=end or datetime.date(2018, 12, 31),
        user=user,
        **kwargs,
    )
