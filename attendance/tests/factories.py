"""Occurrences under way, for check-in tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from attendance.models import CheckInCode
from planning.models import Occurrence
from planning.tests.factories import occurrence_of


def running_occurrence(team, *, code: str = "482913") -> Occurrence:
    """A 4-hour occurrence of ``team`` begun ten minutes ago (its check-in window is open),
    with check-in code ``code``."""
    occurrence = occurrence_of(team, days_ahead=0)
    now = timezone.now()
    occurrence.starts_at = now - datetime.timedelta(minutes=10)
    occurrence.ends_at = occurrence.starts_at + datetime.timedelta(hours=4)
    occurrence.save()
    CheckInCode.objects.create(occurrence=occurrence, code=code, created_at=now)
    return occurrence
