"""A printed one-time password typed as people type it from paper (accounts/backends.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.logins import login_create_with_code
from conftest import client_for
from members.tests.factories import MemberFactory
from volunteer_site.accounts import one_time_code_as_printed

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "my-own-pass-93"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" for c in text)


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("ABCD-EFGH-JKMN", "ABCD-EFGH-JKMN"),
        ("abcd efgh jkmn", "ABCD-EFGH-JKMN"),
        ("ＡＢＣＤ－ＥＦＧＨ－ＪＫＭＮ", "ABCD-EFGH-JKMN"),
        ("abcd—efgh—jkmn", "ABCD-EFGH-JKMN"),
        ("ABCDEFGHJKMN", "ABCD-EFGH-JKMN"),
        ("ABCD-EFGH-JKM", None),  # a letter short
        ("ABCD-EFGH-JKM0", None),  # 0 is never printed
        ("NaN", None),
        ("A" * 100_000, None),
    ],
)
def test_what_is_read_as_a_printed_code(typed, printed):
    assert one_time_code_as_printed(typed) == printed


@pytest.fixture
def member_and_code(personas):
    member = MemberFactory(team=personas.team, volunteer_number="A102", name="卓玛")
    _user, code = login_create_with_code(member=member, by=personas.secretary)
    return member, code


def login(username: str, password: str):
    client = client_for()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


def test_the_code_typed_full_width_in_lower_case_logs_in_and_changes(member_and_code):
    _member, code = member_and_code
    typed = full_width(code.lower().replace("-", " "))
    client, response = login("A102", typed)
    assert response.status_code == 302
    assert client.get("/me/")["Location"] == reverse("password_change")
    changed = client.post(
        reverse("password_change"),
        {"old_password": typed, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert client.get("/me/").status_code == 200
    # Changed: the code, in any form, no longer logs in.
    assert login("A102", code)[1].status_code == 200
    assert login("A102", typed)[1].status_code == 200
    assert login("A102", NEW_PASSWORD)[1].status_code == 302


def test_a_wrong_code_does_not_log_in(member_and_code):
    _member, code = member_and_code
    wrong = "ABCD-EFGH-JKMN" if code != "ABCD-EFGH-JKMN" else "ABCD-EFGH-JKMP"
    assert login("A102", wrong.lower())[1].status_code == 200


def test_an_ordinary_password_is_compared_exactly(personas):
    personas.volunteer.set_password("ABCD-EFGH-JKMN")
    personas.volunteer.save()
    assert login("volunteer", "abcd-efgh-jkmn")[1].status_code == 200
    assert login("volunteer", "ABCD-EFGH-JKMN")[1].status_code == 302
