"""Activities (志愿服务活动) and who took part in them (服务记录).

Three rules span tables and so are enforced by database triggers (see
``activities/db_triggers.py``): a participation's hours never exceed its
activity's hours, the participant belongs to the activity's team, and is
registered on the activity's start date.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class DaysSpanned(models.Func):
    """Number of calendar days from start to end, both included (integer)."""

    output_field = models.IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="((%(expressions)s) + 1)",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="(CAST(julianday(%(expressions)s) AS INTEGER) + 1)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


HOURS_FIELD = {"max_digits": 6, "decimal_places": 1}


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("awaiting approval")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned")


class ActivityQuerySet(models.QuerySet):
    def approved(self) -> ActivityQuerySet:
        """The activities that count in the figures and the rules."""
        return self.filter(status=ActivityStatus.APPROVED)


class Activity(models.Model):
    team = models.ForeignKey(
        "teams.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="activities"
    )
    category = models.ForeignKey(
        "teams.ServiceCategory",
        verbose_name=_("service category"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    title = models.CharField(_("title"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    hours = models.DecimalField(
        _("service hours"),
        help_text=_(
            "The activity's service time, not the calendar span: a 3-day trip is not 72 hours."
        ),
        validators=[
            MinValueValidator(Decimal("0.1"), message=_("Service hours must be more than zero."))
        ],
        **HOURS_FIELD,
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    content = models.TextField(_("service content"), blank=True)
    organiser = models.CharField(_("organising unit"), max_length=100, blank=True)
    # Outcomes (成效).
    people_reached = models.PositiveIntegerField(_("people served or educated"), default=0)
    materials_distributed = models.PositiveIntegerField(_("materials distributed"), default=0)
    households_visited = models.PositiveIntegerField(_("households visited"), default=0)
    donation_yuan = models.DecimalField(
        _("donations (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"), message=_("Donations cannot be negative."))],
    )
    other_outcomes = models.TextField(_("other outcomes"), blank=True)
    # Workflow.
    status = models.CharField(
        _("status"), max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    is_late = models.BooleanField(
        _("logged late"),
        default=False,
        help_text=_("Submitted more than 10 working days after the activity ended."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ActivityQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("volunteer service activity")
        verbose_name_plural = _("volunteer service activities")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="activity_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="activity_hours_positive",
                violation_error_message=_("Service hours must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(hours__lte=DaysSpanned(F("end_date"), F("start_date")) * 24),
                name="activity_hours_within_days",
                violation_error_message=_(
                    "Service hours cannot be more than 24 for each day of the activity."
                ),
            ),
            models.CheckConstraint(
                condition=Q(donation_yuan__gte=0),
                name="activity_donation_not_negative",
                violation_error_message=_("Donations cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ActivityStatus.APPROVED) | Q(approved_at__isnull=False),
                name="activity_approved_has_time",
                violation_error_message=_("An approved activity needs its approval time."),
            ),
        ]
        indexes = [
            # Figures and lists: one team's activities by date.
            models.Index(fields=["team", "start_date"], name="activity_team_start_idx"),
            # The secretary's queue and the figures' "approved only" filter.
            models.Index(fields=["team", "status", "start_date"], name="activity_team_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.start_date:%Y-%m-%d} {self.title}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # The receivers of this save have seen the old status; the next save compares
        # with this one.
        self._loaded_status = self.status

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", kwargs={"slug": self.team.slug, "pk": self.pk})

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The status as loaded, so a save can tell it left "approved" (figures).
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def clean(self) -> None:
        # The database refuses these too (db_triggers.py); checking here turns
        # the refusal into a message on the form instead of an error page.
        # The activity form posts the participants with the activity and saves them
        # together (services.activity_save); it checks their hours itself.
        if self.pk and self.hours is not None and not getattr(self, "participants_posted", False):
            over = self.participations.filter(hours__gt=self.hours).count()
            if over:
                raise ValidationError(
                    {
                        "hours": _(
                            "%(count)d participant(s) have more hours than this; "
                            "lower their hours first."
                        )
                        % {"count": over}
                    }
                )


class ParticipationQuerySet(models.QuerySet):
    def approved(self) -> ParticipationQuerySet:
        """The participations that count: those of approved activities."""
        return self.filter(activity__status=ActivityStatus.APPROVED)


class Participation(models.Model):
    class Role(models.TextChoices):
        ORGANISER = "organiser", _("organiser")
        PARTICIPANT = "participant", _("participant")

    # No single-column indexes: participation_one_per_member (activity, member) and
    # participation_member_idx (member, activity) lead with each column, and every
    # participation written would update two more indexes (docs/performance.md).
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="participations",
        db_index=False,
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="participations",
        db_index=False,
    )
    hours = models.DecimalField(
        _("service hours"),
        validators=[
            MinValueValidator(
                Decimal("0.1"), message=_("A participant's hours must be more than zero.")
            )
        ],
        **HOURS_FIELD,
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.PARTICIPANT
    )

    objects = ParticipationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"],
                name="participation_one_per_member",
                violation_error_message=_("This member is already listed for this activity."),
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="participation_hours_positive",
                violation_error_message=_("A participant's hours must be more than zero."),
            ),
        ]
        indexes = [
            # A member's own record and per-member figures.
            models.Index(fields=["member", "activity"], name="participation_member_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.activity}"

    def clean(self) -> None:
        errors = {}
        activity = self.activity if self.activity_id or _has_cached(self, "activity") else None
        member = self.member if self.member_id else None
        if (
            activity is not None
            and self.hours is not None
            and activity.hours is not None
            and self.hours > activity.hours
        ):
            errors["hours"] = _(
                "A participant's hours (%(hours)s) cannot be more than the activity's "
                "hours (%(activity_hours)s)."
            ) % {"hours": self.hours, "activity_hours": activity.hours}
        if activity is not None and member is not None and activity.team_id != member.team_id:
            errors["member"] = _("%(member)s is not a member of this activity's team.") % {
                "member": member.name
            }
        elif activity is not None and member is not None and activity.start_date is not None:
            problem = member.registration_problem(activity.start_date)
            if problem:
                errors["member"] = problem
        if errors:
            raise ValidationError(errors)


def _has_cached(instance: models.Model, field: str) -> bool:
    return instance._meta.get_field(field).is_cached(instance)


# --- Figures (computed by background jobs; docs/domain.md § Figures) --------------------------


def _ratio(numerator, denominator, places: str = "0.1") -> Decimal | None:
    """numerator / denominator rounded for display; None (shown as "—") for / 0."""
    if not denominator:
        return None
    # 四舍五入 (half up), as people check the figures by hand.
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP
    )


class PeriodKind(models.TextChoices):
    ALL = "all", _("all time")
    YEAR = "year", _("year")
    MONTH = "month", _("month")


# The figures every TeamFigures row carries (the recomputes write them, the pages and
# the overview read them), in the order of the model.
TEAM_FIGURE_FIELDS = [
    "activities",
    "activity_hours",
    "participant_times",
    "person_hours",
    "registered_volunteers",
    "volunteers_at_end",
    "people_reached",
    "materials_distributed",
    "households_visited",
    "donation_yuan",
]


class TeamFigures(models.Model):
    """One team's figures for one period: all time, a year or a month.

    Written only by ``activities.stats.team_figures_recompute``; ``year`` and
    ``month`` are 0 where the period has none, so the unique key has no NULLs.
    """

    # Indexed by teamfigures_one_row_per_period (team, kind, year, month).
    team = models.ForeignKey(
        "teams.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        related_name="figures",
        db_index=False,
    )
    kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), default=0)
    month = models.PositiveSmallIntegerField(_("month"), default=0)
    activities = models.PositiveIntegerField(_("activities"), default=0)
    activity_hours = models.DecimalField(
        _("activity hours"), max_digits=12, decimal_places=1, default=Decimal("0")
    )
    participant_times = models.PositiveIntegerField(_("participant-times"), default=0)
    person_hours = models.DecimalField(
        _("person-hours"), max_digits=14, decimal_places=1, default=Decimal("0")
    )
    registered_volunteers = models.PositiveIntegerField(_("registered volunteers"), default=0)
    volunteers_at_end = models.PositiveIntegerField(
        _("volunteers at the end of the period"), default=0
    )
    people_reached = models.PositiveBigIntegerField(_("people served or educated"), default=0)
    materials_distributed = models.PositiveBigIntegerField(_("materials distributed"), default=0)
    households_visited = models.PositiveBigIntegerField(_("households visited"), default=0)
    donation_yuan = models.DecimalField(
        _("donations (yuan)"), max_digits=16, decimal_places=2, default=Decimal("0")
    )
    # No time of its own: a recompute rewrites only the rows whose figures changed, so
    # the time shown is the team's last recompute (TeamFiguresState.computed_at).

    class Meta:
        verbose_name = _("team figures")
        verbose_name_plural = _("team figures")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "kind", "year", "month"], name="teamfigures_one_row_per_period"
            ),
        ]
        indexes = [
            # The region overview and ranking read one year's rows of many teams
            # (docs/performance.md: 7 → 18 requests/s at 10,000 teams).
            models.Index(fields=["kind", "year", "team"], name="teamfigures_year_rows_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.kind} {self.year}-{self.month}"

    @property
    def hours_per_volunteer(self) -> Decimal | None:
        return _ratio(self.person_hours, self.registered_volunteers)

    @property
    def activities_per_volunteer(self) -> Decimal | None:
        return _ratio(self.participant_times, self.registered_volunteers)

    @property
    def hours_per_activity(self) -> Decimal | None:
        return _ratio(self.activity_hours, self.activities)

    @property
    def people_per_activity(self) -> Decimal | None:
        return _ratio(self.participant_times, self.activities)


class MemberYearFigures(models.Model):
    """A member's participations and hours in one year (approved activities only)."""

    # Indexed by memberyearfigures_team_idx (team, year) and memberyearfigures_unique
    # (member, year).
    team = models.ForeignKey(
        "teams.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="year_figures",
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    participations = models.PositiveIntegerField(_("participations"), default=0)
    hours = models.DecimalField(
        _("service hours"), max_digits=10, decimal_places=1, default=Decimal("0")
    )
    # Twelve entries, January first: participations and hours (as exact
    # decimal strings) in each month, for the compliance review's matrix.
    monthly_participations = models.JSONField(_("participations by month"), default=list)
    monthly_hours = models.JSONField(_("hours by month"), default=list)
    # The time shown is the team's last recompute (TeamFiguresState.computed_at).

    class Meta:
        verbose_name = _("member's yearly figures")
        verbose_name_plural = _("members' yearly figures")
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="memberyearfigures_unique"),
        ]
        indexes = [
            models.Index(fields=["team", "year"], name="memberyearfigures_team_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}"


class TeamFiguresState(models.Model):
    """Whether a team's figures are up to date (the recompute's fill-state marker).

    ``requested_at`` is set in the same transaction as any change that affects
    the figures; a recompute that *started* after it clears ``stale``. A change
    whose task could not be queued (Redis down) leaves ``stale`` set for the
    nightly reconcile.
    """

    team = models.OneToOneField(
        "teams.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures_state",
    )
    stale = models.BooleanField(_("needs recomputing"), default=True)
    requested_at = models.DateTimeField(_("change noticed at"), null=True, blank=True)
    computed_at = models.DateTimeField(_("last computed at"), null=True, blank=True)
    # Digests of the team's rows in each summary table as the set-based recompute
    # last wrote or found them (activities.stats_bulk); the per-team recompute clears
    # one when it changes rows of that table. While a digest equals that of the rows
    # a run computes, the stored rows need not be compared one by one
    # (docs/performance.md). Internal: shown nowhere.
    team_rows_digest = models.BigIntegerField(null=True, blank=True, editable=False)
    member_rows_digest = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("figures state")
        verbose_name_plural = _("figures states")
        indexes = [models.Index(fields=["stale", "computed_at"], name="figuresstate_reconcile_idx")]

    def __str__(self) -> str:
        return f"{self.team_id} stale={self.stale}"


# --- The monthly compliance review (docs/domain.md § Rules) -------------------------------------


class MonthlyReview(models.Model):
    """The secretary's sign-off of one month, with the figures frozen as reviewed.

    A later change to an activity of that month sets ``changed_after_signoff``
    and appends to ``changes`` what happened; signing again clears the flag.
    """

    team = models.ForeignKey(
        "teams.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="reviews"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed off at"))
    comment = models.TextField(_("comment"), blank=True)
    snapshot = models.JSONField(_("figures as reviewed"), default=dict)
    changed_after_signoff = models.BooleanField(_("changed after sign-off"), default=False)
    changes = models.JSONField(_("changes after sign-off"), default=list)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("monthly review")
        verbose_name_plural = _("monthly reviews")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["team", "year", "month"], name="review_one_per_month"),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12), name="review_month_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.year}-{self.month:02d}"


class ReminderLog(models.Model):
    """One reminder e-mail sent, so a month's reminders can never go out twice."""

    class Kind(models.TextChoices):
        SECRETARY = "secretary", _("summary to the secretary")
        MEMBER = "member", _("note to a member behind")

    team = models.ForeignKey(
        "teams.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    recipient = models.EmailField(_("recipient"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "year", "month", "kind", "recipient"],
                name="reminder_once_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.year}-{self.month:02d} {self.kind} {self.recipient}"
