"""What the civilization office's region pages read: every team in a region subtree
with one year's figures (DOMAIN.md § Who uses it, § Figures, § Rules).

Everything comes from the summary tables the background jobs fill
(``TeamFigures``, ``MemberYearFigures``) plus two index-backed look-ups (the
last approved activity, the last signed-off review), in one SQL statement for
any number of teams: the year's row is joined (``FilteredRelation``), and the
rules are correlated subqueries, so the overview, the comparison and the
ranking cost the same few queries for 10 teams as for 10,000.

The two rule columns follow ``activities/compliance.py``:

* **Months meeting the monthly rule**: months of the year that are over (the
  current month is still in progress) and not before the team was founded, in
  which the team held at least its ``min_activities_per_month`` approved
  activities. Shown as "met / counted"; this is ``ReviewData.months_met_display``
  of the review of the last month that is over.
* **Members on track**: of the members registered at some time in the year up to
  the month the figures are "as of" (December for a past year, the current month
  for this year), the share that have met their target or are on track
  (已达标 or 进度正常). Each member's target is the team's yearly target
  pro-rated by their registered months and rounded up; they are on track when
  their participations so far are at least ``target × elapsed registered months
  / registered months``, rounded down, and not zero. This is
  ``ReviewData.share_on_track`` of the review of that month, computed in SQL.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractMonth, Greatest, Least, NullIf
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import pgettext_lazy

from activities.models import (
    FIGURE_FIELDS,
    Activity,
    ActivityStatus,
    MonthlyReview,
    PeriodKind,
    TeamFigures,
)
from compliance.standing import month_end
from members.models import Member
from profiles.cache import teams_generation
from teams.models import Region, Team

PAGE_SIZE = 50
MAX_COMPARED = 5

# --- Columns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the overview: its ?sort= key, header, kind and Excel width."""

    key: str
    label: Promise
    kind: str  # text, int, hours, percent, date
    width: int
    help: Promise | str = ""

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


# Labels carry the context "regions" (written out: makemessages reads only literals).
COLUMNS: list[Column] = [
    Column("name", pgettext_lazy("regions", "Team"), "text", 44),
    Column("region", pgettext_lazy("regions", "Region"), "text", 12),
    Column("host_unit", pgettext_lazy("regions", "Host unit"), "text", 28),
    Column("published", pgettext_lazy("regions", "Profile"), "text", 10),
    Column("volunteers", pgettext_lazy("regions", "Registered volunteers"), "int", 12),
    Column("activities", pgettext_lazy("regions", "Activities"), "int", 12),
    Column("person_hours", pgettext_lazy("regions", "Person-hours"), "hours", 14),
    Column("hours_per_volunteer", pgettext_lazy("regions", "Hours per volunteer"), "hours", 14),
    Column(
        "months_met",
        pgettext_lazy("regions", "Months meeting the monthly rule"),
        "text",
        16,
        pgettext_lazy(
            "regions",
            "Months of the year that are over in which the team held at least its "
            "minimum number of approved activities, out of those months.",
        ),
    ),
    Column(
        "on_track",
        pgettext_lazy("regions", "Members on track"),
        "percent",
        14,
        pgettext_lazy(
            "regions",
            "Share of members who have met their yearly target or are on track for it, "
            "as of the end of the year (this year: this month).",
        ),
    ),
    Column("last_activity", pgettext_lazy("regions", "Last activity"), "date", 14),
    Column("last_review", pgettext_lazy("regions", "Last signed-off month"), "text", 16),
]
COLUMN_KEYS = [column.key for column in COLUMNS]
COLUMN_KINDS = {column.key: column.kind for column in COLUMNS}


# --- The figures a team can be compared and ranked on -----------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str  # a TeamFigures field or ratio property
    label: Promise
    kind: str  # int or hours (one decimal)


