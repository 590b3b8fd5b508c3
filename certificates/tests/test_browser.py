"""The journey by visible Chinese labels: a volunteer requests a certificate, the
secretary issues it, the volunteer downloads the PDF, a visitor opens its verification
link and sees 有效; revoked, the same link says 已作废."""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from certificates.models import Certificate
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#content button[type=submit]")


def test_request_issue_download_verify_revoke(live_server, page, personas, service):
    base = live_server.url
    log_in(page, base, "volunteer")
    page.get_by_role("link", name="我的服务记录").first.click()
    page.get_by_role("link", name="申请服务记录证明").click()
    page.get_by_label("服务时间（起）").fill("2026-01-01")
    page.get_by_label("服务时间（止）").fill("2026-06-30")
    page.get_by_role("button", name="提交申请").click()
    assert "申请已提交给服务队秘书" in page.inner_text("body")
    assert "待出具" in page.inner_text("#my-certificates")

    log_in(page, base, "secretary")
    page.goto(f"{base}/teams/our-team/")
    page.get_by_role("link", name="证明登记簿").click()
    row = page.get_by_role("row", name=re.compile("志愿者甲"))
    row.get_by_role("textbox", name="联系方式（选填）").fill("0892-1234567")
    row.get_by_role("button", name="出具", exact=True).click()
    certificate = Certificate.objects.get()
    assert f"已出具证明 {certificate.number}" in page.inner_text("body")

    log_in(page, base, "volunteer")
    page.goto(f"{base}/me/certificates/")
    row = page.get_by_role("row", name=re.compile(certificate.number))
    assert "11.5" in row.inner_text() and "有效" in row.inner_text()
    with page.expect_download() as download_info:
        row.get_by_role("link", name="下载PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"{certificate.number}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    page.context.clear_cookies()
    page.goto(f"{base}/v/")
    page.get_by_label("核验码").fill(certificate.code.lower())
    page.get_by_role("button", name="核对").click()
    page.wait_for_url(f"**/v/{certificate.code}/")
    assert page.inner_text("#verify-status").strip() == "有效"
    details = page.inner_text("#verify-details")
    assert "志*者甲" in details and "11.5" in details and certificate.number in details

    log_in(page, base, "secretary")
    page.goto(f"{base}/teams/our-team/certificates/")
    row = page.get_by_role("row", name=re.compile(certificate.number))
    row.get_by_role("textbox", name="作废原因").fill("重复出具")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="作废").click()
    assert f"证明 {certificate.number} 已作废" in page.inner_text("body")

    page.context.clear_cookies()
    page.goto(f"{base}/v/{certificate.code}/")
    revoked_on = timezone.localdate().isoformat()
    assert page.inner_text("#verify-status").strip() == f"已作废 （{revoked_on} 作废）"
