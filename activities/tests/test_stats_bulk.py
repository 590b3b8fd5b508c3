"""``stats_bulk.figures_recompute_all``: the same rows as the per-team recompute, and as
the raw-SQL oracle, with the same fill-state rules.

The data is the oracle test's random teams (members joining and leaving on a
month's edges, multi-day activities, every status, several years).
"""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.utils import timezone

from activities.models import (
    Activity,
    ActivityStatus,
    MemberYearFigures,
    Participation,
    PeriodKind,
    TeamFigures,
    TeamFiguresState,
)
from activities.stats import TEAM_FIGURE_FIELDS, team_figures_recompute
from activities.stats_bulk import figures_recompute_all
from activities.tests.factories import ActivityFactory, ParticipationFactory
from activities.tests.test_stats_oracle import SEEDS, differences, oracle, random_team, stored
from activities.tests.test_stats_writes import SummaryWrites, rewritten, row_versions
from members.tests.factories import MemberFactory
from teams.tests.factories import RegionFactory, ServiceCategoryFactory, TeamFactory

pytestmark = pytest.mark.django_db


def exact_rows(team_id: int) -> tuple[dict, dict]:
    """Every stored value as it is, the members' JSON strings included."""
    teams = {
        (row.kind, row.year, row.month): tuple(getattr(row, name) for name in TEAM_FIGURE_FIELDS)
        for row in TeamFigures.objects.filter(team_id=team_id)
    }
    members = {
        (row.member_id, row.year): (
            row.team_id,
            row.participations,
            row.hours,
            row.monthly_participations,
            row.monthly_hours,
        )
        for row in MemberYearFigures.objects.filter(team_id=team_id)
    }
    return teams, members


def random_teams(seed: int, count: int = 3) -> list:
    rng = random.Random(seed)
    region = RegionFactory()
    category = ServiceCategoryFactory(name="扶贫帮困")
    teams = [random_team(rng, region, category) for _ in range(count)]
    teams.append(TeamFactory(region=region))  # nothing at all: months since founding only
    return teams


@pytest.fixture(autouse=True)
def _postgresql_only(request):
    if connection.vendor != "postgresql" and request.node.get_closest_marker("services"):
        pytest.fail("figures_recompute_all needs PostgreSQL")


@pytest.mark.services
@pytest.mark.parametrize("seed", SEEDS)
def test_it_writes_what_the_per_team_recompute_writes(seed):
    teams = random_teams(seed)
    result = figures_recompute_all()
    assert result.teams == len(teams) and result.skipped == 0
    bulk = {team.pk: exact_rows(team.pk) for team in teams}
    for team in teams:
        team_figures_recompute(team_id=team.pk)
        assert exact_rows(team.pk) == bulk[team.pk], f"seed {seed}, team {team.pk}"


@pytest.mark.services
@pytest.mark.parametrize("seed", SEEDS[:4])
def test_it_matches_the_oracle(seed):
    teams = random_teams(seed)
    figures_recompute_all()
    today = timezone.localdate()
    for team in teams:
        expected_rows, expected_members = oracle(team.pk, today)
        rows, member_rows = stored(team.pk)
        problems = differences(expected_rows, rows) + differences(expected_members, member_rows)
        assert not problems, f"seed {seed}, team {team.pk}:\n" + "\n".join(problems[:20])


@pytest.mark.services
def test_a_second_run_follows_changes_and_drops_vanished_rows():
    team, *_ = random_teams(5, count=1)
    future = timezone.localdate() + datetime.timedelta(days=70)
    far = Activity.objects.create(
        team=team,
        category=ServiceCategoryFactory(name="科教文卫"),
        title="计划中的活动",
        start_date=future,
        end_date=future,
        hours=2,
        status=ActivityStatus.APPROVED,
        approved_at=timezone.now(),
    )
    figures_recompute_all()
    last_month = TeamFigures.objects.filter(team=team, year=future.year, month=future.month)
    assert last_month.exists()  # months run to the last approved activity
    far.delete()
    team.activities.exclude(status=ActivityStatus.APPROVED).update(
        status=ActivityStatus.APPROVED, approved_at=timezone.now()
    )
    again = figures_recompute_all()
    assert again.skipped == 0
    if (future.year, future.month) > (timezone.localdate().year, timezone.localdate().month):
        assert not last_month.exists()
    expected_rows, expected_members = oracle(team.pk, timezone.localdate())
    rows, member_rows = stored(team.pk)
    assert not differences(expected_rows, rows) + differences(expected_members, member_rows)


