"""The region admin's journey in a real browser: a refused threshold, then new
thresholds that give a volunteer their first star, which the volunteer then sees."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import ActivityStatus
from activities.stats import team_figures_recompute
from activities.tests.factories import ActivityFactory, ParticipationFactory
from conftest import PASSWORD, log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, username: str) -> None:
    log_in_browser(page, base, username, PASSWORD)


@pytest.fixture
def tasks_run(request, settings):
    """New thresholds recompute the levels in a task: in-process on the embedded default,
    by a real worker when a broker is configured."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        request.getfixturevalue("celery_worker")


def test_admin_sets_thresholds_and_the_volunteer_sees_their_star(
    live_server, page, personas, tasks_run
):
    activity = ActivityFactory(
        team=personas.team,
        start_date=datetime.date(2018, 5, 1),
        end_date=datetime.date(2018, 5, 5),
        hours=Decimal("99.5"),
        status=ActivityStatus.APPROVED,
        approved_at=timezone.now(),
    )
    ParticipationFactory(activity=activity, member=personas.volunteer_member)
    team_figures_recompute(team_id=personas.team.pk)
    base = live_server.url

    log_in(page, base, "volunteer")
    page.goto(f"{base}/me/")
    assert "暂无星级" in page.locator("#my-star").inner_text()
    assert "距下一星级还需 0.5 小时" in page.locator("#my-star").inner_text()
    page.context.clear_cookies()

    log_in(page, base, "region_admin")
    page.goto(f"{base}/regions/")
    page.get_by_role("link", name="星级志愿者标准").first.click()
    page.get_by_role("link", name="设置日喀则市的标准").click()
    page.get_by_label("二星所需时数（小时）").fill("80")  # below 一星's 100
    page.get_by_role("button", name="保存标准").click()
    # the form comes back with the message: wait for it (reading the page at once may
    # catch it between the two documents, empty)
    page.get_by_text("二星所需时数必须大于一星（100）").first.wait_for()
    page.get_by_label("二星所需时数（小时）").fill("300")
    page.get_by_label("一星所需时数（小时）").fill("90")
    page.get_by_role("button", name="保存标准").click()
    page.wait_for_url(f"{base}/regions/stars/")
    page.get_by_text("日喀则市的星级标准已保存").first.wait_for()
    row = page.locator("#star-thresholds tr", has_text="日喀则市")
    assert "90.0" in row.inner_text() and "本地区自定" in row.inner_text()
    page.context.clear_cookies()

    log_in(page, base, "volunteer")
    for _ in range(30):  # a worker may take a moment to store the new levels
        page.goto(f"{base}/me/")
        text = page.locator("#my-star").inner_text()
        if "暂无星级" not in text:
            break
        page.wait_for_timeout(500)
    assert "一星" in text and "★" in text
    assert "距下一星级还需 200.5 小时" in text
