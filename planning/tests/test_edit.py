"""Editing, stopping and publishing again a planned activity; cancelling one occurrence
sends the signal and is audited (docs/domain.md § Planned activities)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.tests.factories import ActivityFactory
from conftest import client_for, text_of
from planning.models import Occurrence, OccurrenceStatus, PlannedActivity
from planning.services import WINDOW_DAYS
from planning.signals import occurrences_cancelled, planned_changed
from planning.tests.factories import planned_of
from planning.tests.test_views import payload
from volunteer_site.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
LIST = reverse("planning:list", kwargs={"slug": "our-team"})


@pytest.fixture
def received():
    """What the two signals were sent with, in order."""
    calls = []

    def on_cancelled(sender, occurrences, by, **kwargs):
        calls.append(("cancelled", sorted(o.date for o in occurrences), by))

    def on_changed(sender, planned, changed, by, **kwargs):
        calls.append(("changed", changed, by))

    occurrences_cancelled.connect(on_cancelled, dispatch_uid="test-cancelled")
    planned_changed.connect(on_changed, dispatch_uid="test-changed")
    yield calls
    occurrences_cancelled.disconnect(dispatch_uid="test-cancelled")
    planned_changed.disconnect(dispatch_uid="test-changed")


def url(name: str, planned: PlannedActivity) -> str:
    return reverse(f"planning:{name}", kwargs={"slug": "our-team", "pk": planned.pk})


def published(personas, client, **overrides) -> PlannedActivity:
    """A daily patrol 20:00–24:00 from tomorrow for 7 nights, published through the form."""
    response = client.post(
        reverse("planning:create", kwargs={"slug": "our-team"}), payload(personas, **overrides)
    )
    assert response.status_code == 302
    return PlannedActivity.objects.get()


def edit_data(planned: PlannedActivity, **overrides) -> dict:
    data = {
        "title": planned.title,
        "category": str(planned.category_id),
        "place": planned.place,
        "what_to_bring": planned.what_to_bring,
        "capacity": str(planned.capacity or ""),
        "cutoff_hours": str(planned.cutoff_hours),
        "audience": planned.audience,
        "first_date": planned.first_date.isoformat(),
        "starts_at": planned.starts_at.strftime("%H:%M"),
        "ends_at": planned.ends_at.strftime("%H:%M"),
        "repeat": "daily",
        "end_date": planned.end_date.isoformat() if planned.end_date else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def statuses(planned) -> dict[datetime.date, tuple[str, str]]:
    return {
        o.date: (o.status, o.cancelled_reason)
        for o in Occurrence.objects.filter(planned_activity=planned)
    }


# The cut-off ---------------------------------------------------------------


def test_the_cutoff_is_published_and_empty_means_two_hours(personas):
    client = client_for(personas.staff)
    form = text_of(client.get(reverse("planning:create", kwargs={"slug": "our-team"})))
    assert "报名截止（开始前小时数）" in form
    assert published(personas, client, cutoff_hours="６").cutoff_hours == 6
    PlannedActivity.objects.all().delete()
    assert published(personas, client).cutoff_hours == 2


# Editing --------------------------------------------------------------------


def test_the_edit_form_shows_the_saved_choice(personas):
    client = client_for(personas.staff)
    planned = published(personas, client, repeat="weekly", weekdays=["MO", "WE"], cutoff_hours="5")
    response = client.get(url("edit", planned))
    assert "编辑计划活动" in text_of(response)
    checked = {
        (re.search(r'name="(\w+)"', tag)[1], re.search(r'value="(\w+)"', tag)[1])
        for tag in re.findall(r"<input[^>]*\bchecked\b[^>]*>", response.content.decode())
    }
    assert checked == {
        ("repeat", "weekly"),
        ("weekdays", "MO"),
        ("weekdays", "WE"),
        ("audience", "team"),
    }
    assert 'name="cutoff_hours" value="5"' in response.content.decode()


def test_changed_times_move_future_occurrences_only(
    personas, received, django_capture_on_commit_callbacks
):
    client = client_for(personas.staff)
    planned = published(personas, client)
    tomorrow = timezone.localdate() + DAY
    # One has become a draft record: it is left alone.
    kept = Occurrence.objects.get(date=tomorrow + DAY)
    kept.activity = ActivityFactory(team=personas.team)
    kept.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("edit", planned),
            edit_data(planned, starts_at="19:00", ends_at="22:30", place="东门"),
        )
    assert response.status_code == 302
    for o in Occurrence.objects.filter(planned_activity=planned).exclude(pk=kept.pk):
        start, end = timezone.localtime(o.starts_at), timezone.localtime(o.ends_at)
        assert (start.date(), start.time(), end.date(), end.time()) == (
            o.date,
            datetime.time(19, 0),
            o.date,
            datetime.time(22, 30),
        )
    kept.refresh_from_db()
    assert timezone.localtime(kept.starts_at).time() == datetime.time(20, 0)
    assert received == [("changed", ["place", "starts_at", "ends_at"], personas.staff)]
    entry = AuditEntry.objects.get(action=AuditAction.PLANNED_EDIT)
    assert entry.user == personas.staff
    assert entry.detail["changed"] == ["place", "starts_at", "ends_at"]
    assert entry.detail["cancelled"] == []


def test_a_changed_rule_asks_first_then_cancels_and_keeps(
    personas, received, django_capture_on_commit_callbacks
):
    client = client_for(personas.staff)
    planned = published(personas, client)
    tomorrow = timezone.localdate() + DAY
    week = [tomorrow + n * DAY for n in range(7)]
    keep = week[0].strftime("%a").upper()[:2]  # the weekday of tomorrow only
    data = edit_data(planned, repeat="weekly", weekdays=[keep])
    first = client.post(url("edit", planned), data)
    # Nothing saved yet: the six other nights are listed.
    assert first.status_code == 200
    page = text_of(first)
    assert "保存后将取消以下 6 个不再符合日期安排的场次" in page
    for day in week[1:]:
        assert f"{day:%Y-%m-%d}" in page
    assert PlannedActivity.objects.get().rule == "FREQ=DAILY"
    assert all(s == ("scheduled", "") for s in statuses(planned).values())
    assert received == []

    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url("edit", planned), {**data, "confirm": "yes"}, follow=True)
    assert "已取消 6 个场次。" in text_of(second)
    assert PlannedActivity.objects.get().rule == f"FREQ=WEEKLY;BYDAY={keep}"
    assert statuses(planned) == {
        week[0]: ("scheduled", ""),
        **dict.fromkeys(week[1:], ("cancelled", "rule")),
    }
    assert received == [
        ("changed", ["rule"], personas.staff),
        ("cancelled", week[1:], personas.staff),
    ]


def test_dates_back_on_the_rule_come_back_but_not_one_cancelled_by_hand(personas):
    client = client_for(personas.staff)
    planned = published(personas, client)
    tomorrow = timezone.localdate() + DAY
    week = [tomorrow + n * DAY for n in range(7)]
    by_hand = Occurrence.objects.get(date=week[3])
    client.post(reverse("planning:cancel", kwargs={"slug": "our-team", "pk": by_hand.pk}))
    # Shortened to three nights, then back to seven.
    client.post(
        url("edit", planned), edit_data(planned, end_date=week[2].isoformat(), confirm="yes")
    )
    assert statuses(planned)[week[5]] == ("cancelled", "rule")
    planned.refresh_from_db()
    page = text_of(
        client.post(
            url("edit", planned), edit_data(planned, end_date=week[6].isoformat()), follow=True
        )
    )
    assert "已恢复 3 个场次。" in page
    assert statuses(planned) == {
        **dict.fromkeys(week, ("scheduled", "")),
        week[3]: ("cancelled", "by_hand"),
    }


def test_a_longer_end_date_creates_the_new_nights_in_the_window(personas):
    client = client_for(personas.staff)
    planned = published(personas, client)
    far = timezone.localdate() + (WINDOW_DAYS + 10) * DAY
    response = client.post(url("edit", planned), edit_data(planned, end_date=far.isoformat()))
    assert response.status_code == 302
    # Tomorrow to today + 28 days: the window, no further.
    assert Occurrence.objects.filter(planned_activity=planned).count() == WINDOW_DAYS


def test_bad_input_on_edit_keeps_the_planned_activity(personas):
    client = client_for(personas.staff)
    planned = published(personas, client)
    response = client.post(url("edit", planned), edit_data(planned, cutoff_hours="-1"))
    assert response.status_code == 200
    page = text_of(response)
    assert "确保该值大于或等于0。" in page
    assert PlannedActivity.objects.get().title == "火车站夜间巡逻"


def test_another_teams_planned_activity_is_not_found(personas):
    theirs = planned_of(personas.other_team)
    client = client_for(personas.staff)
    assert client.get(url("edit", theirs)).status_code == 404
    assert client.post(url("stop", theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_published


# Stopping and publishing again ---------------------------------------------


def test_stop_cancels_the_coming_occurrences_and_publishing_again_brings_them_back(
    personas, received, django_capture_on_commit_callbacks
):
    client = client_for(personas.staff)
    planned = published(personas, client)
    tomorrow = timezone.localdate() + DAY
    week = [tomorrow + n * DAY for n in range(7)]
    by_hand = Occurrence.objects.get(date=week[1])
    client.post(reverse("planning:cancel", kwargs={"slug": "our-team", "pk": by_hand.pk}))
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = text_of(client.post(url("stop", planned), follow=True))
    assert "计划活动已停止。" in page and "已取消 6 个场次。" in page
    assert "已停止" in page and "重新发布" in page
    planned.refresh_from_db()
    assert not planned.is_published
    assert statuses(planned) == {
        **dict.fromkeys(week, ("cancelled", "stopped")),
        week[1]: ("cancelled", "by_hand"),
    }
    stopped_days = [day for day in week if day != week[1]]
    assert received == [("cancelled", stopped_days, personas.staff)]
    assert AuditEntry.objects.get(action=AuditAction.PLANNED_STOP).detail["cancelled"] == [
        f"{day:%Y-%m-%d}" for day in stopped_days
    ]
    # The job leaves a stopped activity alone.
    from planning.services import occurrences_create_ahead

    assert occurrences_create_ahead() == 0

    again = text_of(client.post(url("stop", planned), follow=True))
    assert "该计划活动已经停止。" in again

    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = text_of(client.post(url("republish", planned), follow=True))
    assert "计划活动已重新发布。" in page and "已恢复 6 个场次。" in page
    assert statuses(planned) == {
        **dict.fromkeys(week, ("scheduled", "")),
        week[1]: ("cancelled", "by_hand"),
    }
    assert received == [("changed", ["is_published"], personas.staff)]
    assert AuditEntry.objects.filter(action=AuditAction.PLANNED_PUBLISH).count() == 1
    assert "该计划活动已经发布。" in text_of(client.post(url("republish", planned), follow=True))


def test_stop_leaves_an_occurrence_already_begun(personas):
    planned = planned_of(personas.team, first_date=timezone.localdate())
    now = timezone.now()
    running = Occurrence.objects.create(
        planned_activity=planned,
        date=timezone.localdate(),
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=1),
    )
    client_for(personas.secretary).post(url("stop", planned))
    running.refresh_from_db()
    assert running.status == OccurrenceStatus.SCHEDULED


def test_editing_a_stopped_activity_schedules_nothing(personas):
    client = client_for(personas.staff)
    planned = published(personas, client)
    client.post(url("stop", planned))
    planned.refresh_from_db()
    page = text_of(client.get(url("edit", planned)))
    assert "该计划活动已停止" in page
    far = timezone.localdate() + 20 * DAY
    client.post(url("edit", planned), edit_data(planned, end_date=far.isoformat()))
    assert not Occurrence.objects.filter(status="scheduled").exists()
    assert Occurrence.objects.count() == 7


# Cancelling one occurrence ---------------------------------------------------


def test_cancelling_one_occurrence_is_signalled_and_audited(
    personas, received, django_capture_on_commit_callbacks
):
    client = client_for(personas.secretary)
    planned = published(personas, client)
    night = Occurrence.objects.order_by("date").first()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("planning:cancel", kwargs={"slug": "our-team", "pk": night.pk}))
    assert received == [("cancelled", [night.date], personas.secretary)]
    entry = AuditEntry.objects.get(action=AuditAction.OCCURRENCE_CANCEL)
    assert entry.user == personas.secretary and entry.detail["occurrence"] == night.pk
    assert statuses(planned)[night.date] == ("cancelled", "by_hand")


def test_nothing_is_created_for_a_stopped_activity_even_when_asked_directly(personas):
    from planning.services import occurrences_create

    client = client_for(personas.staff)
    planned = published(personas, client, end_date="")
    assert Occurrence.objects.count() == WINDOW_DAYS
    client.post(url("stop", planned))
    later = timezone.localdate() + (WINDOW_DAYS + 5) * DAY
    assert occurrences_create(planned=planned, until=later) == 0
    assert Occurrence.objects.count() == WINDOW_DAYS


def test_a_rule_the_chooser_cannot_show_is_kept_until_the_choice_changes(personas):
    first = timezone.localdate() + DAY
    until = first + 2 * DAY
    planned = planned_of(personas.team, first_date=first, rule=f"FREQ=DAILY;UNTIL={until:%Y%m%d}")
    client = client_for(personas.staff)
    client.post(url("edit", planned), edit_data(planned, title="改名"))
    planned.refresh_from_db()
    assert (planned.title, planned.rule) == ("改名", f"FREQ=DAILY;UNTIL={until:%Y%m%d}")
    # The first save created the three days; this one asks before cancelling two.
    data = edit_data(planned, repeat="weekly", weekdays=["SA"], confirm="yes")
    client.post(url("edit", planned), data)
    planned.refresh_from_db()
    assert planned.rule == "FREQ=WEEKLY;BYDAY=SA"
