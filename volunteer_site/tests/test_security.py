"""The security baseline: lock-out, session expiry, CSP, the audit log and its purge."""

import datetime
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from activities.models import ActivityStatus
from activities.services import activity_version
from activities.tests.factories import ParticipationFactory
from conftest import PASSWORD
from teams.models import TeamRole
from teams.tests.factories import TeamRoleFactory, UserFactory
from volunteer_site.audit import audit_purge, client_ip
from volunteer_site.models import AuditAction, AuditEntry, AuditOutcome
from volunteer_site.tests.test_settings import clean_environment

pytestmark = pytest.mark.django_db
LOCKED = "登录失败次数过多"
LOGIN = "/accounts/login/"


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


# --- Lock-out --------------------------------------------------------------------------------


def test_a_user_name_is_locked_after_repeated_failures(personas):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "staff", "wrong").status_code == 200
    locked = attempt(client, "staff", "wrong")
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    # Even the right password is refused now, from another address too.
    assert attempt(Client(), "staff", PASSWORD, ip="10.0.0.2").status_code == 429


def test_an_unknown_user_name_locks_the_same_way(personas):
    client = Client()
    responses = [attempt(client, "nobody", "wrong") for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert responses[-1].status_code == 429
    assert LOCKED in responses[-1].content.decode()


def test_an_address_is_locked_after_failures_on_many_names(personas):
    client = Client()
    for index in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"guess{index}", "wrong", ip="10.9.9.9")
    assert attempt(client, "staff", PASSWORD, ip="10.9.9.9").status_code == 429
    assert attempt(Client(), "staff", PASSWORD, ip="10.9.9.8").status_code == 302


def test_admin_unlock_and_cool_off(personas):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "staff", "wrong")
    assert attempt(client, "staff", PASSWORD).status_code == 429
    reset(username="staff")  # what "delete access attempt" in the admin does
    assert attempt(client, "staff", PASSWORD).status_code == 302

    other = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(other, "secretary", "wrong", ip="10.0.0.5")
    assert attempt(other, "secretary", PASSWORD, ip="10.0.0.5").status_code == 429
    long_ago = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    AccessAttempt.objects.update(attempt_time=long_ago)
    assert attempt(other, "secretary", PASSWORD, ip="10.0.0.5").status_code == 302


# Behind the office's reverse proxy every request comes from the proxy's address; the proxy
# appends the address it saw to X-Forwarded-For (anything to the left of it is the client's
# own claim). Documentation addresses: nothing is sent anywhere.
PROXY = "192.0.2.1"
CLIENT_A = "198.51.100.7"
CLIENT_B = "203.0.113.9"


@pytest.fixture
def behind_proxy(settings):
    """What DJANGO_BEHIND_PROXY=true sets (test_settings.py checks it is this)."""
    settings.IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR",)


def attempt_through_proxy(client, username, password, forwarded_for):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.mark.parametrize(
    ("behind", "headers"), [("true", "('HTTP_X_FORWARDED_FOR',)"), ("false", "('REMOTE_ADDR',)")]
)
def test_behind_proxy_variable_sets_where_the_address_is_read(behind, headers):
    script = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.IPWARE_META_PRECEDENCE_ORDER, s.IPWARE_META_PROXY_COUNT, s.IPWARE_STRICT,"
        " s.AXES_CLIENT_IP_CALLABLE)"
    )
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={**clean_environment(), "DJANGO_DEBUG": "true", "DJANGO_BEHIND_PROXY": behind},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [headers, "0", "False", "volunteer_site.audit.client_ip"], (
        result.stderr
    )


