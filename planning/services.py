"""Writes for planned activities (docs/domain.md § Entities, Planned activities)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from planning.models import CancelReason, Occurrence, OccurrenceStatus, PlannedActivity
from planning.signals import occurrences_cancelled, planned_changed
from volunteer_site.audit import audit
from volunteer_site.models import AuditAction

# Occurrences exist this many days ahead; the daily job moves the window on.
WINDOW_DAYS = 28


@transaction.atomic
def occurrences_create(
    *, planned: PlannedActivity, until: datetime.date, now: datetime.datetime | None = None
) -> int:
    """Create the planned activity's occurrences up to ``until`` (included).

    Idempotent: an existing (planned activity, date) is left alone, so a re-run
    creates nothing and a cancelled occurrence stays cancelled. Never creates an
    occurrence that has already ended; respects the end date and the rule's
    UNTIL or COUNT, and the holiday options; nothing for a stopped (unpublished)
    one. Returns how many were created. ``now`` is for tests.
    """
    now = now or timezone.now()
    # Locked and read again: an edit or a stop committing meanwhile is seen, so the
    # job never creates a date by the old rule nor for a stopped activity.
    planned = PlannedActivity.objects.select_for_update().get(pk=planned.pk)
    if not planned.is_published:
        return 0
    # From yesterday: a night duty still on.
    days = planned.dates(start=timezone.localdate(now) - datetime.timedelta(days=1), until=until)
    rows = []
    for day in days:
        starts_at, ends_at = planned.bounds(day)
        if ends_at > now:
            rows.append(
                Occurrence(planned_activity=planned, date=day, starts_at=starts_at, ends_at=ends_at)
            )
    if not rows:
        return 0
    before = Occurrence.objects.filter(planned_activity=planned).count()
    Occurrence.objects.bulk_create(rows, ignore_conflicts=True)
    return Occurrence.objects.filter(planned_activity=planned).count() - before


def occurrences_create_ahead(*, now: datetime.datetime | None = None) -> int:
    """Every published planned activity's occurrences for the next WINDOW_DAYS."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    until = today + datetime.timedelta(days=WINDOW_DAYS)
    created = 0
    planned_activities = PlannedActivity.objects.filter(is_published=True, first_date__lte=until)
    planned_activities = planned_activities.exclude(end_date__lt=today)
    for planned in planned_activities.iterator():
        created += occurrences_create(planned=planned, until=until, now=now)
    return created


@transaction.atomic
def planned_activity_publish(*, planned: PlannedActivity, by) -> PlannedActivity:
    """Save a validated planned activity as published and create its occurrences
    for the window at once (the daily job carries the window on)."""
    planned.created_by = by
    planned.is_published = True
    planned.full_clean()
    planned.save()
    until = timezone.localdate() + datetime.timedelta(days=WINDOW_DAYS)
    occurrences_create(planned=planned, until=until)
    return planned


class OccurrenceError(Exception):
    pass


# What staff may change on a planned activity (the edit form's fields).
EDITABLE = (
    "category",
    "title",
    "place",
    "what_to_bring",
    "capacity",
    "cutoff_hours",
    "audience",
    "first_date",
    "starts_at",
    "ends_at",
    "end_date",
    "rule",
    "skip_holidays",
    "on_makeup_workdays",
)
# Cancelled by these, an occurrence is scheduled again when its date is back.
RESTORABLE = (CancelReason.STOPPED, CancelReason.RULE)


@dataclass
class Followed:
    """What making the occurrences follow a planned activity did."""

    cancelled: list[Occurrence] = field(default_factory=list)
    restored: int = 0
    moved: int = 0
    created: int = 0


def _send_on_commit(signal: Signal, **kwargs) -> None:
    # After commit, and a failing receiver never undoes or refuses the save.
    transaction.on_commit(partial(signal.send, sender=PlannedActivity, **kwargs), robust=True)


