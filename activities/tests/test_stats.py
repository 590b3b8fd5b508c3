"""The figures (docs/domain.md § Figures) on a small team whose numbers are worked out by hand.

The hand-worked team (founded January 2018):

    members   甲 A  registered 2018-01-01, active
              乙 B  registered 2018-01-01, active
              丙 C  registered 2018-07-10 (joined in July), active
              丁 D  registered 2018-01-01, left 2018-03-15 (left in March)

    activity   status     dates                    hours  participants (hours)
    a1         approved   2018-03-05                4.0   A 4.0, B 2.5, D 4.0
    a2         approved   2018-03-20                3.5   A 3.5, B 3.5
    a3 (trip)  approved   2018-07-30 – 2018-08-01  12.0   A 12.0, B 8.0, C 10.5
               (a multi-day activity counts in July, the month it STARTS)
    a4         draft      2018-03-10                2.0   A 2.0         (excluded)
    a5         submitted  2018-07-15                3.0   C 3.0         (excluded)
    a6         returned   2018-08-05                5.0   B 5.0         (excluded)
    a7         approved   2019-05-12                2.0   A 2.0, C 1.5  (another year)

    outcomes   a1: 30 people, 100 materials, 5 households
               a2: 12 people, 500.00 yuan
               a3: 50 people, 200 materials, 16 households, 2500.00 yuan
               a4: 100 people (a draft: not counted)
               a7: 8 people, 40 materials, 100.50 yuan

Another team's approved activity in March 2018 must not leak into these figures.
Each test below works its expected numbers out in comments.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import (
    MemberYearFigures,
    PeriodKind,
    TeamFigures,
    TeamFiguresState,
)
from activities.stats import TEAM_FIGURE_FIELDS, team_figures_recompute
from teams.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

D = Decimal


def figures(team, kind, year=0, month=0) -> dict:
    row = TeamFigures.objects.get(team=team, kind=kind, year=year, month=month)
    return {name: getattr(row, name) for name in TEAM_FIGURE_FIELDS}


def ratios(team, kind, year=0, month=0) -> tuple:
    row = TeamFigures.objects.get(team=team, kind=kind, year=year, month=month)
    return (
        row.hours_per_volunteer,
        row.activities_per_volunteer,
        row.hours_per_activity,
        row.people_per_activity,
    )


def zero_month(registered: int, at_end: int) -> dict:
    return {
        "activities": 0,
        "activity_hours": D("0"),
        "participant_times": 0,
        "person_hours": D("0"),
        "registered_volunteers": registered,
        "volunteers_at_end": at_end,
        "people_reached": 0,
        "materials_distributed": 0,
        "households_visited": 0,
        "donation_yuan": D("0"),
    }


def months_from(first: datetime.date, last: datetime.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


# --- The hand-worked team --------------------------------------------------------------


def test_march_2018_by_hand(hand_worked):
    team_figures_recompute(team_id=hand_worked.team.pk)
    assert figures(hand_worked.team, PeriodKind.MONTH, 2018, 3) == {
        "activities": 2,  # a1, a2 (a4 is a draft)
        "activity_hours": D("7.5"),  # 4.0 + 3.5
        "participant_times": 5,  # 3 in a1 + 2 in a2
        "person_hours": D("17.5"),  # (4.0 + 2.5 + 4.0) + (3.5 + 3.5)
        # A, B, and D who left on 03-15 (after the month's start); C not yet joined.
        "registered_volunteers": 3,
        "volunteers_at_end": 2,  # A, B on 03-31
        "people_reached": 42,  # 30 + 12 (the draft's 100 not counted)
        "materials_distributed": 100,
        "households_visited": 5,
        "donation_yuan": D("500.00"),
    }
    # 17.5 / 3 = 5.83 → 5.8; 5 / 3 = 1.67 → 1.7; 7.5 / 2 = 3.75 → 3.8; 5 / 2 = 2.5
    assert ratios(hand_worked.team, PeriodKind.MONTH, 2018, 3) == (
        D("5.8"),
        D("1.7"),
        D("3.8"),
        D("2.5"),
    )


def test_july_2018_counts_the_multi_day_activity_in_its_start_month(hand_worked):
    team_figures_recompute(team_id=hand_worked.team.pk)
    assert figures(hand_worked.team, PeriodKind.MONTH, 2018, 7) == {
        "activities": 1,  # a3 (a5 is only submitted)
        "activity_hours": D("12.0"),
        "participant_times": 3,
        "person_hours": D("30.5"),  # 12.0 + 8.0 + 10.5: below the activity's hours for B, C
        "registered_volunteers": 3,  # A, B, C (joined 07-10); D left in March
        "volunteers_at_end": 3,
        "people_reached": 50,
        "materials_distributed": 200,
        "households_visited": 16,
        "donation_yuan": D("2500.00"),
    }
    # 30.5 / 3 = 10.17 → 10.2; 3 / 3 = 1.0; 12.0 / 1 = 12.0; 3 / 1 = 3.0
    assert ratios(hand_worked.team, PeriodKind.MONTH, 2018, 7) == (
        D("10.2"),
        D("1.0"),
        D("12.0"),
        D("3.0"),
    )
    # a3 ends on 08-01 but belongs to July; a6 in August was returned.
    assert figures(hand_worked.team, PeriodKind.MONTH, 2018, 8) == zero_month(3, 3)


def test_months_without_activities_are_rows_of_zeros(hand_worked):
    team_figures_recompute(team_id=hand_worked.team.pk)
    team = hand_worked.team
    assert figures(team, PeriodKind.MONTH, 2018, 1) == zero_month(3, 3)  # A, B, D
    assert figures(team, PeriodKind.MONTH, 2018, 2) == zero_month(3, 3)
    assert figures(team, PeriodKind.MONTH, 2018, 4) == zero_month(2, 2)  # D left in March
    assert figures(team, PeriodKind.MONTH, 2018, 6) == zero_month(2, 2)  # C joins in July
    assert figures(team, PeriodKind.MONTH, 2019, 1) == zero_month(3, 3)
    assert ratios(team, PeriodKind.MONTH, 2018, 4) == (D("0.0"), D("0.0"), None, None)
    # One row per month from the founding month to this month, one per year, one all-time.
    today = timezone.localdate()
    months = TeamFigures.objects.filter(team=team, kind=PeriodKind.MONTH)
    assert months.count() == months_from(datetime.date(2018, 1, 1), today)
    assert list(
        TeamFigures.objects.filter(team=team, kind=PeriodKind.YEAR)
        .order_by("year")
        .values_list("year", flat=True)
    ) == list(range(2018, today.year + 1))
    assert TeamFigures.objects.filter(team=team, kind=PeriodKind.ALL).count() == 1
    assert not TeamFigures.objects.filter(team=team, kind=PeriodKind.MONTH, year=2017).exists()


def test_years_by_hand(hand_worked):
    team_figures_recompute(team_id=hand_worked.team.pk)
    team = hand_worked.team
    assert figures(team, PeriodKind.YEAR, 2018) == {
        "activities": 3,  # a1, a2, a3
        "activity_hours": D("19.5"),  # 4.0 + 3.5 + 12.0
        "participant_times": 8,  # 5 + 3
        "person_hours": D("48.0"),  # 17.5 + 30.5
        "registered_volunteers": 4,  # D left in March but was registered in 2018
        "volunteers_at_end": 3,  # A, B, C on 12-31
        "people_reached": 92,  # 30 + 12 + 50
        "materials_distributed": 300,  # 100 + 200
        "households_visited": 21,  # 5 + 16
        "donation_yuan": D("3000.00"),  # 500 + 2500
    }
    # 48.0 / 4 = 12.0; 8 / 4 = 2.0; 19.5 / 3 = 6.5; 8 / 3 = 2.67 → 2.7
    assert ratios(team, PeriodKind.YEAR, 2018) == (D("12.0"), D("2.0"), D("6.5"), D("2.7"))
    assert figures(team, PeriodKind.YEAR, 2019) == {
        "activities": 1,  # a7
        "activity_hours": D("2.0"),
        "participant_times": 2,
        "person_hours": D("3.5"),  # 2.0 + 1.5
        "registered_volunteers": 3,  # A, B, C
        "volunteers_at_end": 3,
        "people_reached": 8,
        "materials_distributed": 40,
        "households_visited": 0,
        "donation_yuan": D("100.50"),
    }
    # 3.5 / 3 = 1.17 → 1.2; 2 / 3 = 0.67 → 0.7; 2.0 / 1 = 2.0; 2 / 1 = 2.0
    assert ratios(team, PeriodKind.YEAR, 2019) == (D("1.2"), D("0.7"), D("2.0"), D("2.0"))
    assert figures(team, PeriodKind.MONTH, 2019, 5) == figures(team, PeriodKind.YEAR, 2019)
    assert figures(team, PeriodKind.YEAR, 2020) == zero_month(3, 3)


def test_all_time_by_hand(hand_worked):
    team_figures_recompute(team_id=hand_worked.team.pk)
    assert figures(hand_worked.team, PeriodKind.ALL) == {
        "activities": 4,  # a1, a2, a3, a7
        "activity_hours": D("21.5"),  # 19.5 + 2.0
        "participant_times": 10,  # 8 + 2
        "person_hours": D("51.5"),  # 48.0 + 3.5
        "registered_volunteers": 4,  # everyone ever registered
        "volunteers_at_end": 3,  # registered today: A, B, C
        "people_reached": 100,  # 92 + 8
        "materials_distributed": 340,  # 300 + 40
        "households_visited": 21,
        "donation_yuan": D("3100.50"),  # 3000.00 + 100.50
    }
    # 51.5 / 4 = 12.875 → 12.9; 10 / 4 = 2.5; 21.5 / 4 = 5.375 → 5.4; 10 / 4 = 2.5
    assert ratios(hand_worked.team, PeriodKind.ALL) == (
        D("12.9"),
        D("2.5"),
        D("5.4"),
        D("2.5"),
    )


def test_members_year_figures_by_hand(hand_worked):
    team_figures_recompute(team_id=hand_worked.team.pk)
    rows = {
        (row.member.name, row.year): (row.participations, row.hours)
        for row in MemberYearFigures.objects.filter(team=hand_worked.team).select_related("member")
    }
    assert rows == {
        ("甲", 2018): (3, D("19.5")),  # a1 4.0 + a2 3.5 + a3 12.0 (the draft a4 not counted)
        ("乙", 2018): (3, D("14.0")),  # 2.5 + 3.5 + 8.0 (the returned a6 not counted)
        ("丙", 2018): (1, D("10.5")),  # a3 (the submitted a5 not counted)
        ("丁", 2018): (1, D("4.0")),  # a1, before leaving
        ("甲", 2019): (1, D("2.0")),
        ("丙", 2019): (1, D("1.5")),
        # 乙 and 丁 have no 2019 row: the dashboard shows 0 for them.
    }
    monthly = {
        row.member.name: (row.monthly_participations, [D(h) for h in row.monthly_hours])
        for row in MemberYearFigures.objects.filter(
            team=hand_worked.team, year=2018
        ).select_related("member")
    }
    z = D("0")
    assert monthly == {
        # March: a1 + a2; July: a3 (its August end does not matter).
        "甲": ([0, 0, 2, 0, 0, 0, 1] + [0] * 5, [z, z, D("7.5"), z, z, z, D("12.0")] + [z] * 5),
        "乙": ([0, 0, 2, 0, 0, 0, 1] + [0] * 5, [z, z, D("6.0"), z, z, z, D("8.0")] + [z] * 5),
        "丙": ([0] * 6 + [1] + [0] * 5, [z] * 6 + [D("10.5")] + [z] * 5),
        "丁": ([0, 0, 1] + [0] * 9, [z, z, D("4.0")] + [z] * 9),
    }


def test_the_recompute_marks_the_figures_fresh(hand_worked):
    before = timezone.now()
    team_figures_recompute(team_id=hand_worked.team.pk)
    state = TeamFiguresState.objects.get(team=hand_worked.team)
    assert not state.stale
    # The time the pages show with the figures: the team's last recompute.
    assert before <= state.computed_at <= timezone.now()


# --- A team with nothing yet ----------------------------------------------------------


def test_a_team_without_members_or_activities_has_rows_of_zeros():
    team = TeamFactory(founded_on=datetime.date(2025, 6, 1))
    team_figures_recompute(team_id=team.pk)
    today = timezone.localdate()
    rows = list(TeamFigures.objects.filter(team=team))
    assert len(rows) == months_from(datetime.date(2025, 6, 1), today) + (today.year - 2025 + 1) + 1
    for row in rows:
        assert {name: getattr(row, name) for name in TEAM_FIGURE_FIELDS} == zero_month(0, 0)
        assert row.hours_per_volunteer is None
        assert row.activities_per_volunteer is None
        assert row.hours_per_activity is None
        assert row.people_per_activity is None
    assert not MemberYearFigures.objects.filter(team=team).exists()


def test_ratios_round_half_up_as_people_do_by_hand():
    # 四舍五入, as office staff check figures by hand: 4.5 / 2 = 2.25 → 2.3,
    # 5.5 / 2 = 2.75 → 2.8, 1 / 3 = 0.333… → 0.3.
    row = TeamFigures(person_hours=D("4.5"), registered_volunteers=2)
    assert row.hours_per_volunteer == D("2.3")
    row = TeamFigures(person_hours=D("5.5"), registered_volunteers=2)
    assert row.hours_per_volunteer == D("2.8")
    row = TeamFigures(person_hours=D("1"), registered_volunteers=3)
    assert row.hours_per_volunteer == D("0.3")


# --- Re-running, reopening, moving ---------------------------------------------------------


def snapshot(team) -> tuple[list, list]:
    """Every figures row's values but its id, in a stable order."""
    team_rows = list(
        TeamFigures.objects.filter(team=team)
        .order_by("kind", "year", "month")
        .values("kind", "year", "month", *TEAM_FIGURE_FIELDS)
    )
    member_rows = list(
        MemberYearFigures.objects.filter(team=team)
        .order_by("member_id", "year")
        .values("member_id", "year", "participations", "hours")
    )
    return team_rows, member_rows


def test_recomputing_twice_gives_the_same_rows(hand_worked):
    team = hand_worked.team
    team_figures_recompute(team_id=team.pk)
    first = snapshot(team)
    first_ids = set(TeamFigures.objects.filter(team=team).values_list("pk", flat=True))
    first_time = TeamFiguresState.objects.get(team=team).computed_at

    assert team_figures_recompute(team_id=team.pk) is True

    assert snapshot(team) == first
    rows = TeamFigures.objects.filter(team=team)
    assert rows.count() == len(first[0])
    assert len(set(rows.values_list("kind", "year", "month"))) == rows.count()
    # The same rows (an upsert, not delete and insert); the run's time on the team.
    assert set(rows.values_list("pk", flat=True)) == first_ids
    assert TeamFiguresState.objects.get(team=team).computed_at > first_time
    assert MemberYearFigures.objects.filter(team=team).count() == len(first[1])