FIGURES: list[Figure] = [
    Figure("activities", pgettext_lazy("regions", "Activities"), "int"),
    Figure("activity_hours", pgettext_lazy("regions", "Activity hours"), "hours"),
    Figure("participant_times", pgettext_lazy("regions", "Participant-times"), "int"),
    Figure("person_hours", pgettext_lazy("regions", "Person-hours"), "hours"),
    Figure("registered_volunteers", pgettext_lazy("regions", "Registered volunteers"), "int"),
    Figure("hours_per_volunteer", pgettext_lazy("regions", "Hours per volunteer"), "hours"),
    Figure(
        "activities_per_volunteer",
        pgettext_lazy("regions", "Participations per volunteer"),
        "hours",
    ),
    Figure("hours_per_activity", pgettext_lazy("regions", "Hours per activity"), "hours"),
    Figure("people_per_activity", pgettext_lazy("regions", "Participants per activity"), "hours"),
    Figure("people_reached", pgettext_lazy("regions", "People served or educated"), "int"),
    Figure("materials_distributed", pgettext_lazy("regions", "Materials distributed"), "int"),
    Figure("households_visited", pgettext_lazy("regions", "Households visited"), "int"),
    Figure("donation_yuan", pgettext_lazy("regions", "Donations (yuan)"), "hours"),
]
FIGURES_BY_KEY = {figure.key: figure for figure in FIGURES}
RANKING_FIGURES = [
    "activities",
    "activity_hours",
    "participant_times",
    "person_hours",
    "hours_per_volunteer",
    "activities_per_volunteer",
]
DEFAULT_RANKING_FIGURE = "hours_per_volunteer"
YEAR_ROW_FIELDS = FIGURE_FIELDS


def figure_text(value, kind: str) -> str:
    """A figure as the pages show it: exact, "—" where it cannot be computed."""
    if value is None:
        return "—"
    if kind == "percent":
        return f"{value}%"
    if kind == "date":
        return value.isoformat()
    return str(value)


def review_month_text(year_month: tuple[int, int] | None) -> str:
    """(2018, 11) → "2018年11月" (the language's own year-and-month format)."""
    if year_month is None:
        return "—"
    return date_format(datetime.date(year_month[0], year_month[1], 1), "YEAR_MONTH_FORMAT")


# --- The year -------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearWindow:
    """Which months of ``year`` the rule columns look at, seen from ``today``."""

    year: int
    last_month_over: int  # 0..12: the rule counts months 1..this (after founding)
    as_of_month: int  # 1..12: members' standing at the end of this month

    @classmethod
    def for_year(cls, year: int, today: datetime.date) -> YearWindow:
        if year < today.year:
            return cls(year, 12, 12)
        if year == today.year:
            return cls(year, today.month - 1, today.month)
        return cls(year, 0, 1)


def selectable_years(region_ids: Iterable[int], *, today: datetime.date) -> list[int]:
    """From the first year with figures for a team in the regions to the current year,
    newest first.

    The first year, not every year with figures: the year rows' index read in year
    order stops at the first row of a team of the regions, where DISTINCT reads all of
    them (every team's every year: 20 ms at 10,000 teams); a team has figures for every
    year from its first on, so the years between have figures too.
    """
    first = (
        TeamFigures.objects.filter(team__region_id__in=region_ids, kind=PeriodKind.YEAR)
        .order_by("year")
        .values_list("year", flat=True)
        .first()
    )
    first = min(first or today.year, today.year)
    return list(range(today.year, first - 1, -1))


def clean_year(value: str | None, *, years: list[int], default: int) -> int:
    try:
        year = int(value or "")
    except ValueError:
        return default
    return year if year in years else default


# --- The query --------------------------------------------------------------------------------


def _month_of(field_name: str):
    # EXTRACT gives a numeric on PostgreSQL 14+: cast, so the divisions below are
    # integer divisions (rounding down) on both databases.
    return Cast(ExtractMonth(field_name), IntegerField())


