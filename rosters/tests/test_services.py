"""Groups, rotation and swaps, with numbers worked out by hand
(docs/domain.md § Duty rosters)."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone, translation

from planning.models import Occurrence, OccurrenceStatus
from rosters import selectors, services
from rosters.models import DutyGroup, DutyGroupMember, DutyShift, SwapRequest, SwapStatus
from rosters.tests.factories import four_groups, group_of, member_with_login, next_monday, patrol
from signups.models import SignUp, SignUpSource, SignUpStatus
from signups.services import sign_up
from teams.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def team():
    return TeamFactory()


@pytest.fixture
def secretary():
    return UserFactory()


def on_duty(occurrence) -> set[str]:
    return set(
        SignUp.objects.filter(occurrence=occurrence, status=SignUpStatus.CONFIRMED).values_list(
            "user__member__name", flat=True
        )
    )


def shifts(planned) -> list[str]:
    return [
        DutyShift.objects.filter(occurrence=o).values_list("group__name", flat=True).first()
        for o in Occurrence.objects.filter(planned_activity=planned).order_by("date")
    ]


# --- Rotation ------------------------------------------------------------------------------


def test_a_seven_day_week_with_four_groups_goes_1_2_3_4_1_2_3(team, secretary):
    monday = next_monday()
    planned = patrol(team, first=monday)
    four_groups(team)
    assert services.groups_rotate(planned=planned, monday=monday, weeks=1, by=secretary) == 7
    assert shifts(planned) == ["第一组", "第二组", "第三组", "第四组", "第一组", "第二组", "第三组"]
    # Each group's two members are on the list of its days, and nobody else.
    monday_duty = Occurrence.objects.get(planned_activity=planned, date=monday)
    assert on_duty(monday_duty) == {"第一组1号", "第一组2号"}
    assert SignUp.objects.filter(status=SignUpStatus.CONFIRMED).count() == 7 * 2
    assert set(SignUp.objects.values_list("source", flat=True)) == {SignUpSource.ASSIGNED}


def test_rotating_again_changes_nothing(team, secretary):
    monday = next_monday()
    planned = patrol(team, first=monday)
    four_groups(team)
    services.groups_rotate(planned=planned, monday=monday, weeks=1, by=secretary)
    before = list(SignUp.objects.order_by("pk").values())
    assert services.groups_rotate(planned=planned, monday=monday, weeks=1, by=secretary) == 0
    assert list(SignUp.objects.order_by("pk").values()) == before
    assert DutyShift.objects.count() == 7


def test_four_weeks_go_on_where_the_week_ended(team, secretary):
    monday = next_monday()
    planned = patrol(team, first=monday, days=28)
    four_groups(team, size=1)
    assert services.groups_rotate(planned=planned, monday=monday, weeks=4, by=secretary) == 28
    # 28 days, 4 groups: day 8 (the second Monday) is turn 7, so group 4.
    names = shifts(planned)
    assert names[7:10] == ["第四组", "第一组", "第二组"]
    assert [names.count(g) for g in ("第一组", "第二组", "第三组", "第四组")] == [7, 7, 7, 7]


def test_rotating_week_by_week_goes_on_where_the_last_week_ended(team, secretary):
    monday = next_monday()
    planned = patrol(team, first=monday, days=14)
    four_groups(team, size=1)
    services.groups_rotate(planned=planned, monday=monday, weeks=1, by=secretary)
    services.groups_rotate(planned=planned, monday=monday + 7 * ONE_DAY, weeks=1, by=secretary)
    # Week 1: 1 2 3 4 1 2 3; week 2 goes on with 4: 4 1 2 3 4 1 2 (as one two-week run).
    assert shifts(planned) == [
        *["第一组", "第二组", "第三组", "第四组", "第一组", "第二组", "第三组"],
        *["第四组", "第一组", "第二组", "第三组", "第四组", "第一组", "第二组"],
    ]


def test_only_future_scheduled_days_without_a_group_are_changed(team, secretary):
    monday = next_monday()
    planned = patrol(team, first=monday)
    groups = four_groups(team, size=1)
    occurrences = list(Occurrence.objects.filter(planned_activity=planned).order_by("date"))
    # Thursday is cancelled, Friday already has group 2 by hand.
    occurrences[3].status = OccurrenceStatus.CANCELLED
    occurrences[3].save()
    services.group_put_on_duty(occurrence=occurrences[4], group=groups[1], by=secretary)
    # Run on Tuesday at noon: Monday and Tuesday evening... Tuesday 20:00 is still ahead.
    tuesday_noon = timezone.make_aware(
        datetime.datetime.combine(monday + ONE_DAY, datetime.time(12, 0))
    )
    changed = services.groups_rotate(
        planned=planned, monday=monday, weeks=1, by=secretary, now=tuesday_noon
    )
    # Turns are counted over the six days not cancelled: Mon 0, Tue 1, Wed 2, Fri 3, Sat 4,
    # Sun 5. Monday has begun; Friday keeps its group.
    assert changed == 4
    assert shifts(planned) == [None, "第二组", "第三组", None, "第二组", "第一组", "第二组"]


def test_rotation_without_groups_is_refused(team, secretary):
    planned = patrol(team, first=next_monday())
    with pytest.raises(services.RosterError, match="本队还没有值班小组"):
        services.groups_rotate(planned=planned, monday=next_monday(), weeks=1, by=secretary)


def test_members_without_login_or_not_registered_are_left_out(team, secretary):
    monday = next_monday()
    planned = patrol(team, first=monday, days=1)
    group = group_of(team, "第一组", 1)
    from members.tests.factories import MemberFactory

    no_login = MemberFactory(team=team, name="无账号")
    gone = member_with_login(team, name="已离队", left_on=monday - ONE_DAY)
    DutyGroupMember.objects.create(group=group, member=no_login)
    DutyGroupMember.objects.create(group=group, member=gone)
    occurrence = Occurrence.objects.get(planned_activity=planned)
    left_out = services.group_put_on_duty(occurrence=occurrence, group=group, by=secretary)
    assert {m.name for m in left_out} == {"无账号", "已离队"}
    assert on_duty(occurrence) == {"第一组1号"}


def test_another_group_replaces_the_assigned_members_not_those_who_signed_up(team, secretary):
    monday = next_monday()
    planned = patrol(team, first=monday, days=1, cutoff_hours=0)
    first, second = group_of(team, "第一组", 2), group_of(team, "第二组", 1, position=1)
    occurrence = Occurrence.objects.get(planned_activity=planned)
    volunteer = member_with_login(team, name="自愿者")
    DutyGroupMember.objects.create(group=first, member=volunteer)
    sign_up(occurrence, volunteer.user)
    services.group_put_on_duty(occurrence=occurrence, group=first, by=secretary)
    assert on_duty(occurrence) == {"第一组1号", "第一组2号", "自愿者"}
    services.group_put_on_duty(occurrence=occurrence, group=second, by=secretary)
    assert on_duty(occurrence) == {"第二组1号", "自愿者"}
    assert DutyShift.objects.get(occurrence=occurrence).group == second


# --- Free places -----------------------------------------------------------------------------


def test_free_places_are_capacity_minus_confirmed(team, secretary):
    monday = next_monday()
    planned = patrol(team, first=monday, days=2, capacity=5, cutoff_hours=0)
    group = group_of(team, "第一组", 3)
    monday_duty, tuesday_duty = Occurrence.objects.filter(planned_activity=planned).order_by("date")
    services.group_put_on_duty(occurrence=monday_duty, group=group, by=secretary)
    sign_up(monday_duty, member_with_login(team).user)
    days = selectors.roster_week(planned, monday)
    # Monday: 5 − (3 assigned + 1 signed up) = 1; Tuesday: 5 − 0 = 5; Wednesday: no duty.
    assert [day.free_places for day in days[:3]] == [1, 5, None]
    assert days[0].group == group and len(days[0].confirmed) == 4
    assert days[2].occurrence is None


def test_free_places_never_go_below_zero_when_the_team_assigns_beyond_capacity(team, secretary):
    monday = next_monday()
    planned = patrol(team, first=monday, days=1, capacity=2)
    services.group_put_on_duty(
        occurrence=Occurrence.objects.get(planned_activity=planned),
        group=group_of(team, "第一组", 3),
        by=secretary,
    )
    day = selectors.roster_week(planned, monday)[0]
    assert (len(day.confirmed), day.free_places) == (3, 0)


# --- Groups --------------------------------------------------------------------------------


def test_a_member_moves_between_groups_and_is_in_one_at_most(team):
    first = services.group_create(team=team, name="第一组")
    second = services.group_create(team=team, name="第二组")
    assert (first.position, second.position) == (0, 1)
    a, b = member_with_login(team), member_with_login(team)
    services.group_set_members(group=first, members=[a, b])
    services.group_set_members(group=second, members=[b])
    assert list(first.members.values_list("member", flat=True)) == [a.pk]
    assert list(second.members.values_list("member", flat=True)) == [b.pk]
    with pytest.raises(IntegrityError):
        DutyGroupMember.objects.create(group=first, member=b)


def test_a_member_of_another_team_cannot_join_a_group(team):
    group = services.group_create(team=team, name="第一组")
    stranger = member_with_login(TeamFactory(), name="外队队员")
    with pytest.raises(services.RosterError, match="外队队员不是本队的在队队员"):
        services.group_set_members(group=group, members=[stranger])


@pytest.mark.parametrize("look_alike", ["第一组\u200b", " 第一组 ", "第一组\u202e"])
def test_a_look_alike_group_name_is_the_same_name(team, look_alike):
    services.group_create(team=team, name="第一组")
    with pytest.raises(services.RosterError, match="本队已有名为“第一组”的小组"):
        services.group_create(team=team, name=look_alike)


def test_full_width_letters_are_folded_in_group_names(team):
    group = services.group_create(team=team, name="Ａ组")
    assert group.name == "A组"
    with pytest.raises(services.RosterError, match="请填写组名"):
        services.group_create(team=team, name="\u200b")


def test_deleting_a_group_keeps_the_duties_on_the_roster(team, secretary):
    planned = patrol(team, first=next_monday(), days=1)
    group = group_of(team, "第一组", 2)
    occurrence = Occurrence.objects.get(planned_activity=planned)
    services.group_put_on_duty(occurrence=occurrence, group=group, by=secretary)
    services.group_delete(group=group)
    assert not DutyGroup.objects.exists() and not DutyShift.objects.exists()
    assert on_duty(occurrence) == {"第一组1号", "第一组2号"}


# --- Swaps -----------------------------------------------------------------------------------


@pytest.fixture
def two_nights(team, secretary):
    """Ana on Monday, Bai on Tuesday (capacity 1 each, someone waiting on Monday)."""
    monday = next_monday()
    planned = patrol(team, first=monday, days=3, capacity=1, cutoff_hours=0)
    x, y, z = Occurrence.objects.filter(planned_activity=planned).order_by("date")
    ana, bai, cai = (member_with_login(team, name=n) for n in ("阿娜", "白玛", "才旦"))
    services.member_put_on_duty(occurrence=x, member=ana, by=secretary)
    services.member_put_on_duty(occurrence=y, member=bai, by=secretary)
    waiting = member_with_login(team, name="等候者")
    assert sign_up(x, waiting.user).status == SignUpStatus.WAITING
    return x, y, z, ana, bai, cai


def lists() -> set[tuple]:
    return set(
        SignUp.objects.filter(
            status__in=[SignUpStatus.CONFIRMED, SignUpStatus.WAITING]
        ).values_list("occurrence__date", "user__member__name", "status")
    )


def test_a_swap_exchanges_exactly_two_sign_ups(two_nights, secretary):
    x, y, _z, ana, bai, _cai = two_nights
    before = lists()
    swap = services.swap_request(occurrence=x, requester=ana, partner=bai, partner_occurrence=y)
    assert swap.status == SwapStatus.PENDING
    services.swap_agree(swap=swap, member=bai)
    services.swap_approve(swap=swap, by=secretary)
    after = lists()
    # Exactly two changed hands: Ana Monday → Tuesday, Bai Tuesday → Monday; the one
    # waiting on Monday still waits (the place was never free).
    assert before - after == {(x.date, "阿娜", "confirmed"), (y.date, "白玛", "confirmed")}
    assert after - before == {(x.date, "白玛", "confirmed"), (y.date, "阿娜", "confirmed")}
    assert (x.date, "等候者", "waiting") in after
    swap.refresh_from_db()
    assert (swap.status, swap.decided_by, swap.partner_agreed_at is not None) == (
        SwapStatus.APPROVED,
        secretary,
        True,
    )


def test_a_hand_over_moves_one_duty(two_nights, secretary):
    x, _y, _z, ana, _bai, cai = two_nights
    swap = services.swap_request(occurrence=x, requester=ana, partner=cai)
    services.swap_approve(swap=swap, by=secretary)
    assert on_duty(x) == {"才旦"}
    assert SignUp.objects.get(occurrence=x, user=ana.user).status == SignUpStatus.CANCELLED


def test_a_rejected_swap_keeps_the_roster_and_tells_why(two_nights, secretary):
    x, _y, _z, ana, _bai, cai = two_nights
    before = lists()
    swap = services.swap_request(occurrence=x, requester=ana, partner=cai)
    with pytest.raises(services.RosterError, match="请填写驳回原因"):
        services.swap_reject(swap=swap, by=secretary, reason="  ")
    services.swap_reject(swap=swap, by=secretary, reason="才旦当天出差")
    assert lists() == before
    swap.refresh_from_db()
    assert (swap.status, swap.reason) == (SwapStatus.REJECTED, "才旦当天出差")
    with pytest.raises(services.RosterError, match="该换班申请已处理"):
        services.swap_approve(swap=swap, by=secretary)


def test_swap_refusals_are_in_chinese(two_nights, team):
    x, y, z, ana, bai, cai = two_nights
    stranger = member_with_login(TeamFactory(), name="外队队员")
    cases = [
        ({"partner": ana}, "不能与自己换班"),
        ({"partner": stranger}, "外队队员不是本队的在队队员"),
        ({"partner": bai, "partner_occurrence": z}, "白玛在"),  # Bai is not on duty Wednesday
        ({"partner": cai, "partner_occurrence": x}, "请选择另一个班次"),
    ]
    for fields, message in cases:
        with pytest.raises(services.RosterError, match=message):
            services.swap_request(occurrence=x, requester=ana, **fields)
    with pytest.raises(services.RosterError, match="才旦在.*没有值班"):
        services.swap_request(occurrence=y, requester=cai, partner=ana)
    services.swap_request(occurrence=x, requester=ana, partner=cai)
    with pytest.raises(services.RosterError, match="您已申请调换这个班次"):
        services.swap_request(occurrence=x, requester=ana, partner=bai)
    assert SwapRequest.objects.count() == 1


def test_a_past_duty_cannot_be_swapped(two_nights):
    x, _y, _z, ana, _bai, cai = two_nights
    later = x.starts_at + datetime.timedelta(minutes=1)
    with pytest.raises(services.RosterError, match="的班次已经开始，不能再换班"):
        services.swap_request(occurrence=x, requester=ana, partner=cai, now=later)


def test_approval_checks_again_the_partner_is_still_free(two_nights, secretary):
    x, _y, _z, ana, _bai, cai = two_nights
    swap = services.swap_request(occurrence=x, requester=ana, partner=cai)
    services.member_put_on_duty(occurrence=x, member=cai, by=secretary)
    with pytest.raises(services.RosterError, match="才旦已在.*的名单上"):
        services.swap_approve(swap=swap, by=secretary)
    swap.refresh_from_db()
    assert swap.status == SwapStatus.PENDING


def test_only_the_partner_agrees(two_nights):
    x, _y, _z, ana, _bai, cai = two_nights
    swap = services.swap_request(occurrence=x, requester=ana, partner=cai)
    with pytest.raises(services.RosterError, match="只有被请求的队员可以同意"):
        services.swap_agree(swap=swap, member=ana)


# --- Weeks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("2026-W49", datetime.date(2026, 11, 30)),
        ("2026-w01", datetime.date(2025, 12, 29)),
        ("２０２６-Ｗ４９", datetime.date(2026, 11, 30)),
        ("2026-W53", datetime.date(2026, 12, 28)),  # 2026 begins on a Thursday: 53 weeks
        ("2025-W53", None),  # 2025 has 52
        ("2026-W99", None),
        ("NaN", None),
        ("9" * 5000, None),
        ("2026-W4\x00", None),
        ("", None),
        (None, None),
    ],
)
def test_week_parse(text, monday):
    assert selectors.week_parse(text) == monday


def test_a_cancelled_duty_rejects_its_pending_swaps(two_nights, secretary):
    from planning.signals import occurrences_cancelled

    x, y, z, ana, bai, cai = two_nights
    exchange = services.swap_request(occurrence=x, requester=ana, partner=bai, partner_occurrence=y)
    hand_over = services.swap_request(occurrence=y, requester=bai, partner=cai)
    services.member_put_on_duty(occurrence=z, member=cai, by=secretary)
    unrelated = services.swap_request(occurrence=z, requester=cai, partner=ana)
    occurrences_cancelled.send(sender=Occurrence, occurrences=[y], by=secretary)
    unrelated.refresh_from_db()
    assert unrelated.status == SwapStatus.PENDING
    for swap in (exchange, hand_over):
        swap.refresh_from_db()
        assert (swap.status, swap.reason, swap.decided_by) == (
            SwapStatus.REJECTED,
            "该班次已取消。",
            secretary,
        )