def _changeable(planned: PlannedActivity, now: datetime.datetime):
    """The occurrences an edit may still change: not begun, no draft record, not done."""
    return (
        Occurrence.objects.select_for_update()
        .filter(planned_activity=planned, starts_at__gt=now, activity__isnull=True)
        .exclude(status=OccurrenceStatus.DONE)
        .order_by("date")
    )


def occurrences_to_cancel(
    *, planned: PlannedActivity, now: datetime.datetime | None = None
) -> list[Occurrence]:
    """The scheduled occurrences that saving ``planned`` (changed, not saved yet)
    would cancel: not begun, no draft record, and no longer on its dates."""
    now = now or timezone.now()
    rows = list(
        Occurrence.objects.filter(
            planned_activity=planned,
            starts_at__gt=now,
            activity__isnull=True,
            status=OccurrenceStatus.SCHEDULED,
        ).order_by("date")
    )
    if not rows or not planned.is_published:
        return []
    on = _dates_on(planned, rows, now)
    return [row for row in rows if row.date not in on]


def _dates_on(planned: PlannedActivity, rows: list[Occurrence], now) -> set[datetime.date]:
    today = timezone.localdate(now)
    last = max([today + datetime.timedelta(days=WINDOW_DAYS), *(row.date for row in rows)])
    return set(planned.dates(start=today - datetime.timedelta(days=1), until=last))


def _occurrences_follow(
    planned: PlannedActivity, now: datetime.datetime, *, reason: str
) -> Followed:
    """Future occurrences follow the saved planned activity: the scheduled ones move
    to its times, those off its dates are cancelled (kept, with ``reason``), those
    cancelled by a stop or a change of dates come back when their date is on again
    (never one cancelled by hand), and the window's new ones are created."""
    followed = Followed()
    rows = list(_changeable(planned, now))
    on = _dates_on(planned, rows, now)
    for row in rows:
        if row.status == OccurrenceStatus.SCHEDULED and row.date not in on:
            row.status, row.cancelled_reason = OccurrenceStatus.CANCELLED, reason
            row.save(update_fields=["status", "cancelled_reason"])
            followed.cancelled.append(row)
            continue
        dirty = False
        if row.status == OccurrenceStatus.CANCELLED:
            if row.cancelled_reason not in RESTORABLE or row.date not in on:
                continue
            row.status, row.cancelled_reason = OccurrenceStatus.SCHEDULED, ""
            followed.restored += 1
            dirty = True
        starts_at, ends_at = planned.bounds(row.date)
        if (starts_at, ends_at) != (row.starts_at, row.ends_at):
            row.starts_at, row.ends_at = starts_at, ends_at
            followed.moved += 1
            dirty = True
        if dirty:
            row.save(update_fields=["status", "cancelled_reason", "starts_at", "ends_at"])
    until = timezone.localdate(now) + datetime.timedelta(days=WINDOW_DAYS)
    followed.created = occurrences_create(planned=planned, until=until, now=now)
    return followed


@transaction.atomic
def planned_activity_update(
    *, planned: PlannedActivity, by, request=None, now: datetime.datetime | None = None
) -> tuple[list[str], Followed]:
    """Save staff's changes to a planned activity and make its future occurrences
    follow them (while it is published). Sends ``planned_changed`` (when anything
    changed) and ``occurrences_cancelled`` (when any was) after commit; audited.
    Returns the names of the changed fields and what happened to the occurrences."""
    now = now or timezone.now()
    before = PlannedActivity.objects.select_for_update().get(pk=planned.pk)
    changed = [name for name in EDITABLE if getattr(before, name) != getattr(planned, name)]
    planned.is_published = before.is_published
    planned.full_clean()
    planned.save()
    followed = Followed()
    if planned.is_published:
        followed = _occurrences_follow(planned, now, reason=CancelReason.RULE)
    audit(
        request,
        AuditAction.PLANNED_EDIT,
        target=planned,
        user=by,
        planned=planned.pk,
        changed=changed,
        cancelled=[f"{row.date:%Y-%m-%d}" for row in followed.cancelled],
    )
    if changed:
        _send_on_commit(planned_changed, planned=planned, changed=changed, by=by)
    if followed.cancelled:
        _send_on_commit(occurrences_cancelled, occurrences=followed.cancelled, by=by)
    return changed, followed


