"""The demo's reference team: the 2018 figures come out as the reference profile states.

The figures are computed here straight from the rows with ORM aggregates, not through
the product's statistics code, so these tests check the data itself. Each figure is
asserted twice: exactly as designed in demo/team.py, and within what the reference
profile states (26 activities, about 100 hours, 500+ participant-times, ...). The
demo is loaded once for the module (conftest.demo_once); seed_demo itself is tested
in test_seed_demo.py.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Sum

from activities.models import Activity, ActivityStatus, Participation
from demo.team_data import TEAM_SLUG
from members.models import CadreRank, Member, phone_validator
from teams.models import DEFAULT_CATEGORY_NAMES, ServiceCategory, Team

# What demo/team.py was designed to give for 2018.
ACTIVITIES_2018 = 26
ACTIVITY_HOURS_2018 = Decimal("101.5")
PARTICIPATIONS_2018 = 527
PERSON_HOURS_2018 = Decimal("2276.5")
MATERIALS_2018 = 10700
PEOPLE_REACHED_2018 = 12282
MEMBERS = 121


@pytest.fixture
def team(demo_once) -> Team:
    return Team.objects.get(slug=TEAM_SLUG)


def approved_2018(team: Team):
    return Activity.objects.filter(team=team, status=ActivityStatus.APPROVED, start_date__year=2018)


@pytest.mark.django_db
def test_2018_figures_match_the_reference_profile(team):
    activities = approved_2018(team)
    totals = activities.aggregate(
        hours=Sum("hours"),
        materials=Sum("materials_distributed"),
        reached=Sum("people_reached"),
    )
    participations = Participation.objects.filter(activity__in=activities)
    person_hours = participations.aggregate(total=Sum("hours"))["total"]

    assert activities.count() == ACTIVITIES_2018 == 26
    assert totals["hours"] == ACTIVITY_HOURS_2018
    assert Decimal(95) <= totals["hours"] <= Decimal(105)
    assert participations.count() == PARTICIPATIONS_2018
    assert participations.count() > 500
    assert person_hours == PERSON_HOURS_2018
    assert totals["materials"] == MATERIALS_2018
    assert totals["materials"] > 10_000
    assert totals["reached"] == PEOPLE_REACHED_2018
    assert totals["reached"] > 10_000


@pytest.mark.django_db
def test_every_definition_of_registered_volunteers_gives_121(team):
    start, end = datetime.date(2018, 1, 1), datetime.date(2018, 12, 31)
    members = Member.objects.filter(team=team)

    assert members.count() == MEMBERS
    assert members.registered_in_period(start, end).count() == MEMBERS
    assert members.active_on(datetime.date(2018, 11, 28)).count() == MEMBERS
    assert members.active().count() == MEMBERS
    assert not members.filter(left_on__isnull=False).exists()


@pytest.mark.django_db
def test_members_are_synthetic_party_cadres(team):
    members = Member.objects.filter(team=team)
    ranks = dict(members.values_list("cadre_rank").annotate(n=Count("id")))
    names = list(members.values_list("name", flat=True))

    assert ranks[CadreRank.COUNTY] == 15
    assert ranks[CadreRank.SECTION] == 29
    assert ranks[CadreRank.GENERAL] + ranks[CadreRank.WORKER] == 77
    assert set(members.values_list("ethnicity", flat=True)) == {"藏族", "汉族"}
    assert not members.filter(is_party_member=False).exists()
    assert not members.filter(party_joined_on__isnull=True).exists()
    assert len(set(names)) == MEMBERS
    assert not {"赵睿", "刘虎山", "林和"} & set(names)
    for member in members:
        assert re.fullmatch(r"54020118\d{4}", member.volunteer_number)
        assert re.fullmatch(r"1\d{10}", member.phone)
        phone_validator(member.phone)
        assert datetime.date(2016, 3, 1) <= member.registered_on <= datetime.date(2017, 12, 31)
        assert member.party_joined_on < member.registered_on
    assert members.values("phone").distinct().count() == MEMBERS


@pytest.mark.django_db
def test_team_profile_is_the_reference_team(team):
    assert team.name == "日喀则市人民政府办公室党员志愿服务队"
    assert team.region.name == "日喀则市"
    assert team.region.parent.name == "西藏自治区"
    assert team.region.parent.parent is None
    assert team.host_unit == "日喀则市人民政府办公室"
    assert team.founded_display() == "2016年3月"
    assert team.recommending_unit == "西藏自治区文明办"
    assert team.lead_member.team == team
    assert team.lead_member.cadre_rank == CadreRank.COUNTY
    assert team.lead_title == "市政府副秘书长、办公室机关党委书记"
    assert team.lead_consents_to_publication
    assert team.is_published
    assert team.published_on == datetime.date(2018, 11, 28)
    assert team.publication_source == "中国文明网"
    assert team.responsible_editor and team.responsible_editor != "林和"
    assert "<h3>" in team.main_deeds and "<li>" in team.main_deeds
    assert (team.min_activities_per_month, team.min_participations_per_member_year) == (1, 10)
    assert [c.name for c in team.categories_in_order()] == DEFAULT_CATEGORY_NAMES
    assert list(team.team_categories.values_list("position", flat=True)) == list(range(7))
    shared = ServiceCategory.objects.filter(team__isnull=True).order_by("pk")
    assert list(shared.values_list("name", flat=True)) == DEFAULT_CATEGORY_NAMES


@pytest.mark.django_db
def test_every_month_january_to_november_2018_has_an_approved_activity(team):
    months = set(approved_2018(team).values_list("start_date__month", flat=True))
    assert months == set(range(1, 12))


@pytest.mark.django_db
def test_every_category_is_used_in_2018(team):
    used = set(approved_2018(team).values_list("category__name", flat=True))
    assert used == set(DEFAULT_CATEGORY_NAMES)


@pytest.mark.django_db
def test_jilong_village_trip_by_44_cadres(team):
    trip = approved_2018(team).get(start_date=datetime.date(2018, 1, 12))
    ranks = dict(trip.participations.values_list("member__cadre_rank").annotate(n=Count("id")))

    assert "吉隆县" in trip.title
    assert trip.end_date == datetime.date(2018, 1, 14)
    assert trip.days == 3
    assert trip.hours < 3 * 24
    assert trip.participations.count() == 44
    assert ranks == {CadreRank.COUNTY: 15, CadreRank.SECTION: 29}
    assert trip.households_visited == 52
    assert "3个" in trip.content and "16个村" in trip.content
    organisers = trip.participations.filter(role=Participation.Role.ORGANISER)
    assert organisers.count() == 3


@pytest.mark.django_db
def test_student_grants_and_railway_station(team):
    grants = approved_2018(team).get(donation_yuan=Decimal("2500"))
    railway = approved_2018(team).get(title__contains="火车站", start_date__month=7)

    assert "5名" in grants.content and "500元" in grants.content
    assert railway.category.name == "火车站志愿服务"
    assert railway.participations.count() == 120
    assert railway.participations.filter(role=Participation.Role.ORGANISER).count() == 4
    assert "4支" in railway.content


@pytest.mark.django_db
def test_participations_respect_the_hour_and_team_rules(team):
    participations = Participation.objects.filter(activity__team=team)

    assert not participations.filter(hours__gt=F("activity__hours")).exists()
    below = participations.filter(hours__lt=F("activity__hours"))
    assert below.count() == 40  # a few left early: 34 in 2018, 6 in 2026
    assert below.filter(activity__start_date__year=2018).count() == 34
    assert not participations.exclude(member__team=team).exists()
    for activity in Activity.objects.filter(team=team):
        assert activity.hours <= 24 * activity.days


@pytest.mark.django_db
def test_bulk_created_participations_have_their_history(team):
    participations = Participation.objects.filter(activity__team=team)
    created = Participation.history.filter(history_type="+", activity_id__in=team.activities.all())

    assert created.count() == participations.count() == PARTICIPATIONS_2018 + 75
    assert set(created.values_list("id", flat=True)) == set(
        participations.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_2018_activities_were_logged_and_approved_on_time(team):
    secretary = get_user_model().objects.get(username="secretary")
    staff = get_user_model().objects.get(username="staff")
    for activity in approved_2018(team):
        assert activity.created_by == staff
        assert activity.approved_by == secretary
        assert activity.end_date < activity.submitted_at.date() < activity.approved_at.date()
        assert not activity.is_late
    assert Activity.objects.filter(team=team, start_date__year=2018).count() == 26


@pytest.mark.django_db
def test_current_activities_fill_the_workflow_pages(team):
    current = Activity.objects.filter(team=team, start_date__year=2026).order_by("start_date")
    rows = [(a.start_date, a.status, a.participations.count()) for a in current]

    assert [(day, status) for day, status, _ in rows] == [
        (datetime.date(2026, 9, 15), ActivityStatus.APPROVED),
        (datetime.date(2026, 10, 20), ActivityStatus.APPROVED),
        (datetime.date(2026, 11, 10), ActivityStatus.APPROVED),
        (datetime.date(2026, 11, 20), ActivityStatus.SUBMITTED),
        (datetime.date(2026, 11, 25), ActivityStatus.DRAFT),
    ]
    assert all(10 <= count <= 30 for _, _, count in rows)
    submitted = current.get(status=ActivityStatus.SUBMITTED)
    assert submitted.submitted_at is not None and submitted.approved_at is None
    draft = current.get(status=ActivityStatus.DRAFT)
    assert draft.submitted_at is None and draft.approved_by is None
