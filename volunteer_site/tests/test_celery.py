"""The Celery wiring: in-process by default, a real worker on Redis when configured."""

import pytest

from volunteer_site.celery import BEAT_SCHEDULE, app
from volunteer_site.tasks import ping


def test_celery_configuration_is_safe_for_idempotent_tasks():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_time_limit > conf.task_soft_time_limit > 0


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
