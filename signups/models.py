"""Sign-ups for an occurrence of a planned activity, and its waiting list
(docs/domain.md § Entities, Sign-ups).

One row per (occurrence, person): signing up again after cancelling reuses the row
and puts the person at the end of the queue. Who is on the list is decided only in
``signups.services``, under a lock on the occurrence, so the capacity holds when
many sign up at once. Nothing here counts in the figures: only an approved record
does.
"""

from __future__ import annotations

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
