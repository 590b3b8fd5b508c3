"""Planned activities and their occurrences (docs/domain.md § Entities, Planned activities).

A planned activity is what staff announce ahead: one-off, or recurring by an RFC
5545 rule. Each day it falls on becomes an ``Occurrence``, created ahead in a
rolling window by ``planning.services.occurrences_create``. Later slices hang off
the occurrence (sign-ups and the waiting list, check-in codes, the .ics feed) and
the occurrence's ``activity`` is the draft record its attendance becomes. Nothing
here counts in the figures: only an approved record does.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planning import official_days
from planning.rules import RULE_MAX_LENGTH, rule_dates, rule_last_date, rule_parse

ONE_DAY = datetime.timedelta(days=1)
logger = logging.getLogger(__name__)


class Audience(models.TextChoices):
    TEAM = "team", _("Members of the team")
    LOGGED_IN = "logged_in", _("Everyone logged in")


class PlannedActivity(models.Model):
    team = models.ForeignKey(
        "teams.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        related_name="planned_activities",
    )
    category = models.ForeignKey(
        "teams.ServiceCategory",
        verbose_name=_("service category"),
        on_delete=models.PROTECT,
        related_name="planned_activities",
    )
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    what_to_bring = models.TextField(_("what to bring"), max_length=1000, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no limit."),
    )
    cutoff_hours = models.PositiveSmallIntegerField(
        _("sign-up closes (hours before the start)"),
        default=2,
        validators=[MaxValueValidator(24 * 14)],
        help_text=_("Volunteers may sign up and cancel until this many hours before the start."),
    )
    audience = models.CharField(
        _("who may sign up"), max_length=10, choices=Audience.choices, default=Audience.TEAM
    )
    # Times of day. An end at or before the start is on the next day: 20:00–00:00
    # is the 20:00–24:00 patrol ending at midnight.
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    rule = models.CharField(
        _("recurrence rule"),
        max_length=RULE_MAX_LENGTH,
        blank=True,
        help_text=_("RFC 5545 RRULE without DTSTART; empty for a one-off."),
    )
    first_date = models.DateField(_("first date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # China's official arrangement (planning/official_days.py); recurring rules only.
    skip_holidays = models.BooleanField(
        _("not on official holidays"),
        default=False,
        help_text=_("No occurrence during an official holiday break (法定节假日)."),
    )
    on_makeup_workdays = models.BooleanField(
        _("also on make-up working days"),
        default=False,
        help_text=_(
            "A weekend day that is an official working day (调休上班日) gets an occurrence too."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("planned activity")
        verbose_name_plural = _("planned activities")
        ordering = ["first_date", "starts_at", "pk"]
        constraints = [
            # Equal times would be ambiguous (nothing, or 24 hours).
            models.CheckConstraint(
                condition=~Q(starts_at=F("ends_at")), name="planned_start_not_end"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("first_date")),
                name="planned_end_after_first",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="planned_capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.starts_at is not None and self.starts_at == self.ends_at:
            errors["ends_at"] = _("The end must differ from the start.")
        if self.first_date and self.end_date and self.end_date < self.first_date:
            errors["end_date"] = _("The end date cannot be before the first date.")
        if self.rule and self.first_date:
            try:
                rule_parse(self.rule, first_date=self.first_date)
            except ValidationError as error:
                errors["rule"] = error.messages
        if errors:
            raise ValidationError(errors)

    def dates(self, *, start: datetime.date, until: datetime.date) -> list[datetime.date]:
        """The days it falls on from ``start`` to ``until`` (both included): the rule
        bounded by the end date, less the official holiday breaks and plus the make-up
        working days when asked. A year whose arrangement is not known yet counts as
        ordinary days, with a warning in the log (docs/domain.md § Planned activities)."""
        days = set(
            rule_dates(
                self.rule,
                first_date=self.first_date,
                end_date=self.end_date,
                start=start,
                until=until,
            )
        )
        if not self.rule or not (self.skip_holidays or self.on_makeup_workdays):
            return sorted(days)
        unknown: set[int] = set()
        if self.on_makeup_workdays:
            last = min(
                day
                for day in (until, self.end_date, rule_last_date(self.rule, self.first_date))
                if day is not None
            )
            day = max(start, self.first_date)
            while day <= last:
                try:
                    if day.weekday() >= 5 and official_days.is_makeup_workday(day):
                        days.add(day)
                except official_days.UnknownYear as error:
                    unknown.add(error.year)
                day += ONE_DAY
        if self.skip_holidays:
            for day in sorted(days):
                try:
                    if official_days.is_holiday_break(day):
                        days.discard(day)
                except official_days.UnknownYear as error:
                    unknown.add(error.year)
        for year in sorted(unknown):
            logger.warning(
                "No official holiday arrangement for %s yet (update chinesecalendar): "
                "planned activity %s is scheduled as if that year had none.",
                year,
                self.pk,
            )
        return sorted(days)

    def bounds(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        """The aware start and end of the occurrence on ``day`` (site time zone)."""
        zone = timezone.get_default_timezone()
        start = datetime.datetime.combine(day, self.starts_at, tzinfo=zone)
        end_day = day + datetime.timedelta(days=1) if self.ends_at <= self.starts_at else day
        end = datetime.datetime.combine(end_day, self.ends_at, tzinfo=zone)
        return start, end


class OccurrenceStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")


class CancelReason(models.TextChoices):
    BY_HAND = "by_hand", _("Cancelled by hand")
    STOPPED = "stopped", _("The planned activity was stopped")
    RULE = "rule", _("The dates were changed")


class Occurrence(models.Model):
    planned_activity = models.ForeignKey(
        PlannedActivity,
        verbose_name=_("planned activity"),
        on_delete=models.CASCADE,
        related_name="occurrences",
    )
    date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OccurrenceStatus.choices,
        default=OccurrenceStatus.SCHEDULED,
    )
    # Why a cancelled one was cancelled: one cancelled by hand stays cancelled; one
    # cancelled by stopping or by changed dates is scheduled again if the planned
    # activity is published again or falls on its date again.
    cancelled_reason = models.CharField(
        _("why cancelled"), max_length=10, choices=CancelReason.choices, blank=True
    )
    # The draft record this occurrence becomes once it has happened (a later slice).
    activity = models.OneToOneField(
        "activities.Activity",
        verbose_name=_("activity record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="occurrence",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["planned_activity", "date"], name="occurrence_unique_per_day"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="occurrence_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["starts_at"], name="occurrence_starts_at")]

    def __str__(self) -> str:
        return f"{self.planned_activity} {self.date:%Y-%m-%d}"

    @property
    def signup_closes_at(self) -> datetime.datetime:
        """Until when volunteers may sign up or cancel themselves (the planned activity's
        cut-off before the start; docs/domain.md § Sign-ups)."""
        return self.starts_at - datetime.timedelta(hours=self.planned_activity.cutoff_hours)

    @property
    def time_range(self) -> str:
        """ "20:00–22:00", "20:00–24:00" (ends at midnight), "20:00–次日02:00"."""
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        if end.date() == start.date():
            until = f"{end:%H:%M}"
        elif end.time() == datetime.time(0, 0) and end.date() == start.date() + ONE_DAY:
            until = "24:00"
        else:
            until = _("next day %(time)s") % {"time": f"{end:%H:%M}"}
        return f"{start:%H:%M}–{until}"
