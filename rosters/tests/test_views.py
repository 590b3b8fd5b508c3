"""The roster pages: groups, the week, the volunteer's duties and the swap queue."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import client_for, text_of
from members.tests.factories import MemberFactory
from planning.models import Occurrence
from rosters import services
from rosters.models import DutyGroup, DutyShift, SwapRequest, SwapStatus
from rosters.selectors import week_label
from rosters.tests.factories import four_groups, group_of, member_with_login, next_monday, patrol
from signups.models import SignUp, SignUpStatus
from signups.services import assign
from teams.tests.factories import TeamFactory
from volunteer_site.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

GROUPS = reverse("rosters:groups", kwargs={"slug": "our-team"})
MINE = reverse("rosters:mine")
SWAPS = reverse("rosters:swaps", kwargs={"slug": "our-team"})


def week_url(planned, week: str | None = None) -> str:
    url = reverse("rosters:week", kwargs={"slug": "our-team", "pk": planned.pk})
    return f"{url}?week={week}" if week is not None else url


def action(name: str, planned) -> str:
    return reverse(f"rosters:{name}", kwargs={"slug": "our-team", "pk": planned.pk})


# --- Groups ------------------------------------------------------------------------------------


def test_create_a_group_rename_it_and_choose_its_members(personas):
    client = client_for(personas.secretary)
    response = client.post(GROUPS, {"name": "第一组"}, follow=True)
    group = DutyGroup.objects.get()
    assert "已创建小组“第一组”。" in text_of(response)
    a = MemberFactory(team=personas.team, name="扎西")
    edit = reverse("rosters:group_edit", kwargs={"slug": "our-team", "pk": group.pk})
    page = text_of(client.post(edit, {"name": "巡逻一组", "members": [a.pk]}, follow=True))
    assert "已保存小组“巡逻一组”。" in page and "扎西" in page and "本组1人" in page
    group.refresh_from_db()
    assert group.name == "巡逻一组"
    assert list(group.members.values_list("member__name", flat=True)) == ["扎西"]


def test_the_same_group_name_twice_is_refused_on_the_form(personas):
    client = client_for(personas.staff)
    client.post(GROUPS, {"name": "第一组"})
    response = client.post(GROUPS, {"name": "第一组\u200b"})
    assert response.status_code == 200
    assert "本队已有名为“第一组”的小组。" in text_of(response)
    assert DutyGroup.objects.count() == 1


def test_a_member_of_another_team_is_not_a_choice(personas):
    group = group_of(personas.team, "第一组", 0)
    stranger = MemberFactory(team=personas.other_team)
    edit = reverse("rosters:group_edit", kwargs={"slug": "our-team", "pk": group.pk})
    response = client_for(personas.secretary).post(
        edit, {"name": "第一组", "members": [stranger.pk]}
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in text_of(response)
    assert not group.members.exists()


def test_delete_a_group(personas):
    group = group_of(personas.team, "第一组", 2)
    url = reverse("rosters:group_delete", kwargs={"slug": "our-team", "pk": group.pk})
    page = text_of(client_for(personas.staff).post(url, follow=True))
    assert "已删除小组“第一组”。" in page and "本队还没有值班小组。" in page


def test_another_teams_group_is_not_found(personas):
    theirs = group_of(personas.other_team, "第一组", 1)
    url = reverse("rosters:group_edit", kwargs={"slug": "our-team", "pk": theirs.pk})
    assert client_for(personas.secretary).get(url).status_code == 404


# --- The week ----------------------------------------------------------------------------------


def test_the_week_shows_days_groups_people_and_free_places(personas):
    monday = next_monday()
    planned = patrol(personas.team, first=monday, days=3, capacity=4)
    first = group_of(personas.team, "第一组", 3)
    services.group_put_on_duty(
        occurrence=planned.occurrences.get(date=monday), group=first, by=personas.secretary
    )
    response = client_for(personas.staff).get(week_url(planned, week_label(monday)))
    page = text_of(response)
    sunday = monday + datetime.timedelta(days=6)
    year, number, _day = monday.isocalendar()
    assert f"{year}年第{number}周（{monday:%Y-%m-%d}至{sunday:%Y-%m-%d}）" in page
    days = response.context["days"]
    # Monday: 4 − 3 = 1 free; Tuesday and Wednesday 4; Thursday to Sunday no duty.
    assert [d.free_places for d in days] == [1, 4, 4, None, None, None, None]
    assert page.count("无班次") == 4
    assert "第一组1号" in page and "第一组3号" in page
    html = response.content.decode()
    previous = week_label(monday - datetime.timedelta(days=7))
    following = week_label(monday + datetime.timedelta(days=7))
    assert f'href="?week={previous}"' in html and f'href="?week={following}"' in html


@pytest.mark.parametrize(
    "week", ["NaN", "2026-W99", "9" * 5000, "２０２６-W9９-x", "-1", "2026-W00"]
)
def test_a_week_that_cannot_be_read_shows_this_week_and_says_so(personas, week):
    planned = patrol(personas.team, first=next_monday(), days=1)
    response = client_for(personas.staff).get(week_url(planned, week))
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["monday"] == today - datetime.timedelta(days=today.weekday())
    assert "无法识别地址中的周次，现显示本周。" in text_of(response)


def test_a_week_in_full_width_digits_is_read(personas):
    planned = patrol(personas.team, first=next_monday(), days=1)
    response = client_for(personas.staff).get(week_url(planned, "２０２６-Ｗ４９"))
    assert response.context["monday"] == datetime.date(2026, 11, 30)


def test_the_week_costs_the_same_queries_for_more_people(personas):
    monday = next_monday()
    planned = patrol(personas.team, first=monday, days=7)
    groups = four_groups(personas.team, size=1)
    client = client_for(personas.staff)
    url = week_url(planned, week_label(monday))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    services.groups_rotate(planned=planned, monday=monday, weeks=1, by=personas.staff)
    for group in groups:
        for _ in range(3):
            member = member_with_login(personas.team)
            group.members.create(member=member)
    services.group_put_on_duty(
        occurrence=planned.occurrences.get(date=monday), group=groups[1], by=personas.staff
    )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_rotate_from_the_page(personas):
    monday = next_monday()
    planned = patrol(personas.team, first=monday, days=7)
    four_groups(personas.team, size=1)
    client = client_for(personas.secretary)
    response = client.post(
        action("rotate", planned), {"week": week_label(monday), "span": "week"}, follow=True
    )
    assert "按组轮换：7天已安排小组。" in text_of(response)
    assert response.redirect_chain[-1][0].endswith(f"?week={week_label(monday)}")
    again = client.post(action("rotate", planned), {"week": week_label(monday), "span": "week"})
    assert again.status_code == 302
    assert DutyShift.objects.count() == 7


def test_the_page_says_which_group_the_rotation_begins_with(personas):
    monday = next_monday()
    planned = patrol(personas.team, first=monday, days=14)
    four_groups(personas.team, size=1)
    assert "从第一组开始" in text_of(client_for(personas.secretary).get(week_url(planned)))
    services.groups_rotate(planned=planned, monday=monday, weeks=1, by=personas.secretary)
    # The first week ended with 第三组 (1 2 3 4 1 2 3): the next begins with 第四组.
    page = text_of(
        client_for(personas.secretary).get(
            week_url(planned, week_label(monday + datetime.timedelta(days=7)))
        )
    )
    assert "从第四组开始" in page


def test_rotate_with_a_bad_week_is_refused(personas):
    planned = patrol(personas.team, first=next_monday(), days=1)
    four_groups(personas.team, size=1)
    response = client_for(personas.secretary).post(
        action("rotate", planned), {"week": "2026-W99", "span": "week"}, follow=True
    )
    assert "无法识别该周。" in text_of(response)
    assert not DutyShift.objects.exists()


def test_put_a_group_and_a_member_on_duty_and_take_one_off(personas):
    monday = next_monday()
    planned = patrol(personas.team, first=monday, days=1)
    occurrence = planned.occurrences.get()
    group = group_of(personas.team, "第二组", 2)
    client = client_for(personas.staff)
    page = text_of(
        client.post(
            action("put_group", planned),
            {"occurrence": occurrence.pk, "group": group.pk},
            follow=True,
        )
    )
    assert f"第二组已安排在{monday:%Y-%m-%d}值班。" in page
    extra = member_with_login(personas.team, name="央金")
    page = text_of(
        client.post(
            action("put_member", planned),
            {"occurrence": occurrence.pk, "member": extra.pk},
            follow=True,
        )
    )
    assert f"央金已安排在{monday:%Y-%m-%d}值班。" in page
    signup = SignUp.objects.get(occurrence=occurrence, user=extra.user)
    page = text_of(client.post(action("take_off", planned), {"signup": signup.pk}, follow=True))
    assert "已从名单中移除。" in page
    names = SignUp.objects.filter(occurrence=occurrence, status=SignUpStatus.CONFIRMED)
    assert sorted(names.values_list("user__member__name", flat=True)) == ["第二组1号", "第二组2号"]


def test_a_member_without_login_cannot_be_added(personas):
    planned = patrol(personas.team, first=next_monday(), days=1)
    no_login = MemberFactory(team=personas.team, name="无账号")
    page = text_of(
        client_for(personas.staff).post(
            action("put_member", planned),
            {"occurrence": planned.occurrences.get().pk, "member": no_login.pk},
            follow=True,
        )
    )
    assert "无账号尚未开通登录账号，不能排班。" in page
    assert not SignUp.objects.exists()


def test_another_teams_occurrence_or_group_is_not_a_choice(personas):
    planned = patrol(personas.team, first=next_monday(), days=1)
    theirs = patrol(personas.other_team, first=next_monday(), days=1)
    group = group_of(personas.team, "第一组", 1)
    their_group = group_of(personas.other_team, "第一组", 1)
    client = client_for(personas.staff)
    for data in (
        {"occurrence": theirs.occurrences.get().pk, "group": group.pk},
        {"occurrence": planned.occurrences.get().pk, "group": their_group.pk},
    ):
        page = text_of(client.post(action("put_group", planned), data, follow=True))
        assert "选择一个有效的选项" in page
    assert not SignUp.objects.exists()


def test_the_planned_list_and_the_team_home_link_to_the_rosters(personas):
    recurring = patrol(personas.team, first=next_monday(), days=1)
    once = patrol(personas.team, first=next_monday(), days=1, rule="", title="一次性活动")
    client = client_for(personas.secretary)
    html = client.get(reverse("planning:list", kwargs={"slug": "our-team"})).content.decode()
    assert week_url(recurring) in html and week_url(once) not in html
    assert GROUPS in html
    home = client.get(reverse("dashboard:team", kwargs={"slug": "our-team"})).content.decode()
    assert SWAPS in home and GROUPS in home
    staff_home = client_for(personas.staff).get(
        reverse("dashboard:team", kwargs={"slug": "our-team"})
    )
    assert SWAPS not in staff_home.content.decode() and GROUPS in staff_home.content.decode()


# --- The volunteer -----------------------------------------------------------------------------


@pytest.fixture
def duties(personas):
    """Tomorrow's and the day after's patrol: the volunteer and 次仁 on duty tomorrow,
    达瓦 the day after."""
    planned = patrol(personas.team, first=timezone.localdate() + datetime.timedelta(days=1), days=2)
    tomorrow, after = planned.occurrences.order_by("date")
    dawa = member_with_login(personas.team, name="达瓦")
    assign(tomorrow, personas.volunteer, by=None)
    assign(tomorrow, member_with_login(personas.team, name="次仁").user, by=None)
    assign(after, dawa.user, by=None)
    return tomorrow, after, dawa


def test_my_duties_mark_my_own(personas, duties):
    tomorrow, after, _dawa = duties
    theirs = patrol(personas.other_team, first=tomorrow.date, days=1, title="别队巡逻")
    response = client_for(personas.volunteer).get(MINE)
    html = response.content.decode()
    assert f'id="my-duty-{tomorrow.pk}"' in html
    assert f'id="my-duty-{after.pk}"' not in html and f'id="duty-{after.pk}"' in html
    assert "别队巡逻" not in text_of(response)
    assert theirs.pk
    assert reverse("rosters:swap_create", kwargs={"pk": tomorrow.pk}) in html
    assert reverse("rosters:swap_create", kwargs={"pk": after.pk}) not in html


def test_ask_for_a_swap_and_see_it_decided(personas, duties):
    tomorrow, after, dawa = duties
    url = reverse("rosters:swap_create", kwargs={"pk": tomorrow.pk})
    client = client_for(personas.volunteer)
    # 次仁 is on duty tomorrow too: handing it to them is refused.
    ciren = SignUp.objects.get(occurrence=tomorrow, user__member__name="次仁").user.member
    page = text_of(client.post(url, {"partner": ciren.pk}))
    assert f"次仁已在{tomorrow.date:%Y-%m-%d}的名单上。" in page
    response = client.post(url, {"partner": dawa.pk, "partner_occurrence": after.pk})
    assert response.status_code == 302
    swap = SwapRequest.objects.get()
    assert "待秘书审批" in text_of(client.get(MINE))
    again = text_of(client.post(url, {"partner": dawa.pk, "partner_occurrence": after.pk}))
    assert "您已申请调换这个班次，秘书尚未审批。" in again
    # 达瓦 agrees, the secretary sees one waiting and approves.
    agree = reverse("rosters:swap_agree", kwargs={"pk": swap.pk})
    assert client.post(agree).status_code == 404  # not the volunteer's to agree
    assert "您已同意" in text_of(client_for(dawa.user).post(agree, follow=True))
    secretary = client_for(personas.secretary)
    queue = secretary.get(SWAPS)
    assert queue.context["pending"] == [swap]
    assert "达瓦已同意" in text_of(queue)
    approve = reverse("rosters:swap_approve", kwargs={"slug": "our-team", "pk": swap.pk})
    assert "换班已批准，排班已更新。" in text_of(secretary.post(approve, follow=True))
    on = SignUp.objects.filter(status=SignUpStatus.CONFIRMED)
    assert set(on.values_list("occurrence_id", "user_id")) == {
        (tomorrow.pk, dawa.user_id),
        (tomorrow.pk, ciren.user_id),
        (after.pk, personas.volunteer.pk),
    }
    mine = text_of(client.get(MINE))
    assert "您请达瓦接替您" in mine and "已批准" in mine
    entry = AuditEntry.objects.get(action=AuditAction.SWAP_APPROVE)
    assert (entry.user, entry.detail["swap"]) == (personas.secretary, swap.pk)


def test_the_secretary_rejects_with_a_reason(personas, duties):
    tomorrow, _after, _dawa = duties
    other = member_with_login(personas.team, name="卓玛")
    swap = SwapRequest.objects.create(
        occurrence=tomorrow, requester=personas.volunteer_member, partner=other
    )
    url = reverse("rosters:swap_reject", kwargs={"slug": "our-team", "pk": swap.pk})
    secretary = client_for(personas.secretary)
    assert "这个字段是必填项" in text_of(secretary.post(url, {"reason": ""}, follow=True))
    assert SwapRequest.objects.get().status == SwapStatus.PENDING
    page = text_of(secretary.post(url, {"reason": "卓玛当天值班"}, follow=True))
    assert "换班申请已驳回。" in page and "卓玛当天值班" in page
    assert "卓玛当天值班" in text_of(client_for(personas.volunteer).get(MINE))
    entry = AuditEntry.objects.get(action=AuditAction.SWAP_REJECT)
    assert (entry.user, entry.detail["reason"]) == (personas.secretary, "卓玛当天值班")


def test_a_past_duty_cannot_be_swapped_from_the_page(personas):
    yesterday = timezone.localdate() - datetime.timedelta(days=2)
    planned = patrol(personas.team, first=yesterday, days=1)
    occurrence = Occurrence.objects.get(planned_activity=planned)
    SignUp.objects.create(
        occurrence=occurrence, user=personas.volunteer, requested_at=timezone.now()
    )
    other = member_with_login(personas.team, name="卓玛")
    url = reverse("rosters:swap_create", kwargs={"pk": occurrence.pk})
    page = text_of(client_for(personas.volunteer).post(url, {"partner": other.pk}))
    assert f"{occurrence.date:%Y-%m-%d}的班次已经开始，不能再换班。" in page
    assert not SwapRequest.objects.exists()


def test_swapping_with_someone_of_another_team_is_not_a_choice(personas, duties):
    tomorrow, _after, _dawa = duties
    stranger = member_with_login(TeamFactory(), name="外人")
    url = reverse("rosters:swap_create", kwargs={"pk": tomorrow.pk})
    page = text_of(client_for(personas.volunteer).post(url, {"partner": stranger.pk}))
    assert "选择一个有效的选项" in page
    page = text_of(
        client_for(personas.volunteer).post(url, {"partner": personas.volunteer_member.pk})
    )
    assert "选择一个有效的选项" in page  # oneself is not offered either
    assert not SwapRequest.objects.exists()


def test_my_duties_and_the_swap_queue_cost_the_same_queries_for_more_rows(personas, duties):
    tomorrow, after, dawa = duties
    volunteer, secretary = client_for(personas.volunteer), client_for(personas.secretary)
    SwapRequest.objects.create(
        occurrence=tomorrow, requester=personas.volunteer_member, partner=dawa
    )
    volunteer.get(MINE), secretary.get(SWAPS)
    with CaptureQueriesContext(connection) as mine_few:
        volunteer.get(MINE)
    with CaptureQueriesContext(connection) as queue_few:
        secretary.get(SWAPS)
    for _ in range(3):
        member = member_with_login(personas.team)
        assign(after, member.user, by=None)
        other = member_with_login(personas.team)
        assign(tomorrow, other.user, by=None)
        swap = SwapRequest.objects.create(occurrence=tomorrow, requester=other, partner=member)
        services.swap_reject(swap=swap, by=personas.secretary, reason="人手已够")
        SwapRequest.objects.create(occurrence=after, requester=member, partner=other)
    with CaptureQueriesContext(connection) as mine_many:
        volunteer.get(MINE)
    with CaptureQueriesContext(connection) as queue_many:
        secretary.get(SWAPS)
    assert len(mine_many) == len(mine_few)
    assert len(queue_many) == len(queue_few)
