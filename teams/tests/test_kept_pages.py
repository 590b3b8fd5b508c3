"""Kept signed-in pages (volunteer_site/fragments.py) and the counters that key them
(teams/page_versions.py).

The activity list, the compliance review and the region overview are stored in the
cache under a key made of everything they show. Every way their content can change
must reach the reader on the next request; the tests below go through each, with the
page already kept, and check that the kept copy is used when nothing changed.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from activities.models import (
    Activity,
    ActivityStatus,
    MonthlyReview,
    Participation,
    TeamFiguresState,
)
from activities.stats import team_figures_recompute
from activities.tests.factories import ActivityFactory, ParticipationFactory
from members.tests.factories import MemberFactory
from teams import page_versions
from teams.models import PageVersion, Region, ServiceCategory, TeamCategory
from teams.tests.factories import (
    RegionAdminFactory,
    RegionFactory,
    ServiceCategoryFactory,
    TeamFactory,
)
from teams.tests.test_overview import approved
from volunteer_site import fragments

pytestmark = pytest.mark.django_db


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def version(kind: int, key: int) -> int:
    row = PageVersion.objects.filter(kind=kind, key=key).first()
    return row.version if row else 0


def fetch(client: Client, url: str, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def text_of(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def list_url(team) -> str:
    return reverse("activities:list", args=[team.slug])


# --- The counters ------------------------------------------------------------------------


def test_an_activity_moves_its_teams_counter_only(personas):
    team, other = personas.team, personas.other_team
    start = version(1, team.pk), version(1, other.pk)
    activity = ActivityFactory(team=team)
    assert version(1, team.pk) > start[0]
    moved = version(1, team.pk)
    Activity.objects.filter(pk=activity.pk).update(title="改了名字")  # no signal sent
    assert version(1, team.pk) > moved
    moved = version(1, team.pk)
    activity.delete()
    assert version(1, team.pk) > moved
    assert version(1, other.pk) == start[1]


def test_participations_move_the_team_counter_by_every_path(personas):
    team = personas.team
    activity = ActivityFactory(team=team, hours=Decimal("4.0"))
    members = MemberFactory.create_batch(3, team=team)
    before = version(1, team.pk)
    Participation.objects.bulk_create(
        [Participation(activity=activity, member=m, hours=Decimal("2.0")) for m in members]
    )
    after_insert = version(1, team.pk)
    if connection.vendor == "postgresql":
        assert after_insert == before + 1  # once per statement, not per row
    assert after_insert > before
    Participation.objects.filter(activity=activity).update(hours=Decimal("3.0"))
    assert version(1, team.pk) > after_insert
    moved = version(1, team.pk)
    Participation.objects.filter(activity=activity, member=members[0]).delete()
    assert version(1, team.pk) > moved


def test_figures_state_and_team_rows_move_their_regions_counter(personas):
    team, other = personas.team, personas.other_team
    region, other_region = team.region_id, other.region_id
    start_other = version(2, other_region)
    before = version(2, region)
    team_figures_recompute(team_id=team.pk)
    assert version(2, region) > before
    moved = version(2, region)
    TeamFiguresState.objects.filter(team=team).update(stale=True)
    assert version(2, region) > moved
    assert version(2, other_region) == start_other
    # A team moved to another region moves both.
    moved = version(2, region)
    team.region_id = other_region
    team.save()
    assert version(2, region) > moved
    assert version(2, other_region) > start_other


def test_a_monthly_review_moves_the_team_and_its_region(personas):
    team = personas.team
    before = version(1, team.pk), version(2, team.region_id)
    MonthlyReview.objects.create(
        team=team,
        year=2026,
        month=1,
        signed_by=personas.secretary,
        signed_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC),
    )
    assert version(1, team.pk) > before[0]
    assert version(2, team.region_id) > before[1]


@pytest.mark.parametrize("change", ["region", "category", "team-category"])
def test_regions_and_categories_move_the_global_counter(personas, change):
    before = version(3, 0)
    if change == "region":
        Region.objects.filter(pk=personas.team.region_id).update(name="新名字")
    elif change == "category":
        ServiceCategory.objects.update(name="改名")
        ServiceCategoryFactory()
    else:
        TeamCategory.objects.create(team=personas.team, category=ServiceCategoryFactory())
    assert version(3, 0) > before


def test_the_regions_number_covers_every_region_below_and_nothing_beside(personas):
    province = personas.team.region.parent
    county = RegionFactory(name="桑珠孜区", parent=personas.team.region)
    team_in_county = TeamFactory(region=county)
    city, elsewhere = personas.team.region_id, personas.other_team.region_id
    numbers = {
        "province": page_versions.regions_version([province.pk]),
        "city": page_versions.regions_version([city]),
        "elsewhere": page_versions.regions_version([elsewhere]),
    }
    team_figures_recompute(team_id=team_in_county.pk)  # two levels below the province
    assert page_versions.regions_version([province.pk]) > numbers["province"]
    assert page_versions.regions_version([city]) > numbers["city"]
    assert page_versions.regions_version([elsewhere]) == numbers["elsewhere"]
    assert page_versions.regions_version([]) == version(3, 0)


def test_a_truncate_moves_every_key(personas):
    """By hand only (the app never truncates): no rows to name, so the global counter."""
    before = version(3, 0)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE activities_monthlyreview")
        else:  # SQLite's TRUNCATE: a DELETE without WHERE, row by row
            MonthlyReview.objects.create(
                team=personas.team,
                year=2026,
                month=1,
                signed_by=personas.secretary,
                signed_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC),
            )
            before = version(1, personas.team.pk)
            cursor.execute("DELETE FROM activities_monthlyreview")
    if connection.vendor == "postgresql":
        assert version(3, 0) > before
    else:
        assert version(1, personas.team.pk) > before


def test_the_triggers_come_back_after_migrate(personas):
    """SQLite drops a table's triggers when Django rebuilds it; migrate puts them back."""
    from django.core.management import call_command

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER pageversion_activities_activity_insert")
        else:
            cursor.execute(
                "DROP TRIGGER pageversion_activities_activity_insert ON activities_activity"
            )
    call_command("migrate", verbosity=0)
    before = version(1, personas.team.pk)
    ActivityFactory(team=personas.team)
    assert version(1, personas.team.pk) > before