@pytest.mark.services
def test_only_the_teams_asked_for():
    first, second = random_teams(8, count=2)[:2]
    figures_recompute_all(team_ids=[first.pk])
    assert TeamFigures.objects.filter(team=first).exists()
    assert not TeamFigures.objects.filter(team=second).exists()
    assert not TeamFiguresState.objects.filter(team=second, computed_at__isnull=False).exists()


@pytest.mark.services
def test_the_fill_state_rules_of_the_per_team_recompute():
    newer, changed, quiet = random_teams(13, count=3)[:3]
    started = timezone.now()
    later = started + datetime.timedelta(seconds=5)
    # A per-team run that finished after this run started: left alone.
    TeamFiguresState.objects.update_or_create(
        team=newer, defaults={"stale": False, "computed_at": later}
    )
    # A change noticed after this run started: computed, but still stale.
    TeamFiguresState.objects.update_or_create(
        team=changed, defaults={"stale": True, "requested_at": later}
    )
    TeamFiguresState.objects.filter(team=quiet).update(requested_at=None)
    result = figures_recompute_all(now=started)
    assert result.skipped == 1
    assert not TeamFigures.objects.filter(team=newer).exists()
    states = {s.team_id: s for s in TeamFiguresState.objects.all()}
    assert states[newer.pk].computed_at == later
    assert states[changed.pk].stale and states[changed.pk].computed_at == started
    assert not states[quiet.pk].stale and states[quiet.pk].computed_at == started
    assert TeamFigures.objects.filter(team=changed).exists()


# --- Writing only what changed -----------------------------------------------------------------


def versions(teams) -> dict:
    return row_versions([team.pk for team in teams])


@pytest.mark.services
def test_a_second_run_on_unchanged_figures_writes_no_row():
    teams = random_teams(21)
    first = figures_recompute_all()
    assert first.team_rows > 0 and first.member_rows > 0
    before = versions(teams)
    later = timezone.now()
    with SummaryWrites() as writes:
        again = figures_recompute_all(now=later)
    assert (again.team_rows, again.member_rows, again.rows_deleted) == (0, 0, 0)
    assert writes.count == 0
    assert rewritten(before, versions(teams)) == set()
    # Every team's rows have the digests they had: none compared one by one.
    assert (again.teams_compared_team_rows, again.teams_compared_member_rows) == (0, 0)
    # The time shown is still the run's: every team's fill state has it.
    assert again.teams == len(teams)
    assert set(
        TeamFiguresState.objects.filter(team__in=teams).values_list("computed_at", flat=True)
    ) == {later}


@pytest.mark.services
@pytest.mark.parametrize("seed", SEEDS[:3])
def test_the_two_recomputes_find_each_others_rows_unchanged(seed):
    """Equal to the last digit and type: what one writes, the other compares as equal."""
    teams = random_teams(seed)
    for team in teams:
        team_figures_recompute(team_id=team.pk)
    with SummaryWrites() as writes:
        result = figures_recompute_all()
    # Written by another: compared.
    assert result.teams_compared_team_rows == result.teams_compared_member_rows == len(teams)
    assert (result.team_rows, result.member_rows, result.rows_deleted) == (0, 0, 0)
    assert writes.count == 0
    before = versions(teams)
    for team in teams:
        team_figures_recompute(team_id=team.pk)
    assert rewritten(before, versions(teams)) == set()


