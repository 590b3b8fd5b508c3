"""The secretary imports the roster template in a real browser, one bad row first."""

from __future__ import annotations

import datetime
import pathlib
import re

import pytest
from openpyxl import load_workbook

from conftest import PASSWORD
from members.imports import SHEET
from members.models import Member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = pathlib.Path("test-artifacts")


@pytest.fixture(autouse=True)
def _staging_in_tmp(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"


def fill(template: pathlib.Path, target: pathlib.Path, *, bad_date: bool) -> None:
    book = load_workbook(template)
    sheet = book[SHEET]
    people = [
        ("RK2018001", "格桑", "男", "13908920001", datetime.date(2018, 1, 5)),
        (
            "RK2018002",
            "卓玛",
            "女",
            "13908920002",
            "2018年2月30日" if bad_date else "2018年2月28日",
        ),
        ("RK2018003", "王建国", "男", "13908920003", "2018/3/1"),
    ]
    for number, name, gender, phone, registered in people:
        sheet.append(
            [number, name, gender, "藏族", "是", None, "科级", "科员", phone, None, registered]
        )
    book.save(target)


def test_secretary_fixes_a_bad_row_and_imports_the_template(live_server, page, personas, tmp_path):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", PASSWORD)
    page.click("#content button[type=submit]")
    page.wait_for_url(re.compile(r".*/teams/.*"))

    page.goto(f"{base}/teams/{personas.team.slug}/members/")
    page.click("#roster-spreadsheets a[href$='/members/import/']")
    page.wait_for_url(re.compile(r".*/members/import/$"))
    with page.expect_download() as download:
        page.click("a[href$='/members/import/template.xlsx']")
    template = tmp_path / "模板.xlsx"
    download.value.save_as(template)

    # First attempt: the second member's registration date does not exist.
    first = tmp_path / "名册.xlsx"
    fill(template, first, bad_date=True)
    page.set_input_files("input[type=file]", str(first))
    page.click("form[data-import-form] button[type=submit]")
    page.wait_for_url(re.compile(r".*/members/import/preview/\?token=.*"))
    blocked = page.inner_text("#import-blocked")
    assert "1" in blocked
    error_row = page.locator("#import-rows tr[data-status=error]")
    assert error_row.count() == 1
    assert error_row.get_attribute("data-line") == "4"  # header, example, 格桑, then 卓玛
    text = error_row.inner_text()
    assert "注册日期" in text and "2018年2月30日" in text
    assert page.locator("#confirm-import").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-preview.png"), full_page=True)
    assert not Member.objects.filter(volunteer_number__startswith="RK").exists()

    # The corrected file, uploaded from the preview page itself.
    fixed = tmp_path / "名册-改.xlsx"
    fill(template, fixed, bad_date=False)
    page.set_input_files("input[type=file]", str(fixed))
    page.click("form[data-import-form] button[type=submit]")
    page.wait_for_url(re.compile(r".*/members/import/preview/\?token=.*"))
    assert page.locator("#import-blocked").count() == 0
    assert "3" in page.inner_text("#import-counts")
    page.click("#confirm-import")
    page.wait_for_url(re.compile(r".*/members/$"))
    assert page.locator(".messages .alert-success").count() == 1
    roster = page.inner_text("table")
    for name in ("格桑", "卓玛", "王建国"):
        assert name in roster
    zhuoma = Member.objects.get(volunteer_number="RK2018002")
    assert zhuoma.registered_on == datetime.date(2018, 2, 28)
    assert zhuoma.team == personas.team