def test_behind_the_proxy_failures_lock_only_the_client_that_failed(personas, behind_proxy):
    client_a = Client()
    for index in range(settings.AXES_FAILURE_LIMIT):
        attempt_through_proxy(client_a, f"guess{index}", "wrong", CLIENT_A)
    # A is locked, even with a right password and a forged address in front of its own.
    assert attempt_through_proxy(client_a, "secretary", PASSWORD, CLIENT_A).status_code == 429
    forged = attempt_through_proxy(Client(), "secretary", PASSWORD, f"{CLIENT_B}, {CLIENT_A}")
    assert forged.status_code == 429
    # B, through the same proxy, is not.
    client_b = Client()
    assert attempt_through_proxy(client_b, "staff", PASSWORD, CLIENT_B).status_code == 302
    assert client_b.session["_auth_user_id"] == str(personas.staff.pk)

    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert set(failed.values_list("ip_address", flat=True)) == {CLIENT_A}
    login = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert (login.username, login.ip_address) == ("staff", CLIENT_B)
    locked = AuditEntry.objects.filter(action=AuditAction.LOCKED_OUT)
    assert set(locked.values_list("ip_address", flat=True)) == {CLIENT_A}


@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        (CLIENT_A, CLIENT_A),
        (f"{CLIENT_B}, {CLIENT_A}", CLIENT_A),  # the entry the proxy appended
        (f"unknown, {CLIENT_A}", CLIENT_A),
        (None, PROXY),  # not through the proxy (a health check on the host)
        ("", PROXY),
        ("not-an-address", PROXY),
    ],
)
def test_client_ip_behind_the_proxy(behind_proxy, forwarded_for, expected):
    extra = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    assert client_ip(RequestFactory().get("/", **extra)) == expected


def test_without_the_proxy_a_forwarded_for_header_is_ignored(personas):
    """Reached directly, X-Forwarded-For is whatever the client wrote: a new value
    on each try must not escape the address lock, nor go into the audit log."""
    client = Client()
    for index in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"guess{index}", "wrong", ip=CLIENT_A)
    response = client.post(
        LOGIN,
        {"username": "staff", "password": PASSWORD},
        REMOTE_ADDR=CLIENT_A,
        HTTP_X_FORWARDED_FOR=CLIENT_B,
    )
    assert response.status_code == 429
    logged = AuditEntry.objects.exclude(action=AuditAction.ROLE_CHANGE)
    assert set(logged.values_list("ip_address", flat=True)) == {CLIENT_A}


def test_superuser_sees_the_lockouts_in_the_admin(personas):
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get("/admin/axes/accessattempt/").status_code == 200


# --- Sessions ----------------------------------------------------------------------------------


def test_sessions_expire_after_30_idle_minutes_by_default():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_an_expired_session_needs_a_new_login(personas):
    client = Client()
    client.force_login(personas.staff)
    assert client.get("/teams/our-team/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/teams/our-team/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_each_request_extends_the_idle_timeout(personas):
    client = Client()
    client.force_login(personas.staff)
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=1))
    client.get("/teams/our-team/")
    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > datetime.timedelta(minutes=29)


# --- Headers and pages -------------------------------------------------------------------------


def test_content_security_policy_forbids_inline_code():
    policy = Client().get(LOGIN)["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


TEMPLATES = Path(settings.BASE_DIR) / "templates"


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_templates_keep_to_the_policy(path):
    text = path.read_text()
    inline_scripts = [m for m in re.findall(r"<script\b[^>]*>", text) if "src=" not in m]
    assert not inline_scripts, f"inline <script> in {path}"
    assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {path}"
    assert not re.search(r"\sstyle\s*=", text), f"inline style attribute in {path}"
    assert "<style" not in text, f"<style> element in {path}"


def test_state_changes_refuse_get(personas):
    client = Client()
    client.force_login(personas.secretary)
    activity = ParticipationFactory(
        activity__team=personas.team, member__team=personas.team
    ).activity
    url = reverse("activities:approve", args=[personas.team.slug, activity.pk])
    assert client.get(url).status_code == 405


# --- The audit log -------------------------------------------------------------------------------


def actions():
    entries = AuditEntry.objects.exclude(action=AuditAction.ROLE_CHANGE).order_by("pk")
    return list(entries.values_list("action", "outcome", "username"))


def test_logins_failures_and_logouts_are_audited(personas):
    client = Client()
    attempt(client, "staff", "wrong", ip="10.1.1.1")
    attempt(client, "staff", PASSWORD, ip="10.1.1.1")
    client.post("/accounts/logout/", REMOTE_ADDR="10.1.1.1")
    assert actions() == [
        (AuditAction.LOGIN_FAILED, AuditOutcome.FAILURE, "staff"),
        (AuditAction.LOGIN, AuditOutcome.SUCCESS, "staff"),
        (AuditAction.LOGOUT, AuditOutcome.SUCCESS, "staff"),
    ]
    logged = AuditEntry.objects.exclude(action=AuditAction.ROLE_CHANGE)
    assert set(logged.values_list("ip_address", flat=True)) == {"10.1.1.1"}


def test_lockouts_are_audited(personas):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "staff", "wrong")
    assert AuditEntry.objects.filter(action=AuditAction.LOCKED_OUT, username="staff").exists()


