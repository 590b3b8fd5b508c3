"""Registered volunteers (注册志愿者) of a team."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Max, Min, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

phone_validator = RegexValidator(
    r"^(1\d{10}|0\d{2,3}-?\d{7,8})$",
    _("Enter an 11-digit mobile number or a landline number with its area code."),
)


class CadreRank(models.TextChoices):
    COUNTY = "county", _("county level")
    SECTION = "section", _("section level")
    GENERAL = "general", _("general cadre")
    WORKER = "worker", _("worker")
    OTHER = "other", _("other")


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class MemberQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> MemberQuerySet:
        """Members registered on ``day``; ``left_on`` is the last day of membership."""
        return self.filter(registered_on__lte=day).filter(
            Q(left_on__isnull=True) | Q(left_on__gte=day)
        )

    def active(self) -> MemberQuerySet:
        return self.filter(left_on__isnull=True)

    def registered_in_period(self, start: datetime.date, end: datetime.date) -> MemberQuerySet:
        """Registered on or before the period's end and not left before its start."""
        return self.filter(registered_on__lte=end).filter(
            Q(left_on__isnull=True) | Q(left_on__gte=start)
        )


class Member(models.Model):
    team = models.ForeignKey(
        "teams.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="members"
    )
    volunteer_number = models.CharField(
        _("volunteer number"),
        max_length=30,
        unique=True,
        help_text=_("The public identifier given at registration."),
    )
    name = models.CharField(_("full name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    is_party_member = models.BooleanField(_("party member"), default=True)
    party_joined_on = models.DateField(_("joined the party on"), null=True, blank=True)
    cadre_rank = models.CharField(
        _("cadre rank"), max_length=20, choices=CadreRank.choices, default=CadreRank.GENERAL
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    work_unit = models.CharField(_("work unit"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    registered_on = models.DateField(_("registered on"))
    left_on = models.DateField(
        _("left on"), null=True, blank=True, help_text=_("The last day of membership.")
    )
    consents_to_public_name = models.BooleanField(
        _("agrees to be named publicly"),
        default=False,
        help_text=_(
            "The volunteer agreed that their name may be shown on public pages. "
            "Untick it when they withdraw the consent."
        ),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("registered volunteer")
        verbose_name_plural = _("registered volunteers")
        ordering = ["volunteer_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("registered_on")),
                name="member_left_after_registered",
                violation_error_message=_(
                    "The leaving date cannot be before the registration date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(party_joined_on__isnull=True) | Q(is_party_member=True),
                name="member_party_date_only_for_party_members",
                violation_error_message=_(
                    "Only a party member can have a date of joining the party."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["team", "registered_on"], name="member_team_registered_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.volunteer_number}）"

    def clean(self) -> None:
        # Moving a member with service records to another team would break the
        # rule that participants belong to the activity's team (db_triggers.py).
        if self.pk and self.team_id:
            elsewhere = self.participations.exclude(activity__team_id=self.team_id).exists()
            if elsewhere:
                raise ValidationError(
                    {
                        "team": _(
                            "This member has service records in their current team and cannot "
                            "be moved. Mark them as left and register them in the new team."
                        )
                    }
                )
        if self.pk:
            errors = self._dates_leaving_out_activities()
            if errors:
                raise ValidationError(errors)

    def _dates_leaving_out_activities(self) -> dict[str, str]:
        """A participant is registered on each activity's start date (DOMAIN.md § Rules):
        new dates may not leave out an activity the member took part in.

        Only changed dates are checked, so that rows stored before the rule do
        not stop unrelated edits (the database checks changes only, too).
        """
        stored = Member.objects.filter(pk=self.pk).values("registered_on", "left_on").first()
        if stored is None:
            return {}
        errors = {}
        if self.registered_on and self.registered_on != stored["registered_on"]:
            first = self.participations.aggregate(day=Min("activity__start_date"))["day"]
            if first is not None and first < self.registered_on:
                errors["registered_on"] = _(
                    "This member took part in an activity on %(date)s; "
                    "the registration date cannot be after it."
                ) % {"date": first.isoformat()}
        if self.left_on and self.left_on != stored["left_on"]:
            last = self.participations.aggregate(day=Max("activity__start_date"))["day"]
            if last is not None and last > self.left_on:
                errors["left_on"] = _(
                    "This member took part in an activity on %(date)s, after that date. "
                    "The leaving date must be on or after their last activity."
                ) % {"date": last.isoformat()}
        return errors

    @property
    def is_active(self) -> bool:
        return self.left_on is None

    def was_registered_on(self, day: datetime.date) -> bool:
        return self.registered_on <= day and (self.left_on is None or self.left_on >= day)

    def registration_problem(self, start: datetime.date) -> str | None:
        """Why this member cannot take part in an activity that starts on ``start``.

        A participant must be registered on the activity's start date (docs/domain.md
        § Rules): registered on or before it and not left before it (``left_on`` is
        the last day of membership); the end date does not matter. The database holds
        the same rule (activities/db_triggers.py).
        """
        if self.was_registered_on(start):
            return None
        if self.registered_on > start:
            return _(
                "%(name)s registered on %(date)s, after the activity's start date %(start)s."
            ) % {
                "name": self.name,
                "date": self.registered_on.isoformat(),
                "start": start.isoformat(),
            }
        return _(
            "%(name)s left the team on %(date)s, before the activity's start date %(start)s."
        ) % {
            "name": self.name,
            "date": self.left_on.isoformat(),
            "start": start.isoformat(),
        }

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; short or empty numbers are masked whole."""
    if not phone:
        return ""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"
