"""A demo login's first visit with debug off, in a real browser: a new password first."""

import re

import pytest
from django.contrib.auth import get_user_model

from volunteer_site.accounts import password_change_require
from volunteer_site.models import PasswordChangeRequired

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_demo_login_chooses_a_new_password_then_finds_the_page_in_the_user_menu(
    live_server, page
):
    user = get_user_model().objects.create_user(
        "staff", password="demo-staff-2018", last_name="周", first_name="建新"
    )
    password_change_require(users=[user], reason=PasswordChangeRequired.Reason.DEMO)
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill("demo-staff-2018")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/accounts/password/")
    assert "这是演示账号，密码是公开的" in page.inner_text("#content")

    page.get_by_label("旧密码").fill("demo-staff-2018")
    page.get_by_label(re.compile(r"^\s*新密码\s*\*?\s*$")).fill("Nyang-river-2026")
    page.get_by_label("新密码确认").fill("Nyang-river-2026")
    page.get_by_role("button", name="修改密码").click()
    page.wait_for_url(f"{base}/accounts/password/done/")
    assert "密码已修改" in page.inner_text("#content")

    page.get_by_role("link", name="返回首页").click()
    page.get_by_role("button", name="周建新").click()
    page.get_by_role("link", name="修改密码").click()
    page.wait_for_url(f"{base}/accounts/password/")
    assert "这是演示账号" not in page.inner_text("#content")