def test_permission_refusals_are_audited(personas):
    client = Client()
    client.force_login(personas.staff)
    assert client.get(reverse("activities:awaiting", args=["our-team"])).status_code == 403
    entry = AuditEntry.objects.get(action=AuditAction.REFUSED)
    assert entry.user == personas.staff
    assert entry.target == "/teams/our-team/activities/awaiting/"


def test_approvals_and_reopenings_are_audited(personas):
    activity = ParticipationFactory(
        activity__team=personas.team,
        activity__status=ActivityStatus.SUBMITTED,
        member__team=personas.team,
    ).activity
    client = Client()
    client.force_login(personas.secretary)
    client.post(
        reverse("activities:approve", args=["our-team", activity.pk]),
        {"version": activity_version(activity)},
    )
    client.post(
        reverse("activities:reopen", args=["our-team", activity.pk]), {"reason": "人数有误"}
    )
    entries = list(
        AuditEntry.objects.filter(action__in=[AuditAction.APPROVE, AuditAction.REOPEN])
        .order_by("pk")
        .values_list("action", "user", "target")
    )
    assert entries == [
        (AuditAction.APPROVE, personas.secretary.pk, str(activity)),
        (AuditAction.REOPEN, personas.secretary.pk, str(activity)),
    ]


def test_role_changes_are_audited(personas):
    role = TeamRoleFactory(team=personas.team, role=TeamRole.Role.STAFF, user__username="newbie")
    role.role = TeamRole.Role.SECRETARY
    role.save()
    role.delete()
    changes = list(
        AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGE, detail__role_user="newbie")
        .order_by("pk")
        .values_list("detail__change", flat=True)
    )
    assert changes == ["added", "changed", "removed"]


def test_the_audit_log_is_for_superusers_only(personas):
    staff_user = UserFactory(username="clerk", is_staff=True)
    client = Client()
    client.force_login(staff_user)
    assert client.get("/admin/volunteer_site/auditentry/").status_code == 403
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get("/admin/volunteer_site/auditentry/").status_code == 200


def test_purge_keeps_entries_younger_than_the_retention():
    now = timezone.now()
    for days in (10, 182, 200, 400):
        entry = AuditEntry.objects.create(action=AuditAction.LOGIN, username=f"d{days}")
        AuditEntry.objects.filter(pk=entry.pk).update(at=now - datetime.timedelta(days=days))
    assert audit_purge(now=now, days=settings.AUDIT_RETENTION_DAYS) == 1
    assert sorted(AuditEntry.objects.values_list("username", flat=True)) == ["d10", "d182", "d200"]


def test_retention_cannot_be_set_below_six_months():
    import os

    from django.core.exceptions import ImproperlyConfigured

    from volunteer_site.env import env_int

    os.environ["AUDIT_TEST_DAYS"] = "90"
    try:
        with pytest.raises(ImproperlyConfigured):
            env_int("AUDIT_TEST_DAYS", 365, minimum=183)
    finally:
        del os.environ["AUDIT_TEST_DAYS"]
