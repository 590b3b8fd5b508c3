"""Approving, returning and reopening: what the secretary reviewed, and long reasons."""

import re

import pytest
from django.urls import reverse

from activities import services
from activities.history import activity_timeline
from activities.models import Activity, ActivityStatus
from activities.tests.factories import ParticipationFactory
from conftest import client_for
from volunteer_site.models import AuditEntry

pytestmark = pytest.mark.django_db

# 150 characters: more than simple_history's 100-character change reason column.
LONG_REASON = "请核对参与人员名单与签到表是否一致，" * 8 + "谢谢"
assert len(LONG_REASON) > 100


def submitted_activity(personas):
    participation = ParticipationFactory(
        activity__team=personas.team,
        activity__status=ActivityStatus.SUBMITTED,
        member__team=personas.team,
    )
    return participation.activity


def url(name: str, activity) -> str:
    return reverse(f"activities:{name}", args=[activity.team.slug, activity.pk])


# --- Reasons longer than the history's column -------------------------------------------------


def assert_reason_kept(activity, reason: str) -> None:
    activity.refresh_from_db()
    assert activity.return_reason == reason
    change_reason = activity.history.first().history_change_reason
    assert len(change_reason) <= 100
    assert change_reason.endswith("…")
    assert reason.startswith(change_reason[:-1])
    # The timeline shows the whole reason, not the shortened one.
    assert activity_timeline(activity)[0].reason == reason


def test_return_with_a_long_reason_keeps_it_whole(personas):
    activity = submitted_activity(personas)
    response = client_for(personas.secretary).post(url("return", activity), {"reason": LONG_REASON})
    assert response.status_code == 302
    assert Activity.objects.get(pk=activity.pk).status == ActivityStatus.RETURNED
    assert_reason_kept(activity, LONG_REASON)


def test_reopen_with_a_long_reason_keeps_it_whole(personas):
    activity = submitted_activity(personas)
    services.activity_approve(activity=activity, by=personas.secretary)
    response = client_for(personas.secretary).post(url("reopen", activity), {"reason": LONG_REASON})
    assert response.status_code == 302
    assert_reason_kept(activity, LONG_REASON)


def test_bulk_return_with_a_long_reason_keeps_it_whole(personas):
    first, second = submitted_activity(personas), submitted_activity(personas)
    response = client_for(personas.secretary).post(
        reverse("activities:bulk", args=[personas.team.slug]),
        {"action": "return", "activity": [first.pk, second.pk], "reason": LONG_REASON},
    )
    assert response.status_code == 302
    for activity in (first, second):
        assert_reason_kept(activity, LONG_REASON)


def test_a_short_reason_is_kept_as_it_is_in_the_history(personas):
    activity = submitted_activity(personas)
    services.activity_return(activity=activity, by=personas.secretary, reason="日期有误")
    assert activity.history.first().history_change_reason == "日期有误"


@pytest.mark.parametrize("name", ["return", "bulk"])
def test_a_reason_over_the_forms_limit_is_refused_with_the_limit(personas, name):
    activity = submitted_activity(personas)
    client = client_for(personas.secretary)
    data = {"reason": "长" * 1001}
    if name == "bulk":
        target = reverse("activities:bulk", args=[personas.team.slug])
        data |= {"action": "return", "activity": [activity.pk]}
    else:
        target = url("return", activity)
    response = client.post(target, data, follow=True)
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    # Django's own message names the limit and the length typed.
    assert any("1000" in message and "1001" in message for message in shown), shown
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SUBMITTED
    assert not AuditEntry.objects.filter(action="return").exists()


# --- Approving what was reviewed ----------------------------------------------------------------

CHANGED = "活动在您查看后已被修改，请重新查看"