def _members_in_year(window: YearWindow) -> QuerySet[Member]:
    """The outer team's members listed for the year's standing, each annotated with
    ``ytd`` (participations), ``target`` and ``expected`` (compliance.member_standing)."""
    year = window.year
    jan_1, dec_31 = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    first = Case(When(registered_on__lt=jan_1, then=Value(1)), default=_month_of("registered_on"))
    last = Case(
        When(Q(left_on__isnull=True) | Q(left_on__gt=dec_31), then=Value(12)),
        default=_month_of("left_on"),
    )
    return (
        Member.objects.filter(team=OuterRef("pk"))
        .registered_in_period(jan_1, month_end(year, window.as_of_month))
        .annotate(
            that_year=FilteredRelation("year_figures", condition=Q(year_figures__year=year)),
            first_month=first,
            last_month=last,
        )
        .annotate(
            months_in_year=F("last_month") - F("first_month") + Value(1),
            months_elapsed=Least(F("last_month"), Value(window.as_of_month))
            - F("first_month")
            + Value(1),
            ytd=Coalesce(F("that_year__participations"), Value(0)),
        )
        .annotate(
            # ceil(yearly target × registered months / 12)
            target=(F("team__min_participations_per_member_year") * F("months_in_year") + Value(11))
            / Value(12),
        )
        .annotate(expected=F("target") * F("months_elapsed") / F("months_in_year"))
    )


def _count(queryset: QuerySet) -> Subquery:
    return Coalesce(
        Subquery(queryset.order_by().values("team").annotate(n=Count("pk")).values("n")),
        Value(0),
    )


def _ratio(numerator: str, denominator: str) -> ExpressionWrapper:
    """numerator / denominator as a float for sorting; NULL when the denominator is 0."""
    return ExpressionWrapper(
        Cast(F(numerator), FloatField()) / NullIf(F(denominator), Value(0)),
        output_field=FloatField(),
    )


def _last_review_ym() -> Subquery:
    """The team's last signed-off month as year × 100 + month."""
    return Subquery(
        MonthlyReview.objects.filter(team=OuterRef("pk"))
        .order_by("-year", "-month")
        .annotate(ym=F("year") * Value(100) + F("month"))
        .values("ym")[:1]
    )


