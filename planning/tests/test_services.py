"""Occurrences created ahead by rule (docs: § Entities, Planned activities)."""

from __future__ import annotations

import datetime
import time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from planning.models import Occurrence, OccurrenceStatus, PlannedActivity
from planning.services import WINDOW_DAYS, occurrences_create, occurrences_create_ahead
from planning.tasks import create_occurrences
from teams.tests.factories import ServiceCategoryFactory, TeamFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Thursday, 09:00 in Shanghai.
NOW = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)


def planned(**fields) -> PlannedActivity:
    team = fields.pop("team", None) or TeamFactory()
    values = {
        "team": team,
        "category": ServiceCategoryFactory(team=team),
        "title": "火车站夜间巡逻",
        "starts_at": datetime.time(20, 0),
        "ends_at": datetime.time(0, 0),
        "first_date": datetime.date(2026, 12, 3),
        "rule": "FREQ=DAILY",
        "is_published": True,
        "created_by": UserFactory(),
    }
    values.update(fields)
    activity = PlannedActivity(**values)
    activity.full_clean()
    activity.save()
    return activity


def dates(activity) -> list[datetime.date]:
    return list(Occurrence.objects.filter(planned_activity=activity).values_list("date", flat=True))


@pytest.mark.django_db
def test_run_twice_creates_the_same_rows():
    patrol = planned()
    until = datetime.date(2026, 12, 9)
    assert occurrences_create(planned=patrol, until=until, now=NOW) == 7
    rows = list(Occurrence.objects.values_list("pk", "date", "starts_at", "ends_at"))
    assert occurrences_create(planned=patrol, until=until, now=NOW) == 0
    assert list(Occurrence.objects.values_list("pk", "date", "starts_at", "ends_at")) == rows
    assert [d.day for d in dates(patrol)] == [3, 4, 5, 6, 7, 8, 9]


@pytest.mark.django_db
def test_a_cancelled_occurrence_stays_cancelled_on_a_rerun():
    patrol = planned()
    occurrences_create(planned=patrol, until=datetime.date(2026, 12, 5), now=NOW)
    Occurrence.objects.filter(date=datetime.date(2026, 12, 4)).update(
        status=OccurrenceStatus.CANCELLED
    )
    occurrences_create(planned=patrol, until=datetime.date(2026, 12, 5), now=NOW)
    assert Occurrence.objects.get(date=datetime.date(2026, 12, 4)).status == "cancelled"
    assert Occurrence.objects.count() == 3


@pytest.mark.django_db
def test_the_rules_until_is_respected():
    patrol = planned(rule="FREQ=DAILY;UNTIL=20261206")
    occurrences_create(planned=patrol, until=datetime.date(2026, 12, 31), now=NOW)
    assert dates(patrol) == [datetime.date(2026, 12, d) for d in (3, 4, 5, 6)]


@pytest.mark.django_db
def test_the_end_date_and_count_are_respected():
    ends = planned(end_date=datetime.date(2026, 12, 4))
    counted = planned(rule="FREQ=WEEKLY;COUNT=2")
    occurrences_create(planned=ends, until=datetime.date(2026, 12, 31), now=NOW)
    occurrences_create(planned=counted, until=datetime.date(2026, 12, 31), now=NOW)
    assert dates(ends) == [datetime.date(2026, 12, 3), datetime.date(2026, 12, 4)]
    assert dates(counted) == [datetime.date(2026, 12, 3), datetime.date(2026, 12, 10)]