# --- The activity list ----------------------------------------------------------------------


def test_the_list_is_kept_until_the_teams_activities_change(
    personas, django_assert_max_num_queries
):
    team = personas.team
    client = client_for(personas.secretary)
    ActivityFactory(team=team, title="清扫街道", status=ActivityStatus.DRAFT)
    first = fetch(client, list_url(team))
    assert first.wsgi_request.kept_content == "miss"
    # The session, the user, two for the roles, the counters, the session's save (in a
    # savepoint under the test's transaction: two more).
    with django_assert_max_num_queries(8):
        again = fetch(client, list_url(team))
    assert again.wsgi_request.kept_content == "hit"
    assert text_of(again) == text_of(first)
    # A draft logged, a title changed, a participant added, an activity deleted: each
    # shows on the next request.
    ActivityFactory(team=team, title="看望老人", status=ActivityStatus.DRAFT)
    assert "看望老人" in text_of(fetch(client, list_url(team)))
    Activity.objects.filter(team=team, title="清扫街道").update(title="清扫广场")
    page = text_of(fetch(client, list_url(team)))
    assert "清扫广场" in page and "清扫街道" not in page
    activity = Activity.objects.get(title="看望老人")
    ParticipationFactory(activity=activity, hours=Decimal("2.0"))
    ParticipationFactory(activity=activity, hours=Decimal("2.0"))
    row = re.search(r"看望老人.*?</tr>", fetch(client, list_url(team)).content.decode(), re.S)
    assert re.search(r">\s*2\s*<", row.group(0)), "the participant count"
    activity.delete()
    assert "看望老人" not in text_of(fetch(client, list_url(team)))


def test_the_list_is_kept_per_role_query_and_language(personas):
    team = personas.team
    ActivityFactory(team=team, title="清扫街道", status=ActivityStatus.DRAFT)
    secretary, staff = client_for(personas.secretary), client_for(personas.staff)
    assert "从 Excel 导入" in text_of(fetch(secretary, list_url(team)))
    staff_page = fetch(staff, list_url(team))
    assert staff_page.wsgi_request.kept_content == "miss"
    assert "从 Excel 导入" not in text_of(staff_page)  # the secretary's import button
    filtered = fetch(secretary, list_url(team), q="没有这个")
    assert filtered.wsgi_request.kept_content == "miss"
    assert "清扫街道" not in text_of(filtered)
    english = Client(headers={"accept-language": "en"})
    english.force_login(personas.secretary)
    english.cookies["django_language"] = "en"
    page = fetch(english, list_url(team))
    assert page.wsgi_request.kept_content == "miss"
    assert "Import from Excel" in text_of(page)


