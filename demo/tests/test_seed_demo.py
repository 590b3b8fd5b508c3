"""``manage.py seed_demo``: the reference team's 2018 figures come out as the profile states.

The figures are computed here straight from the rows with ORM aggregates, not through
the product's statistics code, so these tests check the data itself. Each figure is
asserted twice: exactly as designed in demo/team.py, and within what the reference
profile states (26 activities, about 100 hours, 500+ participant-times, ...).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from activities.models import Activity, ActivityStatus, MonthlyReview, Participation, TeamFigures
from activities.stats import team_figures_recompute
from demo.team_data import TEAM_SLUG
from members.models import CadreRank, Member
from teams.models import (
    ErrorReport,
    RegionAdmin,
    ServiceCategory,
    Team,
    TeamCategory,
    TeamRole,
)

# What demo/team.py was designed to give for 2018.
PARTICIPATIONS_2018 = 527

PASSWORDS = {
    "secretary": "demo-secretary-2018",
    "staff": "demo-staff-2018",
    "regionadmin": "demo-region-2018",
    "volunteer": "demo-volunteer-2018",
    "admin": "demo-admin-2018",
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The demo sets five passwords; the default hasher would make each load seconds slower.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*, reset: bool = False) -> str:
    out = StringIO()
    call_command("seed_demo", public_passwords_ok=True, reset=reset, stdout=out)
    return out.getvalue()


def approved_2018(team: Team):
    return Activity.objects.filter(team=team, status=ActivityStatus.APPROVED, start_date__year=2018)


def model_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def activity_snapshot() -> list[tuple]:
    return sorted(
        Activity.objects.annotate(people=Count("participations")).values_list(
            "title", "start_date", "hours", "status", "people", "updated_at"
        )
    )


def member_snapshot() -> list[tuple]:
    return list(
        Member.objects.order_by("volunteer_number").values_list(
            "volunteer_number", "name", "cadre_rank", "phone", "registered_on", "user__username"
        )
    )


def assert_logins_printed(output: str) -> None:
    for username, password in PASSWORDS.items():
        assert re.search(rf"^{username}\s+{password}\s", output, re.MULTILINE), username
    assert re.search(r"^provinceadmin\s+demo-province-2018\s", output, re.MULTILINE)


def edit_the_demo() -> None:
    """What people do on a demo site: rename a member, log an activity (in a category of
    the team's own, with a new member), raise the village trip's hours, drop and add
    participants, change a password and the profile, give someone a role, report an
    error, and change another demo team's member and sign-offs."""
    team = Team.objects.get(slug=TEAM_SLUG)
    renamed = Member.objects.get(volunteer_number="540201180005")
    renamed.name = "改过名的队员"
    renamed.save()
    newcomer = Member.objects.create(
        team=team,
        volunteer_number="NEW0001",
        name="新来的队员",
        gender="female",
        registered_on=datetime.date(2026, 11, 1),
    )
    own = ServiceCategory.objects.create(team=team, name="本队自定义类别")
    added = Activity.objects.create(
        team=team,
        category=own,
        title="演示站上新加的活动",
        start_date=datetime.date(2026, 11, 26),
        end_date=datetime.date(2026, 11, 26),
        hours=Decimal("2.0"),
        status=ActivityStatus.APPROVED,
        approved_at=datetime.datetime(2026, 11, 27, tzinfo=datetime.UTC),
    )
    Participation.objects.create(activity=added, member=newcomer, hours=Decimal("2.0"))
    trip = approved_2018(team).get(start_date=datetime.date(2018, 1, 12))
    Activity.objects.filter(pk=trip.pk).update(hours=Decimal("20.0"))
    trip.participations.update(hours=Decimal("20.0"))
    trip.participations.filter(member__cadre_rank=CadreRank.SECTION).first().delete()
    railway = approved_2018(team).get(title__contains="火车站", start_date__month=7)
    absent = Member.objects.filter(team=team, registered_on__lt=datetime.date(2018, 1, 1)).exclude(
        participations__activity=railway
    )
    Participation.objects.create(activity=railway, member=absent.get(), hours=Decimal("1.0"))
    staff = get_user_model().objects.get(username="staff")
    staff.set_password("something-else-1")
    staff.save()
    Team.objects.filter(pk=team.pk).update(main_deeds="<p>改过的主要事迹</p>", is_published=False)
    helper = get_user_model().objects.create_user("helper", password="helper-password-1")
    TeamRole.objects.create(user=helper, team=team, role=TeamRole.Role.STAFF)
    ErrorReport.objects.create(team=team, description="电话号码有误", ip_hash="x")
    lhasa = Member.objects.filter(team__slug="lhasa-gov-office").order_by("volunteer_number")[0]
    lhasa.name = "拉萨改名"
    lhasa.save()
    MonthlyReview.objects.filter(team__slug="lhasa-gov-office", year=2018).delete()


def demo_state() -> dict[str, list]:
    """The demo as people see it, by natural keys (no ids, no times of writing)."""
    # The demo's accounts (the helper's account, not demo data, outlives a reset).
    users = get_user_model().objects.exclude(username="helper").order_by("username")
    return {
        "teams": list(
            Team.objects.order_by("slug").values_list(
                "slug",
                "name",
                "region__name",
                "host_unit",
                "founded_on",
                "lead_member__volunteer_number",
                "lead_name",
                "lead_title",
                "main_deeds",
                "is_published",
                "published_on",
                "min_participations_per_member_year",
            )
        ),
        "categories": sorted(
            TeamCategory.objects.values_list("team__slug", "category__name", "position")
        ),
        "own categories": list(ServiceCategory.objects.filter(team__isnull=False)),
        "members": sorted(
            Member.objects.values_list(
                "team__slug",
                "volunteer_number",
                "name",
                "cadre_rank",
                "phone",
                "registered_on",
                "left_on",
                "user__username",
            )
        ),
        "activities": sorted(
            Activity.objects.values_list(
                "team__slug",
                "title",
                "start_date",
                "end_date",
                "category__name",
                "hours",
                "status",
                "organiser",
                "people_reached",
                "donation_yuan",
                "created_by__username",
                "approved_by__username",
                "approved_at",
            )
        ),
        "participations": sorted(
            Participation.objects.values_list(
                "activity__team__slug",
                "activity__title",
                "activity__start_date",
                "member__volunteer_number",
                "hours",
                "role",
            )
        ),
        "reviews": sorted(
            MonthlyReview.objects.values_list(
                "team__slug", "year", "month", "signed_by__username", "signed_at"
            )
        ),
        "figures": sorted(
            TeamFigures.objects.values_list(
                "team__slug",
                "kind",
                "year",
                "month",
                "activities",
                "activity_hours",
                "participant_times",
                "person_hours",
                "registered_volunteers",
                "volunteers_at_end",
            )
        ),
        "roles": sorted(TeamRole.objects.values_list("user__username", "team__slug", "role")),
        "admins": sorted(RegionAdmin.objects.values_list("user__username", "region__name")),
        "users": list(
            users.values_list("username", "first_name", "last_name", "is_staff", "is_superuser")
        ),
        "error reports": list(ErrorReport.objects.all()),
    }


@pytest.mark.django_db
def test_a_second_run_keeps_what_was_changed(client):
    seed()
    edit_the_demo()
    counts, activities, members = model_counts(), activity_snapshot(), member_snapshot()
    state = demo_state()

    output = seed()

    # Nothing was written: not a row, not a history entry, not a figure.
    assert model_counts() == counts
    assert activity_snapshot() == activities  # updated_at included: nothing was re-saved
    assert member_snapshot() == members
    assert demo_state() == state
    assert Member.objects.get(volunteer_number="540201180005").name == "改过名的队员"
    assert Activity.objects.filter(title="演示站上新加的活动").exists()
    assert log_in(client, "staff", "something-else-1")
    assert "已存在" in output and "--reset" in output
    assert_logins_printed(output)


@pytest.mark.django_db
def test_reset_puts_the_demo_back(client):
    seed()
    loaded = demo_state()
    edit_the_demo()
    assert demo_state() != loaded

    output = seed(reset=True)

    assert demo_state() == loaded
    assert not Member.objects.filter(name__in=["改过名的队员", "新来的队员", "拉萨改名"]).exists()
    team = Team.objects.get(slug=TEAM_SLUG)
    trip = approved_2018(team).get(start_date=datetime.date(2018, 1, 12))
    assert trip.hours == Decimal("12.0")
    assert trip.participations.count() == 44
    assert Participation.objects.filter(activity__in=approved_2018(team)).count() == (
        PARTICIPATIONS_2018
    )
    assert log_in(client, "staff", PASSWORDS["staff"])
    assert_logins_printed(output)
    # The helper keeps their account (not demo data), without the role on the demo team.
    assert get_user_model().objects.filter(username="helper").exists()


@pytest.mark.django_db
def test_reset_on_an_empty_database_loads_the_demo():
    output = seed(reset=True)

    assert Team.objects.filter(slug=TEAM_SLUG).exists()
    assert Team.objects.count() == 6
    assert_logins_printed(output)


@pytest.mark.django_db
def test_refuses_to_create_public_logins_on_a_production_site(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--public-passwords-ok"):
        call_command("seed_demo", stdout=StringIO())
    assert not Team.objects.exists()


def log_in(client, username: str, password: str) -> bool:
    """Through the login page, as a person would (django-axes needs the request)."""
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
def test_seed_demo_prints_the_province_login(settings):
    settings.DEBUG = True  # as `make run` serves it: the demo logins need no new password
    out = StringIO()
    call_command("seed_demo", public_passwords_ok=True, stdout=out)
    output = out.getvalue()
    assert re.search(r"^provinceadmin\s+demo-province-2018\s", output, re.MULTILINE)
    assert "其他演示队伍 other demo teams: 5" in output
    # The reference team's figures are queued after commit; a test never commits.
    team_figures_recompute(team_id=Team.objects.get(slug=TEAM_SLUG).pk)
    # The reference team's figures are those of its profile, also in the overview.
    client = Client()
    client.force_login(get_user_model().objects.get(username="provinceadmin"))
    rows = client.get(reverse("regions:overview"), {"year": 2018}).context["rows"]
    reference = next(row for row in rows if row.team.slug == TEAM_SLUG)
    assert reference.texts["activities"] == "26"
    assert reference.texts["volunteers"] == "121"
    assert reference.texts["person_hours"] == "2276.5"
    assert reference.texts["hours_per_volunteer"] == "18.8"
