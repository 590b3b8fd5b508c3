"""Official holidays and make-up working days in the rules (docs: § Planned activities).

Dates worked out by hand from the State Council's 2026 arrangement: 国庆 break
1–7 October 2026 (Thursday to Wednesday, the weekend 3–4 October inside it); make-up
working days Sunday 20 September and Saturday 10 October 2026; 中秋节 Friday 25 to
Sunday 27 September 2026. The package pinned
(chinesecalendar 1.11.0) does not know 2027 yet.
"""

from __future__ import annotations

import datetime
import logging

import pytest

from planning.models import Occurrence
from planning.services import occurrences_create
from planning.tests.test_services import SHANGHAI, dates, planned

pytestmark = pytest.mark.django_db

BEFORE_THE_BREAK = datetime.datetime(2026, 9, 17, 9, 0, tzinfo=SHANGHAI)


def days(first: int, last: int, month: int = 10) -> list[datetime.date]:
    return [datetime.date(2026, month, day) for day in range(first, last + 1)]


def test_a_daily_rule_skips_the_national_day_break_with_the_option_twice_over():
    patrol = planned(
        first_date=datetime.date(2026, 9, 29),
        end_date=datetime.date(2026, 10, 9),
        skip_holidays=True,
    )
    until = datetime.date(2026, 10, 31)
    assert occurrences_create(planned=patrol, until=until, now=BEFORE_THE_BREAK) == 4
    # 29, 30 September; 1–7 October skipped; 8, 9 October; nothing after the end date.
    assert dates(patrol) == [*days(29, 30, month=9), *days(8, 9)]
    assert occurrences_create(planned=patrol, until=until, now=BEFORE_THE_BREAK) == 0
    assert Occurrence.objects.count() == 4


def test_without_the_option_the_break_is_scheduled():
    patrol = planned(first_date=datetime.date(2026, 9, 29), end_date=datetime.date(2026, 10, 9))
    occurrences_create(planned=patrol, until=datetime.date(2026, 10, 31), now=BEFORE_THE_BREAK)
    assert dates(patrol) == [*days(29, 30, month=9), *days(1, 9)]


def test_make_up_working_days_are_added_to_a_weekday_rule():
    crossing = planned(
        rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        first_date=datetime.date(2026, 9, 18),
        end_date=datetime.date(2026, 10, 12),
        starts_at=datetime.time(7, 30),
        ends_at=datetime.time(8, 0),
        skip_holidays=True,
        on_makeup_workdays=True,
    )
    occurrences_create(planned=crossing, until=datetime.date(2026, 10, 31), now=BEFORE_THE_BREAK)
    # Weekdays 18–30 September, Sunday 20 September worked, Friday 25 September off
    # (中秋节); the break off; Thursday 8, Friday 9, Saturday 10 (worked), Monday 12 October.
    assert dates(crossing) == [
        datetime.date(2026, 9, 18),
        datetime.date(2026, 9, 20),
        *[datetime.date(2026, 9, day) for day in (21, 22, 23, 24, 28, 29, 30)],
        *days(8, 10),
        datetime.date(2026, 10, 12),
    ]


def test_without_the_make_up_option_the_weekend_stays_free():
    crossing = planned(
        rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        first_date=datetime.date(2026, 10, 8),
        end_date=datetime.date(2026, 10, 12),
    )
    occurrences_create(planned=crossing, until=datetime.date(2026, 10, 31), now=BEFORE_THE_BREAK)
    assert dates(crossing) == [*days(8, 9), datetime.date(2026, 10, 12)]


def test_make_up_days_stay_within_the_rules_count():
    # COUNT=3 from Thursday 8 October: 8, 9, 12 October; Saturday 10 (worked) within.
    counted = planned(
        rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=3",
        first_date=datetime.date(2026, 10, 8),
        on_makeup_workdays=True,
    )
    occurrences_create(planned=counted, until=datetime.date(2026, 10, 31), now=BEFORE_THE_BREAK)
    assert dates(counted) == [*days(8, 10), datetime.date(2026, 10, 12)]


def test_a_one_off_on_a_holiday_is_kept():
    # Staff chose that very day: the option is for recurring rules.
    one_off = planned(rule="", first_date=datetime.date(2026, 10, 1), skip_holidays=True)
    occurrences_create(planned=one_off, until=datetime.date(2026, 10, 31), now=BEFORE_THE_BREAK)
    assert dates(one_off) == [datetime.date(2026, 10, 1)]


def test_a_year_not_known_yet_is_scheduled_with_a_warning(caplog):
    patrol = planned(
        first_date=datetime.date(2026, 12, 30),
        end_date=datetime.date(2027, 1, 2),
        skip_holidays=True,
    )
    now = datetime.datetime(2026, 12, 29, 9, 0, tzinfo=SHANGHAI)
    with caplog.at_level(logging.WARNING, logger="planning.models"):
        created = occurrences_create(planned=patrol, until=datetime.date(2027, 1, 31), now=now)
    # 1 January 2027 is not skipped: the package has no 2027 yet; no crash.
    assert created == 4
    assert dates(patrol) == [
        datetime.date(2026, 12, 30),
        datetime.date(2026, 12, 31),
        datetime.date(2027, 1, 1),
        datetime.date(2027, 1, 2),
    ]
    assert "No official holiday arrangement for 2027" in caplog.text
    assert occurrences_create(planned=patrol, until=datetime.date(2027, 1, 31), now=now) == 0
