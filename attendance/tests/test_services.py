"""The check-in rules (docs/domain.md § Attendance): windows to the minute, codes, the
wrong-code limit, hours to the half hour worked out by hand, and the draft record."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from activities.models import ActivityStatus
from attendance import services
from attendance.models import Attendance, CheckInCode
from members.tests.factories import MemberFactory
from planning.models import Audience, OccurrenceStatus
from planning.tests.factories import occurrence_of
from signups.tests.factories import volunteer_of
from teams.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)
ZONE = timezone.get_default_timezone()


@pytest.fixture
def team():
    return TeamFactory(name="日喀则志愿服务队")


@pytest.fixture
def patrol(team):
    """Tomorrow 20:00–24:00 (4 hours), the team's members only."""
    return occurrence_of(team)


def at(occurrence, hour: int, minute: int = 0, *, next_day: bool = False) -> datetime.datetime:
    day = occurrence.date + datetime.timedelta(days=1 if next_day else 0)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZONE)


def code_of(occurrence) -> str:
    return services.code_for(occurrence=occurrence, now=occurrence.starts_at).code


# --- Codes ---


def test_a_code_is_six_digits_made_once_and_renewed_on_demand(patrol):
    first = services.code_for(occurrence=patrol)
    assert len(first.code) == 6 and first.code.isdigit()
    assert services.code_for(occurrence=patrol).code == first.code
    renewed = services.code_renew(occurrence=patrol)
    assert CheckInCode.objects.get(occurrence=patrol).code == renewed.code


def test_a_new_code_avoids_the_codes_of_open_windows(team, monkeypatch):
    taken = occurrence_of(team, title="别的活动")
    CheckInCode.objects.create(occurrence=taken, code="111111", created_at=timezone.now())
    draws = iter([111111, 222222])
    monkeypatch.setattr(services.secrets, "randbelow", lambda n: next(draws))
    assert services.code_for(occurrence=occurrence_of(team, days_ahead=2)).code == "222222"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("123456", "123456"),
        ("１２３４５６", "123456"),
        ("123 456", "123456"),
        ("12-34-56", "123456"),
    ],
)
def test_typed_codes_are_folded(typed, code):
    assert services.normalise_code(typed) == code
    assert services.is_code_shaped(services.normalise_code(typed))


@pytest.mark.parametrize("typed", ["12345", "1234567", "NaN", "12345a", "١٢٣٤٥٦", "²³⁴⁵⁶⁷"])
def test_other_codes_are_not_code_shaped(typed):
    assert not services.is_code_shaped(services.normalise_code(typed))


# --- The window ---


def test_check_in_opens_30_minutes_before_the_start_to_the_minute(patrol, team):
    user = volunteer_of(team)
    code = code_of(patrol)
    with pytest.raises(ValidationError) as refused:
        services.check_in_or_out(code=code, user=user, now=at(patrol, 19, 29))
    assert "签到将于" in refused.value.messages[0] and "19:30" in refused.value.messages[0]
    result = services.check_in_or_out(code=code, user=user, now=at(patrol, 19, 30))
    assert result.action == "in"
    assert result.attendance.checked_in_at == at(patrol, 19, 30)


def test_check_in_closes_at_the_end(patrol, team):
    code = code_of(patrol)
    end = at(patrol, 0, 0, next_day=True)
    services.check_in_or_out(code=code, user=volunteer_of(team), now=end)
    with pytest.raises(ValidationError) as refused:
        services.check_in_or_out(code=code, user=volunteer_of(team), now=end + MINUTE)
    assert refused.value.messages == ["活动已于 00:00 结束，签到已关闭。"]


