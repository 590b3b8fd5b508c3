"""Recurrence rules in RFC 5545 terms (docs/domain.md § Entities, Planned activities).

A rule is the text of an RRULE without its DTSTART (``FREQ=DAILY;UNTIL=20261231``,
``FREQ=MONTHLY;BYDAY=1SA``): the planned activity's first date is the start. No
rule means a one-off, as does ``COUNT=1``.
"""

from __future__ import annotations

import datetime

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Enough for a daily duty over the rolling window many times over; a rule longer
# than this is not a recurrence staff meant to type.
RULE_MAX_LENGTH = 500
FREQUENCIES = {DAILY, WEEKLY, MONTHLY, YEARLY}
# Ten years of a daily duty.
MAX_COUNT = 3660


def _start(first_date: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(first_date, datetime.time())


def rule_parse(text: str, *, first_date: datetime.date):
    """The dateutil rrule for ``text`` starting on ``first_date``; ValidationError if bad."""
    if len(text) > RULE_MAX_LENGTH or "\x00" in text or not text.isascii():
        raise ValidationError(_("The recurrence rule is not valid."), code="rule")
    if "DTSTART" in text.upper() or "\n" in text:
        raise ValidationError(_("The recurrence rule is not valid."), code="rule")
    try:
        rule = rrulestr(text, dtstart=_start(first_date), ignoretz=True)
    except (ValueError, TypeError, OverflowError) as error:
        raise ValidationError(_("The recurrence rule is not valid."), code="rule") from error
    # A day is the smallest step: an occurrence is one per day (unique per date).
    if not isinstance(rule, rrule) or rule._freq not in FREQUENCIES or rule._interval < 1:
        raise ValidationError(_("The recurrence rule is not valid."), code="rule")
    if rule._count is not None and rule._count > MAX_COUNT:
        raise ValidationError(_("The recurrence rule is not valid."), code="rule")
    return rule


def rule_dates(
    text: str,
    *,
    first_date: datetime.date,
    end_date: datetime.date | None,
    start: datetime.date,
    until: datetime.date,
) -> list[datetime.date]:
    """The days the rule falls on between ``start`` and ``until`` (both included).

    ``end_date`` (the planned activity's own last day) bounds the rule as well as
    any UNTIL or COUNT it carries. No rule: the first date only.
    """
    if end_date is not None:
        until = min(until, end_date)
    start = max(start, first_date)
    if start > until:
        return []
    if not text:
        return [first_date] if start <= first_date <= until else []
    rule = rule_parse(text, first_date=first_date)
    found = rule.between(_start(start), _start(until), inc=True)
    return sorted({moment.date() for moment in found})


def rule_last_date(text: str, first_date: datetime.date) -> datetime.date | None:
    """The last day a rule falls on (its UNTIL or COUNT), None if it has no end."""
    if not text:
        return first_date
    rule = rule_parse(text, first_date=first_date)
    if rule._count is not None:
        moments = list(rule)  # at most MAX_COUNT
        return moments[-1].date() if moments else first_date
    if rule._until is not None:
        return rule._until.date()
    return None
