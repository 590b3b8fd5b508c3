"""The summary tables against an independent oracle, on random data.

The oracle is plain SQL over the raw tables, written from docs/domain.md § Figures
and not from activities/stats.py: every period is a (start, end) pair made in
Python and passed as parameters, so the same SQL runs on SQLite and PostgreSQL
(no EXTRACT or strftime), and each figure is a COUNT or SUM joined on
``start_date BETWEEN period_start AND period_end``.

MemberYearFigures are checked with their twelve monthly counts and hours too.

The data comes from a seeded ``random.Random``: members joining and leaving
(often on a month's first or last day), activities in several years with every
status, multi-day ones, random participants with hours up to the activity's.
"""

from __future__ import annotations

import calendar
import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from activities.models import (
    ActivityStatus,
    MemberYearFigures,
    Participation,
    PeriodKind,
    TeamFigures,
)
from activities.stats import TEAM_FIGURE_FIELDS, team_figures_recompute
from activities.tests.factories import ActivityFactory
from members.tests.factories import MemberFactory
from teams.tests.factories import RegionFactory, ServiceCategoryFactory, TeamFactory

pytestmark = pytest.mark.django_db

SEEDS = [1, 2, 3, 5, 8, 13, 21, 34]
STATUSES = [
    ActivityStatus.APPROVED,
    ActivityStatus.APPROVED,
    ActivityStatus.APPROVED,
    ActivityStatus.DRAFT,
    ActivityStatus.SUBMITTED,
    ActivityStatus.RETURNED,
]
HOURS = Decimal("0.1")
YUAN = Decimal("0.01")
DECIMAL_PLACES = {"activity_hours": HOURS, "person_hours": HOURS, "donation_yuan": YUAN}


# --- Random data ---------------------------------------------------------------------------


def random_day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    """A day in [first, last]; one time in four a month's first or last day."""
    day = first + datetime.timedelta(days=rng.randint(0, (last - first).days))
    if rng.random() < 0.25:
        edge = (
            day.replace(day=1)
            if rng.random() < 0.5
            else day.replace(day=calendar.monthrange(day.year, day.month)[1])
        )
        if first <= edge <= last:
            day = edge
    return day


def random_team(rng: random.Random, region, category):
    team = TeamFactory(
        region=region, founded_on=datetime.date(rng.randint(2015, 2017), rng.randint(1, 12), 1)
    )
    members = []
    for _ in range(rng.randint(0, 12)):
        registered = random_day(rng, datetime.date(2014, 6, 1), datetime.date(2019, 12, 31))
        left = None
        if rng.random() < 0.35:
            left = random_day(rng, registered, datetime.date(2020, 6, 30))
        members.append(MemberFactory(team=team, registered_on=registered, left_on=left))
    participations = []
    for _ in range(rng.randint(0, 40)):
        start = random_day(rng, datetime.date(2015, 1, 1), datetime.date(2019, 12, 31))
        days = rng.choice([1, 1, 1, 1, 2, 3, 5])
        hours = Decimal(rng.randint(1, 80 * days)) / 10  # up to 8 hours a day
        status = rng.choice(STATUSES)
        activity = ActivityFactory(
            team=team,
            category=category,
            start_date=start,
            end_date=start + datetime.timedelta(days=days - 1),
            hours=hours,
            status=status,
            approved_at=timezone.now() if status == ActivityStatus.APPROVED else None,
            people_reached=rng.choice([0, rng.randint(1, 500)]),
            materials_distributed=rng.choice([0, rng.randint(1, 10_000)]),
            households_visited=rng.choice([0, rng.randint(1, 60)]),
            donation_yuan=rng.choice([Decimal("0"), Decimal(rng.randint(1, 500_000)) / 100]),
        )
        # A participant is registered on the activity's start date (db_triggers.py).
        eligible = [member for member in members if member.was_registered_on(start)]
        for member in rng.sample(eligible, rng.randint(0, len(eligible))):
            participations.append(
                Participation(
                    activity=activity,
                    member=member,
                    hours=Decimal(rng.randint(1, int(hours * 10))) / 10,
                )
            )
    Participation.objects.bulk_create(participations)
    return team


# --- The oracle ----------------------------------------------------------------------------


def as_date(value) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)  # SQLite hands back MIN(date) as text


