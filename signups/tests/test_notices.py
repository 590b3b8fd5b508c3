"""Mail about sign-ups (docs/domain.md § Entities, Sign-ups): moved up, cancelled, the day-before
reminder; sent once, after the change has committed, and never refusing a save."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from members.tests.factories import MemberFactory
from planning import signals
from planning.models import OccurrenceStatus
from planning.tests.factories import occurrence_of
from signups import notices, services
from signups.models import SignUp, SignUpStatus
from teams.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _tasks_in_process(settings):
    """The mail tasks run in the test's process (test_tasks.py runs them on a worker)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def team():
    return TeamFactory(name="日喀则服务队")


def volunteer(team, name: str, email: str = ""):
    user = UserFactory()
    MemberFactory(team=team, user=user, name=name, email=email or f"{user.username}@example.org")
    return user


def fill(occurrence, users):
    start = timezone.now() - datetime.timedelta(hours=1)
    return [services.sign_up(occurrence, u, now=start + i * MINUTE) for i, u in enumerate(users)]


def test_moved_up_is_told_once_after_the_cancel_commits(team, django_capture_on_commit_callbacks):
    occurrence = occurrence_of(team, capacity=1, title="火车站夜间巡逻", what_to_bring="手电筒")
    a, b = volunteer(team, "甲"), volunteer(team, "乙", "yi@example.org")
    fill(occurrence, [a, b])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.cancel(SignUp.objects.get(user=a), by=a)
        assert not mail.outbox  # nothing before the commit
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["yi@example.org"]
    day = f"{occurrence.date:%Y-%m-%d}"
    assert message.subject == f"【志愿服务】您已递补报名成功：{day} 火车站夜间巡逻"
    assert "乙" in message.body and "从候补递补为正式报名" in message.body
    assert f"时间：{day} 20:00–24:00" in message.body and "需携带：手电筒" in message.body
    assert f"/me/activities/{occurrence.pk}/" in message.body
    # The task run again (a retry, a second worker) sends nothing more.
    signup = SignUp.objects.get(user=b)
    assert notices.moved_up_send([signup.pk]) == 0
    assert len(mail.outbox) == 1
    assert signup.notified_at is not None


def test_a_mail_outage_leaves_the_change_saved_and_the_mail_due(
    team, django_capture_on_commit_callbacks
):
    occurrence = occurrence_of(team, capacity=1)
    a, b = volunteer(team, "甲"), volunteer(team, "乙")
    fill(occurrence, [a, b])
    smtp_down = mock.patch("signups.notices.EmailMessage.send", side_effect=OSError("down"))
    with smtp_down, django_capture_on_commit_callbacks(execute=True):
        services.cancel(SignUp.objects.get(user=a), by=a)
    waiting = SignUp.objects.get(user=b)
    assert waiting.status == SignUpStatus.CONFIRMED  # the move stands
    assert waiting.notified_at is None  # the mail is still due
    assert notices.moved_up_send([waiting.pk]) == 1
    assert len(mail.outbox) == 1


