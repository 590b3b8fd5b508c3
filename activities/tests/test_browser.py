"""The office's most common journey, in a real browser (Chromium through Playwright)."""

import datetime
import re

import pytest
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from demo.team import demo_load
from demo.team_data import TEAM_SLUG
from members.models import CadreRank

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#content button[type=submit]")
    page.wait_for_url(re.compile(r".*/teams/.*"))


def log_out(page) -> None:
    page.click("nav form[action$='/logout/'] button")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))


def test_staff_logs_a_village_trip_and_the_secretary_approves_it(live_server, page):
    demo_load()
    base = live_server.url
    end = timezone.localdate() - datetime.timedelta(days=2)
    start = end - datetime.timedelta(days=2)

    # 录入员 logs a three-day trip.
    log_in(page, base, "staff", "demo-staff-2018")
    page.goto(f"{base}/teams/{TEAM_SLUG}/activities/")
    page.click("text=登记活动")
    page.select_option("#id_category", label="特殊日大型志愿活动")
    page.fill("#id_title", "深入乡村宣讲惠民政策")
    page.fill("#id_start_date", start.isoformat())
    page.fill("#id_end_date", end.isoformat())
    page.fill("#id_hours", "12")
    page.fill("#id_place", "吉隆县")
    page.fill("#id_households_visited", "52")

    # All county-level cadres by rank, then the section-level ones by search.
    page.click(f"[data-select-rank='{CadreRank.COUNTY}']")
    assert page.inner_text("#selected-count") == "15"
    page.fill("#participant-search", "科级")
    page.click("[data-select='visible']")
    assert page.inner_text("#selected-count") == "44"
    page.fill("#participant-search", "")

    # Two of them left early.
    chosen = page.locator("#participant-table tbody tr.table-primary")
    first_id = chosen.nth(0).locator(".participant-check").get_attribute("value")
    second_id = chosen.nth(1).locator(".participant-check").get_attribute("value")
    page.fill(f"input[name='hours_{first_id}']", "8")
    page.fill(f"input[name='hours_{second_id}']", "6")
    page.click("button[name=submit]")
    page.wait_for_url(re.compile(r".*/activities/\d+/$"))
    assert "已提交审核" in page.inner_text(".messages")

    activity = Activity.objects.get(title="深入乡村宣讲惠民政策")
    assert activity.status == ActivityStatus.SUBMITTED
    assert activity.participations.count() == 44
    hours = sorted(activity.participations.values_list("hours", flat=True))
    assert [str(h) for h in hours[:3]] == ["6.0", "8.0", "12.0"]
    log_out(page)

    # 秘书 sees it awaiting approval and approves it.
    log_in(page, base, "secretary", "demo-secretary-2018")
    page.goto(f"{base}/teams/{TEAM_SLUG}/activities/awaiting/")
    page.click("text=深入乡村宣讲惠民政策")
    page.click("form[action$='/approve/'] button")
    page.wait_for_url(re.compile(r".*/activities/\d+/$"))
    timeline = page.inner_text("#timeline")
    assert "审核通过" in timeline
    assert "提交审核" in timeline or "登记了活动" in timeline
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.APPROVED
    page.screenshot(path="test-artifacts/approved-activity.png", full_page=True)
