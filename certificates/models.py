"""Service-record certificates (志愿服务记录证明): docs/domain.md § Entities,
Service-record certificates.

A certificate keeps its figures *as issued* (the count, the hours and every activity
row, as JSON), so later changes to activities never change a certificate that was
handed out. Numbers are sequential per team and year (``CertificateCounter``).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The verification code's alphabet: digits and capitals without 0/O, 1/I/L, so a code
# read off paper is typed back right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class CertificateStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    ISSUED = "issued", _("issued")
    REFUSED = "refused", _("refused")
    REVOKED = "revoked", _("revoked")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("resident identity card")
    PASSPORT = "passport", _("passport")
    HK_MACAO_PASS = "hk_macao", _("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN_PASS = "taiwan", _("Mainland travel permit for Taiwan residents")
    OTHER = "other", _("other identity document")


class CertificateQuerySet(models.QuerySet):
    def verifiable(self) -> CertificateQuerySet:
        """Those a visitor may look up by code: issued, or issued and revoked since."""
        return self.filter(status__in=[CertificateStatus.ISSUED, CertificateStatus.REVOKED])


class Certificate(models.Model):
    team = models.ForeignKey(
        "teams.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.REQUESTED,
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    national_volunteer_id = models.CharField(_("national volunteer ID"), max_length=40, blank=True)
    id_type = models.CharField(_("ID type"), max_length=20, choices=IdType.choices, blank=True)
    # Never more than the last four characters of the number (docs/domain.md).
    id_last_four = models.CharField(_("ID number (last four)"), max_length=4, blank=True)
    remarks = models.CharField(_("remarks"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    # Set when issued: the number, the code and the figures and names as issued.
    # NULL until issued (many requests have none; unique among those that have one).
    number = models.CharField(  # noqa: DJ001
        _("certificate number"), max_length=80, null=True, unique=True
    )
    year = models.PositiveSmallIntegerField(_("year of issue"), null=True, blank=True)
    code = models.CharField(  # noqa: DJ001
        _("verification code"), max_length=CODE_LENGTH, null=True, unique=True
    )
    issued_on = models.DateField(_("date of issue"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    member_name = models.CharField(_("name"), max_length=50, blank=True)
    volunteer_number = models.CharField(_("volunteer number"), max_length=30, blank=True)
    activity_count = models.PositiveIntegerField(_("activities"), default=0)
    total_hours = models.DecimalField(_("hours"), max_digits=9, decimal_places=1, default=0)
    # [{"date": "2026-03-05", "end": "2026-03-05", "title": ..., "category": ..., "hours": "4.0"}]
    activities = models.JSONField(_("activities as issued"), default=list, blank=True)
    team_name = models.CharField(_("issuing team"), max_length=100, blank=True)
    host_unit = models.CharField(_("host unit"), max_length=100, blank=True)
    person_in_charge = models.CharField(_("person in charge"), max_length=50, blank=True)
    handler = models.CharField(_("handled by"), max_length=150, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    refuse_reason = models.CharField(_("reason for refusal"), max_length=500, blank=True)
    revoke_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("service-record certificate")
        verbose_name_plural = _("service-record certificates")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="certificate_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "refused"])
                | Q(number__isnull=False, code__isnull=False, issued_on__isnull=False),
                name="certificate_issued_has_number_and_code",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "status"], name="certificate_team_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.member_id} {self.period_start}–{self.period_end}"

    @property
    def is_issued(self) -> bool:
        return self.status == CertificateStatus.ISSUED

    def verify_path(self) -> str:
        return reverse("certificates:verify", kwargs={"code": self.code})

    def verify_url(self) -> str:
        return settings.SITE_URL.rstrip("/") + self.verify_path()


class CertificateCounter(models.Model):
    """The last number given in a team's year; locked while the next is allocated."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "year"], name="certificate_counter_team_year")
        ]

    def __str__(self) -> str:
        return f"{self.team_id}/{self.year}: {self.last}"
