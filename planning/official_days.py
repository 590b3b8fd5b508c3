"""China's official holiday breaks and make-up working days (调休), for the rules.

From the ``chinesecalendar`` package (already the source of working days for
"logged late", activities/workdays.py): it carries each year's arrangement as the
State Council publishes it, the whole break (国庆 2026: 1–7 October, the weekend
and the days off in lieu included) and the weekend days worked instead (调休上班日,
e.g. Sunday 20 September 2026). ``python-holidays`` was the other candidate: it
computes any year from the statutory days but, for a year not yet announced,
guesses the days off in lieu, and it lists a break without its weekend days
(4 October 2026), so "no patrol during the break" would still schedule one.

For a year the package does not know yet it raises; we treat every day of that
year as an ordinary day and the caller logs a warning (a new year's schedule needs the
package updated: docs/domain.md § Planned activities).
"""

from __future__ import annotations

import datetime

import chinese_calendar


class UnknownYear(Exception):
    """The package has no arrangement for this year yet."""

    def __init__(self, year: int):
        super().__init__(year)
        self.year = year


def _detail(day: datetime.date) -> tuple[bool, str | None]:
    try:
        return chinese_calendar.get_holiday_detail(day)
    except NotImplementedError as error:
        raise UnknownYear(day.year) from error


def is_holiday_break(day: datetime.date) -> bool:
    """A day of an official holiday break (法定节假日放假), weekends inside it included."""
    off, name = _detail(day)
    return off and name is not None


def is_makeup_workday(day: datetime.date) -> bool:
    """A weekend day officially worked instead of a day off (调休上班日)."""
    off, name = _detail(day)
    return not off and name is not None
