"""Planned activities and occurrences for tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from planning.models import Occurrence, PlannedActivity
from teams.tests.factories import ServiceCategoryFactory


def planned_of(team, **fields) -> PlannedActivity:
    values = {
        "team": team,
        "category": fields.pop("category", None) or ServiceCategoryFactory(team=team),
        "title": "火车站夜间巡逻",
        "place": "日喀则火车站",
        "starts_at": datetime.time(20, 0),
        "ends_at": datetime.time(0, 0),
        "first_date": timezone.localdate() + datetime.timedelta(days=1),
        "rule": "FREQ=DAILY",
        "is_published": True,
    }
    values.update(fields)
    return PlannedActivity.objects.create(**values)


def occurrence_of(team, *, days_ahead: int = 1, **fields) -> Occurrence:
    """A scheduled occurrence of a new planned activity, ``days_ahead`` from today."""
    planned = planned_of(team, **fields)
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    starts_at, ends_at = planned.bounds(day)
    return Occurrence.objects.create(
        planned_activity=planned, date=day, starts_at=starts_at, ends_at=ends_at
    )