@pytest.mark.services
def test_a_changed_participation_rewrites_exactly_the_rows_it_counts_in():
    teams = random_teams(34)
    figures_recompute_all()
    before = versions(teams)
    participation = (
        Participation.objects.filter(
            activity__team__in=teams, activity__status=ActivityStatus.APPROVED, hours__gt="0.1"
        )
        .select_related("activity")
        .order_by("pk")
        .first()
    )
    Participation.objects.filter(pk=participation.pk).update(hours="0.1")
    result = figures_recompute_all()
    assert (result.team_rows, result.member_rows, result.rows_deleted) == (3, 1, 0)
    assert (result.teams_compared_team_rows, result.teams_compared_member_rows) == (1, 1)
    start, team_id = participation.activity.start_date, participation.activity.team_id
    assert rewritten(before, versions(teams)) == {
        ("team", team_id, PeriodKind.MONTH, start.year, start.month),
        ("team", team_id, PeriodKind.YEAR, start.year, 0),
        ("team", team_id, PeriodKind.ALL, 0, 0),
        ("member", participation.member_id, start.year),
    }
    expected_rows, expected_members = oracle(team_id, timezone.localdate())
    rows, member_rows = stored(team_id)
    assert not differences(expected_rows, rows) + differences(expected_members, member_rows)


@pytest.mark.services
def test_rows_without_a_counterpart_are_deleted():
    """An activity returned after approval: a member whose only record of the year it was
    loses that year's row; its months after this one go (months run to the later of
    today and the last approved activity)."""
    today = timezone.localdate()
    team = TeamFactory(founded_on=today.replace(day=1))
    member = MemberFactory(team=team, registered_on=team.founded_on)
    later = (today.replace(day=1) + datetime.timedelta(days=70)).replace(day=10)
    planned = ActivityFactory(
        team=team,
        start_date=later,
        end_date=later,
        hours="2",
        status=ActivityStatus.APPROVED,
        approved_at=timezone.now(),
    )
    ParticipationFactory(activity=planned, member=member, hours="2")
    figures_recompute_all(team_ids=[team.pk])
    assert MemberYearFigures.objects.filter(member=member, year=later.year).exists()
    month_rows = TeamFigures.objects.filter(team=team, kind=PeriodKind.MONTH)
    months_before = month_rows.count()
    years_before = TeamFigures.objects.filter(team=team, kind=PeriodKind.YEAR).count()
    assert months_before == 3  # this month to the planned one

    Activity.objects.filter(pk=planned.pk).update(status=ActivityStatus.RETURNED)
    result = figures_recompute_all(team_ids=[team.pk])

    # Two months, the year of the planned activity if it is next year, the member's year.
    assert result.rows_deleted == (months_before - 1) + (years_before - 1) + 1
    assert list(month_rows.values_list("year", "month")) == [(today.year, today.month)]
    assert not MemberYearFigures.objects.filter(member=member).exists()
    with SummaryWrites() as writes:
        team_figures_recompute(team_id=team.pk)
    assert writes.count == 0  # the same rows as the per-team recompute


@pytest.mark.services
def test_the_digests_follow_every_writer():
    teams = random_teams(2)
    figures_recompute_all()
    digests = {
        team_id: (team_digest, member_digest)
        for team_id, team_digest, member_digest in TeamFiguresState.objects.values_list(
            "team_id", "team_rows_digest", "member_rows_digest"
        )
    }
    assert all(None not in pair for pair in digests.values())
    assert digests[teams[-1].pk][1] == 0  # a team without member-year rows
    with_rows = [t for t in teams if MemberYearFigures.objects.filter(team=t).exists()]
    assert len({digests[t.pk][1] for t in with_rows} - {0}) == len(with_rows) > 0
    assert len({digests[t.pk][0] for t in teams}) == len(teams)
    team = with_rows[0]

    def state():
        return TeamFiguresState.objects.get(team=team)

    team_figures_recompute(team_id=team.pk)  # nothing changed: the digests still hold
    assert (state().team_rows_digest, state().member_rows_digest) == digests[team.pk]

    row = MemberYearFigures.objects.filter(team=team).order_by("pk").first()
    Participation.objects.filter(
        member_id=row.member_id,
        activity__status=ActivityStatus.APPROVED,
        activity__start_date__year=row.year,
    ).delete()
    team_figures_recompute(team_id=team.pk)  # another writer changed the rows
    assert (state().team_rows_digest, state().member_rows_digest) == (None, None)

    result = figures_recompute_all()
    assert (result.teams_compared_team_rows, result.teams_compared_member_rows) == (1, 1)
    assert (result.team_rows, result.member_rows, result.rows_deleted) == (0, 0, 0)
    assert state().team_rows_digest not in {None, digests[team.pk][0]}
    assert state().member_rows_digest not in {None, digests[team.pk][1]}


