"""Login, logout, and the home page sending each role to its work."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese():
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录" in page


def test_wrong_password_gives_a_chinese_error_and_no_session(personas):
    client = Client()
    response = client.post(reverse("login"), {"username": "staff", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码错误，请重新输入（区分大小写）。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_user_gets_the_same_message(personas):
    # The message must not reveal whether the account exists.
    response = Client().post(reverse("login"), {"username": "nobody", "password": "x"})
    assert "用户名或密码错误，请重新输入（区分大小写）。" in response.content.decode()


def test_login_then_logout(personas):
    client = Client()
    response = client.post(reverse("login"), {"username": "staff", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.staff.pk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_logout_by_get_is_refused(personas):
    client = Client()
    client.force_login(personas.staff)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_login_rotates_the_session_id(personas):
    client = Client()
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": "staff", "password": PASSWORD})
    assert client.session.session_key != before


def test_anonymous_home_is_the_directory_with_one_login_link():
    response = Client().get(reverse("home"))
    assert response.status_code == 200
    assert response.templates[0].name == "directory/directory.html"
    assert response.content.decode().count(f'href="{reverse("login")}"') == 1


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("staff", "/teams/our-team/"),
        ("secretary", "/teams/our-team/"),
        ("region_admin", "/regions/"),
        ("volunteer", "/me/"),
    ],
)
def test_home_sends_each_role_to_its_work(personas, persona, expected):
    client = Client()
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == expected
    assert client.get(expected).status_code == 200


def test_user_with_no_role_is_told_what_to_do(personas):
    client = Client()
    client.force_login(personas.no_role)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "no role" not in response.content.decode()  # translated, not the msgid


def test_navigation_shows_the_users_teams_and_roles(personas):
    client = Client()
    client.force_login(personas.secretary)
    page = client.get(reverse("dashboard:team", args=["our-team"])).content.decode()
    assert "我们的志愿服务队" in page
    assert "秘书" in page
    assert "别人的志愿服务队" not in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("staff", 200),
        ("secretary", 200),
        ("region_admin", 200),
        ("other_staff", 404),
        ("other_secretary", 404),
        ("other_region_admin", 404),
        ("volunteer", 404),
        ("no_role", 404),
    ],
)
def test_team_home_is_scoped(personas, persona, status):
    client = Client()
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("dashboard:team", args=["our-team"])).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("region_admin", 200), ("staff", 403), ("volunteer", 403), ("no_role", 403)],
)
def test_region_overview_only_for_region_admins(personas, persona, status):
    client = Client()
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("regions:overview")).status_code == status


def test_region_overview_lists_only_teams_in_the_admins_subtree(personas):
    client = Client()
    client.force_login(personas.region_admin)
    page = client.get(reverse("regions:overview")).content.decode()
    assert "我们的志愿服务队" in page
    assert "别人的志愿服务队" not in page


@pytest.mark.parametrize(("persona", "status"), [("volunteer", 200), ("staff", 404)])
def test_my_record_only_for_volunteers(personas, persona, status):
    client = Client()
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("records:mine")).status_code == status


def test_chinese_even_for_an_english_browser():
    response = Client().get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in response.content.decode()


def test_english_when_the_user_chooses_it():
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page


# --- Where a login sends the user: only to this site ----------------------------------------

UNSAFE_NEXT = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "http://testserver.evil.example/",
    "https:///evil.example/",
    "javascript:alert(1)",
    "http://testserver@evil.example/",
]


@pytest.mark.parametrize("next_url", UNSAFE_NEXT)
def test_login_never_sends_the_user_to_another_site(personas, next_url):
    client = Client()
    page = client.get(reverse("login"), {"next": next_url}).content.decode()
    assert '<input type="hidden" name="next" value="">' in page  # not carried into the form
    response = client.post(
        reverse("login"), {"username": "staff", "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    # Already signed in, the login page sends them home too.
    again = client.get(reverse("login"), {"next": next_url})
    assert again.status_code == 302
    assert again["Location"] == reverse("home")


def test_login_goes_on_to_the_page_asked_for_on_this_site(personas):
    response = Client().post(
        reverse("login"),
        {"username": "staff", "password": PASSWORD, "next": "/teams/our-team/?tab=members"},
    )
    assert response["Location"] == "/teams/our-team/?tab=members"


@pytest.mark.parametrize(
    "next_url",
    [
        "ｈｔｔｐｓ://evil.example/",  # full-width look-alike: a relative path to browsers
    ],
)
def test_look_alike_or_nul_next_stays_on_this_site(personas, next_url):
    response = Client().post(
        reverse("login"), {"username": "staff", "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc) == ("", "")
    assert not response["Location"].startswith(("//", "/\\"))


@pytest.mark.parametrize("next_url", UNSAFE_NEXT[:3])
def test_logout_never_sends_the_user_to_another_site(personas, next_url):
    client = Client()
    client.force_login(personas.staff)
    response = client.post(reverse("logout"), {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("login")


@pytest.mark.parametrize("next_url", ["https://evil.example\x00/", "/teams/\x00/"])
def test_a_nul_in_next_is_refused_before_the_login(personas, next_url):
    response = Client().post(
        reverse("login"), {"username": "staff", "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 400
    assert "请求包含无效字符" in response.content.decode()
