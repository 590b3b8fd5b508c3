"""By visible Chinese labels: staff publish a nightly patrol and cancel one night."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import PASSWORD
from planning.models import Occurrence, PlannedActivity
from planning.services import occurrences_create
from planning.tests.factories import planned_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_publish_a_nightly_patrol_and_cancel_one_night(live_server, page, personas):
    from teams.tests.factories import ServiceCategoryFactory

    ServiceCategoryFactory(team=personas.team, name="火车站巡逻")
    first = timezone.localdate() + datetime.timedelta(days=1)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", PASSWORD)
    page.click("#content button[type=submit]")
    page.goto(f"{base}/teams/our-team/")
    page.get_by_role("link", name="计划活动").click()
    page.get_by_role("link", name="发布计划活动").click()
    page.get_by_label("活动名称").fill("火车站夜间巡逻")
    page.get_by_label("服务类别").select_option(label="火车站巡逻")
    page.get_by_label("地点").fill("日喀则火车站")
    page.get_by_label("日期（重复活动填首次日期）").fill(first.isoformat())
    page.get_by_label("开始时间").fill("20:00")
    page.get_by_label("结束时间").fill("00:00")
    page.get_by_label("每天").check()
    page.get_by_label("重复截止日期").fill((first + datetime.timedelta(days=2)).isoformat())
    page.get_by_role("button", name="发布", exact=True).click()
    assert "计划活动已发布。" in page.inner_text("body")
    # Three nights, and the planned activity in the list above them.
    assert page.inner_text("body").count("20:00–24:00") == 3 + 1

    row = page.get_by_role("row", name=re.compile(f"{first:%Y-%m-%d}"))
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="取消该场次").click()
    assert "该场次已取消。" in page.inner_text("body")
    assert Occurrence.objects.get(date=first).status == "cancelled"
    assert Occurrence.objects.filter(status="scheduled").count() == 2


def test_edit_with_confirmation_then_stop_and_publish_again_on_a_phone(live_server, page, personas):
    first = timezone.localdate() + datetime.timedelta(days=1)
    last = first + datetime.timedelta(days=3)
    patrol = planned_of(personas.team, first_date=first, end_date=last)
    occurrences_create(planned=patrol, until=last)
    page.set_viewport_size({"width": 390, "height": 844})
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", PASSWORD)
    page.click("#content button[type=submit]")
    page.goto(f"{base}/teams/our-team/planned/")
    artifacts = Path("test-artifacts")
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "planned-list-phone.png"), full_page=True)
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.locator("#planned-activities").get_by_role("link", name="编辑").click()
    page.get_by_label("报名截止（开始前小时数）").fill("6")
    page.get_by_label("重复截止日期").fill((first + datetime.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="保存修改").click()
    body = page.inner_text("body")
    assert "保存后将取消以下 2 个不再符合日期安排的场次" in body
    page.screenshot(path=str(artifacts / "planned-edit-confirm-phone.png"), full_page=True)
    page.get_by_role("button", name="保存并取消这些场次").click()
    body = page.inner_text("body")
    assert "计划活动已保存。" in body and "已取消 2 个场次。" in body
    assert PlannedActivity.objects.get().cutoff_hours == 6
    assert Occurrence.objects.filter(status="scheduled").count() == 2

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="停止").click()
    body = page.inner_text("body")
    assert "计划活动已停止。" in body and "已停止" in body
    assert not Occurrence.objects.filter(status="scheduled").exists()
    page.get_by_role("button", name="重新发布").click()
    assert "已恢复 2 个场次。" in page.inner_text("body")
    assert Occurrence.objects.filter(status="scheduled").count() == 2
    page.screenshot(path=str(artifacts / "planned-list-after-phone.png"), full_page=True)
