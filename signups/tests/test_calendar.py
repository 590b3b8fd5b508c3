"""The calendar feed: the secret link, its reset, and the .ics read back with icalendar."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from conftest import client_for, text_of
from planning.models import Occurrence, OccurrenceStatus
from planning.tests.factories import occurrence_of
from signups import services
from signups.models import CalendarFeed, SignUp
from signups.tests.factories import volunteer_of

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def feed_url(user) -> str:
    token = services.calendar_feed_reset(user=user).token
    return reverse("signups:calendar", kwargs={"token": token})


def events(response) -> dict[str, object]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_holds_confirmed_sign_ups_with_times_in_shanghai(personas):
    me = personas.volunteer
    team = personas.team
    patrol = occurrence_of(team, title="火车站夜间巡逻", what_to_bring="手电筒、雨衣", capacity=5)
    full = occurrence_of(team, days_ahead=2, title="满员的活动", capacity=1)
    dropped = occurrence_of(team, days_ahead=3, title="我取消的活动")
    services.sign_up(patrol, me)
    services.sign_up(full, volunteer_of(team))
    services.sign_up(full, me)  # waiting: not in the feed
    services.cancel(services.sign_up(dropped, me), by=me)
    # Past: one 20 days ago is in, one 40 days ago is not.
    recent, old = (
        occurrence_of(team, days_ahead=-days, title=title)
        for days, title in ((20, "二十天前"), (40, "四十天前"))
    )
    for occurrence in (recent, old):
        SignUp.objects.create(occurrence=occurrence, user=me, requested_at=timezone.now())

    found = events(Client().get(feed_url(me)))
    assert set(found) == {"火车站夜间巡逻", "二十天前"}
    event = found["火车站夜间巡逻"]
    assert str(event["UID"]) == f"occurrence-{patrol.pk}@127.0.0.1"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.tzinfo.key == "Asia/Shanghai"
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert start == datetime.datetime.combine(patrol.date, datetime.time(20, 0), tzinfo=SHANGHAI)
    assert end - start == datetime.timedelta(hours=4)
    assert str(event["LOCATION"]) == "日喀则火车站"
    assert "手电筒、雨衣" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    calendar = Calendar.from_ical(Client().get(feed_url(me)).content)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_a_cancelled_occurrence_stays_as_cancelled_with_the_same_uid(personas):
    me = personas.volunteer
    occurrence = occurrence_of(personas.team, title="火车站夜间巡逻")
    services.sign_up(occurrence, me)
    url = feed_url(me)
    before = events(Client().get(url))["火车站夜间巡逻"]
    Occurrence.objects.filter(pk=occurrence.pk).update(status=OccurrenceStatus.CANCELLED)
    services.occurrences_cancelled_apply(occurrences=[occurrence])
    after = events(Client().get(url))["火车站夜间巡逻"]
    assert str(after["STATUS"]) == "CANCELLED"
    assert str(after["UID"]) == str(before["UID"])


def test_the_link_is_shown_copied_and_reset(personas):
    client = client_for(personas.volunteer)
    upcoming = reverse("signups:upcoming")
    page = text_of(client.get(upcoming))
    assert "订阅日历" in page and "获取日历订阅链接" in page
    reset = reverse("signups:calendar_reset")
    assert "日历订阅链接已生成。" in text_of(client.post(reset, follow=True))
    old = CalendarFeed.objects.get(user=personas.volunteer).token
    html = client.get(upcoming).content.decode()
    assert f"http://testserver/calendar/{old}.ics" in html
    assert "复制" in html and "重置链接" in html and 'data-confirm="确定重置链接吗' in html

    response = client.post(reset, follow=True)
    assert "日历订阅链接已重置，旧链接已失效。" in text_of(response)
    new = CalendarFeed.objects.get(user=personas.volunteer).token
    assert new != old and len(new) >= 43
    assert Client().get(f"/calendar/{old}.ics").status_code == 404
    assert Client().get(f"/calendar/{new}.ics").status_code == 200


@pytest.mark.parametrize(
    "token",
    ["no-such-token", "x" * 5000, "ｘ" * 43, "а" * 43],  # unknown, huge, full-width, Cyrillic
)
def test_a_wrong_token_is_not_found(personas, token):
    services.calendar_feed_reset(user=personas.volunteer)
    assert Client().get(reverse("signups:calendar", kwargs={"token": token})).status_code == 404


def test_a_look_alike_of_a_real_token_is_not_found(personas):
    token = services.calendar_feed_reset(user=personas.volunteer).token
    # Full-width and upper-case versions of the real token are other tokens.
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in token)
    for other in (full_width, token.swapcase(), token + "\u200b"):
        if other != token:
            url = reverse("signups:calendar", kwargs={"token": other})
            assert Client().get(url).status_code == 404


def test_a_disabled_login_has_no_feed(personas):
    url = feed_url(personas.volunteer)
    personas.volunteer.is_active = False
    personas.volunteer.save()
    assert Client().get(url).status_code == 404
