"""A database connection that drops mid-request: a clear "try again" page, never a 500 or a 400.

The drop is made two ways: a query that raises what psycopg2 raises for a lost
connection (both runs), and, on PostgreSQL, the request's own server process
terminated with pg_terminate_backend just before a query (services).
"""

from __future__ import annotations

import collections
import datetime
import re
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.test.client import RequestFactory
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from activities.models import Activity, ActivityStatus
from activities.tests.factories import ParticipationFactory, approval_data
from volunteer_site import db_faults

LOST = {
    "OperationalError": OperationalError("server closed the connection unexpectedly"),
    "InterfaceError": InterfaceError("connection already closed"),
}


def browser_client(user) -> Client:
    client = Client(raise_request_exception=False)  # what the browser gets, not the traceback
    client.force_login(user)
    return client


def submitted_activity(personas) -> Activity:
    return ParticipationFactory(
        activity__team=personas.team,
        activity__status=ActivityStatus.SUBMITTED,
        activity__start_date=datetime.date(2018, 5, 10),
        member__team=personas.team,
    ).activity


@contextmanager
def connection_lost_at(pattern: str, *, error: Exception | None = None, terminate: bool = False):
    """The first query matching ``pattern`` fails as if the connection dropped: it
    raises ``error``, or (``terminate``) its server process is terminated first.
    Yields a list that holds the SQL once it happened."""
    happened: list[str] = []

    def drop(execute, sql, params, many, context):
        if not happened and re.search(pattern, sql):
            happened.append(sql)
            if terminate:
                terminate_backend(context["connection"])
            else:
                raise error
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop):
        yield happened
    if terminate:
        connection.close()  # the test's next query connects afresh, as the next request would


def terminate_backend(wrapper) -> None:
    import psycopg2

    pid = wrapper.connection.get_backend_pid()
    with psycopg2.connect(**wrapper.get_connection_params()) as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])  # waits until it is gone
    other.close()


