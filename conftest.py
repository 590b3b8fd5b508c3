"""Shared fixtures: the personas every view is tried with, and the services guard.

Tests marked ``services`` need the real PostgreSQL, Redis and a Celery worker.
The embedded run deselects them (``-m "not services"``); in the service run a
missing service makes them *fail*, never skip, so CI cannot go green without
having talked to the real thing.
"""

from __future__ import annotations

import contextlib
import datetime
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from members.tests.factories import MemberFactory
from teams.models import TeamRole
from teams.tests.factories import (
    RegionAdminFactory,
    RegionFactory,
    TeamFactory,
    TeamRoleFactory,
    UserFactory,
)

PASSWORD = "correct-horse-42"


def redis_database_of_this_process(url: str, worker: str | None) -> str:
    """The Redis address this test process uses: pytest-xdist's process ``gwN`` takes the
    database N above the one configured (gw0 keeps it), so that each process's Celery
    worker takes only its own process's tasks and its purges drop nothing of another's,
    as pytest-django gives each process its own test database."""
    if not worker or not url.startswith(("redis://", "rediss://")):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    database = base + int(worker.removeprefix("gw"))
    if database > 15:
        raise pytest.UsageError(f"Redis has databases 0-15; {url} leaves none for {worker}")
    return urlunsplit(parts._replace(path=f"/{database}"))


def _own_redis_database() -> None:
    """Done at import, before the Celery app reads its settings; the environment too, for
    the worker subprocesses some tests start."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        url = getattr(settings, name, None)
        if url:
            own = redis_database_of_this_process(url, worker)
            setattr(settings, name, own)
            if name in os.environ:
                os.environ[name] = own


_own_redis_database()

CATALOGUE = Path(__file__).resolve().parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def catalogue_problem(po: Path = CATALOGUE) -> str | None:
    """Why the Chinese catalogue cannot be used as it is, or None: the pages' tests read
    their Chinese text from the compiled .mo, so a missing or stale one fails hundreds of
    them for one reason, which this says first."""
    mo = po.with_suffix(".mo")
    if not mo.exists():
        return f"{mo.name} is missing"
    if mo.stat().st_mtime < po.stat().st_mtime:
        return f"{mo.name} is older than {po.name}"
    return None


def pytest_sessionstart(session) -> None:
    problem = catalogue_problem()
    if problem:
        pytest.exit(
            f"The zh-hans catalogue is not compiled ({problem}): run `make catalogues` "
            "(or `python manage.py compile_catalogues`) and test again.",
            returncode=1,
        )


def service_problems() -> list[str]:
    problems = []
    if connection.vendor != "postgresql":
        problems.append(
            f"the database is {connection.vendor}, not PostgreSQL (set DATABASE_URL=postgres://...)"
        )
    broker = settings.CELERY_BROKER_URL
    if settings.CELERY_TASK_ALWAYS_EAGER or not broker.startswith("redis"):
        problems.append("no Redis broker configured (set CELERY_BROKER_URL=redis://...)")
    else:
        import redis

        try:
            redis.Redis.from_url(broker, socket_connect_timeout=2).ping()
        except Exception as exc:
            problems.append(f"Redis at {broker} does not answer: {exc}")
    return problems


@pytest.fixture(autouse=True)
def _services_guard(request):
    if request.node.get_closest_marker("services"):
        problems = service_problems()
        if problems:
            pytest.fail("Service test without its services: " + "; ".join(problems))


@pytest.fixture(autouse=True)
def _fresh_caches(settings):
    """Each test starts with an empty cache (stored profile pages, rate limits), and the
    public profile reads its team's state afresh on every request (profiles/cache.py;
    test_page_cache.py tests the once-a-second reading on its own)."""
    from django.core.cache import cache

    from profiles import cache as profile_cache

    cache.clear()
    profile_cache.forget_states()
    settings.PROFILE_STATE_SECONDS = 0
    yield


@pytest.fixture(scope="session")
def celery_worker():
    """A real Celery worker, in a thread, consuming from the Redis broker."""
    from unittest import mock

    from celery.contrib.testing.worker import start_worker
    from celery.fixups.django import DjangoWorkerFixup

    from volunteer_site.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail("celery_worker needs CELERY_BROKER_URL=redis://...")
    with contextlib.ExitStack() as stack:
        # Celery's Django fix-up closes the database connections of the thread that builds
        # the worker (at worker_init, and the solo pool's worker_process_init), this one:
        # inside a test's transaction (the worker asked for in the test's body) that loses
        # the transaction. The worker thread still closes its own around each task.
        with (
            mock.patch.object(DjangoWorkerFixup, "close_database", _leave_open),
            mock.patch.object(DjangoWorkerFixup, "on_worker_process_init", _leave_open),
        ):
            worker = stack.enter_context(
                start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10)
            )
        _worker_running.append(worker)
        yield worker
        _worker_running.clear()


_worker_running: list = []


def _leave_open(*args, **kwargs) -> None:
    return None


def drain_the_worker(timeout: float = 60.0) -> None:
    """Drop the tasks still queued and wait for the one the worker is running, so that no
    task of one test touches the database while the next test begins, or while a
    ``transaction=True`` test's tables are flushed (a task holding a row lock while the
    flush's TRUNCATE takes its locks ends in a deadlock and a failed flush). A message
    moves from the queue to the broker's unacked set to the worker's active requests, so
    reading them in that order cannot miss one in flight."""
    import time

    from celery.worker import state
    from kombu.transport.redis import Channel

    from volunteer_site.celery import app

    app.control.purge()
    deadline = time.monotonic() + timeout
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        # The queues the worker consumes (a test may declare one nobody does).
        consumer = getattr(_worker_running[0].consumer, "task_consumer", None)
        queues = [q.name for q in getattr(consumer, "queues", ())] or [app.conf.task_default_queue]
        while True:
            queued = sum(client.llen(q) for q in queues)
            unacked = client.hlen(Channel.unacked_key)
            if not (queued or unacked or state.active_requests):
                return
            if time.monotonic() > deadline:
                pytest.fail(
                    f"The Celery worker was still busy {timeout:.0f} s after the test "
                    f"({queued} queued, {unacked} unacked, {len(state.active_requests)} running)"
                )
            time.sleep(0.05)


def pytest_runtest_teardown(item, nextitem):
    """Before the test's fixtures are torn down (and its tables flushed)."""
    if _worker_running:
        drain_the_worker()