def test_a_second_tap_checks_out_and_check_out_closes_an_hour_after_the_end(patrol, team):
    user, late = volunteer_of(team), volunteer_of(team)
    code = code_of(patrol)
    services.check_in_or_out(code=code, user=user, now=at(patrol, 19, 52))
    services.check_in_or_out(code=code, user=late, now=at(patrol, 20, 0))
    # A double tap a minute later leaves the volunteer checked in.
    assert (
        services.check_in_or_out(code=code, user=user, now=at(patrol, 19, 53)).action == "already"
    )
    out = services.check_in_or_out(code=code, user=user, now=at(patrol, 1, 0, next_day=True))
    assert out.action == "out" and out.attendance.checked_out_at == at(patrol, 1, 0, next_day=True)
    with pytest.raises(ValidationError) as again:
        services.check_in_or_out(code=code, user=user, now=at(patrol, 1, 0, next_day=True))
    assert again.value.messages == ["您已于 01:00 签退。"]
    with pytest.raises(ValidationError) as closed:
        services.check_in_or_out(
            code=code, user=late, now=at(patrol, 1, 1, next_day=True), checking_out=True
        )
    assert "签退已于 01:00 截止" in closed.value.messages[0]


def test_a_volunteer_who_did_not_sign_up_may_check_in_but_an_outsider_may_not(patrol, team):
    code = code_of(patrol)
    assert services.check_in_or_out(code=code, user=volunteer_of(team), now=patrol.starts_at)
    with pytest.raises(ValidationError) as refused:
        services.check_in_or_out(code=code, user=UserFactory(), now=patrol.starts_at)
    assert refused.value.messages == ["只有日喀则志愿服务队的队员可以签到。"]


def test_everyone_logged_in_may_check_in_when_everyone_may_sign_up(team):
    occurrence = occurrence_of(team, audience=Audience.LOGGED_IN)
    result = services.check_in_or_out(
        code=code_of(occurrence), user=UserFactory(), now=occurrence.starts_at
    )
    assert result.action == "in"


def test_a_cancelled_occurrence_refuses_check_in(patrol, team):
    code = code_of(patrol)
    patrol.status = OccurrenceStatus.CANCELLED
    patrol.save()
    with pytest.raises(ValidationError, match="已取消"):
        services.check_in_or_out(code=code, user=volunteer_of(team), now=patrol.starts_at)


# --- Wrong codes ---


def test_a_wrong_code_is_refused_and_five_in_ten_minutes_pause_the_person(patrol, team):
    user, other = volunteer_of(team), volunteer_of(team)
    right = code_of(patrol)
    wrong = "000000" if right != "000000" else "000001"
    for _ in range(5):
        with pytest.raises(ValidationError) as refused:
            services.check_in_or_out(code=wrong, user=user, now=patrol.starts_at)
        assert refused.value.messages == [f"没有活动使用签到码 {wrong}，请向组织者核对。"]
    with pytest.raises(ValidationError) as paused:
        services.check_in_or_out(code=right, user=user, now=patrol.starts_at)
    assert paused.value.messages == ["签到码输错次数过多，请10分钟后再试，并向组织者核对签到码。"]
    # Someone else is not paused.
    assert services.check_in_or_out(code=right, user=other, now=patrol.starts_at).action == "in"


def test_a_badly_shaped_code_says_what_a_code_is(team):
    with pytest.raises(ValidationError) as refused:
        services.check_in_or_out(code="12345", user=volunteer_of(team))
    assert refused.value.messages == ["签到码是6位数字，例如123456。"]


# --- Hours ---


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ((19, 52, False), (22, 14, False), "2.5"),  # 2 h 22 min
        ((20, 5, False), (23, 40, False), "3.5"),  # 3 h 35 min
        ((19, 30, False), (0, 20, True), "4.0"),  # 4 h 50 min, capped at the patrol's 4
        ((20, 0, False), (22, 14, False), "2.0"),  # 2 h 14 min: down
        ((20, 0, False), (22, 15, False), "2.5"),  # 2 h 15 min: a quarter rounds up
    ],
)
def test_hours_to_the_nearest_half_hour_capped(patrol, team, start, end, hours):
    attendance = Attendance(
        occurrence=patrol,
        checked_in_at=at(patrol, start[0], start[1], next_day=start[2]),
        checked_out_at=at(patrol, end[0], end[1], next_day=end[2]),
    )
    assert services.hours_of(attendance, cap=services.occurrence_hours(patrol)).hours == Decimal(
        hours
    )


def test_no_check_out_counts_the_whole_activity_flagged(patrol):
    attendance = Attendance(occurrence=patrol, checked_in_at=at(patrol, 20, 10))
    assert services.hours_of(attendance, cap=Decimal("4.0")) == services.PersonHours(
        Decimal("4.0"), "no_check_out"
    )


