"""The "try again" page in a real browser: shown while the database is away, gone after."""

import datetime

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client

from activities import views
from activities.tests.factories import ParticipationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_page_with_the_database_away_says_so_and_comes_back_by_itself(
    personas, live_server, page, monkeypatch
):
    activity = ParticipationFactory(
        activity__team=personas.team,
        activity__title="重阳节走访慰问孤寡老人",
        activity__start_date=datetime.date(2018, 10, 17),
        member__team=personas.team,
    ).activity
    client = Client()
    client.force_login(personas.staff)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    find_activity = views._activity_of

    def connection_lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "_activity_of", connection_lost)
    page.goto(live_server.url + activity.get_absolute_url())
    assert page.get_by_role("heading", name="暂时无法连接数据库").is_visible()
    assert "本页将在 5 秒后自动刷新" in page.inner_text("#content")
    assert page.title().startswith("请稍后再试")

    monkeypatch.setattr(views, "_activity_of", find_activity)  # the database is back
    page.get_by_role("heading", name="重阳节走访慰问孤寡老人").wait_for(timeout=15_000)
