"""Site-wide tasks: the health-check ping and beat's heartbeat."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

BEAT_HEARTBEAT_KEY = "celery-beat-heartbeat"


@shared_task(name="volunteer_site.tasks.ping")
def ping() -> str:
    """Answer 'pong'; the health check sends it through the broker to a worker."""
    return "pong"


@shared_task(name="volunteer_site.tasks.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    """Record that beat is alive, so the health check can tell when it stopped."""
    cache.set(BEAT_HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)


@shared_task(name="volunteer_site.tasks.purge_audit_log")
def purge_audit_log() -> int:
    """Delete audit entries older than AUDIT_RETENTION_DAYS (at least six months)."""
    from django.conf import settings

    from volunteer_site.audit import audit_purge

    return audit_purge(days=settings.AUDIT_RETENTION_DAYS)
