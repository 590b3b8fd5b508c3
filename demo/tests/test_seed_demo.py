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
from django.db.models import Count, F, Sum

from activities.models import Activity, ActivityStatus, MonthlyReview, Participation, TeamFigures
from demo.team import DEMO_LOGINS, TEAM_SLUG
from members.models import CadreRank, Member, phone_validator
from teams.access import roles_for
from teams.models import (
    DEFAULT_CATEGORY_NAMES,
    ErrorReport,
    Region,
    RegionAdmin,
    ServiceCategory,
    Team,
    TeamCategory,
    TeamRole,
)

# What demo/team.py was designed to give for 2018.
ACTIVITIES_2018 = 26
ACTIVITY_HOURS_2018 = Decimal("101.5")
PARTICIPATIONS_2018 = 527
PERSON_HOURS_2018 = Decimal("2276.5")
MATERIALS_2018 = 10700
PEOPLE_REACHED_2018 = 12282
MEMBERS = 121

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


@pytest.fixture
def team(db) -> Team:
    seed()
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
@pytest.mark.parametrize("username", list(PASSWORDS))
def test_each_demo_login_works_and_has_its_role(client, username):
    seed()
    team = Team.objects.get(slug=TEAM_SLUG)
    user = get_user_model().objects.get(username=username)
    roles = roles_for(user)

    assert log_in(client, username, PASSWORDS[username])
    assert user.first_name and user.last_name
    assert user.is_superuser == (username == "admin")
    assert user.is_staff == (username == "admin")
    expected_team_role = {"secretary": TeamRole.Role.SECRETARY, "staff": TeamRole.Role.STAFF}
    assert roles.role_on(team) == expected_team_role.get(username)
    assert len(roles.team_roles) == (1 if username in expected_team_role else 0)
    if username == "regionadmin":
        assert [region.name for region in roles.admin_regions] == ["日喀则市"]
        assert Region.objects.get(name="日喀则市").pk in roles.admin_region_ids()
    else:
        assert not roles.is_region_admin
    if username == "volunteer":
        assert roles.member.team == team
        assert roles.member != team.lead_member
        assert roles.member.cadre_rank == CadreRank.GENERAL
        assert roles.member.name == user.last_name + user.first_name
        assert roles.member.participations.exists()
    else:
        assert roles.member is None


@pytest.mark.django_db
def test_command_prints_the_logins_table():
    output = seed()

    assert [login.username for login in DEMO_LOGINS] == list(PASSWORDS)
    for username, password in PASSWORDS.items():
        assert re.search(rf"^{username}\s+{password}\s", output, re.MULTILINE), username
    for role in [
        "秘书 / team secretary",
        "录入员 / office staff",
        "文明办管理员 / civilization-office admin",
        "志愿者 / volunteer",
        "超级管理员 / superuser",
    ]:
        assert role in output
    assert "members 121" in output


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
