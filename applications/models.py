"""Applications to join a team (网上申请注册), sent from the team's public profile.

A visitor applies; the team's secretary approves (the applicant becomes a member)
or rejects with a reason the applicant is told. The applicant follows their
application by a random link (``status_token``), never by anything personal.
The visitor's IP address is never stored, only a keyed hash of it (for the rate
limit). A rejected application's personal data is erased after
REJECTED_RETENTION_DAYS (docs/domain.md § Entities, Applications to join).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from members.models import Gender

# What the applicant's free texts may hold (as on the member's record).
NAME_MAX_LENGTH = 50
REASON_MAX_LENGTH = 1000


def new_status_token() -> str:
    """43 URL-safe characters (256 random bits): the applicant's only key to the status."""
    return secrets.token_urlsafe(32)


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("awaiting review")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("not approved")


class ApplicationQuerySet(models.QuerySet):
    def pending(self) -> ApplicationQuerySet:
        return self.filter(status=ApplicationStatus.PENDING)

    def for_queue(self) -> ApplicationQuerySet:
        """Pending first, oldest first (first come, first served); then the decided, newest
        decision first."""
        return self.order_by(
            models.Case(
                models.When(status=ApplicationStatus.PENDING, then=0),
                default=1,
                output_field=models.IntegerField(),
            ),
            models.F("decided_at").desc(nulls_first=True),
            "created_at",
            "pk",
        )


class Application(models.Model):
    team = models.ForeignKey(
        "teams.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="applications"
    )
    # The applicant's details; all blank once erased (erased_at set).
    name = models.CharField(_("full name"), max_length=NAME_MAX_LENGTH, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    is_party_member = models.BooleanField(_("party member"), default=False)
    party_joined_on = models.DateField(_("joined the party on"), null=True, blank=True)
    work_unit = models.CharField(_("work unit"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    categories = models.ManyToManyField(
        "teams.ServiceCategory",
        verbose_name=_("services they would like to do"),
        related_name="+",
        blank=True,
    )
    consent_processing = models.BooleanField(_("agrees to the processing of their details"))
    consent_public_name = models.BooleanField(_("agrees to be named publicly"), default=False)
    # The decision.
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    reject_reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    ip_hash = models.CharField(_("hashed IP address"), max_length=64, blank=True, editable=False)
    status_token = models.CharField(
        _("status link key"), max_length=64, unique=True, default=new_status_token, editable=False
    )
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application to join")
        verbose_name_plural = _("applications to join")
        ordering = ["-created_at"]
        constraints = [
            # One open application per phone and team: a second is a duplicate.
            models.UniqueConstraint(
                fields=["team", "phone"],
                condition=Q(status="pending"),
                name="application_one_pending_per_phone",
                violation_error_message=_(
                    "An application with this phone number is already awaiting review."
                ),
            ),
            # The applicant is told why; erasing the personal data takes the reason too.
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason="") | Q(erased_at__isnull=False),
                name="application_rejected_has_reason",
                violation_error_message=_("Give the reason for not approving the application."),
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("reject_reason"), REASON_MAX_LENGTH),
                name="application_reason_length",
            ),
            # Nobody is processed without consent, except rows whose data is erased.
            models.CheckConstraint(
                condition=Q(consent_processing=True) | Q(erased_at__isnull=False),
                name="application_consent_processing",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="application_decided_when_not_pending",
            ),
            models.CheckConstraint(
                condition=Q(party_joined_on__isnull=True) | Q(is_party_member=True),
                name="application_party_date_only_for_party_members",
            ),
            # Only a decided (rejected) application is erased; a pending one is still needed.
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True) | Q(status="rejected"),
                name="application_erased_only_when_rejected",
            ),
        ]
        indexes = [
            # The secretary's queue and the pending count on the team's home page.
            models.Index(fields=["team", "status"], name="application_team_status_idx"),
            # The rate limit: one address's applications of the last hour.
            models.Index(fields=["ip_hash", "created_at"], name="application_rate_idx"),
            # The retention job: rejected rows decided before the cut-off, not yet erased.
            models.Index(
                fields=["decided_at"],
                condition=Q(status="rejected", erased_at__isnull=True),
                name="application_to_erase_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.name or '—'} · {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == ApplicationStatus.PENDING