def staff_edit(personas, activity, **changes) -> None:
    """The office staff save the form of a submitted activity (it stays submitted)."""
    participation = activity.participations.get()
    data = {
        "category": activity.category_id,
        "title": activity.title,
        "start_date": activity.start_date.isoformat(),
        "end_date": activity.end_date.isoformat(),
        "hours": str(activity.hours),
        "place": activity.place,
        "organiser": activity.organiser,
        "content": activity.content,
        "people_reached": "0",
        "materials_distributed": "0",
        "households_visited": "0",
        "donation_yuan": "0",
        "other_outcomes": "",
        "participant": [str(participation.member_id)],
        "confirm_duplicate": "on",
        "save": "",
        **changes,
    }
    response = client_for(personas.staff).post(url("update", activity), data)
    assert response.status_code == 302, re.findall(
        r'id="form-errors".*?</div>', response.content.decode(), re.S
    )


def version_on(page: str, name: str = "version") -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} field on the page"
    return found.group(1)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_approving_after_the_staff_changed_it_is_refused(personas):
    activity = submitted_activity(personas)
    secretary = client_for(personas.secretary)
    opened = version_on(secretary.get(activity.get_absolute_url()).content.decode())

    staff_edit(personas, activity, title="改过的标题", hours="5")

    response = secretary.post(url("approve", activity), {"version": opened}, follow=True)
    assert CHANGED in messages_of(response)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SUBMITTED
    assert not AuditEntry.objects.filter(action="approve").exists()

    # Having looked again, the secretary approves what is there now.
    again = version_on(secretary.get(activity.get_absolute_url()).content.decode())
    assert again != opened
    response = secretary.post(url("approve", activity), {"version": again}, follow=True)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.APPROVED, messages_of(response)


@pytest.mark.parametrize("version", ["", "0", "NaN", "x" * 5000, "1²"])
def test_approving_with_a_missing_or_odd_version_is_refused(personas, version):
    activity = submitted_activity(personas)
    response = client_for(personas.secretary).post(
        url("approve", activity), {"version": version}, follow=True
    )
    assert response.status_code == 200
    assert CHANGED in messages_of(response)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SUBMITTED


def test_the_service_compares_the_version_it_locked(personas):
    activity = submitted_activity(personas)
    opened = services.activity_version(activity)
    staff_edit(personas, activity, title="改过的标题")
    with pytest.raises(services.WorkflowError) as error:
        services.activity_approve(activity=activity, by=personas.secretary, version=opened)
    assert error.value.messages == [CHANGED]
    activity.refresh_from_db()
    services.activity_approve(
        activity=activity, by=personas.secretary, version=services.activity_version(activity)
    )
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.APPROVED


def test_the_version_message_in_english(personas):
    activity = submitted_activity(personas)
    client = client_for(personas.secretary)
    client.cookies["django_language"] = "en"
    response = client.post(url("approve", activity), {"version": "stale"}, follow=True)
    assert "The activity was changed after you opened it; please review it again" in messages_of(
        response
    )


def test_bulk_approval_sends_each_activitys_version_and_refuses_a_changed_one(personas):
    first, second = submitted_activity(personas), submitted_activity(personas)
    secretary = client_for(personas.secretary)
    awaiting = secretary.get(reverse("activities:awaiting", args=[personas.team.slug]))
    page = awaiting.content.decode()
    versions = {
        activity.pk: version_on(page, f"version_{activity.pk}") for activity in (first, second)
    }

    staff_edit(personas, second, place="另一个地点")

    bulk = reverse("activities:bulk", args=[personas.team.slug])
    data = {"action": "approve", "activity": [first.pk, second.pk]}
    data |= {f"version_{pk}": version for pk, version in versions.items()}
    response = secretary.post(bulk, data, follow=True)
    assert any(CHANGED in message and second.title in message for message in messages_of(response))
    # All or nothing: the unchanged one is not approved either.
    statuses = set(Activity.objects.values_list("status", flat=True))
    assert statuses == {ActivityStatus.SUBMITTED}

    page = secretary.get(reverse("activities:awaiting", args=[personas.team.slug])).content
    data |= {f"version_{second.pk}": version_on(page.decode(), f"version_{second.pk}")}
    secretary.post(bulk, data)
    statuses = set(Activity.objects.values_list("status", flat=True))
    assert statuses == {ActivityStatus.APPROVED}