@dataclass
class Personas:
    """A team, its people, and the outsiders who must be refused."""

    team: object
    other_team: object
    region: object
    staff: object
    secretary: object
    other_staff: object
    other_secretary: object
    volunteer: object
    volunteer_member: object
    region_admin: object
    other_region_admin: object
    no_role: object


@pytest.fixture
def personas(db) -> Personas:
    return personas_create()


@pytest.fixture(scope="module")
def _personas_of_the_module(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        yield personas_create()


@pytest.fixture
def personas_kept(db, _personas_of_the_module) -> Personas:
    """The personas made once for a whole module (``kept_for_the_module``): for a module of
    many short tests, such as the permission matrix, where making them for each test was
    most of its time. Each test gets its own copies, read afresh from the database, so
    nothing a test changes on them, saved or not, reaches the next. A module uses them by
    defining ``personas`` as ``personas_kept`` (not for ``transaction=True`` tests)."""
    kept = _personas_of_the_module
    return Personas(
        **{field: type(value)._base_manager.get(pk=value.pk) for field, value in vars(kept).items()}
    )


def personas_create() -> Personas:
    province = RegionFactory(name="西藏自治区")
    region = RegionFactory(name="日喀则市", parent=province)
    other_region = RegionFactory(name="拉萨市", parent=province)
    team = TeamFactory(region=region, slug="our-team", name="我们的志愿服务队")
    other_team = TeamFactory(region=other_region, slug="other-team", name="别人的志愿服务队")
    staff = TeamRoleFactory(team=team, role=TeamRole.Role.STAFF, user__username="staff").user
    secretary = TeamRoleFactory(
        team=team, role=TeamRole.Role.SECRETARY, user__username="secretary"
    ).user
    other_staff = TeamRoleFactory(
        team=other_team, role=TeamRole.Role.STAFF, user__username="other_staff"
    ).user
    other_secretary = TeamRoleFactory(
        team=other_team, role=TeamRole.Role.SECRETARY, user__username="other_secretary"
    ).user
    volunteer = UserFactory(username="volunteer")
    volunteer_member = MemberFactory(
        team=team, user=volunteer, name="志愿者甲", registered_on=datetime.date(2016, 3, 1)
    )
    region_admin = RegionAdminFactory(region=region, user__username="region_admin").user
    other_region_admin = RegionAdminFactory(
        region=other_region, user__username="other_region_admin"
    ).user
    return Personas(
        team=team,
        other_team=other_team,
        region=region,
        staff=staff,
        secretary=secretary,
        other_staff=other_staff,
        other_secretary=other_secretary,
        volunteer=volunteer,
        volunteer_member=volunteer_member,
        region_admin=region_admin,
        other_region_admin=other_region_admin,
        no_role=UserFactory(username="no_role"),
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for attackers, not for the test suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (Playwright's own download is unavailable here)."""
    import os

    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk")
    # Playwright runs an event loop in this thread; Django must still allow
    # the test's synchronous database calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, request):
    """A fresh browser context per test; a screenshot is kept when the test fails."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Any Content-Security-Policy violation fails the test: the pages must keep to it.
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    yield page
    assert not violations, f"Content-Security-Policy violations: {violations}"
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        import pathlib

        folder = pathlib.Path("test-artifacts")
        folder.mkdir(exist_ok=True)
        page.screenshot(path=str(folder / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@contextlib.contextmanager
def kept_for_the_module(django_db_blocker):
    """For a module-scoped fixture: what is created inside stays for all the module's
    tests, in a transaction rolled back after its last test. Each test runs in a
    savepoint of it, so what a test changes is undone before the next, as usual. Not
    for ``transaction=True`` tests."""
    from django.db import transaction
    from django.test import override_settings

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    """The demo (the reference team and the region's other teams, with their logins and
    figures), loaded once for a whole test module (``kept_for_the_module``). Not beside
    ``personas``: both make the regions 西藏自治区 > 日喀则市."""
    from demo.region import demo_region_load
    from demo.team import demo_load

    with kept_for_the_module(django_db_blocker):
        yield demo_load(), demo_region_load()


def client_for(user=None):
    """A test client, signed in as ``user`` (anonymous when None)."""
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def log_in_browser(page, base_url: str, username: str, password: str) -> None:
    """Log in through the login page, by its visible labels, and wait until it is left."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def text_of(response) -> str:
    """A page's visible text, roughly: scripts and styles dropped, tags removed,
    whitespace collapsed."""
    import re

    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
