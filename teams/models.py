"""Regions, teams, their service categories and who may work on them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

DEFAULT_CATEGORY_NAMES = [
    "献爱心送温暖",
    "特殊日大型志愿活动",
    "创建文明城市志愿公益服务",
    "扶贫帮困",
    "科教文卫",
    "火车站志愿服务",
    "维稳志愿服务",
]


class Region(models.Model):
    """A node of the region tree, e.g. 西藏自治区 > 日喀则市."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="region_unique_name_per_parent"
            ),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="region_unique_root_name"
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="region_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        names = [self.name]
        node = self.parent
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " > ".join(reversed(names))

    def subtree_ids(self) -> set[int]:
        """This region's id and every descendant's, one query per tree level."""
        found = {self.pk}
        frontier = {self.pk}
        while frontier:
            frontier = (
                set(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
                - found
            )
            found |= frontier
        return found


class ServiceCategory(models.Model):
    """A kind of service. Categories without a team are the shared defaults."""

    name = models.CharField(_("name"), max_length=50)
    team = models.ForeignKey(
        "teams.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_categories",
        help_text=_("Empty for the categories every team can use."),
    )

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="category_unique_name_per_team"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(team__isnull=True), name="category_unique_shared_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # The teams listing this category show its name on their public profiles.
        Team.objects.filter(team_categories__category=self).update(updated_at=timezone.now())


class TeamQuerySet(models.QuerySet):
    def published(self) -> TeamQuerySet:
        return self.filter(is_published=True)

    def in_regions(self, region_ids: set[int]) -> TeamQuerySet:
        return self.filter(region_id__in=region_ids)


class Team(models.Model):
    """A party-member volunteer service team (党员志愿服务队)."""

    name = models.CharField(_("organisation name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("address name"),
        max_length=60,
        unique=True,
        help_text=_("Letters, digits and hyphens; used in the team's public address."),
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="teams"
    )
    host_unit = models.CharField(_("host unit"), max_length=100)
    founded_on = models.DateField(_("founded"), help_text=_("Only the year and month are shown."))
    lead_member = models.ForeignKey(
        "members.Member",
        verbose_name=_("project lead (member)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lead_name = models.CharField(
        _("project lead (name)"),
        max_length=50,
        blank=True,
        help_text=_("Used when the lead is not a registered member."),
    )
    lead_title = models.CharField(_("project lead's title"), max_length=100, blank=True)
    lead_consents_to_publication = models.BooleanField(
        _("lead agrees to be named publicly"), default=False
    )
    recommending_unit = models.CharField(_("recommending unit"), max_length=100, blank=True)
    regular_categories = models.ManyToManyField(
        ServiceCategory,
        verbose_name=_("regular service projects"),
        through="TeamCategory",
        related_name="+",
        blank=True,
    )
    main_deeds = models.TextField(_("main deeds"), blank=True)
    is_published = models.BooleanField(_("profile published"), default=False)
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    publication_source = models.CharField(_("source"), max_length=100, blank=True)
    responsible_editor = models.CharField(_("responsible editor"), max_length=50, blank=True)
    # The team's rules (docs/domain.md § Rules).
    min_activities_per_month = models.PositiveSmallIntegerField(
        _("minimum activities per month"), default=1
    )
    min_participations_per_member_year = models.PositiveSmallIntegerField(
        _("minimum participations per member per year"), default=10
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Moved by every save: part of the stored public profile's key (profiles/cache.py).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TeamQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("volunteer service team")
        verbose_name_plural = _("volunteer service teams")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_activities_per_month__gte=1),
                name="team_min_activities_per_month_positive",
            ),
            models.CheckConstraint(
                condition=Q(min_participations_per_member_year__gte=1),
                name="team_min_participations_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # A save of chosen fields moves updated_at too (auto_now moves only when saved).
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("dashboard:team", kwargs={"slug": self.slug})

    @property
    def lead_display_name(self) -> str:
        if self.lead_member_id:
            return self.lead_member.name
        return self.lead_name

    def categories_in_order(self) -> list[ServiceCategory]:
        return [tc.category for tc in self.team_categories.select_related("category")]

    def available_categories(self) -> models.QuerySet[ServiceCategory]:
        """Categories staff can pick for an activity: shared ones and the team's own."""
        return ServiceCategory.objects.filter(Q(team__isnull=True) | Q(team=self))

    def founded_display(self) -> str:
        return founded_display(self.founded_on)


def founded_display(value: datetime.date) -> str:
    """2016-03-01 → '2016年3月', the form the reference profile uses."""
    return f"{value.year}年{value.month}月"


class TeamCategory(models.Model):
    """One of a team's regular service projects, in the order they are listed."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="team_categories"
    )
    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("service category"), on_delete=models.PROTECT
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("regular service project")
        verbose_name_plural = _("regular service projects")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "category"], name="teamcategory_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.category}"


class TeamRole(models.Model):
    """A login user's role on one team. A secretary can do everything staff can."""

    class Role(models.TextChoices):
        STAFF = "staff", _("office staff")
        SECRETARY = "secretary", _("team secretary")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="team_roles",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("team role")
        verbose_name_plural = _("team roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="teamrole_one_role_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.team} · {self.get_role_display()}"


class RegionAdmin(models.Model):
    """A civilization-office admin, who reads every team in a region's subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="region_admin_roles",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="admins"
    )

    class Meta:
        verbose_name = _("region admin")
        verbose_name_plural = _("region admins")
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="regionadmin_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.region}"


class ErrorReportQuerySet(models.QuerySet):
    def unresolved(self) -> ErrorReportQuerySet:
        return self.filter(resolved_at__isnull=True)

    def for_secretary(self) -> ErrorReportQuerySet:
        """Unresolved first, newest on top; then the resolved, most recently resolved first."""
        return self.order_by(models.F("resolved_at").desc(nulls_first=True), "-created_at")


class ProfilePart(models.TextChoices):
    """The parts of the public profile a 纠错 can be about (what the secretary edits,
    and the figures, which nobody types in)."""

    NAME = "name", _("organisation name")
    FOUNDED = "founded", _("date founded")
    HOST_UNIT = "host_unit", _("host unit")
    LEAD = "lead", _("project lead")
    PROJECTS = "projects", _("regular service projects")
    RECOMMENDING_UNIT = "recommending_unit", _("recommending unit")
    MAIN_DEEDS = "main_deeds", _("main deeds")
    FIGURES = "figures", _("figures or something else")


class ErrorReport(models.Model):
    """A public visitor's correction request on a team's profile (纠错).

    The visitor's IP address is never stored: only a keyed hash of it, which is
    enough to limit how many reports one address sends.
    """

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="error_reports"
    )
    field = models.CharField(
        _("part of the profile"),
        max_length=20,
        choices=ProfilePart.choices,
        blank=True,
        help_text=_("Optional: which part of the profile is wrong."),
    )
    description = models.TextField(_("what is wrong"), max_length=2000)
    contact = models.CharField(
        _("contact"),
        max_length=100,
        blank=True,
        help_text=_("Optional: a name or phone number, used only to reply to you."),
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    ip_hash = models.CharField(_("hashed IP address"), max_length=64, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution_note = models.TextField(_("resolution note"), max_length=1000, blank=True)

    objects = ErrorReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("error report")
        verbose_name_plural = _("error reports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=False) | Q(resolved_by__isnull=True),
                name="errorreport_resolver_only_when_resolved",
            ),
            # A TextField's max_length is only checked by forms; the database keeps it too.
            models.CheckConstraint(
                condition=GreaterThan(Length("description"), 0)
                & LessThanOrEqual(Length("description"), 2000),
                name="errorreport_description_length",
            ),
        ]
        indexes = [
            # The secretary's list and the unresolved count on the team's home page.
            models.Index(fields=["team", "resolved_at"], name="errorreport_team_open_idx"),
            # The 纠错 rate limit: one address's reports of the last hour.
            models.Index(fields=["ip_hash", "created_at"], name="errorreport_rate_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None
