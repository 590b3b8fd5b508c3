"""A visitor's journey in a real browser: from / to the demo team by search and by region,
to its profile and back; the page on a phone."""

from __future__ import annotations

import pathlib
import re

import pytest

from demo.region import demo_region_load
from demo.team import demo_load
from demo.team_data import TEAM_NAME, TEAM_SLUG
from teams.models import Region
from volunteer_site.tests.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = pathlib.Path("test-artifacts")


@pytest.fixture
def demo(db):
    demo_load()
    demo_region_load()


def card_names(page) -> list[str]:
    return page.locator("#team-cards h2").all_inner_texts()


def test_a_visitor_finds_the_demo_team_by_search_and_by_region(live_server, page, demo):
    base = live_server.url
    shigatse = Region.objects.get(name="日喀则市", parent__name="西藏自治区")
    page.goto(f"{base}/")
    assert page.get_by_role("heading", level=1).inner_text() == "党员志愿服务队"
    # The demo's four published teams; the two unpublished ones are not listed.
    assert len(card_names(page)) == 4
    assert page.get_by_role("link", name="登录").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "directory.png"), full_page=True)

    # By search: part of its name.
    page.get_by_label("队伍名称或主管单位").fill("人民政府办公室")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r".*q=.*"))
    # Both governments' offices match: 日喀则市's and 拉萨市's.
    assert sorted(card_names(page)) == sorted([TEAM_NAME, "拉萨市人民政府办公室党员志愿服务队"])
    page.get_by_label("队伍名称或主管单位").fill("日喀则市人民政府")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r".*q=.*"))
    assert card_names(page) == [TEAM_NAME]

    # Cleared, then by region: 日喀则市 lists its two published teams.
    page.get_by_role("link", name="清除筛选").click()
    page.wait_for_url(f"{base}/")
    assert len(card_names(page)) == 4
    page.get_by_label("地区").select_option(str(shigatse.pk))
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(rf".*region={shigatse.pk}.*"))
    assert sorted(card_names(page)) == sorted([TEAM_NAME, "日喀则市财政局党员志愿服务队"])
    card = page.locator(f"article[data-team='{TEAM_SLUG}']")
    assert "现有注册志愿者121人" in card.inner_text().replace("\n", "").replace(" ", "")

    # Its profile, and the links back.
    page.get_by_role("link", name=TEAM_NAME).click()
    page.wait_for_url(f"{base}/p/{TEAM_SLUG}/")
    assert page.get_by_role("heading", level=1).inner_text() == TEAM_NAME
    page.screenshot(path=str(ARTIFACTS / "directory-profile.png"))
    page.get_by_role("link", name="日喀则市的队伍").click()
    page.wait_for_url(f"{base}/?region={shigatse.pk}")
    assert TEAM_NAME in card_names(page)
    page.go_back()
    page.get_by_role("link", name="全部队伍").click()
    page.wait_for_url(f"{base}/")
    assert len(card_names(page)) == 4

    # The login link leads to the login page, which offers no second one.
    page.get_by_role("link", name="登录").click()
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    assert page.locator("nav.site-nav").get_by_role("link", name="登录").count() == 0


def test_on_a_phone_the_cards_stack_within_the_screen(live_server, page, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    boxes = [card.bounding_box() for card in page.locator("#team-cards article").all()]
    assert len(boxes) == 4
    # One column: each card below the one before, none wider than the screen.
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= 390 for box in boxes)
    assert all(b["y"] >= a["y"] + a["height"] for a, b in zip(boxes, boxes[1:], strict=False))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "directory-390.png"), full_page=True)


def test_the_directory_passes_axe(live_server, page, demo):
    """0 axe-core violations: the directory, filtered, empty, and on a phone."""
    base = live_server.url
    shigatse = Region.objects.get(name="日喀则市", parent__name="西藏自治区")
    page.goto(f"{base}/")
    assert_accessible(page)
    page.goto(f"{base}/?q=人民政府&region={shigatse.pk}&sort=name")
    assert len(card_names(page)) == 1
    assert_accessible(page)
    page.goto(f"{base}/?q=没有这支队伍&region=NaN")
    assert page.locator("#no-teams").is_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/")
    assert_accessible(page)
