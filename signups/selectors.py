"""Reads for the sign-up pages (docs/domain.md § Entities, Sign-ups): what a volunteer sees of the
coming occurrences, and an occurrence's lists for its team's staff. The rules (who
may, the cut-off) are asked of ``signups.services``; nothing here writes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from planning.models import Audience, Occurrence, OccurrenceStatus
from signups import services
from signups.models import SignUp, SignUpStatus
from teams.access import roles_for

# The volunteer's page shows this many days ahead (the occurrences' window).
DAYS_AHEAD = 28


def visible_occurrences(user, *, now: datetime.datetime | None = None) -> QuerySet[Occurrence]:
    """The scheduled occurrences of published planned activities, not yet over and at
    most DAYS_AHEAD days ahead, that ``user`` may see: every one of their own team's (as
    a current member), and the ones open to everyone logged in of every team. With the
    counts of people confirmed and waiting."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    seen = Q(planned_activity__audience=Audience.LOGGED_IN)
    member = roles_for(user).member
    if member is not None and (member.left_on is None or member.left_on >= today):
        seen |= Q(planned_activity__team_id=member.team_id)
    return (
        Occurrence.objects.filter(
            seen,
            status=OccurrenceStatus.SCHEDULED,
            planned_activity__is_published=True,
            ends_at__gt=now,
            date__lte=today + datetime.timedelta(days=DAYS_AHEAD),
        )
        .select_related("planned_activity__team", "planned_activity__category")
        .annotate(
            confirmed_count=Count("signups", filter=Q(signups__status=SignUpStatus.CONFIRMED)),
            waiting_count=Count("signups", filter=Q(signups__status=SignUpStatus.WAITING)),
        )
        .order_by("starts_at", "pk")
    )


@dataclass
class Card:
    """One occurrence as the volunteer sees it."""

    occurrence: Occurrence
    confirmed: int
    waiting: int
    cutoff: datetime.datetime
    own: SignUp | None = None
    position: int | None = None  # on the waiting list, from 1
    why_not: str | None = None  # why they may not sign up (when not on the list)
    why_not_cancel: str | None = None  # why they may not cancel (when on the list)

    @property
    def capacity(self) -> int | None:
        return self.occurrence.planned_activity.capacity

    @property
    def places_left(self) -> int | None:
        """None without a limit; never below 0 (staff may assign beyond the capacity)."""
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)

    @property
    def is_full(self) -> bool:
        return self.places_left == 0


def cards_for(user, occurrences, *, now: datetime.datetime | None = None) -> list[Card]:
    """The cards of ``occurrences`` (from ``visible_occurrences``) for ``user``, with
    their own state: three queries in all, whatever the number of occurrences."""
    now = now or timezone.now()
    occurrences = list(occurrences)
    own = {
        s.occurrence_id: s
        for s in SignUp.objects.filter(
            user=user,
            occurrence__in=[o.pk for o in occurrences],
            status__in=services.ON_THE_LIST,
        )
    }
    waiting_on = [pk for pk, s in own.items() if s.status == SignUpStatus.WAITING]
    queue = (
        SignUp.objects.filter(occurrence_id__in=waiting_on, status=SignUpStatus.WAITING)
        .order_by("occurrence_id", "requested_at", "pk")
        .values_list("occurrence_id", "user_id")
    )
    positions: dict[int, int] = {}
    for occurrence_id, rows in groupby(queue, key=lambda row: row[0]):
        for place, (_pk, user_id) in enumerate(rows, start=1):
            if user_id == user.pk:
                positions[occurrence_id] = place
    cards = []
    for occurrence in occurrences:
        signup = own.get(occurrence.pk)
        card = Card(
            occurrence=occurrence,
            confirmed=occurrence.confirmed_count,
            waiting=occurrence.waiting_count,
            cutoff=services.cutoff(occurrence),
            own=signup,
            position=positions.get(occurrence.pk),
        )
        if signup is None:
            card.why_not = services.why_not_sign_up(occurrence, user, now=now)
        else:
            card.why_not_cancel = services.why_not_cancel(occurrence, signup, by=user, now=now)
        cards.append(card)
    return cards


def cards_by_day(cards: list[Card]) -> list[tuple[datetime.date, list[Card]]]:
    return [(day, list(rows)) for day, rows in groupby(cards, key=lambda c: c.occurrence.date)]


@dataclass
class OccurrenceLists:
    """An occurrence's people for its team's staff: confirmed and waiting in queue
    order (the waiting numbered from 1), and the cancelled, latest first."""

    confirmed: list[SignUp] = field(default_factory=list)
    waiting: list[SignUp] = field(default_factory=list)
    cancelled: list[SignUp] = field(default_factory=list)


def occurrence_lists(occurrence: Occurrence) -> OccurrenceLists:
    lists = OccurrenceLists()
    rows = (
        SignUp.objects.filter(occurrence=occurrence)
        .select_related("user__member", "changed_by")
        .order_by("requested_at", "pk")
    )
    for signup in rows:
        getattr(lists, signup.status).append(signup)
    lists.cancelled.sort(key=lambda s: (s.cancelled_at or s.requested_at, s.pk), reverse=True)
    return lists


def waiting_position(signup: SignUp) -> int:
    """The waiting sign-up's place in the queue, from 1."""
    ahead = SignUp.objects.filter(
        Q(requested_at__lt=signup.requested_at)
        | Q(requested_at=signup.requested_at, pk__lt=signup.pk),
        occurrence_id=signup.occurrence_id,
        status=SignUpStatus.WAITING,
    )
    return ahead.count() + 1
