"""The sign-up rules (docs/domain.md § Entities, Sign-ups): who may, the cut-off, the
capacity and the waiting list, worked out by hand on two or three people."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from planning.models import Audience, OccurrenceStatus
from planning.tests.factories import occurrence_of
from signups.models import SignUp, SignUpSource, SignUpStatus
from signups.services import assign, cancel, cutoff, promote_waiting, sign_up, why_not_sign_up
from signups.tests.factories import volunteer_of
from teams.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def team():
    return TeamFactory()


def statuses(occurrence) -> list[tuple[str, str]]:
    return [
        (s.user.username, s.status)
        for s in SignUp.objects.filter(occurrence=occurrence).order_by("requested_at", "pk")
    ]


def test_capacity_two_third_waits_and_moves_up_when_one_cancels(team):
    occurrence = occurrence_of(team, capacity=2)
    a, b, c, d = (volunteer_of(team) for _ in range(4))
    now = timezone.now()
    assert sign_up(occurrence, a, now=now).status == SignUpStatus.CONFIRMED
    assert sign_up(occurrence, b, now=now + HOUR / 60).status == SignUpStatus.CONFIRMED
    assert sign_up(occurrence, c, now=now + 2 * HOUR / 60).status == SignUpStatus.WAITING
    assert sign_up(occurrence, d, now=now + 3 * HOUR / 60).status == SignUpStatus.WAITING

    cancelled, promoted = cancel(SignUp.objects.get(user=a), by=a, now=now + HOUR)
    assert cancelled.status == SignUpStatus.CANCELLED
    # The first on the waiting list, not the last.
    assert [s.user for s in promoted] == [c]
    assert promoted[0].promoted_at == now + HOUR
    assert statuses(occurrence) == [
        (a.username, "cancelled"),
        (b.username, "confirmed"),
        (c.username, "confirmed"),
        (d.username, "waiting"),
    ]


def test_signing_up_twice_changes_nothing_and_again_after_cancelling_goes_last(team):
    occurrence = occurrence_of(team, capacity=1)
    a, b = volunteer_of(team), volunteer_of(team)
    now = timezone.now()
    first = sign_up(occurrence, a, now=now)
    assert sign_up(occurrence, a, now=now + HOUR).requested_at == first.requested_at
    assert SignUp.objects.count() == 1
    sign_up(occurrence, b, now=now + HOUR)  # waits
    cancel(first, by=a, now=now + 2 * HOUR)  # b moves up
    again = sign_up(occurrence, a, now=now + 3 * HOUR)
    assert again.pk == first.pk
    assert again.status == SignUpStatus.WAITING
    assert again.cancelled_at is None


def test_no_capacity_means_everyone_is_confirmed(team):
    occurrence = occurrence_of(team, capacity=None)
    users = [volunteer_of(team) for _ in range(3)]
    assert {sign_up(occurrence, u).status for u in users} == {SignUpStatus.CONFIRMED}


def test_cut_off_closes_sign_up_and_the_volunteers_own_cancel_but_not_the_teams(team):
    occurrence = occurrence_of(team, capacity=1, cutoff_hours=2)
    a, b = volunteer_of(team), volunteer_of(team)
    closes = occurrence.starts_at - 2 * HOUR
    assert cutoff(occurrence) == closes
    signup = sign_up(occurrence, a, now=closes - HOUR)
    sign_up(occurrence, b, now=closes - HOUR / 2)
    with pytest.raises(ValidationError, match="报名已于"):
        sign_up(occurrence, volunteer_of(team), now=closes)
    with pytest.raises(ValidationError, match="取消已于"):
        cancel(signup, by=a, now=closes)
    staff = UserFactory()
    cancel(signup, by=staff, now=closes + HOUR)
    assert SignUp.objects.get(user=b).status == SignUpStatus.CONFIRMED
    with pytest.raises(ValidationError, match="已结束"):
        cancel(SignUp.objects.get(user=b), by=staff, now=occurrence.ends_at)


def test_who_may_sign_up(team):
    occurrence = occurrence_of(team)
    outsider = volunteer_of(TeamFactory())
    left = volunteer_of(team, left_on=occurrence.date - datetime.timedelta(days=1))
    assert "只有" in why_not_sign_up(occurrence, outsider)
    assert "只有" in why_not_sign_up(occurrence, left)
    assert why_not_sign_up(occurrence, UserFactory()) is not None  # no member at all
    assert why_not_sign_up(occurrence, volunteer_of(team)) is None

    open_to_all = occurrence_of(team, audience=Audience.LOGGED_IN)
    assert why_not_sign_up(open_to_all, outsider) is None
    assert why_not_sign_up(open_to_all, UserFactory()) is None

    occurrence.status = OccurrenceStatus.CANCELLED
    occurrence.save()
    assert "取消" in why_not_sign_up(occurrence, volunteer_of(team))
    started = occurrence_of(
        team, days_ahead=0, starts_at=datetime.time(0, 0), ends_at=datetime.time(23, 59)
    )
    assert "开始" in why_not_sign_up(started, volunteer_of(team))


def test_assign_confirms_beyond_capacity_and_a_larger_capacity_moves_the_queue(team):
    occurrence = occurrence_of(team, capacity=1)
    a, b, c = volunteer_of(team), volunteer_of(team), volunteer_of(team)
    now = timezone.now()
    sign_up(occurrence, a, now=now)
    sign_up(occurrence, b, now=now + HOUR / 60)
    staff = UserFactory()
    assigned = assign(occurrence, c, by=staff)
    assert (assigned.status, assigned.source) == (SignUpStatus.CONFIRMED, SignUpSource.ASSIGNED)
    # b still waits: two confirmed for one place.
    assert SignUp.objects.get(user=b).status == SignUpStatus.WAITING
    planned = occurrence.planned_activity
    planned.capacity = 3
    planned.save()
    assert [s.user for s in promote_waiting(occurrence)] == [b]
