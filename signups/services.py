"""Who is on an occurrence's list (docs/domain.md § Entities, Sign-ups): the one home of
the sign-up rules: who may sign up, the cut-off, the capacity and the waiting list.

Every write locks the occurrence's row first (``select_for_update``), so sign-ups and
cancellations of one occurrence happen one after another, whatever the number of
processes: the capacity is never exceeded, and a freed place goes to the first on the
waiting list.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from planning.models import Audience, Occurrence, OccurrenceStatus
from signups import tasks
from signups.models import CalendarFeed, SignUp, SignUpSource, SignUpStatus, new_feed_token

ON_THE_LIST = (SignUpStatus.CONFIRMED, SignUpStatus.WAITING)


def cutoff(occurrence: Occurrence) -> datetime.datetime:
    """Until when volunteers may sign up or cancel themselves."""
    return occurrence.signup_closes_at


def why_not_sign_up(
    occurrence: Occurrence, user, *, now: datetime.datetime | None = None
) -> str | None:
    """Why ``user`` may not sign up for ``occurrence`` now, in words for them; or None."""
    now = now or timezone.now()
    planned = occurrence.planned_activity
    if not user.is_authenticated or not user.is_active:
        return _("Log in to sign up.")
    if not planned.is_published or occurrence.status == OccurrenceStatus.CANCELLED:
        return _("This activity has been cancelled.")
    if occurrence.starts_at <= now:
        return _("This activity has already begun.")
    if now >= cutoff(occurrence):
        return _("Sign-up closed at %(time)s.") % {
            "time": f"{timezone.localtime(cutoff(occurrence)):%Y-%m-%d %H:%M}"
        }
    if planned.audience == Audience.TEAM and not is_team_member(user, planned.team_id, occurrence):
        return _("Only members of %(team)s may sign up.") % {"team": planned.team.name}
    return None


def is_team_member(user, team_id: int, occurrence: Occurrence) -> bool:
    member = getattr(user, "member", None)
    if member is None or member.team_id != team_id:
        return False
    return member.left_on is None or member.left_on >= occurrence.date


def _locked(occurrence: Occurrence) -> Occurrence:
    return (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("planned_activity__team")
        .get(pk=occurrence.pk)
    )


def _confirmed_count(occurrence: Occurrence) -> int:
    return occurrence.signups.filter(status=SignUpStatus.CONFIRMED).count()


@transaction.atomic
def sign_up(occurrence: Occurrence, user, *, now: datetime.datetime | None = None) -> SignUp:
    """Put ``user`` on the list, or on the waiting list when it is full.

    Signing up twice changes nothing (a double tap); after a cancellation the person
    joins again at the end of the queue. Raises ValidationError with the reason when
    they may not.
    """
    occurrence = _locked(occurrence)
    # Read after the lock: the queue's order is the order the requests were served in,
    # so nobody who asked later gets a place ahead of someone who asked earlier.
    now = now or timezone.now()
    reason = why_not_sign_up(occurrence, user, now=now)
    if reason:
        raise ValidationError(reason)
    signup = SignUp.objects.filter(occurrence=occurrence, user=user).first()
    if signup is not None and signup.status in ON_THE_LIST:
        return signup
    capacity = occurrence.planned_activity.capacity
    full = capacity is not None and _confirmed_count(occurrence) >= capacity
    status = SignUpStatus.WAITING if full else SignUpStatus.CONFIRMED
    if signup is None:
        signup = SignUp(occurrence=occurrence, user=user)
    signup.status = status
    signup.source = SignUpSource.SELF
    signup.requested_at = now
    signup.promoted_at = None
    signup.cancelled_at = None
    signup.changed_by = user
    signup.save()
    return signup


@transaction.atomic
def cancel(
    signup: SignUp, *, by, now: datetime.datetime | None = None
) -> tuple[SignUp, list[SignUp]]:
    """Take ``signup`` off the list; the freed place goes to the waiting list.

    The volunteer may cancel until the cut-off; the team's staff (``by`` someone
    else, the views check who) until the activity ends. Returns the cancelled
    sign-up and the sign-ups moved up.
    """
    now = now or timezone.now()
    occurrence = _locked(signup.occurrence)
    signup = SignUp.objects.select_for_update().get(pk=signup.pk)
    if signup.status == SignUpStatus.CANCELLED:
        return signup, []
    reason = why_not_cancel(occurrence, signup, by=by, now=now)
    if reason:
        raise ValidationError(reason)
    signup.status = SignUpStatus.CANCELLED
    signup.cancelled_at = now
    signup.changed_by = by
    fields = ["status", "cancelled_at", "changed_by"]
    themselves = getattr(by, "pk", None) == signup.user_id
    if themselves:
        # They did it themselves: nothing to tell them (signups.notices).
        signup.notified_at = now
        fields.append("notified_at")
    signup.save(update_fields=fields)
    if not themselves:
        tasks.queue_removed([signup.pk])
    return signup, promote_waiting(occurrence, now=now)


def why_not_cancel(
    occurrence: Occurrence, signup: SignUp, *, by, now: datetime.datetime | None = None
) -> str | None:
    """Why ``by`` may not take ``signup`` off the list now, in words for them; or None.
    The volunteer themselves until the cut-off, the team's staff until the end."""
    now = now or timezone.now()
    if getattr(by, "pk", None) == signup.user_id and now >= cutoff(occurrence):
        return _("Cancelling closed at %(time)s. Please tell the organiser.") % {
            "time": f"{timezone.localtime(cutoff(occurrence)):%Y-%m-%d %H:%M}"
        }
    if occurrence.ends_at <= now:
        return _("This activity is over; its list can no longer change.")
    return None


