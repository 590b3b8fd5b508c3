"""Marking a member as left and undoing it; a member is never deleted."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import ProtectedError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from activities.tests.factories import ActivityFactory, ParticipationFactory
from conftest import client_for
from members.models import Member
from members.tests.test_roster import SLUG, TOMORROW, list_url, member_url

pytestmark = pytest.mark.django_db

# --- mark as left and rejoin --------------------------------------------------------


def test_leave_shows_a_confirmation_page(personas, roster):
    member = roster["county"]
    ParticipationFactory(member=member, activity=ActivityFactory(team=personas.team))
    response = client_for(personas.secretary).get(member_url("leave", member))
    assert response.status_code == 200
    page = response.content.decode()
    assert "扎西顿珠" in page
    assert "该队员有 1 条服务记录。" in page
    assert f'value="{timezone.localdate().isoformat()}"' in page
    assert Member.objects.get(pk=member.pk).left_on is None


def test_secretary_marks_a_member_as_left(personas, roster):
    member = roster["county"]
    response = client_for(personas.secretary).post(
        member_url("leave", member), {"left_on": "2018-12-31", "reason": "退休"}, follow=True
    )
    member.refresh_from_db()
    assert member.left_on == datetime.date(2018, 12, 31)
    assert "扎西顿珠（A001）已标记为于 2018-12-31 离队。" in response.content.decode()
    record = member.history.first()
    assert record.history_user == personas.secretary
    assert record.history_change_reason == "退休"


def test_leaving_before_registration_is_refused(personas, roster):
    member = roster["county"]
    response = client_for(personas.secretary).post(
        member_url("leave", member), {"left_on": "2016-02-29", "reason": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["left_on"] == [
        "离队日期不能早于注册日期（2016-03-01）。"
    ]
    assert 'value="2016-02-29"' in response.content.decode()
    assert Member.objects.get(pk=member.pk).left_on is None


def test_leaving_in_the_future_is_refused(personas, roster):
    member = roster["county"]
    response = client_for(personas.secretary).post(
        member_url("leave", member), {"left_on": TOMORROW}
    )
    assert response.context["form"].errors["left_on"] == ["离队日期不能晚于今天。"]
    assert Member.objects.get(pk=member.pk).left_on is None


def test_leaving_before_their_last_activity_is_refused_by_the_service(personas, roster):
    member = roster["county"]
    ParticipationFactory(
        member=member,
        activity=ActivityFactory(team=personas.team, start_date=datetime.date(2018, 5, 10)),
    )
    response = client_for(personas.secretary).post(
        member_url("leave", member), {"left_on": "2018-05-01"}
    )
    assert response.status_code == 200
    assert "2018-05-10" in response.context["form"].errors["left_on"][0]
    assert Member.objects.get(pk=member.pk).left_on is None


def test_leave_page_of_a_member_who_left_goes_back_to_the_list(personas, roster):
    response = client_for(personas.secretary).get(member_url("leave", roster["left"]))
    assert response.status_code == 302
    assert response["Location"] == list_url()


def test_secretary_undoes_leaving(personas, roster):
    member = roster["left"]
    back = list_url(status="left")
    response = client_for(personas.secretary).post(
        member_url("rejoin", member), {"next": back}, follow=True
    )
    assert response.redirect_chain == [(back, 302)]
    member.refresh_from_db()
    assert member.left_on is None
    assert member.history.first().history_user == personas.secretary
    assert "王离开（A003）已重新归队。" in response.content.decode()


def test_rejoin_of_an_active_member_says_so(personas, roster):
    response = client_for(personas.secretary).post(
        member_url("rejoin", roster["county"]), follow=True
    )
    assert "扎西顿珠 未离队。" in response.content.decode()


def test_rejoin_by_get_changes_nothing(personas, roster):
    response = client_for(personas.secretary).get(member_url("rejoin", roster["left"]))
    assert response.status_code == 405
    assert Member.objects.get(pk=roster["left"].pk).left_on is not None


def test_secretary_list_offers_leave_and_undo(personas, roster):
    page = client_for(personas.secretary).get(list_url(status="all")).content.decode()
    assert member_url("leave", roster["county"]) in page
    assert member_url("rejoin", roster["left"]) in page
    assert member_url("leave", roster["left"]) not in page


# --- no deleting a member -----------------------------------------------------------


def test_there_is_no_delete_url():
    with pytest.raises(NoReverseMatch):
        reverse("members:delete", kwargs={"slug": SLUG, "pk": 1})


def test_a_member_with_service_records_cannot_be_deleted(personas):
    participation = ParticipationFactory(activity=ActivityFactory(team=personas.team))
    with pytest.raises(ProtectedError):
        participation.member.delete()
    assert Member.objects.filter(pk=participation.member_id).exists()
