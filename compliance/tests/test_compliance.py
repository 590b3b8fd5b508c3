"""The compliance rules on hand-worked cases (docs/domain.md § Rules; compliance/).

Every expected number below is worked out by hand in the comment next to it.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import ActivityStatus, MemberYearFigures
from activities.stats import team_figures_recompute
from activities.tests.factories import ActivityFactory, ParticipationFactory
from compliance import months, review_data
from compliance import standing as standing_rule
from compliance.months import MonthState
from compliance.standing import MemberStatus, StandingWindow, member_standing
from members.tests.factories import MemberFactory
from teams.tests.factories import TeamFactory

D = datetime.date
TODAY = D(2026, 11, 29)


def standing(registered_on, left_on, month, counts, *, year=2026, annual=10, today=TODAY):
    """The member's year through the one rule (compliance.standing), from a member
    and their year's row as the recompute writes it: ``counts`` are their
    participations in January, February, … (2 hours each)."""
    team = TeamFactory(founded_on=D(2010, 1, 1), min_participations_per_member_year=annual)
    member = MemberFactory(team=team, registered_on=registered_on, left_on=left_on)
    monthly = counts + [0] * (12 - len(counts))
    MemberYearFigures.objects.create(
        team=team,
        member=member,
        year=year,
        participations=sum(monthly),
        hours=Decimal(2 * sum(monthly)),
        monthly_participations=monthly,
        monthly_hours=[str(Decimal(c) * 2) for c in monthly],
    )
    return member_standing(member, StandingWindow.at(year, month, today=today))


pytestmark = pytest.mark.django_db


# --- Pro-rated targets -----------------------------------------------------------------


def test_a_member_registered_all_year_has_the_full_target():
    result = standing(D(2016, 3, 1), None, 10, [1] * 10)
    assert (result.months_in_year, result.target) == (12, 10)


def test_joined_in_july_has_six_months_and_a_target_of_five():
    # July to December: 6 months; ceil(10 × 6 / 12) = ceil(5.0) = 5.
    result = standing(D(2026, 7, 20), None, 10, [0] * 6 + [1, 1, 1, 1])
    assert (result.first_month, result.months_in_year, result.target) == (7, 6, 5)


def test_left_in_march_has_three_months_and_a_target_of_three():
    # January, February, March (left on 10 March, the last day of membership):
    # ceil(10 × 3 / 12) = ceil(2.5) = 3.
    result = standing(D(2018, 5, 1), D(2026, 3, 10), 10, [1, 1, 1])
    assert (result.last_month, result.months_in_year, result.target) == (3, 3, 3)


def test_joined_in_december_has_one_month_and_a_target_of_one():
    # Registered on 31 December still counts December: ceil(10 / 12) = 1.
    result = standing(D(2026, 12, 31), None, 12, [0] * 12, today=D(2027, 1, 4))
    assert (result.months_in_year, result.target) == (1, 1)


def test_a_member_who_left_on_the_first_of_a_month_was_registered_that_month():
    result = standing(D(2020, 1, 1), D(2026, 4, 1), 10, [1, 1, 1, 1])
    assert (result.last_month, result.months_in_year) == (4, 4)


def test_a_member_not_registered_in_the_year_is_not_listed():
    assert standing(D(2020, 1, 1), D(2025, 12, 31), 11, [0] * 11) is None


# --- Statuses --------------------------------------------------------------------------


def test_exactly_ten_is_target_met():
    # Full year, review month October, 10 participations = the target of 10.
    result = standing(D(2016, 3, 1), None, 10, [1] * 10)
    assert (result.target, result.ytd_count, result.status) == (10, 10, MemberStatus.MET)
    assert result.ytd_hours == Decimal("20")  # 10 months × 2 hours


def test_full_year_member_on_track_is_target_times_months_over_twelve_rounded_down():
    # June: floor(10 × 6 / 12) = 5 keeps a member on track; 4 is behind.
    five = standing(D(2016, 3, 1), None, 6, [1, 1, 1, 1, 1, 0])
    four = standing(D(2016, 3, 1), None, 6, [1, 1, 1, 1, 0, 0])
    assert (five.expected, five.status) == (5, MemberStatus.ON_TRACK)
    assert (four.expected, four.status) == (5, MemberStatus.BEHIND)
    # July: floor(70 / 12) = floor(5.83) = 5 still.
    assert standing(D(2016, 3, 1), None, 7, [1, 1, 1, 1, 1, 0, 0]).status == MemberStatus.ON_TRACK
    # October with 9: floor(100 / 12) = 8 due, so 9 is on track (not yet met).
    assert standing(D(2016, 3, 1), None, 10, [1] * 9).status == MemberStatus.ON_TRACK


def test_nothing_yet_is_none_whatever_is_due():
    # January: floor(10 / 12) = 0 due, yet 0 participations is 未参加, not 进度正常.
    result = standing(D(2016, 3, 1), None, 1, [0])
    assert (result.expected, result.status) == (0, MemberStatus.NONE)


def test_joined_in_july_is_judged_on_the_months_registered():
    # Target 5 over 6 registered months. By September, 3 of them have passed:
    # floor(5 × 3 / 6) = 2 due (not floor(5 × 9 / 12) = 3 for months before joining).
    counts = [0] * 6 + [1, 1, 0]
    two = standing(D(2026, 7, 20), None, 9, counts)
    assert (two.target, two.expected, two.ytd_count, two.status) == (
        5,
        2,
        2,
        MemberStatus.ON_TRACK,
    )
    one = standing(D(2026, 7, 20), None, 9, [0] * 6 + [1, 0, 0])
    assert one.status == MemberStatus.BEHIND
    five = standing(D(2026, 7, 20), None, 9, [0] * 6 + [2, 2, 1])
    assert five.status == MemberStatus.MET
    # December, once it is over: all 6 months passed, floor(5 × 6 / 6) = 5 due; 4 is
    # behind.
    december = standing(D(2026, 7, 20), None, 12, [0] * 6 + [1] * 4, today=D(2027, 1, 4))
    assert (december.expected, december.status) == (5, MemberStatus.BEHIND)


def test_left_in_march_must_have_met_the_target_by_leaving():
    # Target 3; in June the 3 registered months have all passed: floor(3 × 3 / 3) = 3.
    behind = standing(D(2018, 5, 1), D(2026, 3, 10), 6, [1, 1, 0, 0, 0, 0])
    assert (behind.target, behind.expected, behind.status) == (3, 3, MemberStatus.BEHIND)
    met = standing(D(2018, 5, 1), D(2026, 3, 10), 6, [1, 1, 1, 0, 0, 0])
    assert met.status == MemberStatus.MET
    # In February 2 of 3 months have passed: floor(3 × 2 / 3) = 2 due.
    feb = standing(D(2018, 5, 1), D(2026, 3, 10), 2, [1, 1])
    assert (feb.expected, feb.status) == (2, MemberStatus.ON_TRACK)


def test_joined_in_december():
    # Target 1; reviewed for December once it is over: 0 is 未参加, 1 is 已达标.
    after = D(2027, 1, 4)
    none = standing(D(2026, 12, 1), None, 12, [0] * 12, today=after)
    assert (none.target, none.expected, none.status) == (1, 1, MemberStatus.NONE)
    met = standing(D(2026, 12, 1), None, 12, [0] * 11 + [1], today=after)
    assert met.status == MemberStatus.MET
    # Not listed in November's review: they had not joined yet.
    assert standing(D(2026, 12, 1), None, 11, [0] * 11) is None


def test_a_different_annual_target():
    # Rule 12 a year, joined in April: 9 months, ceil(12 × 9 / 12) = 9; by June
    # 3 of 9 months: floor(9 × 3 / 9) = 3 due.
    result = standing(D(2026, 4, 1), None, 6, [0, 0, 0, 1, 1, 1], annual=12)
    assert (result.target, result.expected, result.status) == (9, 3, MemberStatus.ON_TRACK)


def test_year_to_date_stops_at_the_review_month():
    # March: 1 + 2 + 3 = 6 participations and 12 hours (2 each), not the year's 78.
    result = standing(D(2016, 3, 1), None, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    assert (result.ytd_count, result.ytd_hours) == (6, Decimal("12"))


def test_the_current_month_counts_towards_the_pace_only_once_it_is_over():
    """On 3 December a member registered all year is judged on 11 months: floor(10 ×
    11 / 12) = 9 due, so 9 is on track (it was "behind" when December counted at once)."""
    on_the_3rd = standing(D(2016, 3, 1), None, 12, [1] * 9, today=D(2026, 12, 3))
    assert (on_the_3rd.months_counted, on_the_3rd.expected) == (11, 9)
    assert on_the_3rd.status == MemberStatus.ON_TRACK
    # Once December is over all 12 months count: 10 due, 9 is behind.
    after = standing(D(2016, 3, 1), None, 12, [1] * 9, today=D(2027, 1, 4))
    assert (after.expected, after.status) == (10, MemberStatus.BEHIND)
    # A member who joined this month has no month over yet: nothing is due.
    joined = standing(D(2026, 12, 1), None, 12, [0] * 11 + [1], today=D(2026, 12, 3))
    assert (joined.expected, joined.status) == (0, MemberStatus.MET)


def test_behind_first_order():
    def row(number, status, ytd):
        return review_data.MemberRow(
            member_id=0,
            number=number,
            name=number,
            rank="general",
            registered_months=list(range(1, 13)),
            target=10,
            expected=5,
            ytd_count=ytd,
            ytd_hours=Decimal(0),
            status=status,
            monthly=[0] * 12,
        )

    rows = [
        row("V5", MemberStatus.MET, 10),
        row("V4", MemberStatus.ON_TRACK, 6),
        row("V3", MemberStatus.NONE, 0),
        row("V2", MemberStatus.BEHIND, 3),
        row("V1", MemberStatus.BEHIND, 3),
        row("V0", MemberStatus.BEHIND, 1),
        row("V6", MemberStatus.ON_TRACK, 5),
    ]
    ordered = [r.number for r in sorted(rows, key=review_data.behind_first_key)]
    assert ordered == ["V0", "V1", "V2", "V3", "V6", "V4", "V5"]


def test_share_in_good_standing():
    assert standing_rule.share_in_good_standing(2, 4) == Decimal("50.0")
    # 1 of 3 = 33.333…% → 33.3; 2 of 3 = 66.666…% → 66.7.
    assert standing_rule.share_in_good_standing(1, 3) == Decimal("33.3")
    assert standing_rule.share_in_good_standing(2, 3) == Decimal("66.7")
    assert standing_rule.share_in_good_standing(0, 0) is None
    assert standing_rule.format_share(None) == "—"
    assert standing_rule.format_share(Decimal("66.7")) == "66.7%"


def test_heat_classes():
    assert [review_data.heat_class(n) for n in range(7)] == [
        "heat-0",
        "heat-1",
        "heat-2",
        "heat-3",
        "heat-3",
        "heat-4",
        "heat-4",
    ]


# --- Months ------------------------------------------------------------------------------


def test_month_states_of_the_strip():
    founded = D(2026, 3, 15)

    def state(month, activities=0):
        return months.month_state(
            2026, month, founded_on=founded, today=TODAY, activities=activities, minimum=1
        )

    assert state(2) == MonthState.BEFORE_FOUNDING
    assert state(3) == MonthState.NOT_MET  # founded mid-March: March counts
    assert state(4, activities=1) == MonthState.MET
    assert state(11, activities=3) == MonthState.CURRENT
    assert state(12) == MonthState.FUTURE


def test_a_month_with_two_activities_when_the_rule_is_two():
    def state(activities):
        return months.month_state(
            2026, 9, founded_on=D(2016, 3, 1), today=TODAY, activities=activities, minimum=2
        )

    assert state(2) == MonthState.MET
    assert state(1) == MonthState.NOT_MET


def test_default_review_month_is_last_month():
    assert months.default_review_month(D(2026, 11, 29)) == (2026, 10)
    assert months.default_review_month(D(2027, 1, 1)) == (2026, 12)


def test_february_of_a_leap_year_has_29_days():
    assert months.month_end(2024, 2) == D(2024, 2, 29)
    assert months.month_end(2026, 2) == D(2026, 2, 28)


# --- From the summary tables -------------------------------------------------------------


def approved(team, day, *members, hours="2.0"):
    activity = ActivityFactory(
        team=team,
        start_date=day,
        hours=Decimal(hours),
        status=ActivityStatus.APPROVED,
        approved_at=timezone.now(),
    )
    for member in members:
        ParticipationFactory(activity=activity, member=member, hours=Decimal(hours))
    return activity


@pytest.mark.django_db
def test_month_rule_of_two_from_the_tables():
    team = TeamFactory(founded_on=D(2016, 3, 1), min_activities_per_month=2)
    member = MemberFactory(team=team)
    approved(team, D(2026, 9, 3), member)  # September: 1 activity → not met
    approved(team, D(2026, 10, 8), member)  # October: 2 activities → met
    approved(team, D(2026, 10, 30), member)
    team_figures_recompute(team_id=team.pk)
    data = review_data.review_load(team, 2026, 10, today=TODAY)
    assert data.months[8].activities == 1
    assert data.months[8].state == MonthState.NOT_MET
    assert data.months[9].activities == 2
    assert data.months[9].state == MonthState.MET
    assert data.review_month.met
    # Months over up to October: Jan–Oct = 10, of which only October is met.
    assert data.months_met_display == "1 / 10"


@pytest.mark.django_db
def test_leap_day_counts_in_february():
    team = TeamFactory(founded_on=D(2016, 3, 1))
    member = MemberFactory(team=team, registered_on=D(2020, 1, 1))
    approved(team, D(2024, 2, 29), member, hours="3.5")
    approved(team, D(2024, 3, 1), member)
    team_figures_recompute(team_id=team.pk)
    data = review_data.review_load(team, 2024, 2, today=TODAY)
    assert data.months[1].activities == 1  # February
    assert data.months[1].activity_hours == Decimal("3.5")
    assert data.months[2].activities == 1  # March
    (row,) = data.members
    assert row.monthly[:3] == [0, 1, None]  # after the review month: not shown
    assert (row.ytd_count, row.ytd_hours) == (1, Decimal("3.5"))
    # February 2024: floor(10 × 2 / 12) = 1 due, 1 done → on track.
    assert (row.expected, row.status) == (1, MemberStatus.ON_TRACK)


@pytest.mark.django_db
def test_the_month_boundary_is_in_shanghai_time(monkeypatch):
    # 2026-11-30 16:30 UTC is 2026-12-01 00:30 in Shanghai.
    instant = datetime.datetime(2026, 11, 30, 16, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    today = timezone.localdate()
    assert today == D(2026, 12, 1)
    assert months.default_review_month(today) == (2026, 11)

    team = TeamFactory(founded_on=D(2016, 3, 1))
    member = MemberFactory(team=team)
    approved(team, today, member)  # an activity on 1 December (Shanghai) …
    team_figures_recompute(team_id=team.pk)
    data = review_data.review_load(team, 2026, 12, today=today)
    assert data.months[11].activities == 1  # … counts in December
    assert data.months[11].state == MonthState.CURRENT
    assert data.months[10].activities == 0
    assert data.months[10].state == MonthState.NOT_MET


@pytest.mark.django_db
def test_review_of_a_team_founded_this_year_with_members_joining_and_leaving():
    team = TeamFactory(founded_on=D(2026, 3, 1))
    always = MemberFactory(team=team, volunteer_number="A1", registered_on=D(2026, 3, 1))
    july = MemberFactory(team=team, volunteer_number="A2", registered_on=D(2026, 7, 20))
    left = MemberFactory(
        team=team, volunteer_number="A3", registered_on=D(2026, 3, 1), left_on=D(2026, 4, 30)
    )
    MemberFactory(team=team, volunteer_number="A4", registered_on=D(2026, 10, 1))  # after Sept
    approved(team, D(2026, 3, 5), always, left)
    approved(team, D(2026, 4, 5), always, left)
    approved(team, D(2026, 6, 5), always)
    approved(team, D(2026, 9, 5), always, july)
    team_figures_recompute(team_id=team.pk)

    data = review_data.review_load(team, 2026, 9, today=TODAY)
    # Strip: Jan, Feb before founding; Mar, Apr, Jun, Sep met; May, Jul, Aug not met.
    states = [cell.state for cell in data.months]
    assert states[:9] == [
        MonthState.BEFORE_FOUNDING,
        MonthState.BEFORE_FOUNDING,
        MonthState.MET,
        MonthState.MET,
        MonthState.NOT_MET,
        MonthState.MET,
        MonthState.NOT_MET,
        MonthState.NOT_MET,
        MonthState.MET,
    ]
    assert states[10:] == [MonthState.CURRENT, MonthState.FUTURE]
    assert data.months_met_display == "4 / 7"  # March to September: 7 months, 4 met

    rows = {row.number: row for row in data.members}
    assert set(rows) == {"A1", "A2", "A3"}  # A4 joined in October
    # A1: Mar–Dec = 10 months → ceil(100 / 12) = 9; Mar–Sep = 7 passed → floor(63 / 10) = 6
    # due; 4 done → behind.
    assert (rows["A1"].target, rows["A1"].expected, rows["A1"].ytd_count) == (9, 6, 4)
    assert rows["A1"].status == MemberStatus.BEHIND
    # A2: Jul–Dec = 6 months → 5; Jul–Sep = 3 passed → floor(15 / 6) = 2 due; 1 → behind.
    assert (rows["A2"].target, rows["A2"].expected, rows["A2"].ytd_count) == (5, 2, 1)
    assert rows["A2"].status == MemberStatus.BEHIND
    # A3: Mar–Apr = 2 months → ceil(20 / 12) = 2; 2 done → met.
    assert (rows["A3"].target, rows["A3"].ytd_count, rows["A3"].status) == (2, 2, "met")
    # Behind first, fewest first: A2 (1), A1 (4), then A3 (met).
    assert [row.number for row in data.members] == ["A2", "A1", "A3"]
    # 1 of 3 in good standing: 33.3%.
    assert data.share_on_track_display == "33.3%"
    # The heat map: A3 was not registered from May; A2 not before July.
    assert [c.css for c in rows["A3"].heat][:6] == [
        "heat-out",
        "heat-out",
        "heat-1",
        "heat-1",
        "heat-out",
        "heat-out",
    ]
    # September is the month reviewed: no cell after it.
    assert [c.css for c in rows["A2"].heat][6:] == ["heat-0", "heat-0", "heat-1"]
    assert len(rows["A1"].heat) == 9


@pytest.mark.django_db
def test_snapshot_reads_back_the_same_figures():
    team = TeamFactory(founded_on=D(2016, 3, 1))
    member = MemberFactory(team=team, name="=HYPERLINK(1)")
    approved(team, D(2026, 10, 8), member, hours="1.5")
    team_figures_recompute(team_id=team.pk)
    data = review_data.review_load(team, 2026, 10, today=TODAY)
    snapshot = data.to_snapshot()
    again = review_data.ReviewData.from_snapshot(snapshot)
    assert again.to_snapshot() == snapshot
    assert again.members[0].ytd_hours == Decimal("1.5")
    assert again.review_month.activity_hours == Decimal("1.5")
    assert again.share_on_track_display == data.share_on_track_display
    # The fingerprint ignores when figures were computed, and the months after the
    # reviewed one (their state moves on with the calendar).
    later = review_data.review_load(team, 2026, 10, today=D(2027, 2, 1))
    assert later.fingerprint == data.fingerprint
