"""The secretary's pages for a member's login: create, reset, disable, enable."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse

from conftest import PASSWORD, client_for, text_of
from members.tests.factories import MemberFactory
from teams.models import TeamRole
from volunteer_site.models import AuditAction, AuditEntry, PasswordChangeRequired

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "my-own-pass-93"
CODE = re.compile(r"\b[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}\b")


@pytest.fixture
def member(personas):
    return MemberFactory(
        team=personas.team, volunteer_number="A101", name="次仁", email="ciren@example.org"
    )


@pytest.fixture
def no_mail_member(personas):
    return MemberFactory(team=personas.team, volunteer_number="A102", name="卓玛", email="")


@pytest.fixture
def secretary(personas):
    return client_for(personas.secretary)


def url(name: str, member) -> str:
    return reverse(f"accounts:{name}", kwargs={"slug": member.team.slug, "pk": member.pk})


def create(client, member, way: str, **extra):
    return client.post(url("login_create", member), {"way": way}, **extra)


def test_the_roster_links_each_member_to_their_login_page_for_the_secretary(member, personas):
    roster = reverse("members:list", kwargs={"slug": "our-team"})
    assert (
        url("member_login", member) in client_for(personas.secretary).get(roster).content.decode()
    )
    assert (
        url("member_login", member) not in client_for(personas.staff).get(roster).content.decode()
    )


def test_a_member_with_an_address_can_get_a_link_or_a_code(member, secretary):
    text = text_of(secretary.get(url("member_login", member)))
    assert "次仁尚未开通登录账号。" in text
    assert "开通并发送链接到 ciren@example.org" in text
    assert "开通并打印一次性密码" in text


def test_a_member_without_an_address_gets_a_code_only(no_mail_member, secretary):
    text = text_of(secretary.get(url("member_login", no_mail_member)))
    assert "开通并发送链接到" not in text
    assert "开通并打印一次性密码" in text
    refused = create(secretary, no_mail_member, "link", follow=True)
    assert "卓玛没有登记电子邮箱，请改为打印一次性密码。" in text_of(refused)
    no_mail_member.refresh_from_db()
    assert no_mail_member.user is None


def test_create_with_a_link_mails_it_and_is_audited(member, secretary, personas):
    response = create(secretary, member, "link", follow=True)
    assert "设置密码的链接已发送到 ciren@example.org，只能使用一次。" in text_of(response)
    member.refresh_from_db()
    assert member.user.username == "A101"
    assert [m.to for m in mail.outbox] == [["ciren@example.org"]]
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_CREATE)
    assert entry.user == personas.secretary
    assert entry.target == "次仁（A101）"
    assert (entry.detail["way"], entry.detail["mail_sent"]) == ("link", True)
    # The page now shows the login waiting for its password.
    text = text_of(secretary.get(url("member_login", member)))
    assert "尚未设置：队员通过收到的链接设置" in text
    assert "从未登录" in text
    assert "重新发送链接到 ciren@example.org" in text
    assert "改为打印一次性密码" in text


def test_create_when_the_mail_server_fails_keeps_the_login_and_says_so(
    member, secretary, monkeypatch
):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    response = create(secretary, member, "link", follow=True)
    assert response.status_code == 200
    assert "发往 ciren@example.org 的邮件未能发出" in text_of(response)
    member.refresh_from_db()
    assert member.user is not None
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_CREATE)
    assert entry.detail["mail_sent"] is False


def test_a_printed_code_is_shown_once_and_must_be_changed_at_the_first_login(
    no_mail_member, secretary
):
    response = create(secretary, no_mail_member, "code")
    assert response["Location"] == url("login_code", no_mail_member)
    sheet = secretary.get(response["Location"])
    assert sheet["Cache-Control"].startswith("max-age=0")
    (code,) = CODE.findall(text_of(sheet))
    assert "用户名 A102" in text_of(sheet)
    no_mail_member.refresh_from_db()
    user = no_mail_member.user
    assert user.check_password(code)
    assert user.password_change_required.reason == PasswordChangeRequired.Reason.ONE_TIME
    assert AuditEntry.objects.get(action=AuditAction.LOGIN_CREATE).detail == {
        "way": "code",
        "path": url("login_create", no_mail_member),
    }

    again = secretary.get(response["Location"])
    assert code not in again.content.decode()
    assert "一次性密码只显示一次，已经显示过了" in text_of(again)

    volunteer = client_for()
    logged_in = volunteer.post(reverse("login"), {"username": "A102", "password": code})
    assert logged_in.status_code == 302
    assert volunteer.get("/me/")["Location"] == reverse("password_change")
    changed = volunteer.post(
        reverse("password_change"),
        {
            "old_password": code,
            "new_password1": "my-own-pass-93",
            "new_password2": "my-own-pass-93",
        },
    )
    assert changed.status_code == 302
    assert volunteer.get("/me/").status_code == 200


def test_a_code_is_shown_for_its_own_member_only(member, no_mail_member, secretary):
    create(secretary, no_mail_member, "code")
    other = secretary.get(url("login_code", member))
    assert not CODE.search(text_of(other))
    assert CODE.search(text_of(secretary.get(url("login_code", no_mail_member))))


@pytest.fixture
def member_with_login(member, secretary):
    create(secretary, member, "code")
    secretary.get(url("login_code", member))
    member.refresh_from_db()
    member.user.set_password(PASSWORD)
    member.user.save()
    PasswordChangeRequired.objects.filter(user=member.user).delete()
    mail.outbox.clear()
    return member


def test_reset_with_a_code_ends_the_old_password_and_the_member_sessions(
    member_with_login, secretary
):
    volunteer = client_for(member_with_login.user)
    assert volunteer.get("/me/").status_code == 200
    response = secretary.post(url("login_reset", member_with_login), {"way": "code"})
    (code,) = CODE.findall(text_of(secretary.get(response["Location"])))
    user = member_with_login.user
    user.refresh_from_db()
    assert not user.check_password(PASSWORD)
    assert user.check_password(code)
    assert volunteer.get("/me/")["Location"].startswith(reverse("login"))
    assert AuditEntry.objects.get(action=AuditAction.LOGIN_RESET).detail["way"] == "code"


def test_reset_with_a_link_mails_a_new_link(member_with_login, secretary):
    page = text_of(secretary.get(url("member_login", member_with_login)))
    assert "已由队员本人设置" in page
    assert "重置并发送链接到 ciren@example.org" in page
    response = secretary.post(url("login_reset", member_with_login), {"way": "link"}, follow=True)
    assert "设置密码的链接已发送到 ciren@example.org" in text_of(response)
    user = member_with_login.user
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.get(action=AuditAction.LOGIN_RESET).detail["mail_sent"] is True


def test_disable_logs_the_member_out_and_enable_lets_them_back(member_with_login, secretary):
    volunteer = client_for(member_with_login.user)
    assert volunteer.get("/me/").status_code == 200
    page = secretary.get(url("member_login", member_with_login)).content.decode()
    assert 'data-confirm="确定停用次仁的登录账号吗？' in page

    disabled = secretary.post(url("login_disable", member_with_login), follow=True)
    assert "次仁的登录账号已停用，无法再登录。" in text_of(disabled)
    assert volunteer.get("/me/")["Location"].startswith(reverse("login"))
    refused = client_for().post(reverse("login"), {"username": "A101", "password": PASSWORD})
    assert refused.status_code == 200

    enabled = secretary.post(url("login_enable", member_with_login), follow=True)
    assert "次仁的登录账号已重新启用。" in text_of(enabled)
    again = client_for().post(reverse("login"), {"username": "A101", "password": PASSWORD})
    assert again.status_code == 302
    actions = list(
        AuditEntry.objects.filter(action__in=[AuditAction.LOGIN_DISABLE, AuditAction.LOGIN_ENABLE])
        .order_by("pk")
        .values_list("action", "target")
    )
    assert actions == [
        (AuditAction.LOGIN_DISABLE, "次仁（A101）"),
        (AuditAction.LOGIN_ENABLE, "次仁（A101）"),
    ]


def test_a_member_who_left_gets_no_login_and_none_is_enabled(personas, secretary):
    left = MemberFactory(team=personas.team, name="王离开", left_on=datetime.date(2018, 6, 30))
    assert "离队的队员不能开通登录账号" in text_of(secretary.get(url("member_login", left)))
    refused = create(secretary, left, "code", follow=True)
    assert "王离开已离队，离队的队员不能开通登录账号。" in text_of(refused)
    left.refresh_from_db()
    assert left.user is None
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN_CREATE).exists()


def test_a_login_with_a_role_is_left_to_the_site_administrator(personas, secretary):
    # The staff persona is also a member of the team: a secretary who could reset
    # that login would learn a password with the staff's rights.
    staffer = MemberFactory(team=personas.team, name="录入员", user=personas.staff)
    assert TeamRole.objects.filter(user=personas.staff).exists()
    page = text_of(secretary.get(url("member_login", staffer)))
    assert "只有系统管理员可以修改" in page
    assert "重置并打印一次性密码" not in page
    for action in ("login_reset", "login_disable"):
        response = secretary.post(url(action, staffer), {"way": "code"}, follow=True)
        assert "只有系统管理员可以修改" in text_of(response)
    personas.staff.refresh_from_db()
    assert personas.staff.is_active
    assert personas.staff.check_password(PASSWORD)


@pytest.mark.parametrize("way", ["NaN", "", "code" * 10_000, "ｃｏｄｅ", "1e309"])
def test_a_bad_way_is_refused_with_a_message_and_nothing_made(member, secretary, way):
    response = create(secretary, member, way, follow=True)
    assert "请选择队员获取密码的方式" in text_of(response)
    member.refresh_from_db()
    assert member.user is None


def test_a_nul_character_is_refused(member, secretary):
    response = create(secretary, member, "code\x00")
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.user is None


def test_a_get_to_an_action_is_not_allowed(member, secretary):
    assert secretary.get(url("login_create", member)).status_code == 405


def test_a_member_who_left_with_a_login_can_have_it_disabled_not_reset(
    member_with_login, secretary
):
    member_with_login.left_on = datetime.date(2025, 6, 30)
    member_with_login.save()
    page = text_of(secretary.get(url("member_login", member_with_login)))
    assert "重置登录账号" not in page
    assert "停用登录账号" in page
    refused = secretary.post(url("login_reset", member_with_login), {"way": "code"}, follow=True)
    assert "次仁已离队，其登录账号不能重置或启用。" in text_of(refused)
    member_with_login.user.refresh_from_db()
    assert member_with_login.user.check_password(PASSWORD)
    secretary.post(url("login_disable", member_with_login))
    member_with_login.user.refresh_from_db()
    assert not member_with_login.user.is_active
    refused = secretary.post(url("login_enable", member_with_login), follow=True)
    assert "次仁已离队" in text_of(refused)
    member_with_login.user.refresh_from_db()
    assert not member_with_login.user.is_active