@pytest.mark.django_db
def test_every_first_saturday():
    monthly = planned(
        rule="FREQ=MONTHLY;BYDAY=1SA",
        first_date=datetime.date(2026, 11, 1),
        starts_at=datetime.time(9, 0),
        ends_at=datetime.time(11, 30),
    )
    occurrences_create(planned=monthly, until=datetime.date(2027, 3, 31), now=NOW)
    # Worked out on a calendar: the first Saturdays after 3 December 2026.
    assert dates(monthly) == [
        datetime.date(2026, 12, 5),
        datetime.date(2027, 1, 2),
        datetime.date(2027, 2, 6),
        datetime.date(2027, 3, 6),
    ]
    first = Occurrence.objects.filter(planned_activity=monthly).first()
    assert first.starts_at == datetime.datetime(2026, 12, 5, 9, 0, tzinfo=SHANGHAI)
    assert first.ends_at == datetime.datetime(2026, 12, 5, 11, 30, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_a_daily_patrol_to_midnight_ends_at_the_next_days_midnight():
    patrol = planned()
    occurrences_create(planned=patrol, until=datetime.date(2026, 12, 3), now=NOW)
    occurrence = Occurrence.objects.get()
    assert occurrence.starts_at == datetime.datetime(2026, 12, 3, 20, 0, tzinfo=SHANGHAI)
    assert occurrence.ends_at == datetime.datetime(2026, 12, 4, 0, 0, tzinfo=SHANGHAI)
    assert occurrence.ends_at - occurrence.starts_at == datetime.timedelta(hours=4)


@pytest.mark.django_db
def test_past_occurrences_are_never_created():
    patrol = planned(
        first_date=datetime.date(2026, 11, 20),
        starts_at=datetime.time(7, 0),
        ends_at=datetime.time(8, 30),
    )
    occurrences_create(planned=patrol, until=datetime.date(2026, 12, 4), now=NOW)
    # 3 December 07:00–08:30 ended before 09:00; 4 December is ahead.
    assert dates(patrol) == [datetime.date(2026, 12, 4)]


@pytest.mark.django_db
def test_last_nights_patrol_still_running_is_created():
    patrol = planned(first_date=datetime.date(2026, 12, 2), ends_at=datetime.time(2, 0))
    just_after_midnight = datetime.datetime(2026, 12, 3, 0, 30, tzinfo=SHANGHAI)
    occurrences_create(planned=patrol, until=datetime.date(2026, 12, 3), now=just_after_midnight)
    assert dates(patrol) == [datetime.date(2026, 12, 2), datetime.date(2026, 12, 3)]


@pytest.mark.django_db
def test_a_one_off_has_one_occurrence():
    no_rule = planned(rule="", first_date=datetime.date(2026, 12, 12))
    count_one = planned(rule="FREQ=DAILY;COUNT=1", first_date=datetime.date(2026, 12, 12))
    for activity in (no_rule, count_one):
        occurrences_create(planned=activity, until=datetime.date(2026, 12, 31), now=NOW)
        assert dates(activity) == [datetime.date(2026, 12, 12)]


@pytest.mark.django_db
def test_the_window_covers_published_activities_only():
    shown = planned()
    hidden = planned(is_published=False)
    created = occurrences_create_ahead(now=NOW)
    # 3 December to 31 December: today and the WINDOW_DAYS (28) days after.
    assert created == WINDOW_DAYS + 1 == 29
    assert dates(shown)[-1] == datetime.date(2026, 12, 31)
    assert dates(hidden) == []
    assert occurrences_create_ahead(now=NOW) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SOMETIMES",
        "FREQ=HOURLY",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;COUNT=99999999999999999999999",
        "FREQ=DAILY;UNTIL=20261301",
        "FREQ=DAILY;COUNT=NaN",
        "FREQ=DAILY;COUNT=１",
        "FREQ=DAILY\x00",
        "DTSTART:20261203\nRRULE:FREQ=DAILY",
        "FREQ=DAILY;" + "BYDAY=MO;" * 100,
    ],
)
def test_a_bad_rule_is_refused(rule):
    with pytest.raises(ValidationError) as error:
        planned(rule=rule)
    assert "rule" in error.value.message_dict


@pytest.mark.django_db
def test_an_end_equal_to_the_start_or_an_end_date_before_the_first_is_refused():
    with pytest.raises(ValidationError) as error:
        planned(ends_at=datetime.time(20, 0), end_date=datetime.date(2026, 12, 1))
    assert set(error.value.message_dict) == {"ends_at", "end_date"}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_job_through_a_real_worker(celery_worker):
    # From tomorrow: tomorrow to today + 28 days is exactly WINDOW_DAYS occurrences.
    patrol = planned(first_date=timezone.localdate() + datetime.timedelta(days=1))
    create_occurrences.delay()  # autocommit: queued now
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if Occurrence.objects.filter(planned_activity=patrol).count() == WINDOW_DAYS:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not create the occurrences within 30 s")
    create_occurrences.delay()
    time.sleep(2)
    assert create_occurrences.apply().get() == 0
    assert Occurrence.objects.filter(planned_activity=patrol).count() == WINDOW_DAYS