def test_a_broker_outage_leaves_the_change_saved(
    team, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    occurrence = occurrence_of(team, capacity=1)
    a, b = volunteer(team, "甲"), volunteer(team, "乙")
    fill(occurrence, [a, b])
    broker_down = mock.patch("signups.tasks.send_moved_up.delay", side_effect=ConnectionError)
    with broker_down, django_capture_on_commit_callbacks(execute=True):
        services.cancel(SignUp.objects.get(user=a), by=a)
    assert SignUp.objects.get(user=b).status == SignUpStatus.CONFIRMED
    assert not mail.outbox


def test_taken_off_by_staff_is_told_once_and_the_one_moved_up_too(
    team, django_capture_on_commit_callbacks
):
    occurrence = occurrence_of(team, capacity=1, title="火车站夜间巡逻")
    a, b = volunteer(team, "甲", "jia@example.org"), volunteer(team, "乙", "yi@example.org")
    fill(occurrence, [a, b])
    staff = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(SignUp.objects.get(user=a), by=staff)
    day = f"{occurrence.date:%Y-%m-%d}"
    told = {message.to[0]: message for message in mail.outbox}
    assert sorted(told) == ["jia@example.org", "yi@example.org"]
    removed = told["jia@example.org"]
    assert removed.subject == f"【志愿服务】您已不在活动名单上：{day} 火车站夜间巡逻"
    assert "甲" in removed.body and "日喀则服务队已将您从" in removed.body
    assert f"{day} 20:00–24:00" in removed.body and "/me/activities/" in removed.body
    assert told["yi@example.org"].subject.startswith("【志愿服务】您已递补报名成功")
    # Run again (a retry, a second worker): nothing more.
    assert notices.removed_send([SignUp.objects.get(user=a).pk]) == 0
    assert len(mail.outbox) == 2


def test_cancelling_oneself_or_being_put_back_sends_no_removal(
    team, django_capture_on_commit_callbacks
):
    occurrence = occurrence_of(team)
    a, b = volunteer(team, "甲"), volunteer(team, "乙")
    fill(occurrence, [a, b])
    staff = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(SignUp.objects.get(user=a), by=a)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(SignUp.objects.get(user=b), by=staff)
        services.assign(occurrence, b, by=staff)  # put back before the mail went
    assert not mail.outbox
    assert notices.removed_send(list(SignUp.objects.values_list("pk", flat=True))) == 0


def test_nobody_without_an_address_is_mailed_and_nothing_fails(team):
    occurrence = occurrence_of(team, capacity=1)
    a = volunteer(team, "甲")
    silent = UserFactory(email="")
    MemberFactory(team=team, user=silent, email="")
    fill(occurrence, [a, silent])
    services.cancel(SignUp.objects.get(user=a), by=a)
    signup = SignUp.objects.get(user=silent)
    assert notices.moved_up_send([signup.pk]) == 0
    assert not mail.outbox


def test_the_day_before_reminder_goes_once_to_tomorrows_confirmed(team):
    tomorrow = occurrence_of(team, days_ahead=1, capacity=1, title="明天的巡逻")
    later = occurrence_of(team, days_ahead=2, title="后天的巡逻")
    cancelled = occurrence_of(team, days_ahead=1, title="取消的巡逻")
    a, b, c = volunteer(team, "甲"), volunteer(team, "乙"), volunteer(team, "丙")
    fill(tomorrow, [a, b])  # a confirmed, b waiting
    fill(later, [c])
    fill(cancelled, [c])
    cancelled.status = OccurrenceStatus.CANCELLED
    cancelled.save()

    assert notices.reminders_send() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [a.member.email]
    assert message.subject == "【志愿服务】明天的活动：明天的巡逻，20:00–24:00"
    assert "温馨提醒" in message.body and "甲" in message.body
    assert SignUp.objects.get(user=a, occurrence=tomorrow).reminded_at is not None

    # The job run again (or a second worker) sends nothing twice.
    assert notices.reminders_send() == 0
    assert len(mail.outbox) == 1


def test_the_reminder_is_tried_again_after_a_mail_outage(team):
    occurrence = occurrence_of(team, days_ahead=1)
    a = volunteer(team, "甲")
    fill(occurrence, [a])
    with mock.patch("signups.notices.EmailMessage.send", side_effect=OSError("smtp down")):
        assert notices.reminders_send() == 0
    assert SignUp.objects.get().reminded_at is None
    assert notices.reminders_send() == 1


def test_the_reminder_runs_daily_at_six_in_the_evening():
    from volunteer_site.celery import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["signup-day-before-reminders"]
    assert entry["task"] == "signups.send_reminders"
    assert entry["schedule"].hour == {18} and entry["schedule"].minute == {0}


def test_a_cancelled_occurrence_takes_everyone_off_and_tells_them(
    team, django_capture_on_commit_callbacks
):
    occurrence = occurrence_of(team, capacity=1, title="火车站夜间巡逻")
    other = occurrence_of(team, days_ahead=2, capacity=1)
    a, b, c = volunteer(team, "甲"), volunteer(team, "乙"), volunteer(team, "丙")
    fill(occurrence, [a, b, c])  # a confirmed, b and c waiting
    services.cancel(SignUp.objects.get(user=c, occurrence=occurrence), by=c)
    fill(other, [a])
    staff = UserFactory()
    occurrence.status = OccurrenceStatus.CANCELLED
    occurrence.save()

    with django_capture_on_commit_callbacks(execute=True):
        signals.occurrences_cancelled.send(sender=None, occurrences=[occurrence], by=staff)
    rows = SignUp.objects.filter(occurrence=occurrence)
    assert set(rows.values_list("status", flat=True)) == {SignUpStatus.CANCELLED}
    assert rows.get(user=a).changed_by == staff
    # Told: the confirmed and the waiting; not c, who had cancelled before.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.member.email, b.member.email])
    assert all(m.subject.startswith("【志愿服务】活动已取消：") for m in mail.outbox)
    assert "已取消" in mail.outbox[0].body
    # The other occurrence is untouched.
    assert SignUp.objects.get(occurrence=other).status == SignUpStatus.CONFIRMED

    # Even handed to the task, c (who had cancelled themselves) is not told.
    assert notices.cancelled_send([rows.get(user=c).pk]) == 0
    assert "时间：" not in mail.outbox[0].body  # the cancel mail says it in one sentence
    # Sent again (a repeated signal): nobody is told twice.
    with django_capture_on_commit_callbacks(execute=True):
        signals.occurrences_cancelled.send(sender=None, occurrences=[occurrence], by=staff)
    assert len(mail.outbox) == 2


def test_a_larger_capacity_moves_the_coming_waiting_lists_up(
    team, django_capture_on_commit_callbacks
):
    near = occurrence_of(team, capacity=1)
    planned = near.planned_activity
    started = near.__class__.objects.create(
        planned_activity=planned,
        date=timezone.localdate() - datetime.timedelta(days=1),
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )
    a, b, c = volunteer(team, "甲"), volunteer(team, "乙"), volunteer(team, "丙")
    fill(near, [a, b, c])  # a confirmed; b, c waiting
    SignUp.objects.create(
        occurrence=started, user=b, status=SignUpStatus.WAITING, requested_at=timezone.now()
    )
    planned.capacity = 2
    planned.save()
    with django_capture_on_commit_callbacks(execute=True):
        signals.planned_changed.send(sender=None, planned=planned, changed=["capacity"], by=None)
    statuses = dict(SignUp.objects.filter(occurrence=near).values_list("user", "status"))
    assert statuses == {a.pk: "confirmed", b.pk: "confirmed", c.pk: "waiting"}
    # An occurrence that has begun keeps its list.
    assert SignUp.objects.get(occurrence=started).status == SignUpStatus.WAITING
    assert [m.to for m in mail.outbox] == [[b.member.email]]

    # Another change (a place, a time) moves nobody.
    planned.capacity = 3
    planned.save()
    signals.planned_changed.send(sender=None, planned=planned, changed=["place"], by=None)
    assert SignUp.objects.get(occurrence=near, user=c).status == SignUpStatus.WAITING


def test_a_receiver_that_fails_never_fails_planning(team, caplog):
    """Planning sends its signals after its own change has committed: a failure here is
    logged, never raised into planning's request."""
    occurrence = occurrence_of(team)
    planned = occurrence.planned_activity
    occurrence.delete()  # gone by the time the signal is read
    signals.occurrences_cancelled.send(sender=None, occurrences=[occurrence], by=None)
    assert "not updated" in caplog.text
    broken = mock.patch("signups.services.waiting_promote_all", side_effect=RuntimeError)
    with broken:
        signals.planned_changed.send(sender=None, planned=planned, changed=["capacity"], by=None)
    assert "not moved up" in caplog.text
