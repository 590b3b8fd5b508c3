"""Sign-ups for an occurrence of a planned activity, and its waiting list
(docs/domain.md § Entities, Sign-ups).

One row per (occurrence, person): signing up again after cancelling reuses the row
and puts the person at the end of the queue. Who is on the list is decided only in
``signups.services``, under a lock on the occurrence, so the capacity holds when
many sign up at once. Nothing here counts in the figures: only an approved record
does.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Signed up")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class SignUpSource(models.TextChoices):
    SELF = "self", _("Signed up themselves")
    ASSIGNED = "assigned", _("Assigned by the team")


class SignUp(models.Model):
    occurrence = models.ForeignKey(
        "planning.Occurrence",
        verbose_name=_("occurrence"),
        on_delete=models.CASCADE,
        related_name="signups",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="signups",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SignUpStatus.choices, default=SignUpStatus.CONFIRMED
    )
    source = models.CharField(
        _("how"), max_length=10, choices=SignUpSource.choices, default=SignUpSource.SELF
    )
    # The place in the queue: set on every (re-)sign-up; the waiting list is served
    # in this order.
    requested_at = models.DateTimeField(_("signed up at"))
    # When a waiting sign-up was moved up, or a sign-up cancelled.
    promoted_at = models.DateTimeField(_("moved up at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The day-before reminder went out (signups.notices): a re-run sends nothing twice.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    # When the volunteer was last mailed a change they did not make (moved up from the
    # waiting list, the occurrence cancelled): a mail is due while this is older than
    # ``promoted_at`` or ``cancelled_at``, so a re-run or a retry sends nothing twice.
    notified_at = models.DateTimeField(_("told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "user"], name="signup_once_per_person"),
        ]
        indexes = [
            models.Index(fields=["occurrence", "status", "requested_at"], name="signup_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurrence} {self.user} {self.status}"


def new_feed_token() -> str:
    # 256 bits: the link is the only key to the calendar (no login).
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A volunteer's secret calendar link (/calendar/<token>.ics): their confirmed
    sign-ups for a calendar app, which cannot log in. Resetting it gives a new token,
    and the old link stops working (docs/domain.md § Entities, Sign-ups)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")

    def __str__(self) -> str:
        return f"{self.user}"
