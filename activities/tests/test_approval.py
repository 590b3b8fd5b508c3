"""Approving, returning and reopening: what the secretary reviewed, and long reasons."""

import pytest
from django.test import Client
from django.urls import reverse

from activities import services
from activities.history import activity_timeline
from activities.models import Activity, ActivityStatus
from activities.tests.factories import ParticipationFactory
from volunteer_site.models import AuditEntry

pytestmark = pytest.mark.django_db

# 150 characters: more than simple_history's 100-character change reason column.
LONG_REASON = "请核对参与人员名单与签到表是否一致，" * 8 + "谢谢"
assert len(LONG_REASON) > 100


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


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
