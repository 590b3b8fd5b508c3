"""Working days in China, for the rule that activities are logged within 10 of them.

Official holidays and the weekend days turned into working days (调休) come
from the ``chinesecalendar`` package, which publishes each year's schedule once
the State Council announces it. For a year it does not cover yet we fall back
to Monday–Friday rather than refuse to work.
"""

from __future__ import annotations

import datetime

import chinese_calendar

LOGGING_DEADLINE_WORKING_DAYS = 10


def is_working_day(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    count = 0
    day = start + datetime.timedelta(days=1)
    while day <= end:
        if is_working_day(day):
            count += 1
        day += datetime.timedelta(days=1)
    return count


def is_logged_late(*, ended_on: datetime.date, submitted_on: datetime.date) -> bool:
    return working_days_between(ended_on, submitted_on) > LOGGING_DEADLINE_WORKING_DAYS
