"""The public profile served whole from the cache (profiles/cache.py).

Every way the page's content can change must reach the visitor on the next request:
a recompute, a change noticed (the "being updated" notice), the team's texts, its
service projects, a category's name, a new day. Nothing personal is ever stored:
signed-in users and previews are rendered for them. And a cache that is down only
means the page is rendered.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import ActivityStatus
from activities.stats import team_figures_mark_stale, team_figures_recompute
from activities.tests.factories import ActivityFactory, ParticipationFactory
from conftest import text_of
from members.tests.factories import MemberFactory
from profiles import cache as page_cache
from teams.models import TeamCategory
from teams.tests.factories import ServiceCategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(personas):
    team = personas.team
    team.is_published = True
    team.published_on = datetime.date(2026, 3, 1)
    team.save()
    team_figures_recompute(team_id=team.pk)
    return team


def url(team) -> str:
    return reverse("profiles:profile", args=[team.slug])


def fetch(team, client: Client | None = None):
    response = (client or Client()).get(url(team))
    assert response.status_code == 200
    return response


def test_the_team_state_is_read_at_most_once_a_second(team, settings, django_assert_num_queries):
    """Under a spike of visitors one query a second per process; a change shows within it."""
    settings.PROFILE_STATE_SECONDS = 60
    assert fetch(team)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        assert fetch(team)["X-Page-Cache"] == "hit"
    team.recommending_unit = "市直机关工委"
    team.save()
    assert "市直机关工委" not in text_of(fetch(team))  # within the second: the state as read
    page_cache.forget_states()  # the second has passed
    assert "市直机关工委" in text_of(fetch(team))


def test_the_second_visit_is_served_from_the_cache_with_one_query(team, django_assert_num_queries):
    first = fetch(team)
    assert first["X-Page-Cache"] == "miss"
    # The key: the team's row and its figures' state.
    with django_assert_num_queries(1):
        second = fetch(team)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # The security headers are the middleware's, on every response.
    assert "Content-Security-Policy" in second
    assert second["X-Frame-Options"] == "DENY"


def test_a_cached_page_carries_no_per_visitor_token(team):
    html = fetch(team).content.decode()
    assert "csrfmiddlewaretoken" not in html


def test_signed_in_users_get_their_own_page_never_the_stored_one(team, personas):
    fetch(team)  # stored for the public
    client = Client()
    client.force_login(personas.secretary)
    response = fetch(team, client)
    assert "X-Page-Cache" not in response
    assert "退出" in text_of(response)  # their navigation bar, with "log out"
    # ... and what they saw is not stored for the public.
    assert "退出" not in text_of(fetch(team))


def test_a_query_string_is_rendered_not_stored(team):
    response = Client().get(url(team), {"x": "1"})
    assert "X-Page-Cache" not in response
    assert fetch(team)["X-Page-Cache"] == "miss"


def test_an_unpublished_profile_is_never_stored(team):
    team.is_published = False
    team.save()
    assert Client().get(url(team)).status_code == 404
    assert Client().get(url(team)).status_code == 404


def test_each_language_has_its_own_page(team):
    assert "组织名称" in text_of(fetch(team))
    english = Client()
    english.cookies["django_language"] = "en"
    assert "Organisation name" in text_of(fetch(team, english))
    assert "组织名称" in text_of(fetch(team))


def test_new_figures_show_on_the_next_visit(team):
    assert "累计开展志愿服务活动0次" in text_of(fetch(team)).replace(" ", "")
    member = MemberFactory(team=team, registered_on=datetime.date(2026, 1, 1))
    activity = ActivityFactory(
        team=team,
        start_date=datetime.date(2026, 2, 3),
        hours=Decimal("2.5"),
        status=ActivityStatus.APPROVED,
        approved_at=timezone.now(),
    )
    ParticipationFactory(activity=activity, member=member, hours=Decimal("2.5"))
    team_figures_recompute(team_id=team.pk)
    text = text_of(fetch(team)).replace(" ", "")
    assert "累计开展志愿服务活动1次" in text
    assert "总时长2.5小时" in text


def test_a_change_noticed_shows_the_updating_notice_at_once(team):
    assert "数据正在更新" not in text_of(fetch(team))
    team_figures_mark_stale(team_id=team.pk)
    assert "数据正在更新" in text_of(fetch(team))


def test_the_teams_texts_show_on_the_next_visit(team):
    fetch(team)
    team.recommending_unit = "市直机关工委"
    team.save()
    assert "市直机关工委" in text_of(fetch(team))


def test_service_projects_and_category_names_show_on_the_next_visit(team):
    fetch(team)
    category = ServiceCategoryFactory(name="助老服务")
    # As the profile form and the admin do: the projects are saved with the team.
    TeamCategory.objects.create(team=team, category=category, position=1)
    team.save()
    assert "助老服务" in text_of(fetch(team))
    category.name = "敬老助老"
    category.save()
    assert "敬老助老" in text_of(fetch(team))
    team.regular_categories.clear()
    team.save()
    assert "敬老助老" not in text_of(fetch(team))


def test_saving_some_fields_moves_the_key_too(team):
    """A save of chosen fields (the profile form, publishing) moves updated_at."""
    fetch(team)
    team.recommending_unit = "市直机关工委"
    team.save(update_fields=["recommending_unit"])
    assert "市直机关工委" in text_of(fetch(team))


def test_a_page_stored_yesterday_is_not_served_today(team, monkeypatch):
    fetch(team)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert fetch(team)["X-Page-Cache"] == "miss"


def test_figures_replaced_while_the_page_renders_are_not_served_as_current(team):
    """The key is read before the figures: a page rendered while a recompute commits
    is stored under the key of the state before it, which no later request asks for."""
    from django.http import HttpResponse

    today = timezone.localdate()

    def render_during_a_recompute():
        team_figures_recompute(team_id=team.pk)  # commits while the page renders
        return HttpResponse("figures read mid-recompute")

    first = page_cache.profile_cached(team.slug, "zh-hans", today, render_during_a_recompute)
    assert first["X-Page-Cache"] == "miss"
    second = page_cache.profile_cached(
        team.slug, "zh-hans", today, lambda: HttpResponse("after the recompute")
    )
    assert second.content == b"after the recompute"
    assert second["X-Page-Cache"] == "miss"
    third = page_cache.profile_cached(team.slug, "zh-hans", today, lambda: HttpResponse("x"))
    assert third.content == b"after the recompute"
    assert third["X-Page-Cache"] == "hit"


def test_a_cache_that_is_down_serves_the_page_from_the_database(team, settings):
    """Redis stopped (a port nobody listens on): every visit is rendered, none fails."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    assert type(caches["default"]).__name__ == "RedisCache"
    for _visit in range(2):
        response = fetch(team)
        assert "X-Page-Cache" not in response
        assert "组织名称" in text_of(response)


def test_the_language_switch_works_without_a_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/p/x/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


@pytest.mark.services
def test_the_stored_page_in_redis(team, settings):
    """With the shared cache production uses (CACHE_URL): what one process stores,
    every process serves, until the database says the team changed."""
    from django.core.cache import caches

    broker = settings.CELERY_BROKER_URL
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": broker.rsplit("/", 1)[0] + "/15",
        }
    }
    assert type(caches["default"]).__name__ == "RedisCache"
    caches["default"].clear()
    try:
        assert fetch(team)["X-Page-Cache"] == "miss"
        assert fetch(team)["X-Page-Cache"] == "hit"
        team_figures_mark_stale(team_id=team.pk)
        response = fetch(team)
        assert response["X-Page-Cache"] == "miss"
        assert "数据正在更新" in text_of(response)
        team.save()
        assert fetch(team)["X-Page-Cache"] == "miss"
        assert fetch(team)["X-Page-Cache"] == "hit"
    finally:
        caches["default"].clear()
