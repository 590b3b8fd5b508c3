"""The check-in page and the organiser's sheet, read in Chinese."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import ActivityStatus
from attendance import services
from attendance.models import Attendance, CheckInCode
from attendance.tests.factories import running_occurrence
from conftest import client_for, text_of
from members.tests.factories import MemberFactory
from planning.models import OccurrenceStatus
from planning.tests.factories import occurrence_of
from signups.models import SignUp, SignUpStatus
from signups.tests.factories import volunteer_of
from volunteer_site.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

CHECK_IN = reverse("attendance:check_in")


@pytest.fixture
def running(personas):
    """Our team's patrol, begun ten minutes ago, with code 482913."""
    return running_occurrence(personas.team)


def url(name: str, occurrence) -> str:
    return reverse(f"attendance:{name}", kwargs={"slug": "our-team", "pk": occurrence.pk})


def told(response) -> list[str]:
    """The messages the redirect carries (with those of earlier unfollowed redirects)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The volunteer's page ---


def test_the_qr_link_fills_the_code_in_but_does_not_check_in(personas, running):
    client = client_for(personas.volunteer)
    page = client.get(CHECK_IN + "?code=482913").content.decode()
    assert 'value="482913"' in page and 'inputmode="numeric"' in page
    assert 'autocomplete="one-time-code"' in page
    assert not Attendance.objects.exists()
    assert 'value="' not in client.get(CHECK_IN + "?code=NaN").content.decode().split("code")[-1]


def test_volunteers_find_the_page_in_the_navigation(personas):
    html = client_for(personas.volunteer).get(reverse("records:mine")).content.decode()
    assert f'href="{CHECK_IN}"' in html


def test_full_width_digits_and_spaces_check_in_then_out(personas, running):
    client = client_for(personas.volunteer)
    response = client.post(CHECK_IN, {"code": "４８２ ９１３"})
    page = text_of(response)
    assert response.status_code == 200
    assert "已签到" in page and "火车站夜间巡逻" in page and "签退" in page
    attendance = Attendance.objects.get(user=personas.volunteer)
    assert attendance.checked_in_at is not None and attendance.checked_out_at is None
    response = client.post(CHECK_IN, {"code": "482913", "out": "1"})
    assert "已签退" in text_of(response)
    attendance.refresh_from_db()
    assert attendance.checked_out_at is not None


def test_a_wrong_code_says_so_and_the_sixth_is_paused(personas, running):
    client = client_for(personas.volunteer)
    for _ in range(5):
        response = client.post(CHECK_IN, {"code": "000000"})
        assert response.status_code == 400
        assert "没有活动使用签到码 000000，请向组织者核对。" in text_of(response)
    response = client.post(CHECK_IN, {"code": "482913"})
    assert response.status_code == 429
    assert "签到码输错次数过多，请10分钟后再试" in text_of(response)
    assert not Attendance.objects.exists()


def test_before_the_window_the_page_says_when_it_opens(personas):
    occurrence = occurrence_of(personas.team)  # tomorrow 20:00
    CheckInCode.objects.create(occurrence=occurrence, code="111222", created_at=timezone.now())
    response = client_for(personas.volunteer).post(CHECK_IN, {"code": "111222"})
    assert "19:30 开始（活动开始前30分钟）" in text_of(response)


def test_an_outsider_is_refused_with_the_team_named(personas, running):
    response = client_for(personas.no_role).post(CHECK_IN, {"code": "482913"})
    assert "只有我们的志愿服务队的队员可以签到。" in text_of(response)


# --- The organiser's sheet ---


def test_the_sheet_shows_the_code_the_qr_and_no_shows(personas, running):
    came, stayed_away = (
        volunteer_of(personas.team, name="次仁"),
        volunteer_of(personas.team, name="卓玛"),
    )
    for user in (came, stayed_away):
        SignUp.objects.create(occurrence=running, user=user, requested_at=timezone.now())
    Attendance.objects.create(occurrence=running, user=came, checked_in_at=running.starts_at)
    Attendance.objects.create(
        occurrence=running, user=personas.volunteer, checked_in_at=running.starts_at
    )
    response = client_for(personas.staff).get(url("sheet", running))
    html = response.content.decode()
    assert "482913" in html and 'src="data:image/svg+xml' in html
    assert "/me/check-in/?code=482913" in html
    page = text_of(response)
    assert "报名：2 · 到场：2 · 缺席：1" in page
    assert page.index("卓玛") > page.index("次仁")  # present first
    assert "缺席" in page.split("卓玛")[1]


def test_after_the_last_check_out_the_sheet_shows_no_code(personas):
    """A patrol ended two nights ago at 24:00: check-out closed at 01:00, so the code and
    its QR code are of no use; the sheet says when it closed and keeps the hand marking.
    (Not last night's: its check-out is still open between 00:00 and 01:00.)"""
    ended = occurrence_of(personas.team, days_ahead=-2)
    response = client_for(personas.staff).get(url("sheet", ended))
    html = response.content.decode()
    assert 'src="data:image/svg+xml' not in html and "换一个签到码" not in text_of(response)
    closes = timezone.localtime(ended.ends_at + services.CHECK_OUT_AFTER)
    assert f"签到和签退已于 {closes:%Y-%m-%d %H:%M} 截止" in text_of(response)
    assert 'id="mark-form"' in html


def test_the_print_version_has_no_navigation(personas, running):
    html = client_for(personas.secretary).get(url("print", running)).content.decode()
    assert "482913" in html and "site-nav" not in html and "css/attendance.css" in html


def test_a_volunteer_checked_in_stays_signed_in_until_check_out_closes(personas, running, settings):
    """The patrol began 10 minutes ago and lasts 4 hours; check-out closes an hour after:
    the session stays valid while idle for 4 h 50 min, not the usual 30 minutes, and goes
    back to 30 minutes at check-out. A login with a role keeps the usual limit."""
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = client_for(personas.volunteer)
    page = text_of(client.post(CHECK_IN, {"code": "482913"}))
    assert 4 * 3600 + 49 * 60 < client.session.get_expiry_age() <= 4 * 3600 + 50 * 60
    closes = timezone.localtime(running.ends_at + services.CHECK_OUT_AFTER)
    hint = f"离开时请在本页签退，或再次输入签到码，{closes:%H:%M} 前有效。"
    assert f"{hint} 在此之前您无需重新登录。" in page
    client.post(CHECK_IN, {"code": "482913", "out": "1"})
    assert client.session.get_expiry_age() == 30 * 60
    staff = client_for(personas.staff)
    MemberFactory(team=personas.team, user=personas.staff)
    page = text_of(staff.post(CHECK_IN, {"code": "482913"}))
    assert Attendance.objects.filter(user=personas.staff).exists()
    assert staff.session.get_expiry_age() == 30 * 60
    assert hint in page and "无需重新登录" not in page


def test_a_new_code_replaces_the_old(personas, running):
    response = client_for(personas.staff).post(url("new_code", running))
    code = CheckInCode.objects.get(occurrence=running).code
    assert code != "482913"  # the old code is in use, so never drawn again
    assert told(response) == [f"新签到码为 {code}，旧签到码已失效。"]
    entry = AuditEntry.objects.get(action=AuditAction.CHECKIN_CODE_RENEW)
    assert (entry.user, entry.detail["occurrence"]) == (personas.staff, running.pk)


def test_the_sheet_keeps_its_query_count_as_people_come(personas, running):
    client = client_for(personas.staff)
    Attendance.objects.create(
        occurrence=running, user=personas.volunteer, checked_in_at=running.starts_at
    )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("sheet", running)).status_code == 200
        return len(queries)

    few = count()
    for _ in range(8):
        user = volunteer_of(personas.team)
        SignUp.objects.create(occurrence=running, user=user, requested_at=timezone.now())
        Attendance.objects.create(occurrence=running, user=user, checked_in_at=running.starts_at)
    assert count() == few


