"""Users' own accounts: changing one's password, and "must change password" first."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from demo.region import PROVINCE_LOGIN
from demo.team_data import DEMO_LOGINS
from volunteer_site.accounts import password_change_require
from volunteer_site.models import AuditAction, AuditEntry, PasswordChangeRequired

pytestmark = pytest.mark.django_db

CHANGE = "/accounts/password/"
DONE = "/accounts/password/done/"
NEW_PASSWORD = "Lhasa-river-2026"
WRONG_OLD = "你的旧密码不正确。请重新输入。"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change(client, old=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        CHANGE,
        {
            "old_password": old,
            "new_password1": new,
            "new_password2": new if again is None else again,
        },
    )


def password_is(user, password) -> bool:
    user.refresh_from_db()
    return user.check_password(password)


# --- Changing one's password ------------------------------------------------------------------


def test_urls():
    assert reverse("password_change") == CHANGE
    assert reverse("password_change_done") == DONE


def test_the_page_is_chinese_in_the_sites_layout(personas):
    response = signed_in(personas.staff).get(CHANGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "<title>修改密码 · " in page
    for label in ["旧密码", "新密码", "新密码确认"]:
        assert label in page
    assert "退出登录" in page  # the site's top bar
    assert "演示账号" not in page  # nobody asked this user to change it


def test_the_top_bar_links_to_it_for_every_signed_in_user(personas):
    for user in [personas.staff, personas.volunteer, personas.region_admin, personas.no_role]:
        page = signed_in(user).get(reverse("home"), follow=True).content.decode()
        assert f'href="{CHANGE}"' in page, user
    assert f'href="{CHANGE}"' not in Client().get(reverse("login")).content.decode()


def test_changing_the_password(personas):
    client = signed_in(personas.staff)
    response = change(client)
    assert response.status_code == 302
    assert response["Location"] == DONE
    done = client.get(DONE)
    assert "密码已修改" in done.content.decode()
    assert password_is(personas.staff, NEW_PASSWORD)
    # Still signed in here; the new password is the one that logs in.
    assert client.get(reverse("dashboard:team", args=["our-team"])).status_code == 200
    fresh = Client()
    fresh.post(reverse("login"), {"username": "staff", "password": PASSWORD})
    assert "_auth_user_id" not in fresh.session
    fresh.post(reverse("login"), {"username": "staff", "password": NEW_PASSWORD})
    assert fresh.session["_auth_user_id"] == str(personas.staff.pk)
    entry = AuditEntry.objects.get(action=AuditAction.PASSWORD_CHANGE)
    assert (entry.user, entry.outcome) == (personas.staff, "success")


def test_a_wrong_old_password_is_refused_in_chinese(personas):
    response = change(signed_in(personas.staff), old="not-my-password")
    assert response.status_code == 200
    assert WRONG_OLD in response.content.decode()
    assert password_is(personas.staff, PASSWORD)
    assert not AuditEntry.objects.filter(action=AuditAction.PASSWORD_CHANGE).exists()


@pytest.mark.parametrize(
    ("new", "again", "message"),
    [
        (NEW_PASSWORD, "Lhasa-river-2027", "输入的两个密码不一致。"),
        ("short1", None, "密码太短，至少需要 8 个字符。"),
        ("12345678901", None, "密码只包含数字。"),
        ("password123", None, "太常见"),
        (PASSWORD, None, "新密码不能与当前密码相同。"),
    ],
)
def test_a_weak_or_unchanged_new_password_is_refused_in_chinese(personas, new, again, message):
    response = change(signed_in(personas.staff), new=new, again=again)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert password_is(personas.staff, PASSWORD)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("old_password", "NaN", WRONG_OLD),
        ("new_password1", "长" * 100_000, "密码最多 128 个字符。"),
        ("old_password", "x" * 1_000_000, WRONG_OLD),
        # A look-alike (full-width letters) is another password, not the old one.
        ("old_password", "ｃｏｒｒｅｃｔ-horse-42", WRONG_OLD),
    ],
)
def test_bad_input_gets_a_chinese_message_and_changes_nothing(personas, field, value, message):
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD}
    data[field] = value
    data["new_password2"] = data["new_password1"]
    response = signed_in(personas.staff).post(CHANGE, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert password_is(personas.staff, PASSWORD)


@pytest.mark.parametrize("field", ["old_password", "new_password1"])
def test_a_nul_character_is_refused_before_the_form(personas, field):
    """The request is refused as a whole (volunteer_site.middleware.RefuseNulMiddleware)."""
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD}
    data[field] = data[field][:4] + "\x00" + data[field][4:]
    data["new_password2"] = data["new_password1"]
    response = signed_in(personas.staff).post(CHANGE, data)
    assert response.status_code == 400
    assert "请求包含无效字符" in response.content.decode()
    assert password_is(personas.staff, PASSWORD)


def test_anonymous_visitors_are_sent_to_log_in():
    for url in [CHANGE, DONE]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


# --- Must change the password first ---------------------------------------------------------


def flag(user, reason=PasswordChangeRequired.Reason.DEMO):
    password_change_require(users=[user], reason=reason)


def logged_in_through_the_form(username, password=PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302
    return client


def test_a_flagged_user_is_sent_to_the_change_page_from_every_page(personas):
    flag(personas.secretary)
    client = logged_in_through_the_form("secretary")
    for url in [
        reverse("home"),
        reverse("dashboard:team", args=["our-team"]),
        reverse("activities:create", args=["our-team"]),
        "/admin/",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == CHANGE, url
    # A form sent anyway changes nothing.
    response = client.post(reverse("members:create", args=["our-team"]), {"name": "新队员"})
    assert response["Location"] == CHANGE
    page = client.get(CHANGE).content.decode()
    assert "演示账号" in page and "密码是公开的" in page


def test_logout_language_and_static_files_stay_reachable(personas):
    flag(personas.staff)
    client = logged_in_through_the_form("staff")
    assert client.get("/static/css/site.css").status_code == 200
    response = client.post(reverse("set_language"), {"language": "en", "next": CHANGE})
    assert response["Location"] == CHANGE
    assert "Change password" in client.get(CHANGE).content.decode()
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_changing_the_password_lifts_the_flag(personas):
    flag(personas.staff)
    client = logged_in_through_the_form("staff")
    assert change(client)["Location"] == DONE
    assert client.get(DONE).status_code == 200
    assert client.get(reverse("dashboard:team", args=["our-team"])).status_code == 200
    assert not PasswordChangeRequired.objects.exists()
    # And it stays lifted at the next login.
    again = logged_in_through_the_form("staff", NEW_PASSWORD)
    assert again.get(reverse("dashboard:team", args=["our-team"])).status_code == 200


def test_the_flag_is_read_at_login(personas):
    """Also by force_login (the test client) and the admin's login: every login fires it."""
    flag(personas.volunteer)
    assert signed_in(personas.volunteer).get(reverse("records:mine"))["Location"] == CHANGE
    unflagged = signed_in(personas.staff)
    assert unflagged.get(reverse("dashboard:team", args=["our-team"])).status_code == 200


