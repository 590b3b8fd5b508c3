"""The public profile in a real browser: page tools, print layout, and 纠错 end to end."""

import pathlib
import re

import pytest
from django.core.cache import cache

from activities.stats import team_figures_recompute
from demo.team import demo_load
from demo.team_data import TEAM_SLUG
from teams.models import ErrorReport, Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = pathlib.Path("test-artifacts")


@pytest.fixture
def demo_team():
    cache.clear()  # the 纠错 rate limit
    demo_load()
    team = Team.objects.get(slug=TEAM_SLUG)
    team_figures_recompute(team_id=team.pk)
    return team


def font_size(page) -> float:
    size = page.eval_on_selector("#profile-article", "el => getComputedStyle(el).fontSize")
    return float(size.removesuffix("px"))


def test_text_size_print_layout_and_error_report(live_server, page, demo_team):
    base = live_server.url
    profile = f"{base}/p/{TEAM_SLUG}/"
    page.goto(profile)
    assert page.inner_text("h1") == demo_team.name
    assert "注册志愿者人数：121人" in page.inner_text("#profile-article")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "profile.png"), full_page=True)

    # 字号加大: the article grows, and the size survives a reload and other pages.
    normal = font_size(page)
    page.click("text=字号加大")
    page.click("text=字号加大")
    larger = font_size(page)
    assert larger > normal
    page.reload()
    assert font_size(page) == larger
    page.click("text=字号减小")
    assert normal < font_size(page) < larger
    page.goto(profile)
    assert normal < font_size(page) < larger

    # Print: no navigation bar, no page tools, no footer; the chart stays.
    page.emulate_media(media="print")
    assert not page.is_visible("nav.site-nav")
    assert not page.is_visible(".page-tools")
    assert not page.is_visible("footer")
    assert page.is_visible("svg.profile-chart")
    # The chart's figures are printed too: profile.js opens the table before printing.
    assert not page.is_visible("#chart-data table")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.is_visible("#chart-data table")
    page.set_viewport_size({"width": 680, "height": 960})  # A4 less the margins, at 96 dpi
    page.screenshot(path=str(ARTIFACTS / "profile-print.png"), full_page=True)
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert not page.is_visible("#chart-data table")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(media="screen")
    assert page.is_visible("nav.site-nav")

    # 纠错: a visitor reports an error ...
    page.click(".page-tools >> text=纠错")
    page.wait_for_url(re.compile(r".*/report/$"))
    # The honeypot is off screen (and hidden from screen readers), not on the form.
    box = page.locator("input[name=website]").bounding_box()
    assert box is None or box["x"] + box["width"] <= 0
    page.fill("#id_description", "主要事迹中“组建于2016年3月”应为2016年4月。")
    page.fill("#id_contact", "王老师")
    page.screenshot(path=str(ARTIFACTS / "profile-report-form.png"), full_page=True)
    page.click("text=提交纠错")
    page.wait_for_url(re.compile(r".*/report/thanks/$"))
    assert "感谢您的纠错" in page.inner_text("#report-thanks")
    report = ErrorReport.objects.get()
    assert report.team == demo_team and report.contact == "王老师"

    # ... and the demo secretary sees it in the reports list and resolves it.
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", "demo-secretary-2018")
    page.click("#content button[type=submit]")
    page.wait_for_url(re.compile(r".*/teams/.*"))
    page.goto(f"{base}/teams/{TEAM_SLUG}/")
    page.click("#profile-links >> text=纠错处理")
    page.wait_for_url(re.compile(r".*/reports/$"))
    assert "应为2016年4月" in page.inner_text("#reports")
    page.fill(f"#note-{report.pk}", "已更正")
    page.screenshot(path=str(ARTIFACTS / "profile-reports.png"), full_page=True)
    page.click("text=标记为已处理")
    page.wait_for_url(re.compile(r".*/reports/$"))
    assert "已处理" in page.inner_text("#reports")
    report.refresh_from_db()
    assert report.resolved_at is not None and report.resolution_note == "已更正"

    page.goto(f"{base}/teams/{TEAM_SLUG}/profile/edit/")
    assert "编辑公开简介" in page.inner_text("h1")
    page.screenshot(path=str(ARTIFACTS / "profile-edit.png"), full_page=True)