# --- Marking by hand ---


def test_mark_with_hours_with_times_and_unmark(personas, running):
    client = client_for(personas.staff)
    response = client.post(
        url("mark", running), {"user": personas.volunteer.pk, "hours": "2.5", "note": "迟到"}
    )
    assert told(response) == ["已将志愿者甲标记为到场。"]
    attendance = Attendance.objects.get(user=personas.volunteer)
    assert (attendance.hours, attendance.marked_by, attendance.note) == (
        Decimal("2.5"),
        personas.staff,
        "迟到",
    )
    start = timezone.localtime(running.starts_at)
    response = client.post(
        url("mark", running),
        {
            "user": personas.volunteer.pk,
            "arrived": f"{start:%H:%M}",
            "left": f"{start + datetime.timedelta(hours=2, minutes=20):%H:%M}",
        },
    )
    assert told(response)[-1] == "已将志愿者甲标记为到场。"
    attendance.refresh_from_db()
    assert attendance.hours is None
    assert services.hours_of(attendance, cap=Decimal("4.0")).hours == Decimal("2.5")
    response = client.post(url("unmark", running), {"user": personas.volunteer.pk})
    assert told(response)[-1] == "已取消志愿者甲的到场标记。"
    assert not Attendance.objects.exists()
    # Each in the audit log: hours given by hand count, so who gave them is kept.
    marks = AuditEntry.objects.filter(action=AuditAction.ATTENDANCE_MARK).order_by("pk")
    assert [(e.user, e.detail["volunteer"], e.detail["hours"]) for e in marks] == [
        (personas.staff, "volunteer", "2.5"),
        (personas.staff, "volunteer", None),
    ]
    assert marks[1].detail["arrived"] == start.replace(second=0, microsecond=0).isoformat()
    unmark = AuditEntry.objects.get(action=AuditAction.ATTENDANCE_UNMARK)
    assert (unmark.detail["volunteer"], unmark.detail["occurrence"]) == ("volunteer", running.pk)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("-1", "参与者的服务时长必须大于零。"),
        ("0", "参与者的服务时长必须大于零。"),
        ("NaN", "“NaN”不是有效的小时数"),
        ("9" * 40, "小时数过大，请核对。"),
    ],
)
def test_bad_hours_are_refused_in_chinese_and_nothing_saved(personas, running, hours, message):
    response = client_for(personas.staff).post(
        url("mark", running), {"user": personas.volunteer.pk, "hours": hours}
    )
    assert response.status_code == 302
    assert any(message in m for m in told(response)), told(response)
    assert not Attendance.objects.exists()