def exact(value, places: Decimal) -> Decimal:
    # SQLite sums decimals as floats: round back to the column's places.
    return Decimal(str(value)).quantize(places)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def oracle_periods(team_id: int, today: datetime.date) -> list[tuple]:
    """(kind, year, month, start, end) of every period that should have a row.

    Months run from the earliest of the founding month, the first approved
    activity and the first registration, to the later of this month and the
    last approved activity; years cover the same span; all time ends today.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT founded_on FROM teams_team WHERE id = %s", [team_id])
        (founded,) = cursor.fetchone()
        cursor.execute(
            "SELECT MIN(start_date), MAX(start_date) FROM activities_activity "
            "WHERE team_id = %s AND status = %s",
            [team_id, ActivityStatus.APPROVED.value],
        )
        first_activity, last_activity = map(as_date, cursor.fetchone())
        cursor.execute(
            "SELECT MIN(registered_on) FROM members_member WHERE team_id = %s", [team_id]
        )
        (first_member,) = map(as_date, cursor.fetchone())
    first = min(d for d in [as_date(founded), first_activity, first_member] if d).replace(day=1)
    last = max(d for d in [today, last_activity] if d)
    periods = []
    day = first
    while day <= last:
        periods.append((PeriodKind.MONTH.value, day.year, day.month, day, month_end(day)))
        day = month_end(day) + datetime.timedelta(days=1)
    for year in range(first.year, last.year + 1):
        periods.append(
            (
                PeriodKind.YEAR.value,
                year,
                0,
                datetime.date(year, 1, 1),
                datetime.date(year, 12, 31),
            )
        )
    periods.append((PeriodKind.ALL.value, 0, 0, datetime.date(1900, 1, 1), today))
    return periods


def periods_cte(periods: list[tuple]) -> tuple[str, list]:
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(periods))
    sql = f"WITH periods(kind, year, month, period_start, period_end) AS (VALUES {rows}) "
    return sql, [value for period in periods for value in period]


ACTIVITIES_SQL = """
SELECT p.kind, p.year, p.month,
       COUNT(a.id),
       COALESCE(SUM(a.hours), 0),
       COALESCE(SUM(a.people_reached), 0),
       COALESCE(SUM(a.materials_distributed), 0),
       COALESCE(SUM(a.households_visited), 0),
       COALESCE(SUM(a.donation_yuan), 0)
FROM periods p
LEFT JOIN activities_activity a
       ON a.team_id = %s AND a.status = %s
      AND a.start_date >= p.period_start AND a.start_date <= p.period_end
GROUP BY p.kind, p.year, p.month
"""

PARTICIPATIONS_SQL = """
SELECT p.kind, p.year, p.month, COUNT(x.id), COALESCE(SUM(x.hours), 0)
FROM periods p
LEFT JOIN (
    SELECT pa.id, pa.hours, a.start_date
    FROM activities_participation pa
    JOIN activities_activity a ON a.id = pa.activity_id
    WHERE a.team_id = %s AND a.status = %s
) x ON x.start_date >= p.period_start AND x.start_date <= p.period_end
GROUP BY p.kind, p.year, p.month
"""

MEMBERS_SQL = """
SELECT p.kind, p.year, p.month,
       COUNT(m.id),
       COUNT(CASE WHEN m.id IS NOT NULL AND (m.left_on IS NULL OR m.left_on >= p.period_end)
                  THEN 1 END)
FROM periods p
LEFT JOIN members_member m
       ON m.team_id = %s
      AND m.registered_on <= p.period_end
      AND (m.left_on IS NULL OR m.left_on >= p.period_start)
GROUP BY p.kind, p.year, p.month
"""

MEMBER_PERIODS_SQL = """
SELECT pa.member_id, p.year, p.month, COUNT(pa.id), SUM(pa.hours)
FROM activities_participation pa
JOIN activities_activity a ON a.id = pa.activity_id
JOIN periods p ON p.kind IN (%s, %s)
              AND a.start_date >= p.period_start AND a.start_date <= p.period_end