def teams_with_figures(
    region_ids: Iterable[int], window: YearWindow, *, rules: bool = True
) -> QuerySet[Team]:
    """Teams in the regions, annotated with the year's figures and the rule columns.

    Each team gets ``fy_<field>`` for the year's ``TeamFigures`` fields (None when
    the team has no figures for the year) and ``figures_stale``; with ``rules``
    also ``months_met`` and ``months_counted``, ``members_listed`` and
    ``members_good``, ``last_activity_on`` and ``last_review_ym`` (year × 100 +
    month). The ranking needs only the figures and leaves the rules out.
    """
    year = window.year
    jan_1, dec_31 = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    months = (
        TeamFigures.objects.filter(
            team=OuterRef("pk"),
            kind=PeriodKind.MONTH,
            year=year,
            month__gte=OuterRef("rule_first_month"),
            month__lte=window.last_month_over,
            activities__gte=OuterRef("min_activities_per_month"),
        )
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    members = _members_in_year(window)
    good = members.filter(Q(ytd__gte=F("target")) | Q(ytd__gt=0, ytd__gte=F("expected")))
    last_activity = (
        Activity.objects.filter(team=OuterRef("pk"), status=ActivityStatus.APPROVED)
        .order_by("-start_date")
        .values("start_date")[:1]
    )
    year_fields = {f"fy_{name}": F(f"year_row__{name}") for name in [*YEAR_ROW_FIELDS, "pk"]}
    teams = (
        Team.objects.filter(region_id__in=region_ids)
        .select_related("region")
        .defer("main_deeds")  # the profile's long text: not shown here
        .annotate(
            year_row=FilteredRelation(
                "figures", condition=Q(figures__kind=PeriodKind.YEAR, figures__year=year)
            ),
        )
        .annotate(
            **year_fields,
            figures_stale=F("figures_state__stale"),
            figures_computed_at=F("figures_state__computed_at"),
        )
    )
    if not rules:
        return teams
    return teams.annotate(
        rule_first_month=Case(
            When(founded_on__lt=jan_1, then=Value(1)),
            When(founded_on__lte=dec_31, then=_month_of("founded_on")),
            default=Value(13),
            output_field=IntegerField(),
        ),
    ).annotate(
        # No figures for the year (never computed): nothing to count, shown "—".
        months_counted=Case(
            When(fy_pk__isnull=True, then=Value(0)),
            default=Greatest(
                Value(window.last_month_over) - F("rule_first_month") + Value(1), Value(0)
            ),
        ),
        months_met=Coalesce(Subquery(months), Value(0)),
        members_listed=_count(members),
        members_good=_count(good),
        last_activity_on=Subquery(last_activity),
        last_review_ym=_last_review_ym(),
    )


# --- Filters and sorting ---------------------------------------------------------------------

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


@dataclass(frozen=True)
class SortLink:
    query: str  # the query string of the header's link
    direction: str | None  # "ascending" / "descending" when sorted by this column


def sort_links(filters: OverviewFilters, *, year: int) -> dict[str, SortLink]:
    """For each column, the parameters of its header link. Figures sort highest first."""
    links = {}
    for column in COLUMNS:
        first = f"-{column.key}" if column.numeric else column.key
        if filters.sort == column.key:
            target, direction = f"-{column.key}", "ascending"
        elif filters.sort == f"-{column.key}":
            target, direction = column.key, "descending"
        else:
            target, direction = first, None
        links[column.key] = SortLink(urlencode(filters.query(sort=target, year=year)), direction)
    return links


# --- Rows --------------------------------------------------------------------------------------


def _share(good: int, listed: int) -> Decimal | None:
    """compliance.share_in_good_standing from the two counts."""
    if not listed:
        return None
    return (Decimal(100 * good) / listed).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class OverviewRow:
    """One team's line: the year's figures as the profile computes them, and the rules."""

    team: Team
    figures: TeamFigures | None
    months_met: int
    months_counted: int
    members_listed: int
    members_good: int
    last_activity_on: datetime.date | None
    last_review: tuple[int, int] | None
    stale: bool

    @classmethod
    def from_team(cls, team: Team) -> OverviewRow:
        figures = None
        if team.fy_pk is not None:
            figures = TeamFigures(
                pk=team.fy_pk,
                team=team,
                kind=PeriodKind.YEAR,
                **{name: getattr(team, f"fy_{name}") for name in YEAR_ROW_FIELDS},
            )
        # Without the rule annotations (the ranking) the rule fields stay empty.
        ym = getattr(team, "last_review_ym", None)
        return cls(
            team=team,
            figures=figures,
            months_met=int(getattr(team, "months_met", 0)),
            months_counted=int(getattr(team, "months_counted", 0)),
            members_listed=int(getattr(team, "members_listed", 0)),
            members_good=int(getattr(team, "members_good", 0)),
            last_activity_on=getattr(team, "last_activity_on", None),
            last_review=divmod(int(ym), 100) if ym is not None else None,
            # No state row yet: the figures have never been computed.
            stale=team.figures_stale is not False,
        )

    def figure(self, key: str):
        """A TeamFigures field or ratio property; None without figures for the year."""
        return getattr(self.figures, key) if self.figures is not None else None

    @property
    def share_on_track(self) -> Decimal | None:
        if self.figures is None:
            return None  # figures never computed for the year: not "0%"
        return _share(self.members_good, self.members_listed)

    @property
    def months_met_text(self) -> str:
        if not self.months_counted:
            return "—"
        return f"{self.months_met} / {self.months_counted}"

    @property
    def all_months_met(self) -> bool:
        return bool(self.months_counted) and self.months_met >= self.months_counted

    def value(self, key: str):
        """The column's value, typed (for the workbook); None shows as "—"."""
        return self.values()[key]

    def values(self) -> dict:
        """Every column's value, typed."""
        return {
            "name": self.team.name,
            "region": self.team.region.name,
            "host_unit": self.team.host_unit,
            "published": str(
                pgettext_lazy("regions", "Published")
                if self.team.is_published
                else pgettext_lazy("regions", "Not published")
            ),
            "volunteers": self.figure("registered_volunteers"),
            "activities": self.figure("activities"),
            "person_hours": self.figure("person_hours"),
            "hours_per_volunteer": self.figure("hours_per_volunteer"),
            "months_met": self.months_met_text,
            "on_track": self.share_on_track,
            "last_activity": self.last_activity_on,
            "last_review": review_month_text(self.last_review),
        }

    def text(self, key: str) -> str:
        """The column's value as the page shows it."""
        return figure_text(self.value(key), COLUMN_KINDS[key])

    @property
    def texts(self) -> dict[str, str]:
        values = self.values()
        return {key: figure_text(values[key], COLUMN_KINDS[key]) for key in COLUMN_KEYS}


# Sorts by the team's own columns: the page can be chosen from the teams table alone.
TEAM_SORTS = {"name", "region", "host_unit", "published"}


RULE_COLUMNS = ("months_counted", "months_met", "members_listed", "members_good")
RULES_TIMEOUT = 60 * 60


def _rules_key(team: Team, window: YearWindow) -> str | None:
    """Where a team's rule columns are kept, or None when they must be computed: the
    columns come from its summary rows (changed only by a recompute, which moves the
    fill state's computed_at), its members' registration (a change asks for a
    recompute and marks the team stale), its rules and founding date, and the window."""
    if team.figures_computed_at is None or team.figures_stale is not False:
        return None
    return (
        f"overview-rules:{team.pk}:{team.figures_computed_at.isoformat()}:{window.year}:"
        f"{window.last_month_over}:{window.as_of_month}:{team.min_activities_per_month}:"
        f"{team.min_participations_per_member_year}:{team.founded_on.isoformat()}"
    )


def _with_rule_columns(teams: list[Team], region_ids, window: YearWindow) -> None:
    """Give each team its rule columns: kept ones where its figures have not been
    recomputed since, one query for the others."""
    keys = {team.pk: _rules_key(team, window) for team in teams}
    kept = cache.get_many([key for key in keys.values() if key])
    missing = [team.pk for team in teams if keys[team.pk] not in kept]
    computed = {}
    if missing:
        for pk, *values in (
            teams_with_figures(region_ids, window)
            .filter(pk__in=missing)
            .order_by()
            .values_list("pk", *RULE_COLUMNS, "last_activity_on")
        ):
            computed[pk] = tuple(values)
        cache.set_many(
            {keys[pk]: values for pk, values in computed.items() if keys[pk]}, RULES_TIMEOUT
        )
    for team in teams:
        values = kept.get(keys[team.pk]) or computed.get(team.pk)
        if values is None:  # gone since the page was chosen
            continue
        for name, value in zip((*RULE_COLUMNS, "last_activity_on"), values, strict=True):
            setattr(team, name, value)


def overview_page(
    teams: Callable[[], QuerySet[Team]],
    filters: OverviewFilters,
    *,
    tree: RegionTree,
    region_ids: Iterable[int],
    window: YearWindow,
    page_number,
) -> tuple[Page, list[Team]]:
    """The page to show and its teams, with their figures and rule columns.

    ``teams`` gives the query with every column, filtered and sorted (apply_filters
    over teams_with_figures); it is built only when the sort needs it.

    When neither the sort nor a filter needs the figures (the default: by region),
    the page's 50 teams are chosen from the teams table alone (a plain count and a
    sort of the team rows); their year's figures are read for those 50 only, and
    their rule columns (the months met and the members on track, which read every
    member's year) are kept per team until its next recompute. At 10,000 teams that
    replaces joining every team's year row before sorting and 5,000 members' rows
    for each page.
    """
    if filters.compliance or filters.sort.lstrip("-") not in TEAM_SORTS:
        page = Paginator(teams(), PAGE_SIZE).get_page(page_number)
        return page, list(page.object_list)
    plain = apply_filters(Team.objects.filter(region_id__in=region_ids), filters, tree=tree)
    page = Paginator(plain.values_list("pk", flat=True), PAGE_SIZE).get_page(page_number)
    ids = list(page.object_list)
    found = {
        team.pk: team
        for team in teams_with_figures(region_ids, window, rules=False)
        .filter(pk__in=ids)
        .annotate(last_review_ym=_last_review_ym())
        .order_by()
    }
    chosen = [found[pk] for pk in ids if pk in found]
    _with_rule_columns(chosen, region_ids, window)
    return page, chosen


def overview_rows(teams: Iterable[Team]) -> list[OverviewRow]:
    return [OverviewRow.from_team(team) for team in teams]


HOST_UNITS_TIMEOUT = 10 * 60


def host_units(region_ids: Iterable[int]) -> list[str]:
    """The host units in the regions, for the filter's suggestions.

    Kept in the cache until a team is saved (the teams' generation, page_cache) or for
    ten minutes: a DISTINCT over every team of a province (15 ms at 10,000 teams) for
    a list of suggestions that changes when a team is created or renamed.
    """
    ids = sorted(region_ids)
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
    key = f"overview-host-units:{teams_generation()}:{digest}"
    found = cache.get(key)
    if found is None:
        found = list(
            Team.objects.filter(region_id__in=ids)
            .order_by("host_unit")
            .values_list("host_unit", flat=True)
            .distinct()[:500]
        )
        cache.set(key, found, HOST_UNITS_TIMEOUT)
    return found


# --- Ranking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedTeam:
    rank: int
    row: OverviewRow
    value: Decimal | int


def rank(rows: list[OverviewRow], figure: str) -> tuple[list[RankedTeam], list[OverviewRow]]:
    """Rows ranked by ``figure``, highest first; equal values share a rank (1, 2, 2, 4).

    The values compared are the ones shown (a ratio rounded to one decimal, as
    ``TeamFigures`` gives it), so two teams showing the same number share a rank.
    Teams without the figure (no figures for the year, or no volunteers for a
    per-volunteer figure) are returned apart, unranked.
    """
    valued = [(row.figure(figure), row) for row in rows]
    unranked = [row for value, row in valued if value is None]
    ranked = sorted(
        ((value, row) for value, row in valued if value is not None),
        key=lambda item: (-item[0], item[1].team.name, item[1].team.pk),
    )
    result: list[RankedTeam] = []
    for position, (value, row) in enumerate(ranked, start=1):
        shared = result and result[-1].value == value
        result.append(RankedTeam(result[-1].rank if shared else position, row, value))
    return result, unranked


# --- Months of one team ----------------------------------------------------------------------


def month_rows(team: Team, year: int) -> dict[int, TeamFigures]:
    """The team's month rows of ``year`` by month (one query)."""
    return {
        row.month: row
        for row in TeamFigures.objects.filter(team=team, kind=PeriodKind.MONTH, year=year)
    }


def months_by_team(teams: list[Team], year: int) -> dict[int, dict[int, TeamFigures]]:
    """Month rows of ``year`` for several teams: team id → month → row (one query)."""
    found: dict[int, dict[int, TeamFigures]] = {team.pk: {} for team in teams}
    for row in TeamFigures.objects.filter(
        team__in=teams, kind=PeriodKind.MONTH, year=year
    ).order_by("team", "month"):
        found[row.team_id][row.month] = row
    return found