def assert_try_again_page(response, *, reload: bool) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(db_faults.RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "暂时无法连接数据库" in page
    assert ('http-equiv="refresh"' in page) is reload
    assert ("可能没有保存" in page) is not reload


# --- In the view: the "try again" page -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("lost", LOST)
def test_a_page_whose_connection_drops_says_try_again_and_reloads_itself(personas, lost):
    activity = submitted_activity(personas)
    client = browser_client(personas.staff)
    with connection_lost_at(r'FROM "activities_activity"', error=LOST[lost]) as happened:
        response = client.get(activity.get_absolute_url())
    assert happened
    assert_try_again_page(response, reload=True)


@pytest.mark.django_db
def test_a_save_whose_connection_drops_says_it_may_not_be_saved(personas):
    activity = submitted_activity(personas)
    client = browser_client(personas.secretary)
    url = reverse("activities:approve", args=[personas.team.slug, activity.pk])
    with connection_lost_at(r'^UPDATE "activities_activity"', error=LOST["OperationalError"]):
        response = client.post(url, approval_data(activity))
    assert_try_again_page(response, reload=False)  # a POST is never repeated by itself
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SUBMITTED


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_page_whose_server_process_is_terminated_says_try_again(personas):
    activity = submitted_activity(personas)
    client = browser_client(personas.staff)
    with connection_lost_at(r'FROM "activities_activity"', terminate=True) as happened:
        response = client.get(activity.get_absolute_url())
    assert happened
    assert_try_again_page(response, reload=True)
    assert client.get(activity.get_absolute_url()).status_code == 200  # the next one reconnects


@pytest.mark.django_db
def test_the_try_again_page_needs_no_database(django_assert_num_queries):
    def touched():
        raise AssertionError("the page touched the user or the session")

    request = RequestFactory().get("/teams/our-team/")
    request.user = SimpleLazyObject(touched)
    request.session = SimpleLazyObject(touched)
    with django_assert_num_queries(0):
        response = db_faults.database_unavailable(request)
    assert_try_again_page(response, reload=True)
    page = response.content.decode()
    assert "志愿服务队" in page and "数据由系统统计" in page  # the site's layout (bar, footer)
    assert "登录" not in page  # the visitor is still signed in


# --- At the session's save, after the view: the view's answer stands -----------------------


@pytest.mark.django_db
@pytest.mark.parametrize("lost", LOST)
def test_a_connection_dropped_at_the_session_save_keeps_the_views_answer(personas, lost):
    """Django answers 400 "the session was deleted" here, though the approval was saved."""
    activity = submitted_activity(personas)
    client = browser_client(personas.secretary)
    url = reverse("activities:approve", args=[personas.team.slug, activity.pk])
    with connection_lost_at(r'^UPDATE "django_session"', error=LOST[lost]) as happened:
        response = client.post(url, approval_data(activity))
    assert happened
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url()
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.APPROVED


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_server_process_terminated_at_the_session_save_keeps_the_views_answer(personas):
    activity = submitted_activity(personas)
    client = browser_client(personas.secretary)
    url = reverse("activities:approve", args=[personas.team.slug, activity.pk])
    with connection_lost_at(r'^UPDATE "django_session"', terminate=True) as happened:
        response = client.post(url, approval_data(activity))
    assert happened
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.APPROVED
    assert client.get(activity.get_absolute_url()).status_code == 200  # still signed in


@pytest.mark.django_db
def test_a_session_really_deleted_meanwhile_is_still_refused(personas):
    """Logged out in another tab during the request: Django's 400 stands (not a fault)."""
    activity = submitted_activity(personas)
    client = browser_client(personas.secretary)
    session_key = client.session.session_key
    url = reverse("activities:approve", args=[personas.team.slug, activity.pk])

    def log_out_elsewhere(execute, sql, params, many, context):
        if sql.startswith('UPDATE "django_session"'):
            with connection.cursor() as cursor:
                cursor.execute('DELETE FROM "django_session" WHERE session_key = %s', [session_key])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(log_out_elsewhere):
        response = client.post(url, approval_data(activity))
    assert response.status_code == 400


def test_what_counts_as_a_lost_connection():
    assert db_faults.is_database_fault(OperationalError("terminating connection"))
    assert db_faults.is_database_fault(InterfaceError("connection already closed"))
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            raise RuntimeError("raised while handling it") from None
    except RuntimeError as suppressed:
        assert not db_faults.is_database_fault(suppressed)
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            raise ValueError("raised while handling it")  # noqa: B904 - the chain is the point
    except ValueError as chained:
        assert db_faults.is_database_fault(chained)
    assert not db_faults.is_database_fault(ValueError("a bug"))


# --- Under load ------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_connections_terminated_under_load_never_give_a_400_or_a_500(personas, live_server):
    """Four browsers reading and saving while every server process of the site is
    terminated ten times a second: each answer is the page, the redirect, or
    "try again"."""
    activities = [submitted_activity(personas) for _ in range(40)]
    versions = {activity.pk: approval_data(activity)["version"] for activity in activities}
    client = browser_client(personas.secretary)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    csrf = "x" * 32
    statuses: collections.Counter = collections.Counter()
    done = threading.Event()

    def browse(offset: int) -> None:
        for i, activity in enumerate(activities[offset::4]):
            if done.is_set():
                return
            approve = i % 2
            url = live_server.url + (
                reverse("activities:approve", args=[personas.team.slug, activity.pk])
                if approve
                else activity.get_absolute_url()
            )
            request = urllib.request.Request(  # noqa: S310 - the live server's http URL
                url,
                data=f"csrfmiddlewaretoken={csrf}&version={versions[activity.pk]}".encode()
                if approve
                else None,
                headers={"Cookie": f"{cookie}; csrftoken={csrf}", "Referer": live_server.url},
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    statuses[response.status] += 1
            except urllib.error.HTTPError as error:
                statuses[error.code] += 1

    browsers = [threading.Thread(target=browse, args=(n,)) for n in range(4)]
    for browser in browsers:
        browser.start()
    terminated = 0
    while any(browser.is_alive() for browser in browsers):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            terminated += cursor.fetchone()[0]
        time.sleep(0.1)
    done.set()
    print(f"answers {dict(statuses)}, {terminated} server processes terminated")
    assert terminated > 0
    assert set(statuses) <= {200, 503}, statuses  # urllib follows the redirects


def test_a_lost_connection_outside_a_view_is_try_again_too(rf):
    """Raised by a middleware (reading the session, say), it reaches Django's handler500,
    which the site's is: the 503 page, not the 500 one."""
    request = rf.get("/teams/our-team/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = db_faults.server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == str(db_faults.RETRY_AFTER_SECONDS)
    try:
        raise ValueError("a bug")
    except ValueError:
        assert db_faults.server_error(request).status_code == 500
