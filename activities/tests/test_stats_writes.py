"""A recompute writes only the summary rows whose figures changed (activities/stats.py),
counted through the database's own statistics."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from activities import services
from activities.models import (
    Activity,
    ActivityStatus,
    MemberYearFigures,
    Participation,
    PeriodKind,
    TeamFigures,
    TeamFiguresState,
)
from activities.stats import figures_written, team_figures_recompute
from activities.tests.conftest import approved
from activities.tests.factories import ParticipationFactory
from activities.tests.test_stats import figures, snapshot, zero_month
from members.models import Member
from members.tests.factories import MemberFactory
from teams.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_the_figures_write(monkeypatch):
    """These tests count the summary tables' own writes. Whatever listens to
    ``figures_written`` (the star levels) writes in the same transaction, and on SQLite
    the count is the connection's, so the listeners are left out here."""
    monkeypatch.setattr(figures_written, "receivers", [])


D = Decimal


# --- Writing only what changed -----------------------------------------------------------------

SUMMARY_TABLES = ["activities_teamfigures", "activities_memberyearfigures"]


def row_versions(team_ids) -> dict[tuple, tuple[str, str]]:
    """PostgreSQL: each summary row's physical version: ``xmin`` (the (sub)transaction
    that wrote it; every recompute runs in a savepoint of its own under a test) and
    ``ctid`` (where it lies). A rewritten row has a new one, even with equal values."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT team_id, kind, year, month, xmin::text, ctid::text "
            "FROM activities_teamfigures WHERE team_id = ANY(%s)",
            [list(team_ids)],
        )
        versions = {("team", *row[:4]): row[4:] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT member_id, year, xmin::text, ctid::text "
            "FROM activities_memberyearfigures WHERE team_id = ANY(%s)",
            [list(team_ids)],
        )
        versions |= {("member", *row[:2]): row[2:] for row in cursor.fetchall()}
    return versions


def rewritten(before: dict, after: dict) -> set[tuple]:
    """The rows inserted, rewritten or deleted between two ``row_versions``."""
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


class SummaryWrites:
    """Rows of the summary tables inserted, updated or deleted in a ``with`` block.

    PostgreSQL: the transaction's own statistics of the two tables. SQLite: the
    connection's count of changed rows, less the one update of the team's fill state
    (its time) that every recompute makes.
    """

    def __init__(self, state_updates: int = 1):
        self.state_updates = state_updates
        self.count: int | None = None

    def _now(self) -> int:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            return connection.connection.total_changes
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                "FROM pg_stat_xact_user_tables WHERE relname = ANY(%s)",
                [SUMMARY_TABLES],
            )
            return int(cursor.fetchone()[0])

    def __enter__(self):
        self._start = self._now()
        return self

    def __exit__(self, *exc):
        self.count = self._now() - self._start
        if connection.vendor == "sqlite":
            self.count -= self.state_updates


def test_a_recompute_of_unchanged_figures_writes_no_row(hand_worked):
    team = hand_worked.team
    team_figures_recompute(team_id=team.pk)
    first = snapshot(team)
    before = row_versions([team.pk]) if connection.vendor == "postgresql" else None
    with SummaryWrites() as writes:
        assert team_figures_recompute(team_id=team.pk) is True
    assert writes.count == 0
    if before is not None:
        assert rewritten(before, row_versions([team.pk])) == set()
    assert snapshot(team) == first


def test_a_changed_participation_rewrites_exactly_the_rows_it_counts_in(hand_worked):
    team, a = hand_worked.team, hand_worked.members["A"]
    team_figures_recompute(team_id=team.pk)
    before = row_versions([team.pk]) if connection.vendor == "postgresql" else None
    # 甲's hours in a1 (March 2018): 4.0 → 3.0.
    Participation.objects.filter(activity=hand_worked.activities["a1"], member=a).update(
        hours=D("3.0")
    )
    with SummaryWrites() as writes:
        team_figures_recompute(team_id=team.pk)
    # March 2018, the year 2018, all time, and 甲's 2018.
    assert writes.count == 4
    if before is not None:
        assert rewritten(before, row_versions([team.pk])) == {
            ("team", team.pk, PeriodKind.MONTH, 2018, 3),
            ("team", team.pk, PeriodKind.YEAR, 2018, 0),
            ("team", team.pk, PeriodKind.ALL, 0, 0),
            ("member", a.pk, 2018),
        }
    assert figures(team, PeriodKind.MONTH, 2018, 3)["person_hours"] == D("16.5")  # 17.5 − 1
    assert MemberYearFigures.objects.get(member=a, year=2018).monthly_hours[2] == "6.5"


def test_rows_no_longer_produced_are_deleted_and_only_they(hand_worked):
    """a7 (May 2019, 甲 and 丙) reopened: its month, year and all-time rows change, and
    甲's and 丙's 2019 rows go (no other approved activity that year)."""
    team = hand_worked.team
    team_figures_recompute(team_id=team.pk)
    before = row_versions([team.pk]) if connection.vendor == "postgresql" else None
    services.activity_reopen(
        activity=hand_worked.activities["a7"], by=UserFactory(), reason="参与人员有误"
    )
    with SummaryWrites() as writes:
        team_figures_recompute(team_id=team.pk)
    assert writes.count == 3 + 2
    a, c = hand_worked.members["A"], hand_worked.members["C"]
    assert not MemberYearFigures.objects.filter(team=team, year=2019).exists()
    if before is not None:
        assert rewritten(before, row_versions([team.pk])) == {
            ("team", team.pk, PeriodKind.MONTH, 2019, 5),
            ("team", team.pk, PeriodKind.YEAR, 2019, 0),
            ("team", team.pk, PeriodKind.ALL, 0, 0),
            ("member", a.pk, 2019),
            ("member", c.pk, 2019),
        }


def test_a_removed_participant_loses_the_year_and_a_late_month_goes():
    """Months run to the later of today and the last approved activity: when that
    activity goes, so do its months after this one; a member whose only record it
    was loses the year's row."""
    today = timezone.localdate()
    team = TeamFactory(founded_on=today.replace(day=1))
    member = MemberFactory(team=team, registered_on=team.founded_on)
    later = (today.replace(day=1) + datetime.timedelta(days=70)).replace(day=10)
    planned = approved(team=team, start_date=later, end_date=later, hours=D("2"))
    participation = ParticipationFactory(activity=planned, member=member, hours=D("2"))
    team_figures_recompute(team_id=team.pk)
    assert TeamFigures.objects.filter(team=team, year=later.year, month=later.month).exists()
    assert MemberYearFigures.objects.filter(member=member, year=later.year).exists()

    participation.delete()
    Activity.objects.filter(pk=planned.pk).update(status=ActivityStatus.RETURNED)
    team_figures_recompute(team_id=team.pk)

    assert not MemberYearFigures.objects.filter(member=member).exists()
    months = TeamFigures.objects.filter(team=team, kind=PeriodKind.MONTH)
    assert list(months.values_list("year", "month")) == [(today.year, today.month)]
    years = TeamFigures.objects.filter(team=team, kind=PeriodKind.YEAR)
    assert list(years.values_list("year", flat=True)) == [today.year]


