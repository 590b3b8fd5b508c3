"""Two taps at once on PostgreSQL (marked ``services``: SQLite has no row locks): the
occurrence's row lock puts them one after the other, so one person is checked in once
(without it both would insert, and one would fail on the unique row)."""

import threading

import pytest
from django.db import connection

from attendance import services
from attendance.models import Attendance
from planning.tests.factories import occurrence_of

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def at_once(work, count: int = 2) -> list:
    barrier = threading.Barrier(count)
    results, lock = [], threading.Lock()

    def run():
        try:
            barrier.wait(10)
            result = work()
            with lock:
                results.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    return results


def test_two_taps_at_once_check_in_once(personas):
    occurrence = occurrence_of(personas.team)
    code = services.code_for(occurrence=occurrence).code
    now = occurrence.starts_at

    results = at_once(
        lambda: services.check_in_or_out(code=code, user=personas.volunteer, now=now).action
    )
    assert sorted(results) == ["already", "in"]
    assert Attendance.objects.filter(user=personas.volunteer).count() == 1
