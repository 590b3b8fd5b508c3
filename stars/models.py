"""Star volunteers (星级志愿者, docs/domain.md § Figures, Star volunteers).

A region's own thresholds (``StarThresholds``), each member's level as the figures'
recompute last stored it (``MemberStar``), and one row per member and level reached
(``StarNotification``), which is what makes the notice go out once.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

LEVELS = [1, 2, 3, 4, 5]
DEFAULT_THRESHOLDS = (
    Decimal("100"),
    Decimal("300"),
    Decimal("600"),
    Decimal("1000"),
    Decimal("1500"),
)
LEVEL_NAMES = {
    1: _("One star"),
    2: _("Two stars"),
    3: _("Three stars"),
    4: _("Four stars"),
    5: _("Five stars"),
}


def _hours_field(label):
    return models.DecimalField(label, max_digits=6, decimal_places=1)


class StarThresholds(models.Model):
    """A region's own thresholds: the hours each level needs, strictly increasing."""

    region = models.OneToOneField(
        "teams.Region",
        verbose_name=_("region"),
        on_delete=models.CASCADE,
        related_name="star_thresholds",
    )
    level_1 = _hours_field(_("One star"))
    level_2 = _hours_field(_("Two stars"))
    level_3 = _hours_field(_("Three stars"))
    level_4 = _hours_field(_("Four stars"))
    level_5 = _hours_field(_("Five stars"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("star thresholds")
        verbose_name_plural = _("star thresholds")
        constraints = [
            models.CheckConstraint(
                condition=Q(level_1__gt=0)
                & Q(level_2__gt=F("level_1"))
                & Q(level_3__gt=F("level_2"))
                & Q(level_4__gt=F("level_3"))
                & Q(level_5__gt=F("level_4")),
                name="starthresholds_positive_increasing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.values}"

    @property
    def values(self) -> tuple[Decimal, ...]:
        return tuple(getattr(self, f"level_{level}") for level in LEVELS)


class MemberStar(models.Model):
    """A member's all-time approved hours and level, as the last recompute stored them."""

    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="star",
    )
    team = models.ForeignKey(
        "teams.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="+"
    )
    hours = models.DecimalField(
        _("service hours"), max_digits=12, decimal_places=1, default=Decimal("0")
    )
    level = models.PositiveSmallIntegerField(_("star level"), default=0)
    # The hours the next level needs (None at five stars), with the thresholds in force.
    next_at = models.DecimalField(
        _("next level at"), max_digits=6, decimal_places=1, null=True, blank=True
    )

    class Meta:
        verbose_name = _("member's star level")
        verbose_name_plural = _("members' star levels")
        indexes = [models.Index(fields=["team", "level"], name="memberstar_team_level_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=0) & Q(level__lte=5), name="memberstar_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.level}"

    @property
    def level_name(self) -> str:
        return str(LEVEL_NAMES.get(self.level, ""))

    @property
    def stars(self) -> str:
        return "★" * self.level

    @property
    def hours_to_next(self) -> Decimal | None:
        return None if self.next_at is None else self.next_at - self.hours


class StarNotification(models.Model):
    """A member reached a level: one row per member and level, ever.

    Written in the recompute's transaction; the mails go after it commits, and a mail
    that could not go is left "not sent" for the next run to try again.
    """

    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="star_notifications",
    )
    level = models.PositiveSmallIntegerField(_("star level"))
    reached_at = models.DateTimeField(_("reached at"), auto_now_add=True)
    # Null until sent; left null when there is no address to send to.
    volunteer_mailed_at = models.DateTimeField(_("volunteer mailed at"), null=True, blank=True)
    secretary_mailed_at = models.DateTimeField(_("secretary mailed at"), null=True, blank=True)
    # Whether anyone is still to be mailed (cleared once every address had its mail).
    pending = models.BooleanField(_("mail pending"), default=True)

    class Meta:
        verbose_name = _("star level notification")
        verbose_name_plural = _("star level notifications")
        constraints = [
            models.UniqueConstraint(fields=["member", "level"], name="starnotification_unique"),
        ]
        indexes = [
            models.Index(
                fields=["member"], condition=Q(pending=True), name="starnotification_pending_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.level}"
