"""Check-in codes and who was there (docs/domain.md § Attendance).

An occurrence gets its 6-digit code the first time the organiser opens its sheet;
volunteers type or scan it to check in and out (the server's clock records the
times), and the organiser may mark anyone by hand. After the activity the sheet
becomes the draft activity record (``attendance.services.draft_from_sheet``).
Nothing here counts in the figures: only an approved record does.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from activities.models import HOURS_FIELD

CODE_LENGTH = 6


class CheckInCode(models.Model):
    """The code an occurrence's volunteers type; replaced by "new code" (same row)."""

    occurrence = models.OneToOneField(
        "planning.Occurrence",
        verbose_name=_("occurrence"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="check_in_code",
    )
    code = models.CharField(_("check-in code"), max_length=CODE_LENGTH)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("check-in code")
        verbose_name_plural = _("check-in codes")
        # A typed code is looked up among the occurrences whose window is open.
        indexes = [models.Index(fields=["code"], name="checkin_code_lookup")]

    def __str__(self) -> str:
        return f"{self.occurrence} {self.code}"


class Attendance(models.Model):
    """One person at one occurrence: checked in by code, or marked by the organiser."""

    occurrence = models.ForeignKey(
        "planning.Occurrence",
        verbose_name=_("occurrence"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    # Who marked the person by hand; empty when they checked in themselves.
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Hours the organiser gave by hand; they win over the check-in times.
    hours = models.DecimalField(
        _("service hours"),
        null=True,
        blank=True,
        **HOURS_FIELD,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["checked_in_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "user"], name="attendance_once"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=F("checked_in_at")),
                name="attendance_out_after_in",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gt=0), name="attendance_hours_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurrence} {self.user}"
