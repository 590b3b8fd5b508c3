"""The sign-up mail tasks through a real Celery worker on Redis."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core import mail
from django.utils import timezone

from members.tests.factories import MemberFactory
from planning.tests.factories import occurrence_of
from signups import services
from signups.models import SignUp
from signups.tasks import send_reminders
from teams.tests.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def volunteer(team):
    user = UserFactory()
    MemberFactory(team=team, user=user, email=f"{user.username}@example.org")
    return user


def test_the_reminder_task_twice_on_a_worker_sends_once(celery_worker):
    team = TeamFactory()
    occurrence = occurrence_of(team, days_ahead=1)
    services.sign_up(occurrence, volunteer(team))
    assert send_reminders.delay().get(timeout=60) == 1
    assert send_reminders.delay().get(timeout=60) == 0
    assert len(mail.outbox) == 1
    assert SignUp.objects.get().reminded_at is not None


def test_moved_up_is_mailed_by_the_worker_after_the_cancel_commits(celery_worker):
    team = TeamFactory()
    occurrence = occurrence_of(team, capacity=1)
    first, second = volunteer(team), volunteer(team)
    now = timezone.now()
    services.sign_up(occurrence, first, now=now)
    services.sign_up(occurrence, second, now=now + datetime.timedelta(seconds=1))
    services.cancel(SignUp.objects.get(user=first), by=first)  # autocommit: queued now
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not mail.outbox:
        time.sleep(0.1)
    assert [m.to for m in mail.outbox] == [[second.member.email]]
    assert SignUp.objects.get(user=second).notified_at is not None
