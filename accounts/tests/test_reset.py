"""Password reset by e-mail: one answer for every address, a limit, a link that works once."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from accounts.services import RESET_LIMIT_PER_ADDRESS, RESET_LIMIT_PER_VISITOR
from conftest import PASSWORD, client_for, text_of
from members.tests.factories import MemberFactory
from volunteer_site.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-passphrase-71"
SENT_PAGE = "如果有登录账号使用该地址，设置新密码的链接已经发出。"


@pytest.fixture
def member(personas):
    """The volunteer persona, with an e-mail address on their member record."""
    personas.volunteer_member.email = "jia@example.org"
    personas.volunteer_member.save()
    return personas.volunteer_member


def ask(email: str, client=None, **extra):
    client = client or client_for()
    return client.post(reverse("accounts:password_reset"), {"email": email}, **extra)


def reset_path(body: str) -> str:
    return urlsplit(re.search(r"https?://\S+/accounts/password/reset/\S+/", body).group(0)).path


def test_the_login_page_links_to_the_reset_page(db):
    response = client_for().get(reverse("login"))
    assert f'href="{reverse("accounts:password_reset")}"' in response.content.decode()
    assert "忘记密码？" in text_of(response)


def test_the_reset_page_tells_people_without_an_address_to_ask_their_secretary(db):
    text = text_of(client_for().get(reverse("accounts:password_reset")))
    assert "没有登记电子邮箱" in text
    assert "请联系所在服务队的秘书" in text


def test_a_known_address_gets_a_link_that_sets_the_password_once(member, personas):
    response = ask("JIA@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    (message,) = mail.outbox
    assert message.to == ["jia@example.org"]
    assert message.subject == "[志愿服务] 请设置新密码"
    assert "志愿者甲，您好：" in message.body
    assert "用户名：volunteer" in message.body

    path = reset_path(message.body)
    client = client_for()
    form_url = client.get(path, follow=True).redirect_chain[-1][0]
    done = client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "密码已设置" in text_of(done)
    assert "_auth_user_id" not in client.session  # logs in afterwards, with the new password
    personas.volunteer.refresh_from_db()
    assert personas.volunteer.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action=AuditAction.PASSWORD_RESET)
    assert (entry.user, entry.detail["link"]) == (personas.volunteer, "reset")

    again = client_for().get(path, follow=True)
    assert "此链接无效" in text_of(again)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(member):
    known = ask("jia@example.org")
    unknown = ask("nobody@example.org")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mail.outbox) == 1
    assert SENT_PAGE in text_of(client_for().get(known["Location"]))


def test_a_disabled_login_gets_no_mail(member, personas):
    personas.volunteer.is_active = False
    personas.volunteer.save()
    assert ask("jia@example.org").status_code == 302
    assert mail.outbox == []


def test_a_login_never_given_a_password_can_ask_for_one(personas):
    user = get_user_model().objects.create_user(username="A200", email="")
    user.set_unusable_password()
    user.save()
    MemberFactory(team=personas.team, user=user, email="new@example.org")
    ask("new@example.org")
    assert [m.to for m in mail.outbox] == [["new@example.org"]]


def test_full_width_letters_are_the_ascii_address(member):
    assert ask("ｊｉａ＠ｅｘａｍｐｌｅ．ｏｒｇ").status_code == 302
    assert [m.to for m in mail.outbox] == [["jia@example.org"]]


def test_a_failing_mail_server_changes_nothing_on_the_page(member, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    response = ask("jia@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")


def test_an_address_is_mailed_at_most_three_times_an_hour(member):
    for _ in range(RESET_LIMIT_PER_ADDRESS):
        assert ask("jia@example.org").status_code == 302
    limited = ask("Jia@example.org")
    assert limited.status_code == 429
    assert "请求重置密码的次数过多" in text_of(limited)
    assert len(mail.outbox) == RESET_LIMIT_PER_ADDRESS
    # Another visitor asking for another address is not held up by it.
    assert ask("other@example.org", REMOTE_ADDR="10.0.0.9").status_code == 302


def test_a_visitor_may_ask_ten_times_an_hour_for_any_addresses(db):
    for number in range(RESET_LIMIT_PER_VISITOR):
        assert ask(f"n{number}@example.org").status_code == 302
    assert ask("n99@example.org").status_code == 429
    assert ask("n99@example.org", REMOTE_ADDR="10.0.0.9").status_code == 302


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("NaN", "有效"),
        ("a" * 250 + "@example.org", "电子邮箱地址最多 254 个字符。"),
        ("ａ@ｂ", "有效"),
        ("", "这个字段是必填项。"),
    ],
)
def test_bad_addresses_are_refused_on_their_field(db, typed, message):
    response = ask(typed)
    assert response.status_code == 200
    assert message in text_of(response)
    assert mail.outbox == []


def test_a_nul_character_is_refused(db):
    response = ask("jia\x00@example.org")
    assert response.status_code == 400
    assert "请求包含无效字符" in text_of(response)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("x" * 129, "密码最多 128 个字符。"),
        ("short", "密码太短"),
        ("NaN", "密码太短"),
    ],
)
def test_bad_new_passwords_are_refused_and_the_link_still_works(
    member, personas, password, message
):
    ask("jia@example.org")
    client = client_for()
    form_url = client.get(reset_path(mail.outbox[0].body), follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert message in text_of(response)
    personas.volunteer.refresh_from_db()
    assert personas.volunteer.check_password(PASSWORD)
    ok = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert ok.status_code == 302