def test_with_debug_on_the_demo_logins_are_left_alone_but_one_time_passwords_are_not(
    personas, settings
):
    settings.DEBUG = True
    flag(personas.staff, PasswordChangeRequired.Reason.DEMO)
    flag(personas.secretary, PasswordChangeRequired.Reason.ONE_TIME)
    staff = logged_in_through_the_form("staff")
    assert staff.get(reverse("dashboard:team", args=["our-team"])).status_code == 200
    secretary = logged_in_through_the_form("secretary")
    assert secretary.get(reverse("dashboard:team", args=["our-team"]))["Location"] == CHANGE
    assert "一次性密码" in secretary.get(CHANGE).content.decode()


def test_seed_demo_flags_every_demo_login():
    call_command("seed_demo", public_passwords_ok=True, stdout=StringIO())
    usernames = {login.username for login in [*DEMO_LOGINS, PROVINCE_LOGIN]}
    flagged = PasswordChangeRequired.objects.filter(reason=PasswordChangeRequired.Reason.DEMO)
    assert set(flagged.values_list("user__username", flat=True)) == usernames
    assert get_user_model().objects.filter(username__in=usernames).count() == len(usernames)


def test_the_admin_lists_who_must_change_their_password(personas):
    flag(personas.staff)
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    page = signed_in(admin).get("/admin/volunteer_site/passwordchangerequired/")
    assert page.status_code == 200
    assert "密码公开的演示账号" in page.content.decode()
