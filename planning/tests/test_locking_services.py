"""The nightly job racing an edit on PostgreSQL: the job waits for the edit's row lock on
the planned activity and then follows the new rule (marked ``services``: SQLite has
no row locks)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from planning.models import Occurrence, PlannedActivity
from planning.services import WINDOW_DAYS, occurrences_create, planned_activity_update
from planning.tests.factories import planned_of

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_the_job_waits_for_an_edit_and_creates_by_the_new_rule(personas):
    today = timezone.localdate()
    patrol = planned_of(personas.team, first_date=today + datetime.timedelta(days=1))
    occurrences_create(planned=patrol, until=today + datetime.timedelta(days=WINDOW_DAYS))
    # As the job iterates: the planned activity as it was read before the edit.
    stale = PlannedActivity.objects.get(pk=patrol.pk)
    edit_holds_lock = threading.Event()
    release_edit = threading.Event()
    job_done = threading.Event()
    # The job runs a week later than the edit: its window reaches 7 days further.
    later = timezone.now() + datetime.timedelta(days=7)
    later_until = today + datetime.timedelta(days=WINDOW_DAYS + 7)

    def edit():
        try:
            with transaction.atomic():
                patrol.rule = "FREQ=WEEKLY;BYDAY=SA"
                planned_activity_update(planned=patrol, by=personas.staff)
                edit_holds_lock.set()
                release_edit.wait(10)
        finally:
            connection.close()

    def job():
        try:
            edit_holds_lock.wait(10)
            occurrences_create(planned=stale, until=later_until, now=later)
            job_done.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=edit), threading.Thread(target=job)]
    for thread in threads:
        thread.start()
    edit_holds_lock.wait(10)
    assert not job_done.wait(1.0)  # blocked on the planned activity's row
    release_edit.set()
    for thread in threads:
        thread.join(15)
    assert job_done.is_set()
    beyond = Occurrence.objects.filter(
        planned_activity=patrol, date__gt=today + datetime.timedelta(days=WINDOW_DAYS)
    )
    # The seven days past the edit's window hold exactly one Saturday, and only it.
    assert [day.weekday() for day in beyond.values_list("date", flat=True)] == [5]
