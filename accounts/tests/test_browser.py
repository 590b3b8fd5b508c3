"""Members' accounts in a real browser, found by their visible Chinese labels."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from conftest import PASSWORD
from members.tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Nyang-river-2026"
NEW_PASSWORD_LABEL = re.compile(r"^\s*新密码\s*\*?\s*$")


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_a_member_resets_their_password_by_e_mail(live_server, page, personas, settings):
    settings.SITE_URL = live_server.url
    personas.volunteer_member.email = "jia@example.org"
    personas.volunteer_member.save()
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="忘记密码？").click()
    page.get_by_label("电子邮箱地址").fill("jia@example.org")
    page.get_by_role("button", name="发送链接").click()
    page.get_by_role("heading", name="请查收邮件").wait_for()

    (message,) = mail.outbox
    link = re.search(r"http://\S+/accounts/password/reset/\S+/", message.body).group(0)
    page.goto(link)
    page.get_by_role("heading", name="设置新密码").wait_for()
    page.get_by_label(NEW_PASSWORD_LABEL).fill(NEW_PASSWORD)
    page.get_by_label("新密码确认").fill(NEW_PASSWORD)
    page.get_by_role("button", name="设置密码").click()
    page.get_by_role("heading", name="密码已设置").wait_for()

    page.get_by_role("link", name="登录").last.click()
    log_in(page, base, "volunteer", NEW_PASSWORD)
    page.wait_for_url(f"{base}/me/")
    assert "我的服务记录" in page.inner_text("#content")

    # The link worked once.
    page.goto(link)
    assert "此链接无效" in page.inner_text("#content")


def test_the_secretary_prints_a_one_time_password_and_the_member_must_change_it(
    live_server, page, personas
):
    MemberFactory(team=personas.team, volunteer_number="A102", name="卓玛", email="")
    base = live_server.url

    log_in(page, base, "secretary", PASSWORD)
    page.goto(f"{base}/teams/our-team/members/")
    page.get_by_role("row", name=re.compile("卓玛")).get_by_role("link", name="登录账号").click()
    assert "卓玛尚未开通登录账号。" in page.inner_text("#content")
    page.get_by_role("button", name="开通并打印一次性密码").click()
    page.get_by_role("heading", name=re.compile("您的登录账号")).wait_for()
    code = page.locator("#one-time-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    page.get_by_role("button", name="打印").wait_for()

    page.reload()
    assert code not in page.inner_text("#content")
    assert "已经显示过了" in page.inner_text("#content")

    page.context.clear_cookies()
    log_in(page, base, "A102", code)
    page.wait_for_url(f"{base}/accounts/password/")
    assert "您使用的是一次性密码" in page.inner_text("#content")
    page.get_by_label("旧密码").fill(code)
    page.get_by_label(NEW_PASSWORD_LABEL).fill(NEW_PASSWORD)
    page.get_by_label("新密码确认").fill(NEW_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    page.wait_for_url(f"{base}/accounts/password/done/")
    page.goto(f"{base}/")
    page.wait_for_url(f"{base}/me/")
    assert "我的服务记录" in page.inner_text("#content")