@pytest.mark.services
def test_a_new_digest_seed_compares_every_team(monkeypatch):
    """The seed changes when the rows' stored form does: every team compared once."""
    from activities import stats_bulk

    teams = random_teams(3)
    figures_recompute_all()
    monkeypatch.setattr(stats_bulk, "DIGEST_SEED", stats_bulk.DIGEST_SEED + 1)
    result = figures_recompute_all()
    with_rows = [t for t in teams if MemberYearFigures.objects.filter(team=t).exists()]
    assert result.teams_compared_team_rows == len(teams)
    assert result.teams_compared_member_rows == len(with_rows)  # a digest of none is 0
    assert (result.team_rows, result.member_rows, result.rows_deleted) == (0, 0, 0)


def test_it_is_postgresql_only(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(NotImplementedError, match="PostgreSQL"):
        figures_recompute_all()


@pytest.mark.services
def test_new_rows_are_inserted_beside_the_stored_ones():
    """A member's first approved activity of a year, two months from now: the member's
    year and the months up to then are new rows; the team's other rows stay."""
    teams = random_teams(1)
    figures_recompute_all()
    team = next(t for t in teams if t.members.exists())
    member = team.members.order_by("pk").first()
    later = (timezone.localdate().replace(day=1) + datetime.timedelta(days=70)).replace(day=10)
    assert not MemberYearFigures.objects.filter(member=member, year=later.year).exists()
    before = versions(teams)
    activity = ActivityFactory(
        team=team,
        start_date=later,
        end_date=later,
        hours="2",
        status=ActivityStatus.APPROVED,
        approved_at=timezone.now(),
    )
    ParticipationFactory(activity=activity, member=member, hours="1.5")
    result = figures_recompute_all()
    new = set(versions(teams)) - set(before)
    assert ("member", member.pk, later.year) in new
    assert ("team", team.pk, PeriodKind.MONTH, later.year, later.month) in new
    assert result.rows_deleted == 0 and result.member_rows == 1
    assert result.team_rows == len(rewritten(before, versions(teams))) - 1  # all but the member
    with SummaryWrites() as writes:
        team_figures_recompute(team_id=team.pk)
    assert writes.count == 0  # the same rows as the per-team recompute


@pytest.mark.services
def test_rows_emptied_by_hand_come_back_when_every_row_is_compared():
    """Only the two recomputes write the summary tables; after anything else the
    digests are wrong, and ``compare_every_row`` puts the rows right."""
    teams = random_teams(8)
    figures_recompute_all()
    team = next(t for t in teams if MemberYearFigures.objects.filter(team=t).exists())
    expected = exact_rows(team.pk)
    MemberYearFigures.objects.filter(team=team).delete()
    TeamFigures.objects.filter(team=team, kind=PeriodKind.MONTH).delete()
    trusting = figures_recompute_all()
    assert (trusting.team_rows, trusting.member_rows) == (0, 0)  # the digests cannot know
    result = figures_recompute_all(compare_every_row=True)
    assert result.teams_compared_team_rows == result.teams_compared_member_rows == len(teams)
    months = sum(1 for kind, _year, _month in expected[0] if kind == PeriodKind.MONTH)
    assert (result.team_rows, result.member_rows) == (months, len(expected[1]))
    assert exact_rows(team.pk) == expected
