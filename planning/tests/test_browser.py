"""By visible Chinese labels: staff publish a nightly patrol and cancel one night."""

import datetime
import re

import pytest
from django.utils import timezone

from conftest import PASSWORD
from planning.models import Occurrence

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
