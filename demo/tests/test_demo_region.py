"""The demo's second city and other teams (demo/region.py), loaded by seed_demo."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse

from activities.models import (
    Activity,
    ActivityStatus,
    MonthlyReview,
    Participation,
    PeriodKind,
    TeamFigures,
    TeamFiguresState,
)
from conftest import kept_for_the_module
from demo.region import DEMO_TEAMS, PROVINCE_LOGIN, demo_region_load
from demo.team import demo_load
from demo.team_data import TEAM_SLUG
from members.models import Member
from teams.access import roles_for
from teams.models import Region, Team

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 29)
SLUGS = [design.slug for design in DEMO_TEAMS]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def loaded_once(django_db_setup, django_db_blocker):
    """The demo loaded once for the module, as of TODAY."""
    with kept_for_the_module(django_db_blocker):
        demo_load()
        yield demo_region_load(today=TODAY)


@pytest.fixture
def loaded(loaded_once):
    return loaded_once


def snapshot() -> dict:
    return {
        "activities": sorted(
            Activity.objects.filter(team__slug__in=SLUGS).values_list(
                "team__slug", "title", "start_date", "hours", "status", "updated_at"
            )
        ),
        "participations": sorted(
            Participation.objects.filter(activity__team__slug__in=SLUGS).values_list(
                "activity_id", "member_id", "hours", "role"
            )
        ),
        "members": sorted(
            Member.objects.filter(team__slug__in=SLUGS).values_list(
                "volunteer_number", "name", "registered_on", "left_on"
            )
        ),
        "reviews": sorted(
            MonthlyReview.objects.filter(team__slug__in=SLUGS).values_list(
                "team__slug", "year", "month", "signed_at"
            )
        ),
        "users": sorted(get_user_model().objects.values_list("username", "password")),
        "figures": sorted(
            TeamFigures.objects.filter(team__slug__in=SLUGS).values_list(
                "team__slug", "kind", "year", "month", "activities", "person_hours"
            )
        ),
        # Not recomputed when nothing changed.
        "figures_computed_at": sorted(
            TeamFiguresState.objects.filter(team__slug__in=SLUGS).values_list(
                "team__slug", "computed_at"
            )
        ),
    }


def test_two_cities_under_the_province(loaded):
    province = Region.objects.get(name="西藏自治区", parent=None)
    assert sorted(province.children.values_list("name", flat=True)) == ["拉萨市", "日喀则市"]
    by_city = dict(Team.objects.values_list("region__name").annotate(n=Count("pk")).order_by())
    assert by_city == {"日喀则市": 3, "拉萨市": 3}  # the reference team and two more; three


def test_a_second_run_changes_nothing(loaded):
    before = snapshot()
    again = demo_region_load(today=TODAY)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert snapshot() == before


def test_a_run_puts_back_what_was_changed(loaded):
    before = snapshot()
    activity = Activity.objects.filter(team__slug="shigatse-finance").first()
    activity.participations.first().delete()
    Member.objects.filter(team__slug="lhasa-education").update(name="改过的名字")
    again = demo_region_load(today=TODAY)
    assert again.created and again.updated
    after = snapshot()
    assert after["participations"] == before["participations"]
    assert after["members"] == before["members"]


def test_every_activity_is_approved_with_valid_participants(loaded):
    activities = Activity.objects.filter(team__slug__in=SLUGS)
    assert activities.count() > 150
    assert not activities.exclude(status=ActivityStatus.APPROVED).exists()
    participations = Participation.objects.filter(activity__in=activities).select_related(
        "activity", "member"
    )
    for participation in participations:
        assert participation.member.team_id == participation.activity.team_id
        assert Decimal("0") < participation.hours <= participation.activity.hours
        assert participation.member.was_registered_on(participation.activity.start_date)


def test_figures_are_computed_and_varied(loaded):
    def year(slug, year):
        return TeamFigures.objects.get(team__slug=slug, kind=PeriodKind.YEAR, year=year)

    # Very active: three a month; gone quiet: two in 2018, none in 2026.
    assert year("shigatse-finance", 2018).activities == 36
    assert year("shigatse-finance", 2026).activities == 33
    assert year("lhasa-statistics", 2018).activities == 2
    assert year("lhasa-statistics", 2026).activities == 0
    for slug in SLUGS:
        figures = year(slug, 2026)
        approved = Activity.objects.filter(
            team__slug=slug, status=ActivityStatus.APPROVED, start_date__year=2026
        )
        assert figures.activities == approved.count()
        person_hours = Participation.objects.filter(activity__in=approved).aggregate(
            total=Sum("hours")
        )["total"]
        assert figures.person_hours == (person_hours or Decimal("0"))
    # A few members joined or left during 2026: their targets are pro-rated.
    assert Member.objects.filter(team__slug__in=SLUGS, registered_on__year=2026).exists()
    assert Member.objects.filter(team__slug__in=SLUGS, left_on__year=2026).exists()


def test_signed_off_months_differ_by_team(loaded):
    last = {
        slug: MonthlyReview.objects.filter(team__slug=slug).order_by("-year", "-month").first()
        for slug in SLUGS
    }
    assert (last["shigatse-finance"].year, last["shigatse-finance"].month) == (2026, 10)
    assert (last["shigatse-housing"].year, last["shigatse-housing"].month) == (2018, 6)
    assert last["lhasa-statistics"] is None
    review = last["lhasa-gov-office"]
    assert review.signed_by.username == "lhasa-gov-office-secretary"
    assert review.snapshot["fingerprint"]
    assert not review.changed_after_signoff


def test_the_secretaries_cannot_log_in(loaded):
    for slug in SLUGS:
        assert not get_user_model().objects.get(username=f"{slug}-secretary").has_usable_password()


def test_the_province_admin_sees_every_team_and_the_city_admin_only_theirs(loaded):
    province_admin = get_user_model().objects.get(username=PROVINCE_LOGIN.username)
    assert province_admin.check_password(PROVINCE_LOGIN.password)
    assert [region.name for region in roles_for(province_admin).admin_regions] == ["西藏自治区"]
    client = Client()
    client.force_login(province_admin)
    rows = client.get(reverse("regions:overview"), {"year": 2018}).context["rows"]
    assert len(rows) == 6

    city_client = Client()
    city_client.force_login(get_user_model().objects.get(username="regionadmin"))
    city_rows = city_client.get(reverse("regions:overview")).context["rows"]
    assert sorted(row.team.slug for row in city_rows) == sorted(
        [TEAM_SLUG, "shigatse-finance", "shigatse-housing"]
    )