def test_the_team_renamed_shows_on_its_kept_list(personas):
    """The key has no team fields: the team's row moves the team's counter."""
    team = personas.team
    client = client_for(personas.secretary)
    fetch(client, list_url(team))
    assert fetch(client, list_url(team)).wsgi_request.kept_content == "hit"
    type(team).objects.filter(pk=team.pk).update(name="新名字党员志愿服务队")
    page = fetch(client, list_url(team))
    assert page.wsgi_request.kept_content == "miss"
    assert "新名字党员志愿服务队" in text_of(page)


def test_a_category_renamed_shows_on_the_kept_list(personas):
    category = ServiceCategoryFactory(name="扶贫帮困")
    ActivityFactory(team=personas.team, category=category, status=ActivityStatus.DRAFT)
    client = client_for(personas.secretary)
    assert "扶贫帮困" in text_of(fetch(client, list_url(personas.team)))
    ServiceCategory.objects.filter(pk=category.pk).update(name="精准扶贫")
    assert "精准扶贫" in text_of(fetch(client, list_url(personas.team)))


def test_a_kept_page_carries_each_readers_own_csrf_token(personas):
    """The awaiting list's bulk form: stored once, posted by each reader with their token."""
    team = personas.team
    activity = ActivityFactory(team=team, status=ActivityStatus.SUBMITTED)
    url = reverse("activities:awaiting", args=[team.slug])
    tokens = []
    for _ in range(2):
        client = client_for(personas.secretary, enforce_csrf_checks=True)
        page = fetch(client, url)
        html = page.content.decode()
        assert fragments.CSRF_MARK not in html
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        tokens.append((client, token, page.wsgi_request.kept_content))
    assert [kept for _, _, kept in tokens] == ["miss", "hit"]
    client, token, _ = tokens[1]
    version = re.search(rf'name="version_{activity.pk}" value="([^"]+)"', html).group(1)
    response = client.post(
        reverse("activities:bulk", args=[team.slug]),
        {
            "csrfmiddlewaretoken": token,
            "action": "approve",
            "activity": [activity.pk],
            f"version_{activity.pk}": version,
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.APPROVED


def test_a_new_day_is_a_new_key(personas, monkeypatch):
    client = client_for(personas.secretary)
    fetch(client, list_url(personas.team))
    assert fetch(client, list_url(personas.team)).wsgi_request.kept_content == "hit"
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(fragments.timezone, "localdate", lambda *args: tomorrow)
    assert fetch(client, list_url(personas.team)).wsgi_request.kept_content == "miss"


# --- The compliance review -------------------------------------------------------------------


def review_url(team, year: int, month: int) -> str:
    return reverse("activities:review", kwargs={"slug": team.slug, "year": year, "month": month})


def test_the_review_is_kept_between_recomputes_and_sign_offs(personas):
    team = personas.team
    today = datetime.date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    member = MemberFactory(team=team, name="王小明", registered_on=datetime.date(year, 1, 1))
    approved(team, datetime.date(year, month, 3), "3.0", [member])
    team_figures_recompute(team_id=team.pk)
    client = client_for(personas.secretary)
    url = review_url(team, year, month)
    first = fetch(client, url)
    assert first.wsgi_request.kept_content == "miss"
    assert fetch(client, url).wsgi_request.kept_content == "hit"
    # A second activity: stale until the recompute, so rendered each time meanwhile.
    approved(team, datetime.date(year, month, 10), "3.0", [member])
    assert fetch(client, url).wsgi_request.kept_content == "off"
    team_figures_recompute(team_id=team.pk)
    fresh = fetch(client, url)
    assert fresh.wsgi_request.kept_content == "miss"
    row = re.search(r"王小明.*?</tr>", fresh.content.decode(), re.S).group(0)
    assert re.search(r">\s*2\s*<", row), "two participations this year"
    # Signed off: the kept page says so at once.
    fingerprint = fresh.context["sign_form"].initial["fingerprint"]
    client.post(
        reverse("activities:review_sign", args=[team.slug, year, month]),
        {"comment": "已核对", "fingerprint": fingerprint},
    )
    signed = fetch(client, url)
    assert signed.wsgi_request.kept_content == "miss"
    assert "已核对" in text_of(signed)
    # The awaiting count in the tabs follows the activities.
    ActivityFactory(team=team, status=ActivityStatus.SUBMITTED)
    tabs = re.search(r'<ul class="nav nav-tabs.*?</ul>', fetch(client, url).content.decode(), re.S)
    assert "badge" in tabs.group(0)


def test_the_signers_new_name_shows_on_the_kept_review(personas):
    team = personas.team
    today = datetime.date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    member = MemberFactory(team=team, registered_on=datetime.date(year, 1, 1))
    approved(team, datetime.date(year, month, 3), "3.0", [member])
    team_figures_recompute(team_id=team.pk)
    client = client_for(personas.secretary)
    url = review_url(team, year, month)
    fingerprint = fetch(client, url).context["sign_form"].initial["fingerprint"]
    client.post(
        reverse("activities:review_sign", args=[team.slug, year, month]),
        {"comment": "", "fingerprint": fingerprint},
    )
    assert fetch(client, url).wsgi_request.kept_content == "miss"
    assert fetch(client, url).wsgi_request.kept_content == "hit"
    personas.secretary.last_name, personas.secretary.first_name = "李", "秘书"
    personas.secretary.save()
    assert "李秘书" in text_of(fetch(client, url))


# --- The region overview ---------------------------------------------------------------------


def overview_url() -> str:
    return reverse("regions:overview")


def test_the_overview_is_kept_until_a_team_below_changes(personas):
    team = personas.team
    team_figures_recompute(team_id=team.pk)
    province = team.region.parent
    admin = client_for(RegionAdminFactory(region=province, user__username="province").user)
    first = fetch(admin, overview_url())
    assert first.wsgi_request.kept_content == "miss"
    assert fetch(admin, overview_url()).wsgi_request.kept_content == "hit"
    # A team renamed; a new approved activity once recomputed; a team founded below.
    team.name = "换了名字的志愿服务队"
    team.save()
    assert "换了名字的志愿服务队" in text_of(fetch(admin, overview_url()))
    member = MemberFactory(team=team, registered_on=datetime.date(2016, 1, 1))
    approved(team, datetime.date.today().replace(day=1), "7.5", [member])
    team_figures_recompute(team_id=team.pk)
    row = re.search(
        r"换了名字的志愿服务队.*?</tr>", fetch(admin, overview_url()).content.decode(), re.S
    )
    assert "7.5" in row.group(0)
    county = RegionFactory(name="桑珠孜区", parent=team.region)
    TeamFactory(region=county, name="县里新成立的服务队")
    assert "县里新成立的服务队" in text_of(fetch(admin, overview_url()))


def test_the_overview_is_kept_per_admins_regions(personas):
    team_figures_recompute(team_id=personas.team.pk)
    team_figures_recompute(team_id=personas.other_team.pk)
    city = fetch(client_for(personas.region_admin), overview_url())
    other = fetch(client_for(personas.other_region_admin), overview_url())
    assert other.wsgi_request.kept_content == "miss"
    assert personas.team.name in text_of(city) and personas.team.name not in text_of(other)
    assert personas.other_team.name in text_of(other)


@pytest.mark.services
def test_kept_pages_in_redis(personas, settings):
    """With the shared cache production uses (CACHE_URL): a page one process kept is
    served to the others, and a change reaches them all through the database's key."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/15",
        }
    }
    assert type(caches["default"]).__name__ == "RedisCache"
    caches["default"].clear()
    try:
        team = personas.team
        ActivityFactory(team=team, title="清扫街道", status=ActivityStatus.DRAFT)
        first, second = client_for(personas.secretary), client_for(personas.secretary)
        assert fetch(first, list_url(team)).wsgi_request.kept_content == "miss"
        kept = fetch(second, list_url(team))
        assert kept.wsgi_request.kept_content == "hit"
        assert "清扫街道" in text_of(kept)
        ActivityFactory(team=team, title="看望老人", status=ActivityStatus.DRAFT)
        changed = fetch(second, list_url(team))
        assert changed.wsgi_request.kept_content == "miss"
        assert "看望老人" in text_of(changed)
    finally:
        caches["default"].clear()
