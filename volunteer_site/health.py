"""What /healthz reports: each dependency probed, each probe bounded.

Every probe answers within about two seconds however its dependency fails
(refusing connections, or accepting them and never answering): the database
through its connect timeout (``DATABASE_CONNECT_TIMEOUT``), Redis through the
socket timeouts in settings (``REDIS_FAULT_SECONDS``), the worker by waiting that
long for its answer. A probe reports ``ok`` or says what went wrong; it never raises.
"""

from __future__ import annotations

from dataclasses import dataclass

from celery.exceptions import TimeoutError as NoAnswer
from django.conf import settings
from django.core.cache import cache
from django.db import connection as default_connection

from volunteer_site.tasks import BEAT_HEARTBEAT_KEY, ping

PROBE_SECONDS = settings.REDIS_FAULT_SECONDS
CACHE_PROBE_KEY = "healthz-probe"
IN_PROCESS = "in-process"  # the embedded default: no broker, no worker, tasks run at once


def _down(exc: BaseException) -> str:
    return f"down: {exc.__class__.__name__}"


def database_probe(connection=default_connection) -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # report, never crash the health check
        return _down(exc)
    return "ok"


def broker_probe() -> str:
    """Connect to the broker once, without Celery's retries."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return IN_PROCESS
    from volunteer_site.celery import app

    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=0)
    except Exception as exc:
        return _down(exc)
    return "ok"


def worker_probe() -> str:
    """Send the ping task through the broker and wait for a worker's answer."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return IN_PROCESS
    try:
        answer = ping.apply_async(expires=PROBE_SECONDS).get(timeout=PROBE_SECONDS)
    except NoAnswer:
        return f"no answer within {PROBE_SECONDS} s"
    except Exception as exc:
        return _down(exc)
    return "ok" if answer == "pong" else f"down: unexpected answer {answer!r}"


def cache_probe() -> str:
    try:
        cache.set(CACHE_PROBE_KEY, "ok", timeout=60)
        answer = cache.get(CACHE_PROBE_KEY)
    except Exception as exc:
        return _down(exc)
    return "ok" if answer == "ok" else "down: the value written was not read back"


@dataclass
class Health:
    """The report. ``status`` is ``ok``, ``degraded`` (the site works: the shared
    cache is down) or ``down`` (it cannot do its work: the database is down, or no
    worker takes tasks, so figures would never be computed)."""

    database: str
    broker: str
    worker: str
    cache: str
    beat_last_run: str | None

    @property
    def status(self) -> str:
        working = {"ok", IN_PROCESS}
        if {self.database, self.broker, self.worker} - working:
            return "down"
        return "ok" if self.cache == "ok" else "degraded"

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "database": self.database,
            "broker": self.broker,
            "worker": self.worker,
            "cache": self.cache,
            "beat_last_run": self.beat_last_run,
        }


def health_check() -> Health:
    broker = broker_probe()
    # A worker cannot answer through a broker that is down; asking would only wait.
    worker = worker_probe() if broker in {"ok", IN_PROCESS} else "unknown: the broker is down"
    cache_state = cache_probe()
    # Beat records its heartbeat in the shared cache (volunteer_site.tasks).
    beat_last_run = cache.get(BEAT_HEARTBEAT_KEY) if cache_state == "ok" else None
    return Health(
        database=database_probe(),
        broker=broker,
        worker=worker,
        cache=cache_state,
        beat_last_run=beat_last_run,
    )