def why_not_assign(occurrence: Occurrence, *, now: datetime.datetime | None = None) -> str | None:
    """Why the team's staff may not add anyone to the list now; or None."""
    now = now or timezone.now()
    if occurrence.ends_at <= now:
        return _("This activity is over; its list can no longer change.")
    if occurrence.status == OccurrenceStatus.CANCELLED:
        return _("This activity has been cancelled.")
    return None


def promote_waiting(
    occurrence: Occurrence, *, now: datetime.datetime | None = None
) -> list[SignUp]:
    """Move the first on the waiting list up while there is room (after a cancellation
    or a larger capacity). Call inside a transaction that locked the occurrence."""
    now = now or timezone.now()
    capacity = occurrence.planned_activity.capacity
    waiting = occurrence.signups.filter(status=SignUpStatus.WAITING).order_by("requested_at", "pk")
    if capacity is None:
        promoted = list(waiting)
    else:
        promoted = list(waiting[: max(capacity - _confirmed_count(occurrence), 0)])
    for signup in promoted:
        signup.status = SignUpStatus.CONFIRMED
        signup.promoted_at = now
        signup.save(update_fields=["status", "promoted_at"])
    if promoted:
        # Whoever freed the place (a cancel, a larger capacity, staff), the people moved
        # up are told, once this commits; a mail or broker outage changes nothing here.
        tasks.queue_moved_up([signup.pk for signup in promoted])
    return promoted


@transaction.atomic
def assign(occurrence: Occurrence, user, *, by, now: datetime.datetime | None = None) -> SignUp:
    """The team's staff put ``user`` on the list (a duty roster): confirmed whatever the
    capacity and the cut-off, as long as the activity has not ended."""
    now = now or timezone.now()
    occurrence = _locked(occurrence)
    reason = why_not_assign(occurrence, now=now)
    if reason:
        raise ValidationError(reason)
    signup, created = SignUp.objects.get_or_create(
        occurrence=occurrence,
        user=user,
        defaults={
            "requested_at": now,
            "status": SignUpStatus.CONFIRMED,
            "source": SignUpSource.ASSIGNED,
            "changed_by": by,
        },
    )
    if not created and signup.status != SignUpStatus.CONFIRMED:
        signup.status = SignUpStatus.CONFIRMED
        signup.source = SignUpSource.ASSIGNED
        signup.requested_at = now
        signup.cancelled_at = None
        signup.changed_by = by
        signup.save()
    return signup


def own_signup(occurrence: Occurrence, user) -> SignUp | None:
    """The user's sign-up for ``occurrence`` while they are on its list (confirmed or
    waiting), or None."""
    return SignUp.objects.filter(occurrence=occurrence, user=user, status__in=ON_THE_LIST).first()


def occurrences_cancelled_apply(
    *, occurrences, by=None, now: datetime.datetime | None = None
) -> list[int]:
    """Occurrences that will not take place (planning.signals.occurrences_cancelled):
    everyone on their lists (confirmed or waiting) is taken off and told, once this
    commits. Returns the ids of the sign-ups cancelled. Running it again changes nothing."""
    now = now or timezone.now()
    cancelled: list[int] = []
    for occurrence in occurrences:
        with transaction.atomic():
            _locked(occurrence)
            rows = list(
                SignUp.objects.select_for_update().filter(
                    occurrence_id=occurrence.pk, status__in=ON_THE_LIST
                )
            )
            for signup in rows:
                signup.status = SignUpStatus.CANCELLED
                signup.cancelled_at = now
                signup.changed_by = by
                signup.save(update_fields=["status", "cancelled_at", "changed_by"])
            ids = [signup.pk for signup in rows]
            if ids:
                tasks.queue_cancelled(ids)
            cancelled += ids
    return cancelled


def waiting_promote_all(*, planned, now: datetime.datetime | None = None) -> list[SignUp]:
    """After the planned activity's capacity changed: on each of its scheduled
    occurrences that has not begun, move the waiting list up into the new places, one
    occurrence at a time under its lock (a smaller capacity moves nobody down)."""
    now = now or timezone.now()
    promoted: list[SignUp] = []
    pks = Occurrence.objects.filter(
        planned_activity=planned, status=OccurrenceStatus.SCHEDULED, starts_at__gt=now
    ).values_list("pk", flat=True)
    for pk in list(pks):
        with transaction.atomic():
            occurrence = _locked(Occurrence(pk=pk))
            promoted += promote_waiting(occurrence, now=now)
    return promoted


@transaction.atomic
def calendar_feed_reset(*, user) -> CalendarFeed:
    """The user's calendar link, new: a first one, or a new token replacing the old
    (whose link then answers 404)."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    if not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
    return feed
