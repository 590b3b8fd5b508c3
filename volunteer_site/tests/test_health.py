"""/healthz: each dependency reported, each probe answering within seconds however it fails."""

import functools
import subprocess
import sys

import pytest
from celery.exceptions import TimeoutError as NoAnswer
from django.core.cache import cache
from django.db import OperationalError, connection
from django.db.utils import ConnectionHandler
from django.test import Client

from volunteer_site import env, health
from volunteer_site.tasks import BEAT_HEARTBEAT_KEY, ping
from volunteer_site.tests.faults import FAULTS, Stopwatch, celery_at, failing_port
from volunteer_site.tests.test_settings import BASE_DIR, clean_environment, start_django

pytestmark = pytest.mark.django_db

# Each probe gives up after about 2 s; the whole answer comes well within this.
ANSWER_SECONDS = 3.5


def healthz():
    with Stopwatch("/healthz") as watch:
        response = Client().get("/healthz")
    assert watch.seconds < ANSWER_SECONDS
    return response


def test_the_embedded_default_is_healthy(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = healthz()
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "in-process",
        "worker": "in-process",
        "cache": "ok",
        "beat_last_run": None,
    }


def test_beats_last_run_is_reported(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    cache.set(BEAT_HEARTBEAT_KEY, "2026-12-03T02:30:00+00:00", timeout=None)
    assert healthz().json()["beat_last_run"] == "2026-12-03T02:30:00+00:00"


@pytest.mark.parametrize("fault", FAULTS)
def test_a_broker_that_is_down_or_hung_is_reported_within_seconds(fault, settings):
    with failing_port(fault) as port, celery_at(f"redis://127.0.0.1:{port}/0", settings):
        response = healthz()
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "down"
    assert report["broker"].startswith("down: ")
    assert report["worker"] == "unknown: the broker is down"
    assert report["database"] == "ok"


def test_a_worker_that_cannot_be_reached_is_reported(settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the in-memory broker of the embedded default

    def refuse(*args, **kwargs):
        raise ConnectionError("result store down")

    monkeypatch.setattr(ping, "apply_async", refuse)
    response = healthz()
    assert response.status_code == 503
    assert response.json()["worker"] == "down: ConnectionError"


def test_a_worker_that_does_not_answer_is_reported(settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    class Unanswered:
        def get(self, timeout):
            raise NoAnswer("The operation timed out.")

    monkeypatch.setattr(ping, "apply_async", lambda **kwargs: Unanswered())
    response = healthz()
    assert response.status_code == 503
    assert response.json()["worker"] == "no answer within 2 s"


@pytest.mark.services
def test_no_worker_on_the_queue_is_reported_within_seconds(monkeypatch):
    # The broker is up; nobody consumes this queue.
    monkeypatch.setattr(
        ping, "apply_async", functools.partial(ping.apply_async, queue="healthz-test-nobody")
    )
    response = healthz()
    assert response.status_code == 503
    report = response.json()
    assert (report["broker"], report["worker"]) == ("ok", "no answer within 2 s")


@pytest.mark.services
def test_a_real_worker_answers(celery_worker):
    response = healthz()
    assert response.status_code == 200, response.content
    assert response.json()["worker"] == "ok"


def redis_cache_at(port: int, settings) -> dict:
    """The shared cache as settings.py configures it for CACHE_URL (checked below)."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/1",
            "OPTIONS": {
                "socket_connect_timeout": settings.REDIS_FAULT_SECONDS,
                "socket_timeout": settings.REDIS_FAULT_SECONDS,
            },
        }
    }


@pytest.mark.parametrize("fault", FAULTS)
def test_a_cache_that_is_down_or_hung_leaves_the_site_degraded_not_down(fault, settings):
    """The pages and saves work without the shared cache (it holds copies), so a
    load balancer must not take the web hosts out: 200, the fault in the body."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with failing_port(fault) as port:
        settings.CACHES = redis_cache_at(port, settings)
        response = healthz()
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    assert report["cache"].startswith("down: ")
    assert report["beat_last_run"] is None  # its heartbeat is in the cache


def test_the_shared_cache_is_configured_with_those_timeouts():
    printed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings;"
            "print(sorted(settings.CACHES['default']['OPTIONS'].items()))",
        ],
        cwd=BASE_DIR,
        env={**clean_environment(), "DJANGO_DEBUG": "true", "CACHE_URL": "redis://cache:6379/1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert printed.stdout.strip() == str([("socket_connect_timeout", 2), ("socket_timeout", 2)]), (
        printed.stderr
    )


def test_a_database_that_fails_is_reported(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down: OperationalError"


@pytest.mark.parametrize("fault", FAULTS)
def test_the_database_probe_gives_up_within_seconds(fault, monkeypatch, settings):
    """PostgreSQL refusing, or accepting and never answering: the connect timeout ends it."""
    with failing_port(fault) as port:
        monkeypatch.setenv("TEST_DATABASE_URL", f"postgres://postgres@127.0.0.1:{port}/volunteer")
        config = env.env_database(
            "TEST_DATABASE_URL",
            "sqlite://",
            conn_max_age=0,
            connect_timeout=settings.DATABASE_CONNECT_TIMEOUT,
        )
        unreachable = ConnectionHandler({"default": config})["default"]
        try:
            with Stopwatch(f"database probe, {fault}") as watch:
                answer = health.database_probe(unreachable)
        finally:
            unreachable.close()
    assert answer == "down: OperationalError"
    assert watch.seconds < ANSWER_SECONDS


def test_postgresql_connections_get_the_connect_timeout_unless_the_url_sets_one(monkeypatch):
    monkeypatch.setenv("TEST_DATABASE_URL", "postgres://u@db.example:5432/volunteer")
    config = env.env_database("TEST_DATABASE_URL", "sqlite://", conn_max_age=60, connect_timeout=2)
    assert config["OPTIONS"]["connect_timeout"] == 2
    monkeypatch.setenv(
        "TEST_DATABASE_URL", "postgres://u@db.example:5432/volunteer?connect_timeout=9"
    )
    config = env.env_database("TEST_DATABASE_URL", "sqlite://", conn_max_age=60, connect_timeout=2)
    assert str(config["OPTIONS"]["connect_timeout"]) == "9"


@pytest.mark.parametrize("value", ["two", "1", "-5"])
def test_a_bad_connect_timeout_stops_start_up_naming_the_variable(value):
    result = start_django(DJANGO_DEBUG="true", DATABASE_CONNECT_TIMEOUT=value)
    assert result.returncode != 0
    assert "DATABASE_CONNECT_TIMEOUT" in result.stderr.splitlines()[-1]


@pytest.mark.parametrize(
    ("database", "broker", "worker", "cache_state", "status"),
    [
        ("ok", "ok", "ok", "ok", "ok"),
        ("ok", "in-process", "in-process", "ok", "ok"),
        ("ok", "ok", "ok", "down: ConnectionError", "degraded"),
        ("down: OperationalError", "ok", "ok", "ok", "down"),
        ("ok", "down: OperationalError", "unknown: the broker is down", "ok", "down"),
        ("ok", "ok", "no answer within 2 s", "ok", "down"),
    ],
)
def test_the_status_follows_what_the_site_can_do(database, broker, worker, cache_state, status):
    report = health.Health(
        database=database, broker=broker, worker=worker, cache=cache_state, beat_last_run=None
    )
    assert report.status == status
