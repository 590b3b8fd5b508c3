"""The roster's services: register, edit, mark as left, rejoin."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone, translation

from activities.tests.factories import ActivityFactory, ParticipationFactory
from members.models import CadreRank, Gender, Member
from members.services import (
    member_create,
    member_mark_left,
    member_rejoin,
    member_update,
)
from members.tests.factories import MemberFactory
from teams.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

REGISTERED = datetime.date(2016, 3, 1)


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def team():
    return TeamFactory()


@pytest.fixture
def secretary():
    return UserFactory(username="secretary")


def details(**overrides) -> dict:
    values = {
        "volunteer_number": "54020000001",
        "name": "次仁",
        "gender": Gender.MALE,
        "ethnicity": "藏族",
        "is_party_member": True,
        "party_joined_on": datetime.date(2010, 7, 1),
        "cadre_rank": CadreRank.SECTION,
        "position": "科员",
        "phone": "13812345678",
        "email": "",
        "registered_on": REGISTERED,
    }
    values.update(overrides)
    return values


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


# --- member_create ---------------------------------------------------------------


def test_create_registers_the_member_in_the_team_and_records_who(team, secretary):
    member = member_create(team=team, by=secretary, **details())
    member.refresh_from_db()
    assert member.team == team
    assert member.name == "次仁"
    assert member.left_on is None
    record = member.history.get()
    assert record.history_type == "+"
    assert record.history_user == secretary


def test_create_refuses_a_volunteer_number_in_use_in_any_team(team, secretary):
    MemberFactory(team=TeamFactory(), volunteer_number="54020000001")
    with pytest.raises(ValidationError) as caught:
        member_create(team=team, by=secretary, **details())
    assert field_errors(caught.value)["volunteer_number"] == [
        "志愿者编号 54020000001 已被注册，请核对：每名志愿者的编号各不相同。"
    ]
    assert not Member.objects.filter(team=team).exists()


def test_create_refuses_a_malformed_phone(team, secretary):
    with pytest.raises(ValidationError) as caught:
        member_create(team=team, by=secretary, **details(phone="1381234"))
    assert field_errors(caught.value)["phone"] == ["请输入11位手机号码，或带区号的固定电话号码。"]
    assert not Member.objects.exists()


def test_create_accepts_a_landline_with_area_code(team, secretary):
    member = member_create(team=team, by=secretary, **details(phone="0892-8821234"))
    assert member.phone == "0892-8821234"


def test_create_refuses_a_registration_date_in_the_future(team, secretary):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        member_create(team=team, by=secretary, **details(registered_on=tomorrow))
    assert field_errors(caught.value)["registered_on"] == ["注册日期不能晚于今天。"]
    assert not Member.objects.exists()


def test_create_refuses_a_party_date_for_a_non_member_once(team, secretary):
    with pytest.raises(ValidationError) as caught:
        member_create(team=team, by=secretary, **details(is_party_member=False))
    errors = field_errors(caught.value)
    assert errors["party_joined_on"] == ["只有党员才能填写入党时间。请勾选“党员”，或清空入党时间。"]
    # The check constraint says the same; it must not be repeated as a general error.
    assert NON_FIELD_ERRORS not in errors
    assert not Member.objects.exists()


def test_create_reports_every_problem_at_once(team, secretary):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        member_create(team=team, by=secretary, **details(phone="12", registered_on=tomorrow))
    assert set(field_errors(caught.value)) == {"phone", "registered_on"}


# --- member_update ---------------------------------------------------------------


def test_update_changes_the_details_and_records_who(team, secretary):
    member = MemberFactory(team=team, registered_on=REGISTERED)
    member_update(member=member, by=secretary, name="新名字", phone="13900001111")
    member.refresh_from_db()
    assert (member.name, member.phone) == ("新名字", "13900001111")
    assert member.history.first().history_user == secretary


def test_update_cannot_change_the_team_or_the_leaving_date(team, secretary):
    member = MemberFactory(team=team)
    with pytest.raises(TypeError):
        member_update(member=member, by=secretary, team=TeamFactory())
    with pytest.raises(TypeError):
        member_update(member=member, by=secretary, left_on=timezone.localdate())


def test_update_keeps_the_number_unique(team, secretary):
    MemberFactory(volunteer_number="TAKEN")
    member = MemberFactory(team=team, volunteer_number="MINE")
    with pytest.raises(ValidationError) as caught:
        member_update(member=member, by=secretary, volunteer_number="TAKEN")
    assert "volunteer_number" in field_errors(caught.value)
    assert Member.objects.get(pk=member.pk).volunteer_number == "MINE"


def test_update_refuses_registration_after_the_leaving_date(team, secretary):
    member = MemberFactory(team=team, registered_on=REGISTERED, left_on=datetime.date(2017, 1, 31))
    with pytest.raises(ValidationError) as caught:
        member_update(member=member, by=secretary, registered_on=datetime.date(2017, 2, 1))
    assert field_errors(caught.value)["registered_on"] == [
        "注册日期不能晚于离队日期（2017-01-31）。"
    ]
    assert Member.objects.get(pk=member.pk).registered_on == REGISTERED


# --- member_mark_left ------------------------------------------------------------


def test_mark_left_sets_the_date_and_records_who_and_why(team, secretary):
    member = MemberFactory(team=team, registered_on=REGISTERED)
    member_mark_left(
        member=member, left_on=datetime.date(2018, 6, 30), reason="调离本单位", by=secretary
    )
    assert member.left_on == datetime.date(2018, 6, 30)
    member.refresh_from_db()
    assert member.left_on == datetime.date(2018, 6, 30)
    record = member.history.first()
    assert record.history_user == secretary
    assert record.history_change_reason == "调离本单位"
    assert record.left_on == datetime.date(2018, 6, 30)


def test_mark_left_without_a_reason_still_says_what_happened(team, secretary):
    member = MemberFactory(team=team, registered_on=REGISTERED)
    member_mark_left(member=member, left_on=REGISTERED, reason="", by=secretary)
    assert member.history.first().history_change_reason == "标记为离队"


def test_mark_left_on_the_registration_day_and_today_are_allowed(team, secretary):
    first = MemberFactory(team=team, registered_on=REGISTERED)
    member_mark_left(member=first, left_on=REGISTERED, by=secretary)
    second = MemberFactory(team=team, registered_on=REGISTERED)
    member_mark_left(member=second, left_on=timezone.localdate(), by=secretary)
    assert Member.objects.filter(left_on__isnull=False).count() == 2


def test_mark_left_before_registration_is_refused(team, secretary):
    member = MemberFactory(team=team, registered_on=REGISTERED)
    with pytest.raises(ValidationError) as caught:
        member_mark_left(
            member=member, left_on=REGISTERED - datetime.timedelta(days=1), by=secretary
        )
    assert field_errors(caught.value)["left_on"] == ["离队日期不能早于注册日期（2016-03-01）。"]
    member.refresh_from_db()
    assert member.left_on is None
    assert member.history.count() == 1


def test_mark_left_in_the_future_is_refused(team, secretary):
    member = MemberFactory(team=team)
    with pytest.raises(ValidationError) as caught:
        member_mark_left(
            member=member, left_on=timezone.localdate() + datetime.timedelta(days=1), by=secretary
        )
    assert field_errors(caught.value)["left_on"] == ["离队日期不能晚于今天。"]
    assert Member.objects.get(pk=member.pk).left_on is None


def test_mark_left_twice_is_refused(team, secretary):
    member = MemberFactory(team=team, left_on=datetime.date(2017, 1, 1))
    with pytest.raises(ValidationError) as caught:
        member_mark_left(member=member, left_on=datetime.date(2018, 1, 1), by=secretary)
    assert caught.value.messages == [f"{member.name} 已于 2017-01-01 标记为离队。"]
    assert Member.objects.get(pk=member.pk).left_on == datetime.date(2017, 1, 1)


def test_mark_left_before_an_activity_they_took_part_in_is_refused(team, secretary):
    member = MemberFactory(team=team, registered_on=REGISTERED)
    ParticipationFactory(
        member=member, activity=ActivityFactory(team=team, start_date=datetime.date(2018, 5, 10))
    )
    with pytest.raises(ValidationError) as caught:
        member_mark_left(member=member, left_on=datetime.date(2018, 5, 9), by=secretary)
    assert "2018-05-10" in field_errors(caught.value)["left_on"][0]
    member_mark_left(member=member, left_on=datetime.date(2018, 5, 10), by=secretary)
    assert Member.objects.get(pk=member.pk).left_on == datetime.date(2018, 5, 10)


def test_mark_left_refuses_a_reason_too_long_for_the_history(team, secretary):
    member = MemberFactory(team=team)
    with pytest.raises(ValidationError) as caught:
        member_mark_left(
            member=member, left_on=timezone.localdate(), reason="长" * 101, by=secretary
        )
    assert "reason" in field_errors(caught.value)


def test_mark_left_does_not_overwrite_another_users_edit(team, secretary):
    stale = MemberFactory(team=team, name="旧名字")
    Member.objects.filter(pk=stale.pk).update(name="新名字")
    member_mark_left(member=stale, left_on=timezone.localdate(), by=secretary)
    fresh = Member.objects.get(pk=stale.pk)
    assert fresh.name == "新名字"
    assert fresh.left_on == timezone.localdate()


# --- member_rejoin ---------------------------------------------------------------


def test_rejoin_clears_the_leaving_date_and_records_who(team, secretary):
    member = MemberFactory(team=team, left_on=datetime.date(2018, 6, 30))
    member_rejoin(member=member, by=secretary)
    assert member.left_on is None
    member.refresh_from_db()
    assert member.left_on is None
    assert member.is_active
    record = member.history.first()
    assert record.history_user == secretary
    assert record.history_change_reason == "撤销离队，重新归队"


def test_rejoin_of_an_active_member_is_refused(team, secretary):
    member = MemberFactory(team=team)
    with pytest.raises(ValidationError) as caught:
        member_rejoin(member=member, by=secretary)
    assert caught.value.messages == [f"{member.name} 未离队。"]
    assert member.history.count() == 1
