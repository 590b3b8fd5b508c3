"""What the region pages' tests share: the personas' province admin, teams with figures
written by hand (as the background job would), and approved activities."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import ActivityStatus, PeriodKind, TeamFigures
from activities.tests.factories import ActivityFactory, ParticipationFactory
from conftest import client_for
from teams.models import Team
from teams.tests.factories import RegionAdminFactory, TeamFactory

TODAY = timezone.localdate()
YEAR = TODAY.year


@pytest.fixture
def province_admin(personas):
    return RegionAdminFactory(region=personas.region.parent, user__username="province_admin").user


def year_row(team: Team, year: int = YEAR, **values) -> TeamFigures:
    """A year's figures written directly, as the background job would."""
    return TeamFigures.objects.create(team=team, kind=PeriodKind.YEAR, year=year, **values)


def month_row(team: Team, month: int, activities: int, year: int = YEAR) -> TeamFigures:
    return TeamFigures.objects.create(
        team=team,
        kind=PeriodKind.MONTH,
        year=year,
        month=month,
        activities=activities,
    )


def approved(team, day: datetime.date, hours: str, members) -> None:
    activity = ActivityFactory(
        team=team,
        start_date=day,
        hours=Decimal(hours),
        status=ActivityStatus.APPROVED,
        approved_at=timezone.now(),
    )
    for member in members:
        ParticipationFactory(activity=activity, member=member, hours=Decimal(hours))


@pytest.fixture
def many(personas, province_admin):
    """Teams in both cities with figures for this year; the province admin sees them all."""
    lhasa = personas.other_team.region
    specs = [
        # slug, region, host unit, published, volunteers, person-hours, months met (Jan..)
        ("a-finance", personas.region, "A 财政局", True, 10, "125.0", 12),
        ("b-housing", personas.region, "B 住建局", False, 8, "20.0", 0),
        ("c-gov", lhasa, "C 政府办公室", True, 20, "250.0", 12),
        ("d-edu", lhasa, "D 教育局", True, 4, "50.0", 12),
        ("e-stats", lhasa, "E 统计局", False, 0, "0.0", 0),
    ]
    for slug, region, unit, published, volunteers, hours, met in specs:
        team = TeamFactory(
            slug=slug,
            name=f"{slug} 队",
            region=region,
            host_unit=unit,
            is_published=published,
            founded_on=datetime.date(2016, 1, 1),
        )
        year_row(team, registered_volunteers=volunteers, person_hours=Decimal(hours))
        for month in range(1, 13):
            month_row(team, month, 1 if month <= met else 0)
    return client_for(province_admin)
