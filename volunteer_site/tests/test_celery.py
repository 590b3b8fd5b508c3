"""The Celery wiring: in-process by default, a real worker on Redis when configured."""

import subprocess
import sys

import pytest

from volunteer_site.celery import BEAT_SCHEDULE, app
from volunteer_site.tasks import ping
from volunteer_site.tests.test_settings import BASE_DIR, clean_environment


def test_celery_configuration_is_safe_for_idempotent_tasks():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_time_limit > conf.task_soft_time_limit > 0


def test_only_tasks_shorter_than_the_visibility_timeout_acknowledge_late(settings):
    """A task acknowledged late that outlives the visibility timeout is handed to a
    second worker while the first still runs it."""
    from activities import tasks

    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    for name, task in ours.items():
        if task.acks_late:
            limit = task.time_limit or app.conf.task_time_limit
            assert limit < settings.CELERY_VISIBILITY_TIMEOUT, name
    recompute = tasks.recompute_team_figures
    assert recompute.acks_late and recompute.reject_on_worker_lost
    assert tasks.reconcile_team_figures.acks_late is False  # it runs up to 35 minutes


def test_workers_wait_for_redis_however_long_it_is_away():
    assert app.conf.broker_connection_retry is True
    assert app.conf.broker_connection_max_retries is None  # the default, 100, ends the worker


def test_a_dead_workers_messages_come_back_within_minutes():
    transport = app.conf.broker_transport_options
    assert transport["visibility_timeout"] == 300  # Redis's own default is an hour
    assert transport["unacked_restore_interval"] == 30


def celery_settings_with(**environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from volunteer_site.celery import app;"
            "t = app.conf.broker_transport_options;"
            "print(t['visibility_timeout'], t['unacked_restore_interval'])",
        ],
        cwd=BASE_DIR,
        env={**clean_environment(), "DJANGO_DEBUG": "true", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_visibility_timeout_comes_from_the_environment():
    result = celery_settings_with(CELERY_VISIBILITY_TIMEOUT="5")
    assert result.stdout.split() == ["5", "1"], result.stderr
    result = celery_settings_with(CELERY_VISIBILITY_TIMEOUT="soon")
    assert "CELERY_VISIBILITY_TIMEOUT" in result.stderr.splitlines()[-1]


def test_every_periodic_task_is_registered():
    app.loader.import_default_modules()
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_ping_task_body():
    assert ping() == "pong"


@pytest.mark.services
def test_ping_round_trip_through_a_real_worker_on_redis(celery_worker):
    result = ping.apply_async()
    assert result.get(timeout=20) == "pong"
    # It really went through the broker: the worker, not this thread, ran it.
    assert result.backend.__class__.__name__ == "RedisBackend"


@pytest.mark.services
def test_suite_runs_on_postgresql_and_redis():
    # The guard fixture fails this test when either service is missing.
    from django.db import connection

    assert connection.vendor == "postgresql"