def test_hand_hours_win_and_are_capped(patrol):
    hand = Attendance(occurrence=patrol, hours=Decimal("2.3"), checked_in_at=at(patrol, 20, 0))
    assert services.hours_of(hand, cap=Decimal("4.0")).hours == Decimal("2.3")
    hand.hours = Decimal("6")
    assert services.hours_of(hand, cap=Decimal("4.0")) == services.PersonHours(
        Decimal("4.0"), "capped"
    )


def test_typed_times_past_midnight_are_on_the_next_day(patrol):
    arrived, left = services.moments_of(patrol, datetime.time(19, 45), datetime.time(0, 30))
    assert (arrived, left) == (at(patrol, 19, 45), at(patrol, 0, 30, next_day=True))
    arrived, left = services.moments_of(patrol, datetime.time(0, 10), datetime.time(0, 40))
    assert (arrived, left) == (at(patrol, 0, 10, next_day=True), at(patrol, 0, 40, next_day=True))


# --- The draft record ---


def test_the_sheet_becomes_the_draft_record(patrol, team):
    a, b, c = (volunteer_of(team, name=name) for name in ("次仁", "卓玛", "扎西"))
    outsider = UserFactory(last_name="王", first_name="五")
    left_before = UserFactory()
    MemberFactory(team=team, user=left_before, left_on=datetime.date(2020, 1, 1), name="旧队员")
    staff = UserFactory()
    Attendance.objects.create(
        occurrence=patrol,
        user=a,
        checked_in_at=at(patrol, 19, 52),
        checked_out_at=at(patrol, 22, 14),
    )
    Attendance.objects.create(occurrence=patrol, user=b, checked_in_at=at(patrol, 20, 5))
    Attendance.objects.create(occurrence=patrol, user=c, marked_by=staff, hours=Decimal("1.5"))
    Attendance.objects.create(occurrence=patrol, user=outsider, checked_in_at=at(patrol, 20, 0))
    Attendance.objects.create(occurrence=patrol, user=left_before, checked_in_at=at(patrol, 20, 0))

    activity, not_counted = services.draft_from_sheet(
        occurrence=patrol, by=staff, now=at(patrol, 0, 30, next_day=True)
    )
    assert activity.status == ActivityStatus.DRAFT
    assert (activity.title, activity.hours, activity.team) == (
        "火车站夜间巡逻",
        Decimal("4.0"),
        team,
    )
    # 20:00–24:00 ends at midnight: the record is one day.
    assert activity.start_date == activity.end_date == patrol.date
    hours = {p.member.name: p.hours for p in activity.participations.select_related("member")}
    assert hours == {"次仁": Decimal("2.5"), "卓玛": Decimal("4.0"), "扎西": Decimal("1.5")}
    assert [person.name for person in not_counted] == ["王五", "旧队员"]
    patrol.refresh_from_db()
    assert patrol.activity == activity and patrol.status == OccurrenceStatus.DONE

    # Again after a correction: the same draft, brought up to date.
    Attendance.objects.filter(user=c).delete()
    again, _ = services.draft_from_sheet(
        occurrence=patrol, by=staff, now=at(patrol, 1, 0, next_day=True)
    )
    assert again.pk == activity.pk
    assert again.participations.count() == 2


def test_no_draft_before_the_start_nor_once_submitted(patrol, team):
    staff = UserFactory()
    with pytest.raises(ValidationError, match="活动尚未开始"):
        services.draft_from_sheet(occurrence=patrol, by=staff, now=patrol.starts_at - MINUTE)
    Attendance.objects.create(occurrence=patrol, user=volunteer_of(team), hours=Decimal("2"))
    activity, _ = services.draft_from_sheet(occurrence=patrol, by=staff, now=patrol.starts_at)
    activity.status = ActivityStatus.SUBMITTED
    activity.save()
    with pytest.raises(ValidationError, match="请在活动记录页面修改"):
        services.draft_from_sheet(occurrence=patrol, by=staff, now=patrol.ends_at)
