"""Publishing planned activities, the list of occurrences and cancelling one."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import client_for, text_of
from planning.models import Occurrence, OccurrenceStatus, PlannedActivity
from planning.tests.factories import occurrence_of
from teams.tests.factories import ServiceCategoryFactory

pytestmark = pytest.mark.django_db

NEW = reverse("planning:create", kwargs={"slug": "our-team"})
LIST = reverse("planning:list", kwargs={"slug": "our-team"})


def payload(personas, **overrides) -> dict:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = {
        "title": "火车站夜间巡逻",
        "category": str(ServiceCategoryFactory(team=personas.team).pk),
        "place": "日喀则火车站",
        "what_to_bring": "手电筒",
        "capacity": "8",
        "audience": "team",
        "first_date": tomorrow.isoformat(),
        "starts_at": "20:00",
        "ends_at": "24:00",
        "repeat": "daily",
        "end_date": (tomorrow + datetime.timedelta(days=6)).isoformat(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_publish_a_daily_patrol_to_midnight(personas):
    client = client_for(personas.staff)
    response = client.post(NEW, payload(personas))
    assert response.status_code == 302 and response["Location"] == LIST
    planned = PlannedActivity.objects.get()
    assert planned.rule == "FREQ=DAILY"
    assert planned.is_published and planned.created_by == personas.staff
    assert planned.ends_at == datetime.time(0, 0)
    occurrences = list(Occurrence.objects.order_by("date"))
    # Tomorrow to tomorrow + 6 days: 7 nights, each 20:00 to the next day's 00:00.
    assert len(occurrences) == 7
    assert all(o.ends_at - o.starts_at == datetime.timedelta(hours=4) for o in occurrences)
    page = text_of(client.get(LIST))
    # Seven occurrences (each in its time column and, for phones, under its date), and
    # the planned activity itself in the list above them.
    assert page.count("20:00–24:00") == 7 * 2 + 1
    assert "每天 · 20:00–24:00" in page
    weeks = {o.date - datetime.timedelta(days=o.date.weekday()) for o in occurrences}
    for monday in weeks:
        assert f"{monday:%Y-%m-%d}起的一周" in page


def test_the_publish_message_is_chinese(personas):
    response = client_for(personas.secretary).post(NEW, payload(personas), follow=True)
    assert "计划活动已发布。" in text_of(response)


@pytest.mark.parametrize(
    ("choice", "rule"),
    [
        ({"repeat": "weekly", "weekdays": ["WE", "MO"]}, "FREQ=WEEKLY;BYDAY=MO,WE"),
        ({"repeat": "monthly", "month_weekday": "SA"}, "FREQ=MONTHLY;BYDAY=1SA"),
        ({"repeat": "once"}, ""),
    ],
)
def test_the_chooser_becomes_the_rule(personas, choice, rule):
    response = client_for(personas.staff).post(NEW, payload(personas, **choice))
    assert response.status_code == 302
    planned = PlannedActivity.objects.get()
    assert planned.rule == rule
    if choice["repeat"] == "once":
        assert planned.end_date is None
        assert Occurrence.objects.count() == 1


def refused(personas, expected: str, **overrides):
    response = client_for(personas.staff).post(NEW, payload(personas, **overrides))
    assert response.status_code == 200
    assert expected in text_of(response)
    assert not PlannedActivity.objects.exists() and not Occurrence.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"end_date": "2020-01-01"}, "结束日期不能早于首次日期。"),
        ({"ends_at": "20:00"}, "结束时间不能与开始时间相同。"),
        ({"repeat": "weekly"}, "请至少选择一天。"),
        ({"repeat": "monthly"}, "请选择星期几。"),
        ({"capacity": "NaN"}, "输入整数。"),
        ({"capacity": "0"}, "1"),
        ({"capacity": "9" * 30}, "10000"),
        ({"first_date": "NaN"}, "输入一个有效的日期。"),
        ({"starts_at": "25:00"}, "输入一个有效的时间。"),
        ({"repeat": "hourly"}, "选择一个有效的选项"),
        ({"title": "长" * 201}, "200"),
    ],
)
def test_bad_input_is_refused_in_chinese(personas, overrides, expected):
    refused(personas, expected, **overrides)


def test_full_width_digits_read_as_digits(personas):
    response = client_for(personas.staff).post(NEW, payload(personas, capacity="１０"))
    assert response.status_code == 302
    assert PlannedActivity.objects.get().capacity == 10


def test_cancel_one_occurrence(personas):
    occurrence = occurrence_of(personas.team)
    other = Occurrence.objects.create(
        planned_activity=occurrence.planned_activity,
        date=occurrence.date + datetime.timedelta(days=1),
        starts_at=occurrence.starts_at + datetime.timedelta(days=1),
        ends_at=occurrence.ends_at + datetime.timedelta(days=1),
    )
    client = client_for(personas.staff)
    url = reverse("planning:cancel", kwargs={"slug": "our-team", "pk": occurrence.pk})
    page = text_of(client.post(url, follow=True))
    assert "该场次已取消。" in page
    occurrence.refresh_from_db()
    other.refresh_from_db()
    assert (occurrence.status, other.status) == ("cancelled", "scheduled")
    again = text_of(client.post(url, follow=True))
    assert "该场次已不在安排中。" in again
    occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.CANCELLED


def test_an_occurrence_past_midnight_reads_next_day(personas):
    late = occurrence_of(personas.team, ends_at=datetime.time(2, 0))
    midnight = occurrence_of(personas.team, days_ahead=2)
    same_day = occurrence_of(personas.team, days_ahead=3, ends_at=datetime.time(22, 30))
    assert late.time_range == "20:00–次日02:00"
    assert midnight.time_range == "20:00–24:00"
    assert same_day.time_range == "20:00–22:30"


def test_an_occurrence_of_another_team_is_not_found(personas):
    theirs = occurrence_of(personas.other_team)
    url = reverse("planning:cancel", kwargs={"slug": "our-team", "pk": theirs.pk})
    assert client_for(personas.staff).post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "scheduled"


def test_the_list_shows_four_weeks_only(personas):
    near = occurrence_of(personas.team, days_ahead=3, title="三天后")
    occurrence_of(personas.team, days_ahead=40, title="四十天后")
    page = text_of(client_for(personas.staff).get(LIST))
    weeks = page[page.index("起的一周") :]
    assert near.planned_activity.title in weeks
    assert "四十天后" not in weeks
    # The planned activity itself is listed (it can be edited or stopped).
    assert "四十天后" in page[: page.index("起的一周")]


def test_the_list_costs_the_same_queries_for_one_or_many_planned_activities(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(personas.staff)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    occurrence_of(personas.team, days_ahead=2, title="一")
    one = queries()
    for days in (3, 4, 5):
        occurrence_of(personas.team, days_ahead=days, title=f"第{days}")
    assert queries() == one


def test_occurrences_ended_in_the_last_two_weeks_lead_to_their_sheets(personas):
    """After the night's patrol the organiser finds its sheet under 最近 14 天内结束的场次:
    yesterday's and the one that ended 13 days ago, not the one 15 days ago, not a
    cancelled one."""
    from activities.models import ActivityStatus
    from activities.tests.factories import ActivityFactory

    team = personas.team
    yesterday = occurrence_of(team, days_ahead=-1, title="昨晚巡逻")
    older = occurrence_of(team, days_ahead=-13, title="十三天前")
    occurrence_of(team, days_ahead=-15, title="十五天前")
    cancelled = occurrence_of(team, days_ahead=-2, title="已取消的")
    cancelled.status = OccurrenceStatus.CANCELLED
    cancelled.save()
    older.activity = ActivityFactory(team=team, status=ActivityStatus.SUBMITTED)
    older.save()

    response = client_for(personas.staff).get(LIST)
    page = text_of(response)
    recent = page[page.index("最近 14 天内结束的场次") :]
    assert recent.index("昨晚巡逻") < recent.index("十三天前")
    assert "十五天前" not in recent and "已取消的" not in recent
    assert "尚未生成" in recent and "待审核" in recent
    sheet = reverse("attendance:sheet", kwargs={"slug": team.slug, "pk": yesterday.pk})
    assert sheet in response.content.decode()