WHERE a.team_id = %s AND a.status = %s
GROUP BY pa.member_id, p.year, p.month
"""


def oracle(team_id: int, today: datetime.date) -> tuple[dict, dict]:
    """The expected TeamFigures (by period) and MemberYearFigures (by member, year)."""
    cte, params = periods_cte(oracle_periods(team_id, today))
    approved = ActivityStatus.APPROVED.value
    expected: dict[tuple, dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(cte + ACTIVITIES_SQL, [*params, team_id, approved])
        for kind, year, month, n, hours, people, materials, households, donation in cursor:
            expected[(kind, year, month)] = {
                "activities": n,
                "activity_hours": exact(hours, HOURS),
                "people_reached": people,
                "materials_distributed": materials,
                "households_visited": households,
                "donation_yuan": exact(donation, YUAN),
            }
        cursor.execute(cte + PARTICIPATIONS_SQL, [*params, team_id, approved])
        for kind, year, month, n, hours in cursor:
            expected[(kind, year, month)].update(
                participant_times=n, person_hours=exact(hours, HOURS)
            )
        cursor.execute(cte + MEMBERS_SQL, [*params, team_id])
        for kind, year, month, during, at_end in cursor:
            expected[(kind, year, month)].update(
                registered_volunteers=during, volunteers_at_end=at_end
            )
        cursor.execute(
            cte + MEMBER_PERIODS_SQL,
            [*params, PeriodKind.YEAR.value, PeriodKind.MONTH.value, team_id, approved],
        )
        member_periods = list(cursor)
    # Per member and year: participations, hours, and the twelve monthly counts and hours.
    member_years: dict[tuple, dict] = {}
    for member_id, year, month, n, hours in member_periods:
        if month == 0:
            row = member_years.setdefault((member_id, year), empty_member_year())
            row.update(participations=n, hours=exact(hours, HOURS))
    for member_id, year, month, n, hours in member_periods:
        if month != 0:
            row = member_years[(member_id, year)]
            row["monthly_participations"][month - 1] = n
            row["monthly_hours"][month - 1] = exact(hours, HOURS)
    return expected, member_years


def empty_member_year() -> dict:
    return {
        "participations": 0,
        "hours": Decimal("0.0"),
        "monthly_participations": [0] * 12,
        "monthly_hours": [Decimal("0.0")] * 12,
    }


def stored(team_id: int) -> tuple[dict, dict]:
    team_rows = {
        (row.kind, row.year, row.month): {
            name: (
                exact(getattr(row, name), DECIMAL_PLACES[name])
                if name in DECIMAL_PLACES
                else getattr(row, name)
            )
            for name in TEAM_FIGURE_FIELDS
        }
        for row in TeamFigures.objects.filter(team_id=team_id)
    }
    member_rows = {
        (row.member_id, row.year): {
            "participations": row.participations,
            "hours": exact(row.hours, HOURS),
            "monthly_participations": row.monthly_participations,
            "monthly_hours": [exact(hours, HOURS) for hours in row.monthly_hours],
        }
        for row in MemberYearFigures.objects.filter(team_id=team_id)
    }
    return team_rows, member_rows


def differences(expected: dict, actual: dict) -> list[str]:
    problems = [f"missing row {key}" for key in sorted(expected.keys() - actual.keys())]
    problems += [f"extra row {key}" for key in sorted(actual.keys() - expected.keys())]
    for key in sorted(expected.keys() & actual.keys()):
        if expected[key] != actual[key]:
            problems.append(f"{key}: expected {expected[key]}, stored {actual[key]}")
    return problems


# --- The tests -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_the_summary_tables_match_the_sql_oracle(seed):
    rng = random.Random(seed)
    region = RegionFactory()
    category = ServiceCategoryFactory(name="扶贫帮困")
    teams = [random_team(rng, region, category) for _ in range(2)]
    for team in teams:
        team_figures_recompute(team_id=team.pk)
    today = timezone.localdate()

    for team in teams:
        expected_rows, expected_members = oracle(team.pk, today)
        rows, member_rows = stored(team.pk)
        problems = differences(expected_rows, rows)
        problems += differences(expected_members, member_rows)
        assert not problems, f"seed {seed}, team {team.pk}:\n" + "\n".join(problems[:20])


def test_the_oracle_sees_changes_the_recompute_must_follow():
    """After edits (reapproval, a member leaving) a recompute agrees with the oracle again."""
    rng = random.Random(99)
    team = random_team(rng, RegionFactory(), ServiceCategoryFactory(name="科教文卫"))
    while not team.members.exists():  # the edits below need a member
        team = random_team(rng, RegionFactory(), ServiceCategoryFactory(name="科教文卫"))
    team_figures_recompute(team_id=team.pk)
    today = timezone.localdate()

    member = team.members.order_by("pk").first()
    team.members.filter(pk=member.pk).update(left_on=max(member.registered_on, today))
    first_approved = team.activities.filter(status=ActivityStatus.APPROVED).order_by("pk").first()
    if first_approved is not None:
        first_approved.delete()
    team.activities.exclude(status=ActivityStatus.APPROVED).update(
        status=ActivityStatus.APPROVED, approved_at=timezone.now()
    )
    team_figures_recompute(team_id=team.pk)

    expected_rows, expected_members = oracle(team.pk, today)
    rows, member_rows = stored(team.pk)
    assert not differences(expected_rows, rows) + differences(expected_members, member_rows)