def test_the_set_based_digests_are_cleared_only_when_rows_change(hand_worked):
    """The set-based recompute skips comparing a team's rows while their digest holds
    (stats_bulk); this writer clears a table's digest when it changes rows of it."""
    team = hand_worked.team

    def digests():
        state = TeamFiguresState.objects.get(team=team)
        return state.team_rows_digest, state.member_rows_digest

    team_figures_recompute(team_id=team.pk)
    TeamFiguresState.objects.filter(team=team).update(team_rows_digest=1, member_rows_digest=2)
    team_figures_recompute(team_id=team.pk)
    assert digests() == (1, 2)

    Activity.objects.filter(pk=hand_worked.activities["a1"].pk).update(people_reached=31)
    team_figures_recompute(team_id=team.pk)  # team rows only
    assert digests() == (None, 2)

    TeamFiguresState.objects.filter(team=team).update(team_rows_digest=1)
    Participation.objects.filter(activity=hand_worked.activities["a7"]).delete()
    team_figures_recompute(team_id=team.pk)  # May 2019 and all time; 甲's and 丙's 2019 gone
    assert digests() == (None, None)


def test_the_upsert_compares_every_value(hand_worked):
    """A stored row with one value off (say, written by an older version) is rewritten."""
    team = hand_worked.team
    team_figures_recompute(team_id=team.pk)
    TeamFigures.objects.filter(team=team, kind=PeriodKind.ALL).update(donation_yuan=D("0"))
    MemberYearFigures.objects.filter(member=hand_worked.members["B"], year=2018).update(
        monthly_participations=[0] * 12
    )
    with SummaryWrites() as writes:
        team_figures_recompute(team_id=team.pk)
    assert writes.count == 2
    assert figures(team, PeriodKind.ALL)["donation_yuan"] == D("3100.50")
    row = MemberYearFigures.objects.get(member=hand_worked.members["B"], year=2018)
    assert row.monthly_participations == [0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0]


