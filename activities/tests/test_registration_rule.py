"""A participant must be registered on the activity's start date (DOMAIN.md § Rules).

Registered on a day means registered on or before it and not left before it
(``left_on`` is the last day of membership). Held by the form (with the member
and the dates named), the picker (rows shown disabled with the reason), the
services, the member's own edits and the database triggers.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from activities import services
from activities.models import Activity, Participation
from activities.services import ParticipantInput, WorkflowError
from activities.tests.factories import (
    ActivityFactory,
    ParticipationFactory,
    activity_form_data,
    errors_of,
)
from conftest import client_for
from members import services as member_services
from members.tests.factories import MemberFactory
from teams.tests.factories import ServiceCategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date
START, END = D(2018, 11, 30), D(2018, 12, 2)  # a three-day trip over a month's end


@pytest.fixture
def people(personas):
    team = personas.team
    return {
        "long": MemberFactory(team=team, name="老队员", registered_on=D(2016, 3, 1)),
        "on_the_day": MemberFactory(team=team, name="当天注册", registered_on=START),
        "newcomer": MemberFactory(team=team, name="新队员", registered_on=D(2018, 12, 1)),
    }


def form_data(members, **overrides) -> dict:
    """A three-day trip of 12 hours (START to END), its outcomes left at nothing."""
    fields = {
        "title": "深入乡村宣讲惠民政策",
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        "hours": "12",
        "place": "吉隆县",
        "organiser": "",
        "content": "",
        "people_reached": "0",
        "materials_distributed": "0",
        "households_visited": "0",
    }
    return activity_form_data(ServiceCategoryFactory(), members, **(fields | overrides))


# --- The form ---------------------------------------------------------------------------------


def test_a_member_registered_after_the_start_date_is_refused(personas, people):
    response = client_for(personas.staff).post(
        reverse("activities:create", args=[personas.team.slug]),
        form_data([people["long"], people["newcomer"]]),
    )
    assert response.status_code == 200
    assert "新队员 于 2018-12-01 注册，晚于活动开始日期 2018-11-30。" in errors_of(
        response.content.decode()
    )
    assert not Activity.objects.exists()


def test_a_member_registered_on_the_start_date_may_take_part(personas, people):
    response = client_for(personas.staff).post(
        reverse("activities:create", args=[personas.team.slug]),
        form_data([people["long"], people["on_the_day"]]),
    )
    assert response.status_code == 302, errors_of(response.content.decode())
    assert Participation.objects.count() == 2


def test_moving_the_start_date_after_a_participant_left_is_refused(personas, people):
    gone = people["long"]
    activity = ActivityFactory(team=personas.team, start_date=START, end_date=END, hours=12)
    ParticipationFactory(activity=activity, member=gone)
    member_services.member_mark_left(member=gone, left_on=START, by=None)  # their last day
    # Someone already on the activity stays in the picker after leaving.
    response = client_for(personas.staff).post(
        reverse("activities:update", args=[personas.team.slug, activity.pk]),
        form_data([gone], start_date="2018-12-01", confirm_duplicate="on"),
    )
    assert "老队员 已于 2018-11-30 离队，早于活动开始日期 2018-12-01。" in errors_of(
        response.content.decode()
    )
    activity.refresh_from_db()
    assert activity.start_date == START


def row_of(page: str, member) -> str:
    return re.search(rf'<tr[^>]*data-member="{member.pk}".*?</tr>', page, re.S).group(0)


def test_the_picker_shows_members_not_yet_registered_disabled_with_the_reason(personas, people):
    activity = ActivityFactory(team=personas.team, start_date=START, end_date=END, hours=12)
    ParticipationFactory(activity=activity, member=people["long"])
    page = (
        client_for(personas.staff)
        .get(reverse("activities:update", args=[personas.team.slug, activity.pk]))
        .content.decode()
    )
    newcomer = row_of(page, people["newcomer"])
    assert re.search(r'name="participant"[^>]*disabled', newcomer)
    assert "注册于 2018-12-01" in newcomer
    for member in (people["long"], people["on_the_day"]):
        row = row_of(page, member)
        assert not re.search(r'name="participant"[^>]*disabled', row)
        assert "注册于" not in row


def test_the_new_form_gives_the_script_each_members_dates(personas, people):
    page = (
        client_for(personas.staff)
        .get(reverse("activities:create", args=[personas.team.slug]))
        .content.decode()
    )
    newcomer = row_of(page, people["newcomer"])
    assert 'data-registered="2018-12-01"' in newcomer
    # No start date yet: nobody is disabled until one is typed (static/js/activity_form.js).
    assert not re.search(r'name="participant"[^>]*disabled', page)


def test_a_ticked_member_stays_ticked_and_named_after_the_start_date_moved(personas, people):
    data = form_data([people["newcomer"]])
    page = (
        client_for(personas.staff)
        .post(reverse("activities:create", args=[personas.team.slug]), data)
        .content.decode()
    )
    row = row_of(page, people["newcomer"])
    # Still ticked (so that correcting the date keeps the choice), and marked.
    assert re.search(r'name="participant"[^>]*checked', row)
    assert not re.search(r'name="participant"[^>]*disabled', row)
    assert "注册于 2018-12-01" in row


# --- The services -----------------------------------------------------------------------------


def fields(**overrides) -> dict:
    values = {
        "category": ServiceCategoryFactory(),
        "title": "走访慰问",
        "start_date": START,
        "end_date": END,
        "hours": Decimal("12.0"),
        "place": "",
        "organiser": "",
        "content": "",
        "people_reached": 0,
        "materials_distributed": 0,
        "households_visited": 0,
        "donation_yuan": Decimal("0"),
        "other_outcomes": "",
    }
    values.update(overrides)
    return values


def test_the_service_refuses_a_member_not_registered_on_the_start_date(personas, people):
    with pytest.raises(WorkflowError) as error:
        services.activity_save(
            team=personas.team,
            by=UserFactory(),
            fields=fields(),
            participants=[
                ParticipantInput(member=people["long"], hours=Decimal("12.0")),
                ParticipantInput(member=people["newcomer"], hours=Decimal("12.0")),
            ],
        )
    assert error.value.messages == ["新队员 于 2018-12-01 注册，晚于活动开始日期 2018-11-30。"]
    assert not Activity.objects.exists()


def test_the_service_refuses_moving_the_start_before_a_participants_registration(personas, people):
    user = UserFactory()
    participants = [ParticipantInput(member=people["newcomer"], hours=Decimal("4.0"))]
    activity = services.activity_save(
        team=personas.team,
        by=user,
        fields=fields(start_date=D(2018, 12, 1), hours=Decimal("4.0")),
        participants=participants,
    )
    with pytest.raises(WorkflowError, match="新队员"):
        services.activity_save(
            team=personas.team,
            by=user,
            activity=activity,
            fields=fields(start_date=START, hours=Decimal("4.0")),
            participants=participants,
        )
    activity.refresh_from_db()
    assert activity.start_date == D(2018, 12, 1)


# --- The member's own dates -------------------------------------------------------------------


def test_moving_the_registration_after_an_activity_is_refused(personas, people):
    member = people["long"]
    ParticipationFactory(
        activity__team=personas.team, activity__start_date=D(2018, 5, 10), member=member
    )
    with pytest.raises(ValidationError) as error:
        member_services.member_update(member=member, by=None, registered_on=D(2018, 6, 1))
    assert error.value.message_dict["registered_on"] == [
        "该队员参加了 2018-05-10 的活动，注册日期不能晚于此日期。"
    ]
    member.refresh_from_db()
    assert member.registered_on == D(2016, 3, 1)
    # On the activity's day itself is fine.
    member_services.member_update(member=member, by=None, registered_on=D(2018, 5, 10))


def test_the_roster_form_says_why_the_registration_date_cannot_move(personas, people):
    member = people["long"]
    ParticipationFactory(
        activity__team=personas.team, activity__start_date=D(2018, 5, 10), member=member
    )
    url = reverse("members:update", args=[personas.team.slug, member.pk])
    response = client_for(personas.secretary).post(
        url,
        {
            "volunteer_number": member.volunteer_number,
            "name": member.name,
            "gender": member.gender,
            "ethnicity": member.ethnicity,
            "is_party_member": "on",
            "cadre_rank": member.cadre_rank,
            "position": "",
            "phone": member.phone,
            "email": "",
            "registered_on": "2018-06-01",
        },
    )
    assert response.status_code == 200
    assert "该队员参加了 2018-05-10 的活动，注册日期不能晚于此日期。" in response.content.decode()
    member.refresh_from_db()
    assert member.registered_on == D(2016, 3, 1)


def test_marking_left_before_an_activity_is_still_refused(personas, people):
    member = people["long"]
    ParticipationFactory(
        activity__team=personas.team, activity__start_date=D(2018, 5, 10), member=member
    )
    with pytest.raises(ValidationError) as error:
        member_services.member_mark_left(member=member, left_on=D(2018, 5, 9), by=None)
    assert "2018-05-10" in error.value.message_dict["left_on"][0]


# --- The database -----------------------------------------------------------------------------


def refused(action, rule: str = "participation_member_registered") -> None:
    with pytest.raises(IntegrityError, match=rule), transaction.atomic():
        action()


def test_the_database_refuses_a_participation_before_registration(people):
    activity = ActivityFactory(team=people["long"].team, start_date=START, end_date=END)
    refused(
        lambda: Participation.objects.create(
            activity=activity, member=people["newcomer"], hours=Decimal("1")
        )
    )
    Participation.objects.create(activity=activity, member=people["on_the_day"], hours=1)


def test_the_database_refuses_a_participation_after_leaving(people):
    member = MemberFactory(
        team=people["long"].team, registered_on=D(2016, 3, 1), left_on=D(2018, 11, 29)
    )
    activity = ActivityFactory(team=member.team, start_date=START, end_date=END)
    refused(lambda: Participation.objects.create(activity=activity, member=member, hours=1))
    # Left on the start date: still a member that day.
    Member = type(member)
    Member.objects.filter(pk=member.pk).update(left_on=START)
    Participation.objects.create(activity=activity, member=member, hours=1)


def test_the_database_refuses_moving_an_activity_before_a_participants_registration(people):
    activity = ActivityFactory(team=people["long"].team, start_date=D(2018, 12, 1))
    ParticipationFactory(activity=activity, member=people["newcomer"])
    refused(lambda: Activity.objects.filter(pk=activity.pk).update(start_date=START))
    refused(
        lambda: Activity.objects.filter(pk=activity.pk).update(start_date=START, end_date=START)
    )
    Activity.objects.filter(pk=activity.pk).update(start_date=D(2018, 12, 1))  # unchanged: fine


def test_the_database_refuses_member_dates_that_leave_out_an_activity(people):
    member = people["long"]
    ParticipationFactory(activity__team=member.team, activity__start_date=START, member=member)
    Member = type(member)
    refused(lambda: Member.objects.filter(pk=member.pk).update(registered_on=D(2018, 12, 1)))
    refused(lambda: Member.objects.filter(pk=member.pk).update(left_on=D(2018, 11, 29)))
    Member.objects.filter(pk=member.pk).update(registered_on=START, left_on=START)


# --- The admin --------------------------------------------------------------------------------


@pytest.fixture
def admin_client(db) -> Client:
    return client_for(UserFactory(username="root", is_staff=True, is_superuser=True))


def test_the_admin_explains_a_participant_not_yet_registered(admin_client, people):
    team = people["long"].team
    data = {
        "team": team.pk,
        "category": ServiceCategoryFactory().pk,
        "title": "重阳节慰问老人",
        "start_date": START.isoformat(),
        "end_date": START.isoformat(),
        "hours": "4",
        "place": "",
        "content": "",
        "organiser": "",
        "people_reached": "0",
        "materials_distributed": "0",
        "households_visited": "0",
        "donation_yuan": "0",
        "other_outcomes": "",
        "status": "draft",
        "return_reason": "",
        "participations-TOTAL_FORMS": "1",
        "participations-INITIAL_FORMS": "0",
        "participations-MIN_NUM_FORMS": "0",
        "participations-MAX_NUM_FORMS": "1000",
        "participations-0-member": people["newcomer"].pk,
        "participations-0-hours": "4",
        "participations-0-role": "participant",
    }
    response = admin_client.post("/admin/activities/activity/add/", data)
    assert response.status_code == 200
    assert "新队员 于 2018-12-01 注册，晚于活动开始日期 2018-11-30。" in response.content.decode()
    assert not Activity.objects.exists()


def test_the_admin_explains_a_registration_date_after_an_activity(admin_client, people):
    member = people["long"]
    ParticipationFactory(activity__team=member.team, activity__start_date=START, member=member)
    response = admin_client.post(
        f"/admin/members/member/{member.pk}/change/",
        {
            "team": member.team_id,
            "volunteer_number": member.volunteer_number,
            "name": member.name,
            "gender": member.gender,
            "cadre_rank": member.cadre_rank,
            "is_party_member": "on",
            "registered_on": "2018-12-01",
        },
    )
    assert response.status_code == 200
    assert "该队员参加了 2018-11-30 的活动，注册日期不能晚于此日期。" in response.content.decode()
    member.refresh_from_db()
    assert member.registered_on == D(2016, 3, 1)
