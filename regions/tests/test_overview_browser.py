"""The civilization office's journey in a real browser: filter the overview, sort it by
hours per volunteer, compare two teams, export the table."""

from __future__ import annotations

import pathlib
import re
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from demo.region import PROVINCE_LOGIN, demo_region_load
from demo.team import demo_load
from teams.models import Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = pathlib.Path("test-artifacts")


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#content button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def column_texts(page, column: str) -> list[str]:
    return page.locator(f"#overview-table tbody td[data-column='{column}']").all_inner_texts()


def test_admin_filters_sorts_compares_and_exports(live_server, page):
    demo_load()
    demo_region_load()
    base = live_server.url
    shigatse = Region.objects.get(name="日喀则市")

    log_in(page, base, PROVINCE_LOGIN.username, PROVINCE_LOGIN.password)
    page.goto(f"{base}/regions/")
    assert len(column_texts(page, "name")) == 6

    # Filter: only the teams of 日喀则市.
    page.select_option("#f-region", str(shigatse.pk))
    page.click("#overview-filters button[type=submit]")
    page.wait_for_url(re.compile(rf".*region={shigatse.pk}.*"))
    assert set(column_texts(page, "region")) == {"日喀则市"}
    assert len(column_texts(page, "name")) == 3

    # Sort by hours per volunteer: highest first.
    page.click("#overview-table th[data-column='hours_per_volunteer'] a")
    page.wait_for_url(re.compile(r".*sort=-hours_per_volunteer.*"))
    assert page.get_attribute(
        "#overview-table th[data-column='hours_per_volunteer']", "aria-sort"
    ) == ("descending")
    values = [Decimal(text) for text in column_texts(page, "hours_per_volunteer")]
    assert values == sorted(values, reverse=True)
    assert f"region={shigatse.pk}" in page.url  # the filter is kept

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)

    # Export exactly what is shown.
    with page.expect_download() as download_info:
        page.click("#export-link")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(BytesIO(pathlib.Path(download.path()).read_bytes())).worksheets[0]
    exported = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert exported == column_texts(page, "name")

    # Compare the first two.
    assert page.is_disabled("#compare-button")
    page.locator("input.compare-check").nth(0).check()
    page.locator("input.compare-check").nth(1).check()
    assert page.inner_text("#compare-count") == "2"
    names = column_texts(page, "name")[:2]
    page.click("#compare-button")
    page.wait_for_url(re.compile(r".*/regions/compare/\?.*team=.*team=.*"))
    headers = page.locator("#compare-table thead th[data-team] > a").all_inner_texts()
    assert headers == names
    assert page.locator("#compare-table tbody tr").count() >= 13
    page.screenshot(path=str(ARTIFACTS / "overview-compare.png"), full_page=True)

    # Drill down into the first team: its months as a chart, read-only.
    page.click(f"#compare-table thead th[data-team] > a >> text={names[0]}")
    page.wait_for_url(re.compile(r".*/regions/teams/[\w-]+/.*"))
    assert page.locator("#team-chart").is_visible()
    assert page.locator("#content form[method=post]").count() == 0
    page.screenshot(path=str(ARTIFACTS / "overview-team.png"), full_page=True)

    # The 2018 ranking by hours per volunteer.
    page.goto(f"{base}/regions/ranking/?year=2018&figure=hours_per_volunteer")
    ranks = page.locator("#ranking-table tbody td[data-rank]").all_inner_texts()
    assert ranks[0].strip() == "1"
    page.screenshot(path=str(ARTIFACTS / "overview-ranking.png"), full_page=True)


def test_no_more_than_five_can_be_ticked(live_server, page):
    demo_load()
    demo_region_load()
    log_in(page, live_server.url, PROVINCE_LOGIN.username, PROVINCE_LOGIN.password)
    page.goto(f"{live_server.url}/regions/")
    boxes = page.locator("input.compare-check")
    assert boxes.count() == 6
    for n in range(5):
        boxes.nth(n).check()
    assert boxes.nth(5).is_disabled()
    boxes.nth(0).uncheck()
    assert boxes.nth(5).is_enabled()
