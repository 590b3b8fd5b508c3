"""Members' logins made by the service, and the invitation link (accounts/logins.py)."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.http import urlsafe_base64_decode

from accounts.logins import (
    LoginRefused,
    invitation_link,
    invitation_send,
    login_create,
)
from conftest import client_for, text_of
from members.tests.factories import MemberFactory
from volunteer_site.models import AuditAction, AuditEntry, PasswordChangeRequired

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-passphrase-71"


@pytest.fixture
def member(personas):
    return MemberFactory(
        team=personas.team, volunteer_number="A101", name="次仁", email="ciren@example.org"
    )


def test_login_create_makes_a_login_named_by_the_volunteer_number(member, personas):
    user = login_create(member=member, by=personas.secretary)
    member.refresh_from_db()
    assert member.user == user
    assert user.username == "A101"
    assert user.email == "ciren@example.org"
    assert user.is_active
    assert not user.has_usable_password()
    assert member.history.first().history_user == personas.secretary


def test_login_create_twice_is_refused(member, personas):
    login_create(member=member, by=personas.secretary)
    with pytest.raises(LoginRefused) as refused:
        login_create(member=member, by=personas.secretary)
    assert refused.value.messages == ["次仁已有登录账号（用户名 A101）。"]
    assert get_user_model().objects.filter(username="A101").count() == 1


def test_a_member_who_left_gets_no_login(personas):
    left = MemberFactory(team=personas.team, name="王离开", left_on=datetime.date(2018, 6, 30))
    with pytest.raises(LoginRefused) as refused:
        login_create(member=left, by=personas.secretary)
    assert refused.value.messages == ["王离开已离队，离队的队员不能开通登录账号。"]
    left.refresh_from_db()
    assert left.user is None


def test_a_volunteer_number_taken_as_another_user_name_is_refused(member, personas):
    get_user_model().objects.create_user(username="a101")
    with pytest.raises(LoginRefused) as refused:
        login_create(member=member, by=personas.secretary)
    assert "A101" in refused.value.messages[0]
    member.refresh_from_db()
    assert member.user is None


def _link_path(text: str) -> str:
    """The path of the first set-password link in ``text`` (a mail's body)."""
    return urlsplit(re.search(r"https?://\S+/accounts/welcome/\S+/", text).group(0)).path


def test_invitation_mails_a_link_in_chinese(member, personas, settings, monkeypatch):
    settings.SITE_URL = "https://volunteer.example.org"
    settings.PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
    sent_at = datetime.datetime(2026, 12, 3, 2, 15, 30, tzinfo=datetime.UTC)  # 10:15 in Lhasa
    monkeypatch.setattr(timezone, "now", lambda: sent_at)
    user = login_create(member=member, by=personas.secretary)
    assert invitation_send(user=user) is True
    (message,) = mail.outbox
    assert message.to == ["ciren@example.org"]
    assert message.subject == "[志愿服务] 请设置您的登录密码"
    assert "次仁，您好：" in message.body
    assert "用户名：A101" in message.body
    link = re.search(
        r"https://volunteer\.example\.org/accounts/welcome/(\w+)/([\w-]+)/", message.body
    )
    assert link is not None
    assert urlsafe_base64_decode(link.group(1)).decode() == str(user.pk)
    assert default_token_generator.check_token(user, link.group(2))
    # Three days after 2026-12-03 10:15 Asia/Shanghai.
    assert "链接只能使用一次，有效期至 2026-12-06 10:15：" in message.body


def test_invitation_without_an_address_is_not_sent(personas):
    member = MemberFactory(team=personas.team, email="")
    user = login_create(member=member, by=personas.secretary)
    assert invitation_send(user=user) is False
    assert mail.outbox == []


def test_invitation_when_the_mail_server_fails_is_false_not_an_error(member, personas, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    user = login_create(member=member, by=personas.secretary)
    assert invitation_send(user=user) is False


def test_the_link_sets_a_password_logs_in_and_works_once_only(member, personas):
    user = login_create(member=member, by=personas.secretary)
    invitation_send(user=user)
    path = _link_path(mail.outbox[0].body)
    client = client_for()
    opened = client.get(path, follow=True)
    assert "设置密码" in text_of(opened)
    form_url = opened.redirect_chain[-1][0]
    done = client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "密码已设置，您已登录。" in text_of(done)
    assert int(client.session["_auth_user_id"]) == user.pk
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action=AuditAction.PASSWORD_RESET)
    assert (entry.user, entry.target) == (user, "A101")

    again = client_for().get(path, follow=True)
    assert "此链接无效" in text_of(again)
    assert "new_password1" not in again.content.decode()


def test_the_link_clears_a_one_time_password_flag(member, personas):
    user = login_create(member=member, by=personas.secretary)
    PasswordChangeRequired.objects.create(user=user, reason=PasswordChangeRequired.Reason.ONE_TIME)
    path = _link_path(invitation_link(user))
    client = client_for()
    form_url = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert not PasswordChangeRequired.objects.filter(user=user).exists()
    # Logged in and not sent to the change page.
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/me/"


def test_the_link_of_a_disabled_login_does_not_work(member, personas):
    user = login_create(member=member, by=personas.secretary)
    path = _link_path(invitation_link(user))
    user.is_active = False
    user.save()
    opened = client_for().get(path, follow=True)
    assert "此链接无效" in text_of(opened)