def test_someone_of_another_team_cannot_be_marked(personas, running):
    response = client_for(personas.staff).post(
        url("mark", running), {"user": personas.other_staff.pk}
    )
    assert told(response) and not Attendance.objects.exists()


# --- The draft record ---


def test_the_draft_is_made_from_the_sheet_and_then_edited_as_usual(personas, running):
    Attendance.objects.create(
        occurrence=running,
        user=personas.volunteer,
        checked_in_at=running.starts_at,
        checked_out_at=running.starts_at + datetime.timedelta(hours=1, minutes=50),
    )
    response = client_for(personas.staff).post(url("draft", running))
    running.refresh_from_db()
    activity = running.activity
    assert response["Location"] == activity.get_absolute_url()
    assert activity.status == ActivityStatus.DRAFT and running.status == OccurrenceStatus.DONE
    assert [(p.member, p.hours) for p in activity.participations.all()] == [
        (personas.volunteer_member, Decimal("2.0"))
    ]
    assert told(response) == ["活动记录草稿有1名参与者。请核对后提交审核。"]
    # The sheet links to it.
    assert (
        activity.get_absolute_url()
        in client_for(personas.staff).get(url("sheet", running)).content.decode()
    )


def test_no_draft_before_the_start(personas):
    occurrence = occurrence_of(personas.team)
    response = client_for(personas.secretary).post(url("draft", occurrence))
    assert response["Location"] == url("sheet", occurrence)
    assert "活动尚未开始" in told(response)[0]


def test_signups_on_the_waiting_list_are_not_on_the_sheet(personas, running):
    SignUp.objects.create(
        occurrence=running,
        user=personas.volunteer,
        status=SignUpStatus.WAITING,
        requested_at=timezone.now(),
    )
    assert (
        "志愿者甲"
        not in text_of(client_for(personas.staff).get(url("sheet", running)))
        .split("考勤表")[1]
        .split("手工标记到场")[0]
    )
