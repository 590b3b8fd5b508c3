"""Every integrity rule holds in the database itself, and the admin explains it in Chinese.

The ORM tests bypass forms (``save()`` / ``create()`` never call ``full_clean``),
so the database has to refuse the row. The admin tests post the same bad data
through the admin and expect a Chinese message and nothing saved.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from activities.models import Activity, Participation
from activities.tests.factories import ActivityFactory, ParticipationFactory
from members.models import Member
from members.tests.factories import MemberFactory
from teams.tests.factories import ServiceCategoryFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def refused(action) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


# --- ORM: the database refuses ------------------------------------------------------


def test_end_date_before_start_refused():
    refused(
        lambda: ActivityFactory(
            start_date=datetime.date(2018, 5, 10), end_date=datetime.date(2018, 5, 9)
        )
    )


@pytest.mark.parametrize("hours", [Decimal("0"), Decimal("-1.5")])
def test_activity_hours_must_be_positive(hours):
    refused(lambda: ActivityFactory(hours=hours))


def test_activity_hours_at_most_24_per_day():
    ActivityFactory(hours=Decimal("24.0"))  # one day, 24 hours: allowed
    refused(lambda: ActivityFactory(hours=Decimal("24.5")))
    three_days = {"start_date": datetime.date(2018, 1, 12), "end_date": datetime.date(2018, 1, 14)}
    ActivityFactory(hours=Decimal("72.0"), **three_days)
    refused(lambda: ActivityFactory(hours=Decimal("72.1"), **three_days))


def test_activity_hours_within_days_across_a_month_end():
    span = {"start_date": datetime.date(2018, 1, 31), "end_date": datetime.date(2018, 2, 1)}
    ActivityFactory(hours=Decimal("48.0"), **span)
    refused(lambda: ActivityFactory(hours=Decimal("48.5"), **span))


@pytest.mark.parametrize(
    "outcome", ["people_reached", "materials_distributed", "households_visited", "donation_yuan"]
)
def test_negative_outcomes_refused(outcome):
    refused(lambda: ActivityFactory(**{outcome: -1}))


@pytest.mark.parametrize("hours", [Decimal("0"), Decimal("-2")])
def test_participation_hours_must_be_positive(hours):
    refused(lambda: ParticipationFactory(hours=hours))


def test_participation_hours_at_most_the_activitys():
    activity = ActivityFactory(hours=Decimal("4.0"))
    ParticipationFactory(activity=activity, hours=Decimal("4.0"))
    refused(lambda: ParticipationFactory(activity=activity, hours=Decimal("4.5")))


def test_participation_raised_above_the_activitys_hours_refused():
    participation = ParticipationFactory(activity__hours=Decimal("3.0"), hours=Decimal("2.0"))
    participation.hours = Decimal("3.5")
    refused(participation.save)


def test_activity_hours_lowered_below_a_participation_refused():
    participation = ParticipationFactory(activity__hours=Decimal("4.0"), hours=Decimal("4.0"))
    activity = participation.activity
    activity.hours = Decimal("3.0")
    refused(activity.save)


def test_one_participation_per_member_per_activity():
    participation = ParticipationFactory()
    refused(
        lambda: Participation.objects.create(
            activity=participation.activity, member=participation.member, hours=Decimal("1")
        )
    )


def test_participant_must_belong_to_the_activitys_team():
    activity = ActivityFactory()
    outsider = MemberFactory(team=TeamFactory())
    refused(
        lambda: Participation.objects.create(activity=activity, member=outsider, hours=Decimal("1"))
    )


def test_activity_moved_to_another_team_with_its_participants_refused():
    participation = ParticipationFactory()
    activity = participation.activity
    activity.team = TeamFactory()
    refused(activity.save)


def test_member_with_records_moved_to_another_team_refused():
    participation = ParticipationFactory()
    member = participation.member
    member.team = TeamFactory()
    refused(member.save)


def test_member_left_before_registering_refused():
    refused(
        lambda: MemberFactory(
            registered_on=datetime.date(2018, 5, 1), left_on=datetime.date(2018, 4, 30)
        )
    )


def test_the_same_rules_allow_good_rows():
    # The refusals above are not an artefact of the factories: good data saves.
    participation = ParticipationFactory(activity__hours=Decimal("4.0"), hours=Decimal("2.5"))
    assert Participation.objects.get().hours == Decimal("2.5")
    participation.activity.hours = Decimal("3.0")
    participation.activity.save()


# --- Admin: a clear Chinese message, nothing saved ---------------------------------


@pytest.fixture
def admin_client(db) -> Client:
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def activity_form(activity_team, category, **overrides) -> dict:
    data = {
        "team": activity_team.pk,
        "category": category.pk,
        "title": "重阳节慰问老人",
        "start_date": "2018-10-17",
        "end_date": "2018-10-17",
        "hours": "4",
        "place": "日喀则市福利院",
        "content": "",
        "organiser": "",
        "people_reached": "0",
        "materials_distributed": "0",
        "households_visited": "0",
        "donation_yuan": "0",
        "other_outcomes": "",
        "status": "draft",
        "return_reason": "",
        "participations-TOTAL_FORMS": "0",
        "participations-INITIAL_FORMS": "0",
        "participations-MIN_NUM_FORMS": "0",
        "participations-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def with_participants(data: dict, *rows: tuple[Member, str]) -> dict:
    data = dict(data)
    data["participations-TOTAL_FORMS"] = str(len(rows))
    for index, (member, hours) in enumerate(rows):
        data[f"participations-{index}-member"] = member.pk
        data[f"participations-{index}-hours"] = hours
        data[f"participations-{index}-role"] = "participant"
    return data


ADD_URL = "/admin/activities/activity/add/"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_date": "2018-10-16"}, "结束日期不能早于开始日期。"),
        ({"hours": "0"}, "服务时长必须大于零。"),
        ({"hours": "-3"}, "服务时长必须大于零。"),
        ({"hours": "24.5"}, "服务时长不能超过活动天数×24小时。"),
        ({"people_reached": "-1"}, "确保该值大于或等于0。"),
        ({"donation_yuan": "-100"}, "捐赠资金不能为负数。"),
    ],
)
def test_admin_explains_a_bad_activity_in_chinese(admin_client, overrides, message):
    team = TeamFactory()
    response = admin_client.post(
        ADD_URL, activity_form(team, ServiceCategoryFactory(), **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Activity.objects.exists()


def test_admin_refuses_participant_hours_over_the_activitys(admin_client):
    team = TeamFactory()
    member = MemberFactory(team=team)
    data = with_participants(activity_form(team, ServiceCategoryFactory()), (member, "4.5"))
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "参与者的服务时长（4.5小时）不能超过活动时长（4小时）。" in response.content.decode()
    assert not Activity.objects.exists()
    assert not Participation.objects.exists()


@pytest.mark.parametrize("hours", ["0", "-1"])
def test_admin_refuses_participant_hours_not_positive(admin_client, hours):
    team = TeamFactory()
    data = with_participants(
        activity_form(team, ServiceCategoryFactory()), (MemberFactory(team=team), hours)
    )
    response = admin_client.post(ADD_URL, data)
    assert "参与者的服务时长必须大于零。" in response.content.decode()
    assert not Activity.objects.exists()


def test_admin_refuses_a_participant_from_another_team(admin_client):
    team = TeamFactory()
    outsider = MemberFactory(team=TeamFactory(), name="外队队员")
    data = with_participants(activity_form(team, ServiceCategoryFactory()), (outsider, "2"))
    response = admin_client.post(ADD_URL, data)
    assert "外队队员 不是本次活动所属服务队的队员。" in response.content.decode()
    assert not Activity.objects.exists()


def test_admin_refuses_the_same_member_twice(admin_client):
    team = TeamFactory()
    member = MemberFactory(team=team)
    data = with_participants(
        activity_form(team, ServiceCategoryFactory()), (member, "2"), (member, "3")
    )
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "请修正重复的数据" in response.content.decode()
    assert not Activity.objects.exists()


def test_admin_refuses_lowering_hours_below_a_participants(admin_client):
    participation = ParticipationFactory(activity__hours=Decimal("4.0"), hours=Decimal("4.0"))
    activity = participation.activity
    data = activity_form(activity.team, activity.category, hours="2")
    data.update(
        {
            "participations-TOTAL_FORMS": "1",
            "participations-INITIAL_FORMS": "1",
            "participations-0-id": participation.pk,
            "participations-0-activity": activity.pk,
            "participations-0-member": participation.member_id,
            "participations-0-hours": "4.0",
            "participations-0-role": "participant",
        }
    )
    response = admin_client.post(f"/admin/activities/activity/{activity.pk}/change/", data)
    assert response.status_code == 200
    assert "有 1 名参与者的服务时长超过此值，请先调低他们的时长。" in response.content.decode()
    activity.refresh_from_db()
    assert activity.hours == Decimal("4.0")


def test_admin_refuses_moving_a_member_with_records(admin_client):
    participation = ParticipationFactory()
    member = participation.member
    new_team = TeamFactory()
    response = admin_client.post(
        f"/admin/members/member/{member.pk}/change/",
        {
            "team": new_team.pk,
            "volunteer_number": member.volunteer_number,
            "name": member.name,
            "gender": member.gender,
            "ethnicity": member.ethnicity,
            "is_party_member": "on",
            "cadre_rank": member.cadre_rank,
            "phone": member.phone,
            "registered_on": "2016-03-01",
        },
    )
    assert response.status_code == 200
    assert "该队员在原服务队已有服务记录，不能转队" in response.content.decode()
    member.refresh_from_db()
    assert member.team_id == participation.activity.team_id


def test_admin_refuses_leaving_before_registering(admin_client):
    member = MemberFactory(registered_on=datetime.date(2018, 5, 1))
    response = admin_client.post(
        f"/admin/members/member/{member.pk}/change/",
        {
            "team": member.team_id,
            "volunteer_number": member.volunteer_number,
            "name": member.name,
            "gender": member.gender,
            "cadre_rank": member.cadre_rank,
            "is_party_member": "on",
            "registered_on": "2018-05-01",
            "left_on": "2018-04-30",
        },
    )
    assert "离队日期不能早于注册日期。" in response.content.decode()
    member.refresh_from_db()
    assert member.left_on is None
