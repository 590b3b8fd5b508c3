"""By visible Chinese labels, on a phone (390 px): a volunteer scans the organiser's QR
code, confirms the check-in, and checks out."""

import datetime
import pathlib

import pytest
from django.utils import timezone

from attendance.models import Attendance, CheckInCode
from attendance.tests.factories import running_occurrence
from conftest import PASSWORD, log_in_browser
from planning.tests.factories import occurrence_of
from signups.models import SignUp
from signups.tests.factories import volunteer_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = pathlib.Path("test-artifacts")


def test_check_in_by_the_qr_link_and_out_on_a_phone(live_server, page, personas):
    running_occurrence(personas.team, code="482913")
    page.set_viewport_size(PHONE)
    SHOTS.mkdir(exist_ok=True)

    log_in_browser(page, live_server.url, "volunteer", PASSWORD)
    page.goto(f"{live_server.url}/me/check-in/?code=482913")
    code = page.get_by_label("签到码")
    assert code.input_value() == "482913"
    assert code.get_attribute("inputmode") == "numeric"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "attendance-check-in-phone.png"), full_page=True)
    assert not Attendance.objects.exists()  # the link alone does not check in

    page.get_by_role("button", name="签到 / 签退").click()
    assert "已签到" in page.inner_text("#checkin-result")
    assert "火车站夜间巡逻" in page.inner_text("#checkin-result")
    page.screenshot(path=str(SHOTS / "attendance-checked-in-phone.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="签退", exact=True).click()
    page.wait_for_selector("text=已签退")
    attendance = Attendance.objects.get(user=personas.volunteer)
    assert attendance.checked_in_at and attendance.checked_out_at


def test_the_organiser_sheet_on_a_phone(live_server, page, personas):
    occurrence = occurrence_of(personas.team)
    stayed_away = volunteer_of(personas.team, name="卓玛")
    for user in (personas.volunteer, stayed_away):
        SignUp.objects.create(occurrence=occurrence, user=user, requested_at=timezone.now())
    Attendance.objects.create(
        occurrence=occurrence,
        user=personas.volunteer,
        checked_in_at=occurrence.starts_at,
        checked_out_at=occurrence.starts_at + datetime.timedelta(hours=2, minutes=20),
    )
    page.set_viewport_size(PHONE)
    SHOTS.mkdir(exist_ok=True)
    log_in_browser(page, live_server.url, "staff", PASSWORD)
    page.goto(f"{live_server.url}/teams/our-team/planned/")
    page.get_by_role("link", name="签到与考勤").first.click()
    page.wait_for_selector(".checkin-code")  # the code is made when the sheet is opened
    code = CheckInCode.objects.get(occurrence=occurrence).code
    assert code in page.inner_text(".checkin-code")
    assert "报名：2 · 到场：1 · 缺席：1" in page.inner_text("#sheet-counts")
    assert "缺席" in page.get_by_role("row", name="卓玛").inner_text()
    assert "2.5" in page.get_by_role("row", name="志愿者甲").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "attendance-sheet-phone.png"), full_page=True)
    page.get_by_role("link", name="打印版").click()
    page.wait_for_url("**/attendance/print/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "attendance-print.png"), full_page=True)
