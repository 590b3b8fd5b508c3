"""What the civilization office's region pages read: every team in a region subtree
with one year's figures (docs/domain.md § Who uses it, § Figures, § Rules).

Everything comes from the summary tables the background jobs fill
(``TeamFigures``, ``MemberYearFigures``) plus two index-backed look-ups (the
last approved activity, the last signed-off review of the year), in one SQL
statement for any number of teams: the year's row is joined
(``FilteredRelation``), and the rules are correlated subqueries, so the
overview, the comparison and the ranking cost the same few queries for 10 teams
as for 10,000.

The two rule columns:

* **Months meeting the monthly rule**: months of the year that are over (the
  current month is still in progress) and not before the team was founded, in
  which the team held at least its ``min_activities_per_month`` approved
  activities. Shown as "met / counted"; this is ``ReviewData.months_met_display``
  of the review of the last month that is over.
* **Members on track**: the share of the members listed at the end of the year
  (this year: of the current month) who are 已达标 or 进度正常, by the one
  definition of ``compliance.standing``; this is ``ReviewData.share_on_track`` of
  the review of that month.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from activities.models import Activity, MonthlyReview, PeriodKind, TeamFigures
from compliance.standing import (
    IN_GOOD_STANDING,
    StandingWindow,
    members_with_standing,
    month_of,
)
from members.models import Member
from regions.filters import TEAM_SORTS, OverviewFilters, RegionTree, apply_filters
from regions.rows import YEAR_ROW_FIELDS
from teams.models import Team
from volunteer_site.listing import years_from

PAGE_SIZE = 50
SUGGESTED_TEAMS = 1000
MAX_COMPARED = 5


@dataclass(frozen=True)
class YearWindow:
    """Which months of ``year`` the rule columns look at, seen from ``today``: the
    months that are over (the monthly rule) and the members' standing at the end of
    the year, or of the current month this year (compliance.standing)."""

    year: int
    last_month_over: int  # 0..12: the monthly rule counts months 1..this (after founding)
    as_of_month: int  # 1..12: members are judged at the end of this month
    standing: StandingWindow

    @classmethod
    def for_year(cls, year: int, today: datetime.date) -> YearWindow:
        as_of = 12 if year < today.year else today.month if year == today.year else 1
        standing = StandingWindow.at(year, as_of, today=today)
        return cls(year, standing.months_over, as_of, standing)


def selectable_years(region_ids: Iterable[int], *, today: datetime.date) -> list[int]:
    """From the first year with figures for a team in the regions to the current year,
    newest first.

    The first year, not every year with figures: the year rows' index read in year
    order stops at the first row of a team of the regions, where DISTINCT reads all of
    them (every team's every year: 20 ms at 10,000 teams); a team has figures for every
    year from its first on, so the years between have figures too.
    """
    return years_from(
        TeamFigures.objects.filter(team__region_id__in=region_ids, kind=PeriodKind.YEAR)
        .order_by("year")
        .values_list("year", flat=True)
        .first(),
        today=today,
    )


def _count(queryset: QuerySet) -> Subquery:
    return Coalesce(
        Subquery(queryset.order_by().values("team").annotate(n=Count("pk")).values("n")),
        Value(0),
    )


def _last_review_ym(year: int) -> Subquery:
    """The team's last signed-off month of ``year`` as year × 100 + month."""
    return Subquery(
        MonthlyReview.objects.filter(team=OuterRef("pk"), year=year)
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
    members = members_with_standing(
        Member.objects.filter(team=OuterRef("pk")),
        window.standing,
        annual_target=F("team__min_participations_per_member_year"),
    )
    good = members.filter(status__in=IN_GOOD_STANDING)
    last_activity = (
        Activity.objects.approved()
        .filter(team=OuterRef("pk"), start_date__gte=jan_1, start_date__lte=dec_31)
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
            When(founded_on__lte=dec_31, then=month_of("founded_on")),
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
        last_review_ym=_last_review_ym(year),
    )


def page_of_teams(
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
    sort of the team rows); their year's figures and their rule columns (the months
    met and the members on track, which read every member's year) are read for those
    50 only. At 10,000 teams that replaces joining every team's year row and every
    member's before sorting.
    """
    if filters.compliance or filters.sort.lstrip("-") not in TEAM_SORTS:
        page = Paginator(teams(), PAGE_SIZE).get_page(page_number)
        return page, list(page.object_list)
    plain = apply_filters(Team.objects.filter(region_id__in=region_ids), filters, tree=tree)
    page = Paginator(plain.values_list("pk", flat=True), PAGE_SIZE).get_page(page_number)
    ids = list(page.object_list)
    found = {
        team.pk: team
        for team in teams_with_figures(region_ids, window).filter(pk__in=ids).order_by()
    }
    return page, [found[pk] for pk in ids if pk in found]


def host_units(region_ids: Iterable[int]) -> list[str]:
    """The host units in the regions, for the filter's suggestions; none for a scope of
    more than SUGGESTED_TEAMS teams, where the list is too long to help (a province's
    thousands) and reading it costs a scan of every team: the filter takes any text."""
    teams = Team.objects.filter(region_id__in=region_ids)
    if teams.count() > SUGGESTED_TEAMS:
        return []
    return list(teams.order_by("host_unit").values_list("host_unit", flat=True).distinct())


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