def test_a_reopened_activity_leaves_the_figures(hand_worked):
    team = hand_worked.team
    team_figures_recompute(team_id=team.pk)
    services.activity_reopen(
        activity=hand_worked.activities["a7"], by=UserFactory(), reason="参与人员有误"
    )
    team_figures_recompute(team_id=team.pk)

    assert figures(team, PeriodKind.MONTH, 2019, 5) == zero_month(3, 3)
    assert figures(team, PeriodKind.YEAR, 2019) == zero_month(3, 3)
    assert figures(team, PeriodKind.ALL)["activities"] == 3
    assert figures(team, PeriodKind.ALL)["person_hours"] == D("48.0")
    assert figures(team, PeriodKind.ALL)["donation_yuan"] == D("3000.00")
    assert not MemberYearFigures.objects.filter(team=team, year=2019).exists()
    assert MemberYearFigures.objects.filter(team=team, year=2018).count() == 4


def test_periods_that_no_longer_exist_are_deleted():
    team = TeamFactory(founded_on=datetime.date(2016, 3, 1))
    # Logged by mistake in 2015, before the team was founded (with the member's
    # registration, as a participant is registered on the activity's start date).
    member = MemberFactory(team=team, registered_on=datetime.date(2015, 6, 10))
    activity = approved(team=team, start_date=datetime.date(2015, 6, 10), hours=D("3"))
    ParticipationFactory(activity=activity, member=member, hours=D("3"))
    team_figures_recompute(team_id=team.pk)
    assert figures(team, PeriodKind.MONTH, 2015, 6)["activities"] == 1
    assert TeamFigures.objects.filter(team=team, year=2015).count() == 7 + 1  # Jun–Dec, year
    assert MemberYearFigures.objects.filter(member=member, year=2015).exists()

    Activity.objects.filter(pk=activity.pk).update(
        start_date=datetime.date(2018, 6, 10), end_date=datetime.date(2018, 6, 10)
    )
    Member.objects.filter(pk=member.pk).update(registered_on=datetime.date(2016, 3, 1))
    team_figures_recompute(team_id=team.pk)

    assert not TeamFigures.objects.filter(team=team, year=2015).exists()
    assert not MemberYearFigures.objects.filter(member=member, year=2015).exists()
    assert figures(team, PeriodKind.MONTH, 2018, 6)["activities"] == 1
    assert MemberYearFigures.objects.get(member=member, year=2018).participations == 1
    assert TeamFigures.objects.filter(team=team, kind=PeriodKind.MONTH).order_by(
        "year", "month"
    ).values_list("year", "month").first() == (2016, 3)


def test_a_recompute_leaves_other_teams_alone(hand_worked):
    other = TeamFactory()
    team_figures_recompute(team_id=other.pk)
    before = snapshot(other)
    team_figures_recompute(team_id=hand_worked.team.pk)
    assert snapshot(other) == before
    assert team_figures_recompute(team_id=10**9) is False
