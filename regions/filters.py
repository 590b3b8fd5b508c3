"""The overview's filters and sort: the ``?region=&host_unit=&published=&compliance=&sort=``
parameters, checked (``OverviewFilters``), and how they narrow and order the teams."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, NullIf
from django.utils.translation import pgettext_lazy

from regions.rows import COLUMN_KEYS, COLUMNS
from teams.models import Region, Team
from volunteer_site.listing import SortLink, sort_links

PUBLISHED_CHOICES = [
    ("yes", pgettext_lazy("regions", "Published")),
    ("no", pgettext_lazy("regions", "Not published")),
]
COMPLIANCE_CHOICES = [
    ("met", pgettext_lazy("regions", "Every month so far met the rule")),
    ("missed", pgettext_lazy("regions", "Some month missed the rule")),
]
DEFAULT_SORT = "region"


@dataclass(frozen=True)
class RegionOption:
    region: Region
    depth: int

    @property
    def label(self) -> str:
        return "\u3000" * self.depth + self.region.name


@dataclass
class RegionTree:
    """The regions an admin may see, as a tree (one query)."""

    options: list[RegionOption]
    children: dict[int | None, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, region_ids: set[int]) -> RegionTree:
        regions = list(Region.objects.filter(pk__in=region_ids).order_by("name"))
        by_id = {region.pk: region for region in regions}
        children: dict[int | None, list[int]] = {}
        for region in regions:
            parent = region.parent_id if region.parent_id in by_id else None
            children.setdefault(parent, []).append(region.pk)
        options: list[RegionOption] = []

        def walk(parent: int | None, depth: int) -> None:
            for pk in children.get(parent, []):
                options.append(RegionOption(by_id[pk], depth))
                walk(pk, depth + 1)

        walk(None, 0)
        return cls(options=options, children=children)

    def subtree(self, region_id: int) -> set[int]:
        found, frontier = {region_id}, [region_id]
        while frontier:
            frontier = [child for pk in frontier for child in self.children.get(pk, [])]
            found.update(frontier)
        return found

    def has(self, region_id: int) -> bool:
        return any(option.region.pk == region_id for option in self.options)


@dataclass(frozen=True)
class OverviewFilters:
    """The overview's ?region=&host_unit=&published=&compliance=&sort= parameters, checked."""

    region_id: int | None = None
    host_unit: str = ""
    published: str = ""
    compliance: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, query: Mapping[str, str], *, tree: RegionTree) -> OverviewFilters:
        try:
            region_id = int(query.get("region") or "")
        except ValueError:
            region_id = None
        if region_id is not None and not tree.has(region_id):
            region_id = None
        published = query.get("published", "")
        compliance = query.get("compliance", "")
        sort = query.get("sort", "")
        return cls(
            region_id=region_id,
            host_unit=(query.get("host_unit") or "").strip()[:100],
            published=published if published in dict(PUBLISHED_CHOICES) else "",
            compliance=compliance if compliance in dict(COMPLIANCE_CHOICES) else "",
            sort=sort if sort.lstrip("-") in COLUMN_KEYS else DEFAULT_SORT,
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.region_id or self.host_unit or self.published or self.compliance)

    def query(self, **extra) -> dict[str, str]:
        """The parameters as a query string's items (empty ones left out)."""
        items = {
            "region": self.region_id or "",
            "host_unit": self.host_unit,
            "published": self.published,
            "compliance": self.compliance,
            "sort": self.sort if self.sort != DEFAULT_SORT else "",
        } | extra
        return {key: str(value) for key, value in items.items() if value not in ("", None)}


def _ratio(numerator: str, denominator: str) -> ExpressionWrapper:
    """numerator / denominator as a float for sorting; NULL when the denominator is 0."""
    return ExpressionWrapper(
        Cast(F(numerator), FloatField()) / NullIf(F(denominator), Value(0)),
        output_field=FloatField(),
    )


_SORT_EXPRESSIONS = {
    "name": F("name"),
    "region": F("region__name"),
    "host_unit": F("host_unit"),
    "published": F("is_published"),
    "volunteers": F("fy_registered_volunteers"),
    "activities": F("fy_activities"),
    "person_hours": F("fy_person_hours"),
    "hours_per_volunteer": _ratio("fy_person_hours", "fy_registered_volunteers"),
    "months_met": Case(
        When(months_counted=0, then=Value(None)),
        default=F("months_met"),
        output_field=IntegerField(),
    ),
    "on_track": Case(
        When(fy_pk__isnull=True, then=Value(None)),
        default=_ratio("members_good", "members_listed"),
        output_field=FloatField(),
    ),
    "last_activity": F("last_activity_on"),
    "last_review": F("last_review_ym"),
}


def apply_filters(
    teams: QuerySet[Team], filters: OverviewFilters, *, tree: RegionTree
) -> QuerySet[Team]:
    if filters.region_id:
        teams = teams.filter(region_id__in=tree.subtree(filters.region_id))
    if filters.host_unit:
        teams = teams.filter(host_unit__icontains=filters.host_unit)
    if filters.published:
        teams = teams.filter(is_published=filters.published == "yes")
    if filters.compliance == "met":
        teams = teams.filter(months_counted__gt=0, months_met__gte=F("months_counted"))
    elif filters.compliance == "missed":
        teams = teams.filter(months_met__lt=F("months_counted"))
    key = filters.sort.lstrip("-")
    expression = _SORT_EXPRESSIONS[key]
    # Teams without a value ("—") go last in either direction.
    if filters.sort.startswith("-"):
        order = expression.desc(nulls_last=True)
    else:
        order = expression.asc(nulls_last=True)
    return teams.order_by(order, "name", "pk")


# Sorts by the team's own columns: the page can be chosen from the teams table alone.
TEAM_SORTS = {"name", "region", "host_unit", "published"}


def overview_sort_links(filters: OverviewFilters, *, year: int) -> dict[str, SortLink]:
    """For each column, the parameters of its header link. Figures sort highest first."""
    return sort_links(
        ((column.key, column.numeric) for column in COLUMNS),
        sort=filters.sort,
        query=lambda target: filters.query(sort=target, year=year),
    )
