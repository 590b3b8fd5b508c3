"""A cache outage never refuses a save or fails a page (issue 13).

Nothing a save does touches the cache: the figures are marked stale in the database
and the stored public profile is keyed on the database (profiles/cache.py). The
only cache use on the way of a save is the recompute's coalescing, after commit and
guarded. So with the cache's Redis down, every save goes through, the figures are
caught up by their recompute (or the nightly reconcile), and every page renders.

The first tests point the cache at a port nobody listens on (both databases); the
services test starts a Redis of its own and stops it between two requests.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from activities.models import Activity, ActivityStatus, TeamFiguresState
from activities.stats import team_figures_recompute
from activities.tests.factories import ParticipationFactory, approval_data
from members.models import Member

pytestmark = pytest.mark.django_db


def _cache_at(settings, url: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    assert type(caches["default"]).__name__ == "RedisCache"


def _submitted(team) -> Activity:
    return ParticipationFactory(
        activity__team=team,
        activity__status=ActivityStatus.SUBMITTED,
        member__team=team,
    ).activity


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _published(team) -> None:
    team.is_published = True
    team.save()
    team_figures_recompute(team_id=team.pk)


def _every_save_goes_through(personas) -> None:
    """Approve one, approve two in bulk, add a member, save the rules and the profile."""
    team, client = personas.team, _signed_in(personas.secretary)
    one, two, three = _submitted(team), _submitted(team), _submitted(team)
    response = client.post(
        reverse("activities:approve", args=[team.slug, one.pk]), approval_data(one)
    )
    assert response.status_code == 302
    response = client.post(
        reverse("activities:bulk", args=[team.slug]),
        {
            "action": "approve",
            "activity": [two.pk, three.pk],
            **{f"version_{a.pk}": approval_data(a)["version"] for a in (two, three)},
        },
    )
    assert response.status_code == 302
    assert set(
        Activity.objects.filter(pk__in=[one.pk, two.pk, three.pk]).values_list("status", flat=True)
    ) == {ActivityStatus.APPROVED}
    response = client.post(
        reverse("members:create", args=[team.slug]),
        {
            "volunteer_number": "RKZ-CACHE-1",
            "name": "缓存测试",
            "gender": "female",
            "ethnicity": "藏族",
            "is_party_member": "on",
            "cadre_rank": "general",
            "registered_on": "2026-01-05",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Member.objects.filter(volunteer_number="RKZ-CACHE-1").exists()
    response = client.post(
        reverse("compliance:rules", args=[team.slug]),
        {"min_activities_per_month": 2, "min_participations_per_member_year": 12},
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.min_activities_per_month == 2
    response = client.post(
        reverse("profiles:edit", args=[team.slug]),
        {
            "name": team.name,
            "founded_year": team.founded_on.year,
            "founded_month": team.founded_on.month,
            "host_unit": team.host_unit,
            "recommending_unit": "西藏自治区文明办",
            "main_deeds": "<p>缓存停了也能保存</p>",
        },
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.recommending_unit == "西藏自治区文明办"


def _every_page_renders(personas) -> None:
    team = personas.team
    public = Client().get(reverse("profiles:profile", args=[team.slug]))
    assert public.status_code == 200
    assert "缓存停了也能保存" in public.content.decode()
    secretary = _signed_in(personas.secretary)
    for url in [
        reverse("dashboard:team", args=[team.slug]),
        reverse("activities:list", args=[team.slug]),
        reverse("compliance:review_default", args=[team.slug]),
    ]:
        assert secretary.get(url, follow=True).status_code == 200, url
    assert _signed_in(personas.region_admin).get(reverse("regions:overview")).status_code == 200
    # Monitoring is told: the cache is down, the site is degraded but working.
    health = Client().get(reverse("healthz")).json()
    assert health["cache"] != "ok"
    assert health["status"] in {"degraded", "down"}


def test_with_the_cache_down_saves_go_through_and_pages_render(personas, settings):
    _published(personas.team)
    _cache_at(settings, "redis://127.0.0.1:1/0")  # nobody listens there
    _every_save_goes_through(personas)
    _every_page_renders(personas)
    # The figures followed (the embedded default recomputes at once; the services run
    # queues it): at the least, the team is marked for its recompute.
    state = TeamFiguresState.objects.get(team=personas.team)
    assert state.stale or state.computed_at is not None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis():
    """A Redis server of this test's own, which it may stop."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (it comes with Debian's redis-server)")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed command
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    for _attempt in range(50):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.1)
    yield process, url
    process.kill()
    process.wait()


@pytest.mark.services
def test_the_cache_stopped_during_an_approval(personas, settings, own_redis):
    """The profile is stored in a running Redis; Redis stops; the approvals and other
    saves go through and every page is served, from the database."""
    process, url = own_redis
    team = personas.team
    _published(team)
    _cache_at(settings, url)
    profile = reverse("profiles:profile", args=[team.slug])
    assert Client().get(profile)["X-Page-Cache"] == "miss"
    assert Client().get(profile)["X-Page-Cache"] == "hit"
    process.terminate()
    process.wait(timeout=10)
    started = time.monotonic()
    _every_save_goes_through(personas)
    _every_page_renders(personas)
    # Each cache call gives up at once (connection refused) or after its timeout.
    assert time.monotonic() - started < 60
    assert "X-Page-Cache" not in Client().get(profile)
    assert TeamFiguresState.objects.filter(team=team).exists()
