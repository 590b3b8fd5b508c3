"""The civilization office's pages (文明办管理员): every team of a region subtree, read-only.

Only region admins open them: anyone else signed in gets 403, a team outside the
admin's regions is a 404 (its existence is not revealed), and every page is
GET-only. The figures come from the summary tables through ``regions/query.py``,
so each page costs the same number of queries for 10 teams as for 10,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from activities.models import Activity, MonthlyReview
from compliance import months
from regions.export import CONTENT_TYPE, overview_workbook
from regions.filters import (
    COMPLIANCE_CHOICES,
    PUBLISHED_CHOICES,
    OverviewFilters,
    RegionTree,
    apply_filters,
    overview_sort_links,
)
from regions.query import (
    MAX_COMPARED,
    YearWindow,
    host_units,
    month_rows,
    page_of_teams,
    selectable_years,
    teams_with_figures,
)
from regions.rows import (
    COLUMNS,
    FIGURES,
    OverviewRow,
    figure_text,
    overview_rows,
)
from regions.scope import (
    AdminScope,
    admin_scope,
    chosen_year,
    computed_at,
    computed_between,
)
from stars.selectors import level_counts_text, level_summary
from teams.models import Team
from volunteer_site.audit import audit
from volunteer_site.charts import ChartText, MonthValue, chart_build, chart_svg
from volunteer_site.models import AuditAction

RECENT_ACTIVITIES = 15
RECENT_REVIEWS = 24


# --- Overview -------------------------------------------------------------------------------


@dataclass
class OverviewState:
    scope: AdminScope
    year: int
    years: list[int]
    tree: RegionTree
    filters: OverviewFilters
    window: YearWindow

    @cached_property
    def teams(self):
        """The filtered, sorted QuerySet[Team] with every column (built when used:
        building its expressions costs more than some of the pages' queries)."""
        return apply_filters(
            teams_with_figures(self.scope.region_ids, self.window),
            self.filters,
            tree=self.tree,
        )


def _overview_state(request: HttpRequest) -> OverviewState:
    """What the overview and its export share: the scope, the year, filters and sort."""
    scope = admin_scope(request)
    today = timezone.localdate()
    years = selectable_years(scope.region_ids, today=today)
    year = chosen_year(request, years, today)
    tree = RegionTree.load(scope.region_ids)
    filters = OverviewFilters.from_query(request.GET, tree=tree)
    window = YearWindow.for_year(year, today)
    return OverviewState(scope, year, years, tree, filters, window)


@login_required
@require_safe
def overview_page(request: HttpRequest) -> HttpResponse:
    return render(request, "regions/overview.html", _overview_context(request))


def _overview_context(request: HttpRequest) -> dict:
    state = _overview_state(request)
    page, teams = page_of_teams(
        lambda: state.teams,
        state.filters,
        tree=state.tree,
        region_ids=state.scope.region_ids,
        window=state.window,
        page_number=request.GET.get("page"),
    )
    rows = overview_rows(teams)
    query = state.filters.query(year=state.year)
    links = overview_sort_links(state.filters, year=state.year)
    return {
        "scope": state.scope,
        "year": state.year,
        "years": state.years,
        "is_current_year": state.year == timezone.localdate().year,
        "filters": state.filters,
        "region_options": state.tree.options,
        "published_choices": PUBLISHED_CHOICES,
        "compliance_choices": COMPLIANCE_CHOICES,
        "host_units": host_units(state.scope.region_ids),
        "headers": [(column, links[column.key]) for column in COLUMNS],
        "rows": rows,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        "page_query": urlencode(query),
        "export_query": urlencode(query),
        "computed_between": computed_between(rows),
        "stale_count": sum(1 for row in rows if row.stale),
        "max_compared": MAX_COMPARED,
        # Star volunteers of every team in scope, registered today (stars/selectors.py).
        "star_summary": level_counts_text(
            level_summary(state.scope.region_ids, today=timezone.localdate())
        ),
    }


@login_required
@require_safe
def overview_export(request: HttpRequest) -> HttpResponse:
    """The overview's rows (every page of them) as a workbook, in the page's order."""
    state = _overview_state(request)
    rows = overview_rows(state.teams)
    now = timezone.localtime()
    filters = state.filters
    region = next(
        (o.region.full_name for o in state.tree.options if o.region.pk == filters.region_id), ""
    )
    sort_column = next(c for c in COLUMNS if c.key == filters.sort.lstrip("-"))
    sort_direction = _("descending") if filters.sort.startswith("-") else _("ascending")
    about = [
        (_("Exported from"), _("Volunteer service teams: overview of my region")),
        (_("Regions"), state.scope.names),
        (_("Year"), str(state.year)),
        (pgettext("regions", "Region"), region or _("All")),
        (pgettext("regions", "Host unit"), filters.host_unit or _("All")),
        (
            pgettext("regions", "Profile"),
            str(dict(PUBLISHED_CHOICES).get(filters.published, _("All"))),
        ),
        (
            _("Monthly rule"),
            str(dict(COMPLIANCE_CHOICES).get(filters.compliance, _("All"))),
        ),
        (_("Sorted by"), f"{sort_column.label} ({sort_direction})"),
        (_("Teams"), str(len(rows))),
        (_("Exported by"), request.user.get_username()),
        (_("Exported at"), date_format(now, "Y-m-d H:i")),
    ]
    computed = computed_between(rows)
    if computed:
        about.append(
            (
                _("Figures computed"),
                f"{date_format(timezone.localtime(computed[0]), 'Y-m-d H:i')} – "
                f"{date_format(timezone.localtime(computed[1]), 'Y-m-d H:i')}",
            )
        )
    for column in COLUMNS:
        if column.help:
            about.append((str(column.label), str(column.help)))
    content = overview_workbook(
        rows,
        sheet_title=_("Teams %(year)d") % {"year": state.year},
        notes_title=_("About this export"),
        about=about,
    )
    audit(
        request,
        AuditAction.EXPORT,
        target="regions:overview",
        year=state.year,
        teams=len(rows),
        filters=filters.query(),
    )
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    filename = _("teams-overview-%(year)d.xlsx") % {"year": state.year}
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- One team ---------------------------------------------------------------------------------


def _reviews_url(slug: str) -> str | None:
    """The team's review pages, once that part of the site is installed."""
    try:
        return reverse("compliance:reviews", args=[slug])
    except NoReverseMatch:
        return None


def _chart(team: Team, year: int, months: list[int], rows) -> tuple[str, list[MonthValue]]:
    values = [
        MonthValue(
            year,
            month,
            rows[month].activities if month in rows else 0,
            rows[month].activity_hours if month in rows else Decimal("0"),
        )
        for month in months
    ]
    activities = sum(v.activities for v in values)
    hours = sum((v.hours for v in values), Decimal("0"))
    text = ChartText(
        title=_("%(team)s: activities and activity hours by month, %(year)d")
        % {"team": team.name, "year": year},
        description=_(
            "%(activities)d approved activities and %(hours)s activity hours in %(year)d. "
            "Bars show the activities of each month, the line their hours."
        )
        % {"activities": activities, "hours": hours, "year": year},
        activities=pgettext("regions", "Activities"),
        hours=pgettext("regions", "Activity hours"),
        empty=_("No approved activities in these months"),
        month_label=lambda y, m: pgettext("chart month", "%(month)d") % {"month": m},
        year_label=lambda y: pgettext("chart year", "%(year)d") % {"year": y},
        bar_tooltip=lambda v: (
            _("%(year)d-%(month)d: %(activities)d activities, %(hours)s hours")
            % {"year": v.year, "month": v.month, "activities": v.activities, "hours": v.hours}
        ),
    )
    # chart_svg escapes every text it is given.
    return chart_svg(chart_build(values), text, element_id="team-chart"), values


@dataclass(frozen=True)
class MonthLine:
    month: int
    figures: object  # TeamFigures or None
    state: months.MonthState

    @property
    def state_label(self) -> str:
        return months.MonthState(self.state).label


@login_required
@require_safe
def team_page(request: HttpRequest, slug: str) -> HttpResponse:
    """One team for the admin: the year's figures, months, reviews and activities."""
    scope = admin_scope(request)
    today = timezone.localdate()
    years = selectable_years(scope.region_ids, today=today)
    year = chosen_year(request, years, today)
    window = YearWindow.for_year(year, today)
    team = (
        teams_with_figures(scope.region_ids, window)
        .select_related("region__parent", "figures_state")
        .filter(slug=slug)
        .first()
    )
    if team is None:
        raise Http404
    row = OverviewRow.from_team(team)
    month_figures = month_rows(team, year)
    # The year's months up to now, none before the team was founded (nothing to judge).
    shown_months = [
        month
        for month in range(1, 13 if year < today.year else today.month + 1)
        if not months.before_founding(year, month, team.founded_on)
    ]
    chart, chart_values = _chart(team, year, shown_months, month_figures)
    month_lines = [
        MonthLine(
            month,
            month_figures.get(month),
            months.month_state(
                year,
                month,
                founded_on=team.founded_on,
                today=today,
                activities=month_figures[month].activities if month in month_figures else 0,
                minimum=team.min_activities_per_month,
            ),
        )
        for month in shown_months
    ]
    reviews = list(
        MonthlyReview.objects.filter(team=team)
        .select_related("signed_by")
        .order_by("-year", "-month")[:RECENT_REVIEWS]
    )
    activities = list(
        Activity.objects.approved()
        .filter(team=team)
        .select_related("category")
        .annotate(participant_count=Count("participations"))
        .order_by("-start_date", "-pk")[:RECENT_ACTIVITIES]
    )
    context = {
        "team": team,
        "row": row,
        "computed_at": computed_at(team),
        "year": year,
        "years": years,
        "figures": [
            (figure.label, figure_text(row.figure(figure.key), figure.kind)) for figure in FIGURES
        ],
        # Every text in the SVG is escaped by chart_svg.
        "chart_svg": mark_safe(chart),  # noqa: S308
        "chart_values": chart_values,
        "month_lines": month_lines,
        "reviews": reviews,
        "reviews_url": _reviews_url(team.slug),
        "activities": activities,
        "profile_url": reverse("profiles:profile", args=[team.slug]),
        "overview_query": urlencode({"year": year}),
    }
    return render(request, "regions/team.html", context)
