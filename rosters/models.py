"""Duty groups, weekly rosters and swap requests (docs/domain.md § Duty rosters).

A team's **duty groups** (第一组…第四组) are the team's, not one planned activity's: the
nightly patrol and the weekend duty draw on the same four groups. A member is in at
most one group (``DutyGroupMember.member`` is unique; a member belongs to one team).
The roster itself is the occurrences' sign-ups (``signups.SignUp``); a ``DutyShift``
only records which group a secretary put on an occurrence, so the page can say so and
a rotation run twice changes nothing. A ``SwapRequest`` hands over, or exchanges,
duties between two members; the secretary decides. Nothing here counts in the
figures: only an approved activity record does.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

GROUP_NAME_MAX = 50
REASON_MAX = 500


class DutyGroup(models.Model):
    team = models.ForeignKey(
        "teams.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="duty_groups"
    )
    name = models.CharField(_("group name"), max_length=GROUP_NAME_MAX)
    # The order of the rotation: group 1 on the first day, group 2 on the second…
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("duty group")
        verbose_name_plural = _("duty groups")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="duty_group_name_per_team"),
        ]

    def __str__(self) -> str:
        return self.name


class DutyGroupMember(models.Model):
    group = models.ForeignKey(
        DutyGroup, verbose_name=_("duty group"), on_delete=models.CASCADE, related_name="members"
    )
    # Unique: a member is in one group at most (and a member has one team).
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("registered volunteer"),
        on_delete=models.CASCADE,
        related_name="duty_group_membership",
    )

    class Meta:
        verbose_name = _("duty group member")
        verbose_name_plural = _("duty group members")

    def __str__(self) -> str:
        return f"{self.group} {self.member}"


class DutyShift(models.Model):
    """The group a secretary (or staff) put on an occurrence: one per occurrence."""

    occurrence = models.OneToOneField(
        "planning.Occurrence",
        verbose_name=_("occurrence"),
        on_delete=models.CASCADE,
        related_name="duty_shift",
    )
    group = models.ForeignKey(
        DutyGroup, verbose_name=_("duty group"), on_delete=models.CASCADE, related_name="shifts"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now=True)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")

    def __str__(self) -> str:
        return f"{self.occurrence} {self.group}"


class SwapStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the secretary")
    APPROVED = "approved", pgettext_lazy("swap", "Approved")
    REJECTED = "rejected", pgettext_lazy("swap", "Rejected")


class SwapRequest(models.Model):
    """``requester`` is on duty at ``occurrence`` and asks to hand it to ``partner``, who
    takes it; with ``partner_occurrence`` (a duty of the partner's), they exchange."""

    occurrence = models.ForeignKey(
        "planning.Occurrence",
        verbose_name=_("duty"),
        on_delete=models.CASCADE,
        related_name="swap_requests",
    )
    requester = models.ForeignKey(
        "members.Member",
        verbose_name=_("asked by"),
        on_delete=models.CASCADE,
        related_name="swaps_asked",
    )
    partner = models.ForeignKey(
        "members.Member",
        verbose_name=_("swap with"),
        on_delete=models.CASCADE,
        related_name="swaps_offered",
    )
    partner_occurrence = models.ForeignKey(
        "planning.Occurrence",
        verbose_name=_("their duty in exchange"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="swap_requests_in_exchange",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SwapStatus.choices, default=SwapStatus.PENDING
    )
    partner_agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One pending request per duty of a member: a second is a duplicate.
            models.UniqueConstraint(
                fields=["occurrence", "requester"],
                condition=Q(status="pending"),
                name="swap_one_pending_per_duty",
            ),
            models.CheckConstraint(
                condition=~Q(requester=models.F("partner")), name="swap_not_with_oneself"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="swap_pending_idx")]

    def __str__(self) -> str:
        return f"{self.requester} ⇄ {self.partner} ({self.occurrence})"
