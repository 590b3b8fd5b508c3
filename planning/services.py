"""Writes for planned activities (docs/domain.md § Entities, Planned activities)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from planning.models import Occurrence, OccurrenceStatus, PlannedActivity
from planning.rules import rule_dates

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
    UNTIL or COUNT. Returns how many were created. ``now`` is for tests.
    """
    now = now or timezone.now()
    days = rule_dates(
        planned.rule,
        first_date=planned.first_date,
        end_date=planned.end_date,
        start=timezone.localdate(now) - datetime.timedelta(days=1),  # a night duty still on
        until=until,
    )
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


@transaction.atomic
def occurrence_cancel(*, occurrence: Occurrence) -> Occurrence:
    """Cancel a scheduled occurrence that has not ended (the job never recreates it)."""
    occurrence = Occurrence.objects.select_for_update().get(pk=occurrence.pk)
    if occurrence.status != OccurrenceStatus.SCHEDULED:
        raise OccurrenceError(_("This occurrence is not scheduled any more."))
    if occurrence.ends_at <= timezone.now():
        raise OccurrenceError(_("This occurrence is over and cannot be cancelled."))
    occurrence.status = OccurrenceStatus.CANCELLED
    occurrence.save(update_fields=["status"])
    return occurrence
