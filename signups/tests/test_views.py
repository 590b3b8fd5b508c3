"""The volunteer's page of coming activities and the staff's list of an occurrence, with
counts worked out by hand."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import client_for, text_of
from planning.models import Audience, OccurrenceStatus
from planning.tests.factories import occurrence_of
from signups import services
from signups.models import SignUp, SignUpSource, SignUpStatus
from signups.tests.factories import volunteer_of
from teams.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UPCOMING = reverse("signups:upcoming")
MINUTE = datetime.timedelta(minutes=1)


def card_text(page: str, title: str) -> str:
    """The text of the card of ``title`` (up to the next card or section)."""
    start = page.index(title)
    rest = page[start:]
    ends = [rest.find(mark, 1) for mark in ("任务", "订阅日历") if rest.find(mark, 1) > 0]
    return rest[: min(ends)] if ends else rest


def fill(occurrence, users, *, start=None):
    """Sign ``users`` up one minute apart, in order."""
    start = start or timezone.now() - datetime.timedelta(hours=1)
    for i, user in enumerate(users):
        services.sign_up(occurrence, user, now=start + i * MINUTE)


def test_the_volunteer_sees_their_teams_and_open_activities_only(personas):
    team = personas.team
    ours = occurrence_of(team, title="任务甲-本队")
    open_elsewhere = occurrence_of(
        personas.other_team, days_ahead=2, title="任务乙-全员", audience=Audience.LOGGED_IN
    )
    occurrence_of(personas.other_team, title="任务丙-别队")
    occurrence_of(team, days_ahead=29, title="任务丁-太远")
    occurrence_of(team, title="任务戊-未发布", is_published=False)
    cancelled = occurrence_of(team, title="任务己-取消")
    cancelled.status = OccurrenceStatus.CANCELLED
    cancelled.save()

    response = client_for(personas.volunteer).get(UPCOMING)
    assert response.status_code == 200
    page = text_of(response)
    assert "近期活动" in page
    assert "任务甲-本队" in page and "任务乙-全员" in page
    for hidden in ("任务丙-别队", "任务丁-太远", "任务戊-未发布", "任务己-取消"):
        assert hidden not in page
    # Grouped by day, in order: tomorrow's, then the day after's.
    tomorrow = ours.date
    assert page.index(f"{tomorrow:%Y-%m-%d}") < page.index("任务甲-本队")
    assert page.index("任务甲-本队") < page.index(f"{open_elsewhere.date:%Y-%m-%d}")
    assert page.index(f"{open_elsewhere.date:%Y-%m-%d}") < page.index("任务乙-全员")

    # A user who is no member sees the open one only; so does a member who has left.
    page = text_of(client_for(personas.no_role).get(UPCOMING))
    assert "任务乙-全员" in page and "任务甲-本队" not in page
    personas.volunteer_member.left_on = timezone.localdate() - datetime.timedelta(days=1)
    personas.volunteer_member.save()
    page = text_of(client_for(personas.volunteer).get(UPCOMING))
    assert "任务乙-全员" in page and "任务甲-本队" not in page


def test_places_waiting_and_own_state_counted_by_hand(personas):
    team = personas.team
    me = personas.volunteer
    roomy = occurrence_of(team, title="任务甲", capacity=5, what_to_bring="手电筒")
    full = occurrence_of(team, title="任务乙", capacity=2)
    unlimited = occurrence_of(team, title="任务丙", capacity=None)
    a, b, c = volunteer_of(team), volunteer_of(team), volunteer_of(team)
    # 任务甲: a and b confirmed → 5 − 2 = 3 places left; I have not signed up.
    fill(roomy, [a, b])
    # 任务乙: a, b confirmed (full), c waits 1st, I wait 2nd.
    fill(full, [a, b, c, me])
    # 任务丙: no limit, a and I signed up.
    fill(unlimited, [a, me])

    page = text_of(client_for(me).get(UPCOMING))
    roomy_card = card_text(page, "任务甲")
    assert "还剩 3 个名额" in roomy_card
    assert "手电筒" in roomy_card
    cutoff = timezone.localtime(services.cutoff(roomy))
    assert f"报名截止{cutoff:%Y-%m-%d %H:%M}" in roomy_card
    assert "报名" in roomy_card and "已报名" not in roomy_card

    full_card = card_text(page, "任务乙")
    assert "已满，候补 2 人" in full_card
    assert "候补第2位" in full_card
    assert "取消报名" in full_card

    unlimited_card = card_text(page, "任务丙")
    assert "不限名额，已报名 2 人" in unlimited_card
    assert "已报名" in unlimited_card


def test_why_not_is_shown_instead_of_the_button(personas):
    # Tomorrow at 20:00, closing 48 hours before: closed already.
    closed = occurrence_of(personas.team, title="任务甲", cutoff_hours=48)
    response = client_for(personas.volunteer).get(UPCOMING)
    card = card_text(text_of(response), "任务甲")
    closes = timezone.localtime(services.cutoff(closed))
    assert f"报名已于 {closes:%Y-%m-%d %H:%M} 截止。" in card
    html = response.content.decode()
    assert reverse("signups:detail", args=[closed.pk]) in html
    assert reverse("signups:sign_up", args=[closed.pk]) not in html


def test_sign_up_then_full_then_waiting_position_then_cancel_moves_up(personas):
    occurrence = occurrence_of(personas.team, title="任务甲", capacity=1)
    other = volunteer_of(personas.team)
    url = reverse("signups:sign_up", args=[occurrence.pk])
    response = client_for(other).post(url, follow=True)
    assert "您已报名“任务甲”。" in text_of(response)
    me = client_for(personas.volunteer)
    response = me.post(url, follow=True)
    assert "“任务甲”名额已满，您已进入候补，候补第1位。" in text_of(response)
    assert SignUp.objects.get(user=personas.volunteer).status == SignUpStatus.WAITING

    cancel = reverse("signups:cancel", args=[occurrence.pk])
    page = client_for(other).get(UPCOMING).content.decode()
    assert f'action="{cancel}" data-confirm="确定取消报名' in page
    response = client_for(other).post(cancel, follow=True)
    assert "已取消报名。" in text_of(response)
    assert SignUp.objects.get(user=personas.volunteer).status == SignUpStatus.CONFIRMED
    # Cancelling again: nothing to cancel.
    response = client_for(other).post(cancel, follow=True)
    assert "您没有报名该活动。" in text_of(response)


def test_the_detail_page_and_going_back_to_it(personas):
    occurrence = occurrence_of(personas.team, title="任务甲", capacity=3)
    detail = reverse("signups:detail", args=[occurrence.pk])
    client = client_for(personas.volunteer)
    assert "还剩 3 个名额" in text_of(client.get(detail))
    response = client.post(reverse("signups:sign_up", args=[occurrence.pk]), {"back": "detail"})
    assert response["Location"] == detail
    assert "还剩 2 个名额" in text_of(client.get(detail))


def test_another_teams_occurrence_is_not_found(personas):
    theirs = occurrence_of(personas.other_team)
    client = client_for(personas.volunteer)
    assert client.get(reverse("signups:detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("signups:sign_up", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("signups:sign_up", args=[10**12])).status_code == 404
    assert not SignUp.objects.exists()


def test_refused_sign_up_says_why_and_saves_nothing(personas):
    occurrence = occurrence_of(personas.team, title="任务甲", audience=Audience.LOGGED_IN)
    occurrence.planned_activity.cutoff_hours = 24 * 14
    occurrence.planned_activity.save()
    response = client_for(personas.no_role).post(
        reverse("signups:sign_up", args=[occurrence.pk]), follow=True
    )
    assert "报名已于" in text_of(response)
    assert not SignUp.objects.exists()


def test_the_page_costs_the_same_queries_for_one_or_many_activities(personas):
    def queries() -> int:
        client = client_for(personas.volunteer)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(UPCOMING).status_code == 200
        return len(captured)

    first = occurrence_of(personas.team, capacity=1)
    fill(first, [volunteer_of(personas.team), personas.volunteer])
    one = queries()
    for day in range(2, 7):
        occurrence = occurrence_of(personas.team, days_ahead=day, capacity=1)
        fill(occurrence, [volunteer_of(personas.team), personas.volunteer])
    assert queries() == one


def test_the_volunteer_finds_the_page_from_their_record_and_the_menu(personas):
    page = client_for(personas.volunteer).get(reverse("records:mine")).content.decode()
    assert page.count(f'href="{UPCOMING}"') == 2  # the menu and the record page
    assert "我的活动" in page


# --- The staff's list of an occurrence ----------------------------------------------------------


def staff_url(occurrence, name="signups:staff_list", **extra) -> str:
    return reverse(name, kwargs={"slug": "our-team", "pk": occurrence.pk, **extra})


def test_the_staff_list_in_queue_order_with_counts_by_hand(personas):
    occurrence = occurrence_of(personas.team, title="任务甲", capacity=2)
    names = ("甲一", "乙二", "丙三", "丁四", "戊五")
    a, b, c, d, e = (volunteer_of(personas.team, name=name) for name in names)
    fill(occurrence, [a, b, c, d, e])  # a, b confirmed; c, d, e wait
    services.cancel(SignUp.objects.get(user=a), by=a)  # c moves up
    services.cancel(SignUp.objects.get(user=e), by=e)  # e leaves the waiting list

    page = text_of(client_for(personas.staff).get(staff_url(occurrence)))
    assert "报名名单" in page
    assert re.search(r"人数上限 2 已报名 2 候补 1 已取消 2", page)
    confirmed = page[page.index("已报名 #") : page.index("候补 序号")]
    assert confirmed.index("乙二") < confirmed.index("丙三")
    assert "甲一" not in confirmed and "候补递补" in confirmed
    waiting = page[page.index("候补 序号") : page.index("已取消 #")]
    assert re.search(r"1 丁四", waiting)
    cancelled = page[page.index("已取消 #") :]
    assert "甲一" in cancelled and "戊五" in cancelled


def test_staff_add_a_member_beyond_capacity_and_remove_one(personas):
    occurrence = occurrence_of(personas.team, title="任务甲", capacity=1)
    first = volunteer_of(personas.team)
    fill(occurrence, [first])
    client = client_for(personas.staff)
    member = personas.volunteer_member
    response = client.post(
        staff_url(occurrence, "signups:assign"), {"member": str(member.pk)}, follow=True
    )
    assert "已为志愿者甲报名。" in text_of(response)
    signup = SignUp.objects.get(user=personas.volunteer)
    assert (signup.status, signup.source) == (SignUpStatus.CONFIRMED, SignUpSource.ASSIGNED)
    assert re.search(r"人数上限 1 已报名 2 候补 0", text_of(response))

    remove = staff_url(occurrence, "signups:remove", signup_pk=signup.pk)
    response = client.post(remove, follow=True)
    assert "该报名已取消。" in text_of(response)
    signup.refresh_from_db()
    assert signup.status == SignUpStatus.CANCELLED and signup.changed_by == personas.staff


def test_staff_cannot_add_a_member_of_another_team_or_without_login(personas):
    from members.tests.factories import MemberFactory

    occurrence = occurrence_of(personas.team)
    client = client_for(personas.staff)
    theirs = MemberFactory(team=personas.other_team, user=UserFactory())
    no_login = MemberFactory(team=personas.team)
    for member in (theirs, no_login):
        response = client.post(staff_url(occurrence, "signups:assign"), {"member": str(member.pk)})
        assert response.status_code == 200
        assert "请从列表中选择本队队员。" in text_of(response)
    assert not SignUp.objects.exists()


def test_a_sign_up_of_another_occurrence_cannot_be_removed_through_this_one(personas):
    ours = occurrence_of(personas.team)
    other = occurrence_of(personas.team, days_ahead=2)
    fill(other, [personas.volunteer])
    signup = SignUp.objects.get()
    response = client_for(personas.staff).post(
        staff_url(ours, "signups:remove", signup_pk=signup.pk)
    )
    assert response.status_code == 404
    signup.refresh_from_db()
    assert signup.status == SignUpStatus.CONFIRMED


def test_the_planned_list_links_each_occurrence_to_its_sign_ups(personas):
    one = occurrence_of(personas.team)
    two = occurrence_of(personas.team, days_ahead=2)
    page = client_for(personas.staff).get(reverse("planning:list", args=["our-team"]))
    html = page.content.decode()
    assert staff_url(one) in html and staff_url(two) in html


def test_the_staff_list_costs_the_same_queries_for_few_or_many_people(personas):
    occurrence = occurrence_of(personas.team, capacity=2)

    def queries() -> int:
        client = client_for(personas.staff)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(staff_url(occurrence)).status_code == 200
        return len(captured)

    fill(occurrence, [volunteer_of(personas.team)])
    services.assign(occurrence, UserFactory(), by=personas.staff)  # a login without a member
    few = queries()
    people = [volunteer_of(personas.team) for _ in range(4)]
    fill(occurrence, people, start=timezone.now() - datetime.timedelta(minutes=30))
    services.assign(occurrence, UserFactory(), by=personas.staff)
    services.cancel(SignUp.objects.get(user=people[0]), by=personas.staff)
    assert SignUp.objects.filter(occurrence=occurrence).count() == 7
    assert queries() == few


def test_an_occurrence_over_or_cancelled_shows_its_lists_without_forms(personas):
    over = occurrence_of(personas.team, days_ahead=-2)
    cancelled = occurrence_of(personas.team, days_ahead=3)
    services.sign_up(cancelled, personas.volunteer)
    cancelled.status = OccurrenceStatus.CANCELLED
    cancelled.save()
    client = client_for(personas.staff)
    reasons = {over: "该活动已结束，名单不能再更改。", cancelled: "该活动已取消。"}
    for occurrence, reason in reasons.items():
        response = client.get(staff_url(occurrence))
        assert reason in text_of(response)
        html = response.content.decode()
        assert staff_url(occurrence, "signups:assign") not in html
        assert "/remove/" not in html