@transaction.atomic
def planned_activity_stop(
    *, planned: PlannedActivity, by, request=None, now: datetime.datetime | None = None
) -> list[Occurrence]:
    """Stop (unpublish) a planned activity: its future scheduled occurrences are
    cancelled (kept; one already begun or with a draft record is left alone) and
    the job creates none until it is published again. Returns those cancelled."""
    now = now or timezone.now()
    planned = PlannedActivity.objects.select_for_update().get(pk=planned.pk)
    if not planned.is_published:
        raise OccurrenceError(_("This planned activity is already stopped."))
    planned.is_published = False
    planned.save(update_fields=["is_published", "updated_at"])
    cancelled = [
        row for row in _changeable(planned, now) if row.status == OccurrenceStatus.SCHEDULED
    ]
    Occurrence.objects.filter(pk__in=[row.pk for row in cancelled]).update(
        status=OccurrenceStatus.CANCELLED, cancelled_reason=CancelReason.STOPPED
    )
    for row in cancelled:
        row.status, row.cancelled_reason = OccurrenceStatus.CANCELLED, CancelReason.STOPPED
    audit(
        request,
        AuditAction.PLANNED_STOP,
        target=planned,
        user=by,
        planned=planned.pk,
        cancelled=[f"{row.date:%Y-%m-%d}" for row in cancelled],
    )
    if cancelled:
        _send_on_commit(occurrences_cancelled, occurrences=cancelled, by=by)
    return cancelled


@transaction.atomic
def planned_activity_republish(
    *, planned: PlannedActivity, by, request=None, now: datetime.datetime | None = None
) -> Followed:
    """Publish a stopped planned activity again: the occurrences its stop cancelled
    come back (those cancelled by hand do not) and the window is filled."""
    now = now or timezone.now()
    planned = PlannedActivity.objects.select_for_update().get(pk=planned.pk)
    if planned.is_published:
        raise OccurrenceError(_("This planned activity is already published."))
    planned.is_published = True
    planned.save(update_fields=["is_published", "updated_at"])
    followed = _occurrences_follow(planned, now, reason=CancelReason.RULE)
    audit(request, AuditAction.PLANNED_PUBLISH, target=planned, user=by, planned=planned.pk)
    _send_on_commit(planned_changed, planned=planned, changed=["is_published"], by=by)
    if followed.cancelled:
        _send_on_commit(occurrences_cancelled, occurrences=followed.cancelled, by=by)
    return followed


@transaction.atomic
def occurrence_cancel(*, occurrence: Occurrence, by=None, request=None) -> Occurrence:
    """Cancel a scheduled occurrence that has not ended (the job never recreates it,
    nor does publishing again or editing). Audited; ``occurrences_cancelled`` after commit."""
    occurrence = Occurrence.objects.select_for_update().get(pk=occurrence.pk)
    if occurrence.status != OccurrenceStatus.SCHEDULED:
        raise OccurrenceError(_("This occurrence is not scheduled any more."))
    if occurrence.ends_at <= timezone.now():
        raise OccurrenceError(_("This occurrence is over and cannot be cancelled."))
    occurrence.status = OccurrenceStatus.CANCELLED
    occurrence.cancelled_reason = CancelReason.BY_HAND
    occurrence.save(update_fields=["status", "cancelled_reason"])
    audit(
        request,
        AuditAction.OCCURRENCE_CANCEL,
        target=occurrence,
        user=by,
        occurrence=occurrence.pk,
    )
    _send_on_commit(occurrences_cancelled, occurrences=[occurrence], by=by)
    return occurrence
