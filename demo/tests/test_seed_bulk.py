"""``manage.py seed_bulk`` (demo/bulk.py): the generated data keeps every rule, and its
figures match the raw-SQL oracle of activities/tests/test_stats_oracle.py.

The load disables the participation trigger and drops indexes and constraints while
it copies; these tests look for rows that break the rules with queries of their own,
and check that every index, constraint and trigger is back afterwards.
"""

# The checks' SQL is built from this module's constants only.
# ruff: noqa: S608
from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from activities.models import Activity, ActivityStatus, Participation
from activities.tests.test_stats_oracle import differences, oracle, stored
from activities.workdays import is_logged_late
from demo import bulk
from members.models import Member
from teams.models import Region, Team

UNTIL = datetime.date(2026, 6, 30)
SIZES = {"teams": 8, "members_per_team": 15, "years": 2, "reference_members": 30}


def schema(table: str) -> set[tuple[str, str]]:
    """The table's indexes, constraints and triggers, by name and definition."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        found = {("index", *row) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass",
            [table],
        )
        found |= {("constraint", *row) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger "
            "WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [table],
        )
        found |= {("trigger", *row) for row in cursor.fetchall()}
    return found


def violations(sql: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.fixture
def seeded(db):
    if connection.vendor != "postgresql":
        pytest.fail("seed_bulk needs PostgreSQL (DATABASE_URL=postgres://...)")
    before = {table: schema(table) for table in [*bulk.BIG_TABLES, *bulk.SUMMARY_TABLES]}
    result = bulk.bulk_seed(seed=7, until=UNTIL, **SIZES)
    return before, result


@pytest.mark.services
def test_the_data_keeps_every_rule(seeded):
    before, result = seeded
    assert result.teams == 8
    assert Member.objects.count() == result.members
    assert Activity.objects.count() == result.activities > 0
    assert Participation.objects.count() == result.participations > 0
    approved = ActivityStatus.APPROVED.value
    checks = {
        "participant hours above the activity's": """
            SELECT p.id FROM activities_participation p
              JOIN activities_activity a ON a.id = p.activity_id WHERE p.hours > a.hours""",
        "participant from another team": """
            SELECT p.id FROM activities_participation p
              JOIN activities_activity a ON a.id = p.activity_id
              JOIN members_member m ON m.id = p.member_id WHERE m.team_id <> a.team_id""",
        "participant not registered on the activity's start date": """
            SELECT p.id FROM activities_participation p
              JOIN activities_activity a ON a.id = p.activity_id
              JOIN members_member m ON m.id = p.member_id
             WHERE m.registered_on > a.start_date OR m.left_on < a.start_date""",
        "member listed twice on an activity": """
            SELECT activity_id, member_id FROM activities_participation
             GROUP BY 1, 2 HAVING COUNT(*) > 1""",
        "hours not positive": """
            SELECT id FROM activities_participation WHERE hours <= 0
            UNION ALL SELECT id FROM activities_activity WHERE hours <= 0""",
        "more than 24 hours a day": """
            SELECT id FROM activities_activity
             WHERE hours > (end_date - start_date + 1) * 24 OR end_date < start_date""",
        "workflow times missing or misplaced": f"""
            SELECT id FROM activities_activity
             WHERE (status = '{approved}') <> (approved_at IS NOT NULL)
                OR (status = 'draft') <> (submitted_at IS NULL)""",
        "activity after the last day or before the founding": f"""
            SELECT a.id FROM activities_activity a JOIN teams_team t ON t.id = a.team_id
             WHERE a.end_date > '{UNTIL}' OR a.start_date < t.founded_on""",
        "left before registering, or registered after the last day": f"""
            SELECT id FROM members_member
             WHERE left_on < registered_on OR registered_on > '{UNTIL}'""",
        "a team outside the province's cities": f"""
            SELECT t.id FROM teams_team t JOIN teams_region r ON r.id = t.region_id
             WHERE r.parent_id IS DISTINCT FROM
                   (SELECT id FROM teams_region WHERE name = '{bulk.PROVINCE}'
                       AND parent_id IS NULL)""",
    }
    problems = {name: violations(sql) for name, sql in checks.items()}
    assert not any(problems.values()), {k: v[:5] for k, v in problems.items() if v}
    # The model validators agree, on a sample.
    for member in Member.objects.order_by("?")[:20]:
        member.full_clean()
    for activity in Activity.objects.order_by("?")[:20]:
        activity.full_clean()
    for participation in Participation.objects.select_related("activity", "member")[:20]:
        participation.full_clean()
    # "Logged late" is what the working-day rule says.
    for activity in Activity.objects.exclude(submitted_at=None):
        submitted = timezone.localdate(activity.submitted_at)
        expected = is_logged_late(ended_on=activity.end_date, submitted_on=submitted)
        assert activity.is_late == expected, activity.pk
    # Every index, constraint and trigger is back, enabled.
    assert {table: schema(table) for table in before} == before


@pytest.mark.services
def test_the_trigger_is_back_on(seeded):
    activity = Activity.objects.order_by("pk").first()
    stranger = Member.objects.exclude(team=activity.team).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(activity=activity, member=stranger, hours=activity.hours)


@pytest.mark.services
def test_the_shape_of_the_province(seeded):
    province = Region.objects.get(parent=None, name=bulk.PROVINCE)
    assert province.children.count() == len(bulk.CITIES) == 14
    reference = Team.objects.get(slug=bulk.reference_team_slug(7))
    assert reference.members.count() == SIZES["reference_members"]
    assert reference.is_published
    sizes = [team.members.count() for team in Team.objects.exclude(pk=reference.pk)]
    assert min(sizes) >= 9 and max(sizes) <= 21  # 15 ± 40 %
    assert Member.objects.exclude(left_on=None).exists()  # some leave
    statuses = set(Activity.objects.values_list("status", flat=True))
    assert ActivityStatus.APPROVED in statuses and len(statuses) >= 2


@pytest.mark.services
def test_the_figures_match_the_oracle(seeded):
    today = timezone.localdate()
    problems = []
    for team in Team.objects.all():
        expected_rows, expected_members = oracle(team.pk, today)
        rows, member_rows = stored(team.pk)
        problems += differences(expected_rows, rows) + differences(expected_members, member_rows)
    assert not problems, "\n".join(problems[:20])
    assert not Team.objects.filter(figures_state__stale=True).exists()


@pytest.mark.services
def test_it_loads_once(seeded):
    with pytest.raises(CommandError, match="already loaded"):
        call_command("seed_bulk", "--teams", "1", stdout=io.StringIO())


def test_it_refuses_anything_but_postgresql(db, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("seed_bulk", "--teams", "1", stdout=io.StringIO())


def test_the_same_seed_gives_the_same_rows():
    """The generator alone (no database): same seed, same lines; another seed differs."""

    class Collect:
        def __init__(self):
            self.lines = []

        def add(self, table, columns, lines):
            self.lines += [(table, line) for line in lines]

    def generate(seed: int, teams: int = 3, years: int = 2) -> list:
        plan = bulk._Plan(
            teams=teams,
            members_per_team=10,
            years=years,
            seed=seed,
            until=UNTIL,
            region_ids=list(range(1, 15)),
            category_ids=list(range(1, 8)),
            calendar=bulk._Calendar(datetime.date(2019, 1, 1), datetime.date(2026, 9, 1)),
            created_at="2026-06-30T12:00:00+08:00",
            reference_members=12,
        )
        ids = bulk._Ids(0, 0, 0, 0, 0)
        collect = Collect()
        for index in range(teams):
            bulk._team(plan, index, ids, collect)
        return collect.lines

    assert generate(3) == generate(3)
    assert generate(3) != generate(4)
    # Teams founded so late in a one-year window that they have no activity yet.
    assert generate(5, teams=2000, years=1)
