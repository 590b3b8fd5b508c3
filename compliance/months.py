"""The calendar months the rules are checked in, and the team's monthly rule
(docs/domain.md § Rules: at least ``min_activities_per_month`` approved activities in
every calendar month; the current month is in progress until it has ended)."""

from __future__ import annotations

import calendar
import datetime
import functools

from django.db import models
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

MONTHS = range(1, 13)


class MonthState(models.TextChoices):
    """A month of the calendar strip, seen from today."""

    BEFORE_FOUNDING = "before_founding", _("before the team was founded")
    FUTURE = "future", _("not yet")
    CURRENT = "current", _("in progress")
    MET = "met", _("met")
    NOT_MET = "not_met", _("not met")


@functools.cache
def month_start(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, 1)


@functools.cache
def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_label(month: int) -> str:
    """A month's short name in a column header or the strip: 1月 … 12月."""
    return pgettext("month column header", "%(month)d") % {"month": month}


def month_title(year: int, month: int) -> str:
    """A month in a heading or a message: 2026年11月."""
    return gettext("%(year)s/%(month)s") % {"year": year, "month": month}


def default_review_month(today: datetime.date) -> tuple[int, int]:
    """The month a review opens on: the month before ``today``.

    ``today`` is the local date (``timezone.localdate()``, Asia/Shanghai): at
    00:30 on 1 December in Shanghai it is still 30 November in UTC, yet the
    review opens on November, the month that has just ended.
    """
    return previous_month(today.year, today.month)


def before_founding(year: int, month: int, founded_on: datetime.date) -> bool:
    """A month before the team's founding month: no rule applies, nothing to sign."""
    return (year, month) < (founded_on.year, founded_on.month)


def month_state(
    year: int,
    month: int,
    *,
    founded_on: datetime.date,
    today: datetime.date,
    activities: int,
    minimum: int,
) -> MonthState:
    """Where one month stands today. A month is met or not only once it has ended."""
    if before_founding(year, month, founded_on):
        return MonthState.BEFORE_FOUNDING
    if (year, month) > (today.year, today.month):
        return MonthState.FUTURE
    if (year, month) == (today.year, today.month):
        return MonthState.CURRENT
    return MonthState.MET if activities >= minimum else MonthState.NOT_MET
