"""The civilization office's pages (文明办管理员): every team of a region subtree, read-only.

Only region admins open them: anyone else signed in gets 403, a team outside the
admin's regions is a 404 (its existence is not revealed), and every page is
GET-only. The figures come from the summary tables through ``teams/overview.py``,
so each page costs the same number of queries for 10 teams as for 10,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from activities.models import Activity, ActivityStatus, MonthlyReview
from compliance import standing as compliance
from regions import overview
from regions.export import CONTENT_TYPE, overview_workbook
from teams import page_versions
from teams.access import UserRoles, roles_for
from teams.models import Region, Team
from volunteer_site.audit import audit
from volunteer_site.charts import ChartText, MonthValue, chart_build, chart_svg
from volunteer_site.fragments import kept_content
from volunteer_site.models import AuditAction

RECENT_ACTIVITIES = 15
RECENT_REVIEWS = 24
# The ranking table shows every rankable figure and the volunteers they are per.
RANKING_COLUMNS = [*overview.RANKING_FIGURES, "registered_volunteers"]


@dataclass(frozen=True)
class AdminScope:
    regions: list[Region]
    region_ids: set[int]

    @property
    def names(self) -> str:
        return "、".join(region.full_name for region in self.regions)


def _admin_roles(request: HttpRequest) -> UserRoles:
    """The user's roles, or 403 for anyone who is not a region admin."""
    roles = roles_for(request.user)
    if not roles.is_region_admin:
        raise PermissionDenied
    return roles


def _scope(request: HttpRequest) -> AdminScope:
    """The regions the user administers, or 403 for anyone who is not a region admin."""
    roles = _admin_roles(request)
    return AdminScope(roles.admin_regions, roles.admin_region_ids())


def _year(request: HttpRequest, years: list[int], today) -> int:
    return overview.clean_year(request.GET.get("year"), years=years, default=today.year)


# --- Overview -------------------------------------------------------------------------------


@dataclass
class OverviewState:
    scope: AdminScope
    year: int
    years: list[int]
    tree: overview.RegionTree
    filters: overview.OverviewFilters
    window: overview.YearWindow

    @cached_property
    def teams(self):
        """The filtered, sorted QuerySet[Team] with every column (built when used:
        building its expressions costs more than some of the pages' queries)."""
        return overview.apply_filters(
            overview.teams_with_figures(self.scope.region_ids, self.window),
            self.filters,
            tree=self.tree,
        )


def _overview_state(request: HttpRequest) -> OverviewState:
    """What the overview and its export share: the scope, the year, filters and sort."""
    scope = _scope(request)
    today = timezone.localdate()
    years = overview.selectable_years(scope.region_ids, today=today)
    year = _year(request, years, today)
    tree = overview.RegionTree.load(scope.region_ids)
    filters = overview.OverviewFilters.from_query(request.GET, tree=tree)
    window = overview.YearWindow.for_year(year, today)
    return OverviewState(scope, year, years, tree, filters, window)


def _computed_at(team: Team):
    """The team's last recompute (the figures rows carry no time of their own)."""
    if hasattr(team, "figures_computed_at"):  # annotated by overview.teams_with_figures
        return team.figures_computed_at
    try:
        return team.figures_state.computed_at
    except ObjectDoesNotExist:
        return None


def _computed_between(rows: list[overview.OverviewRow]):
    times = [
        time
        for row in rows
        if row.figures is not None and (time := _computed_at(row.team)) is not None
    ]
    return (min(times), max(times)) if times else None


@login_required
@require_safe
def overview_page(request: HttpRequest) -> HttpResponse:
    roles = _admin_roles(request)
    # The content is kept until anything about the teams under the admin's regions
    # changes (their rows, figures, reviews; teams/page_versions.py), per query.
    roots = sorted(roles.admin_region_pks)
    parts = (roots, sorted(request.GET.lists()), page_versions.regions_version(roots))
    content = kept_content(
        request,
        "overview",
        parts,
        lambda extra: render_to_string(
            "regions/_overview_content.html", {**_overview_context(request), **extra}
        ),
    )
    return render(request, "regions/overview.html", {"content": content})


def _overview_context(request: HttpRequest) -> dict:
    state = _overview_state(request)
    page, teams = overview.overview_page(
        lambda: state.teams,
        state.filters,
        tree=state.tree,
        region_ids=state.scope.region_ids,
        window=state.window,
        page_number=request.GET.get("page"),
    )
    rows = overview.overview_rows(teams)
    query = state.filters.query(year=state.year)
    links = overview.sort_links(state.filters, year=state.year)
    return {
        "scope": state.scope,
        "year": state.year,
        "years": state.years,
        "is_current_year": state.year == timezone.localdate().year,
        "filters": state.filters,
        "region_options": state.tree.options,
        "published_choices": overview.PUBLISHED_CHOICES,
        "compliance_choices": overview.COMPLIANCE_CHOICES,
        "host_units": overview.host_units(state.scope.region_ids),
        "headers": [(column, links[column.key]) for column in overview.COLUMNS],
        "rows": rows,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        "page_query": urlencode(query),
        "export_query": urlencode(query),
        "computed_between": _computed_between(rows),
        "stale_count": sum(1 for row in rows if row.stale),
        "max_compared": overview.MAX_COMPARED,
    }


@login_required
@require_safe
def overview_export(request: HttpRequest) -> HttpResponse:
    """The overview's rows (every page of them) as a workbook, in the page's order."""
    state = _overview_state(request)
    rows = overview.overview_rows(state.teams)
    now = timezone.localtime()
    filters = state.filters
    region = next(
        (o.region.full_name for o in state.tree.options if o.region.pk == filters.region_id), ""
    )
    sort_column = next(c for c in overview.COLUMNS if c.key == filters.sort.lstrip("-"))
    sort_direction = _("descending") if filters.sort.startswith("-") else _("ascending")
    about = [
        (_("Exported from"), _("Volunteer service teams: overview of my region")),
        (_("Regions"), state.scope.names),
        (_("Year"), str(state.year)),
        (pgettext("regions", "Region"), region or _("All")),
        (pgettext("regions", "Host unit"), filters.host_unit or _("All")),
        (
            pgettext("regions", "Profile"),
            str(dict(overview.PUBLISHED_CHOICES).get(filters.published, _("All"))),
        ),
        (
            _("Monthly rule"),
            str(dict(overview.COMPLIANCE_CHOICES).get(filters.compliance, _("All"))),
        ),
        (_("Sorted by"), f"{sort_column.label} ({sort_direction})"),
        (_("Teams"), str(len(rows))),
        (_("Exported by"), request.user.get_username()),
        (_("Exported at"), date_format(now, "Y-m-d H:i")),
    ]
    computed = _computed_between(rows)
    if computed:
        about.append(
            (
                _("Figures computed"),
                f"{date_format(timezone.localtime(computed[0]), 'Y-m-d H:i')} – "
                f"{date_format(timezone.localtime(computed[1]), 'Y-m-d H:i')}",
            )
        )
    for column in overview.COLUMNS:
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
    state: compliance.MonthState

    @property
    def state_label(self) -> str:
        return compliance.MonthState(self.state).label


@login_required
@require_safe
def team_page(request: HttpRequest, slug: str) -> HttpResponse:
    """One team for the admin: the year's figures, months, reviews and activities."""
    scope = _scope(request)
    today = timezone.localdate()
    years = overview.selectable_years(scope.region_ids, today=today)
    year = _year(request, years, today)
    window = overview.YearWindow.for_year(year, today)
    team = (
        overview.teams_with_figures(scope.region_ids, window)
        .select_related("region__parent", "figures_state")
        .filter(slug=slug)
        .first()
    )
    if team is None:
        raise Http404
    row = overview.OverviewRow.from_team(team)
    months = overview.month_rows(team, year)
    shown_months = list(range(1, 13 if year < today.year else today.month + 1))
    chart, chart_values = _chart(team, year, shown_months, months)
    month_lines = [
        MonthLine(
            month,
            months.get(month),
            compliance.month_state(
                year,
                month,
                founded_on=team.founded_on,
                today=today,
                activities=months[month].activities if month in months else 0,
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
        Activity.objects.filter(team=team, status=ActivityStatus.APPROVED)
        .select_related("category")
        .annotate(participant_count=Count("participations"))
        .order_by("-start_date", "-pk")[:RECENT_ACTIVITIES]
    )
    context = {
        "team": team,
        "row": row,
        "computed_at": _computed_at(team),
        "year": year,
        "years": years,
        "figures": [
            (figure.label, overview.figure_text(row.figure(figure.key), figure.kind))
            for figure in overview.FIGURES
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


# --- Comparison -------------------------------------------------------------------------------


# The size of a team is no merit: its volunteers are not marked as "highest".
NOT_MARKED = {"registered_volunteers"}


@dataclass(frozen=True)
class CompareLine:
    label: str
    cells: list[tuple[str, bool]]  # (text, is the highest)


def _compare_lines(rows: list[overview.OverviewRow]) -> list[CompareLine]:
    lines = []
    for figure in overview.FIGURES:
        values = [row.figure(figure.key) for row in rows]
        if figure.key in NOT_MARKED:
            cells = [(overview.figure_text(value, figure.kind), False) for value in values]
        else:
            cells = _mark_highest(values, figure.kind)
        lines.append(CompareLine(str(figure.label), cells))
    shares = [row.share_on_track for row in rows]
    lines.append(
        CompareLine(
            pgettext("regions", "Months meeting the monthly rule"),
            _mark_highest(
                [row.months_met if row.months_counted else None for row in rows],
                "int",
                texts=[row.months_met_text for row in rows],
            ),
        )
    )
    lines.append(
        CompareLine(pgettext("regions", "Members on track"), _mark_highest(shares, "percent"))
    )
    lines.append(
        CompareLine(
            pgettext("regions", "Last activity"),
            [(row.text("last_activity"), False) for row in rows],
        )
    )
    lines.append(
        CompareLine(
            pgettext("regions", "Last signed-off month"),
            [(row.text("last_review"), False) for row in rows],
        )
    )
    return lines


def _mark_highest(values, kind: str, texts: list[str] | None = None) -> list[tuple[str, bool]]:
    """Each value's text, and whether it is the highest (only when the teams differ)."""
    present = [value for value in values if value is not None]
    highest = max(present) if len(set(present)) > 1 else None
    texts = texts or [overview.figure_text(value, kind) for value in values]
    return [
        (text, highest is not None and value == highest)
        for text, value in zip(texts, values, strict=True)
    ]


@login_required
@require_safe
def compare_page(request: HttpRequest) -> HttpResponse:
    """Up to five teams side by side, for one year."""
    scope = _scope(request)
    today = timezone.localdate()
    years = overview.selectable_years(scope.region_ids, today=today)
    year = _year(request, years, today)
    slugs = list(dict.fromkeys(slug for slug in request.GET.getlist("team") if slug))
    context = {
        "year": year,
        "years": years,
        "slugs": slugs,
        "max_compared": overview.MAX_COMPARED,
        "too_many": len(slugs) > overview.MAX_COMPARED,
        "rows": [],
    }
    if slugs and not context["too_many"]:
        window = overview.YearWindow.for_year(year, today)
        teams = {
            team.slug: team
            for team in overview.teams_with_figures(scope.region_ids, window).filter(slug__in=slugs)
        }
        if len(teams) != len(slugs):
            raise Http404  # a team outside the admin's regions, or none at all
        rows = [overview.OverviewRow.from_team(teams[slug]) for slug in slugs]
        months = overview.months_by_team([row.team for row in rows], year)
        last_month = 12 if year < today.year else today.month
        context |= {
            "rows": rows,
            "lines": _compare_lines(rows),
            "month_table": [
                (
                    month,
                    [
                        _month_cell(row.team, months[row.team.pk].get(month), year, month, today)
                        for row in rows
                    ],
                )
                for month in range(1, last_month + 1)
            ],
            # Each team's header links to the comparison without it.
            "headers": [
                (
                    row,
                    urlencode(
                        [("year", year)] + [("team", s) for s in slugs if s != row.team.slug]
                    ),
                )
                for row in rows
            ],
        }
    return render(request, "regions/compare.html", context)


@dataclass(frozen=True)
class MonthCell:
    activities: int | None
    person_hours: Decimal | None
    met: bool | None  # None: the month is not judged (in progress, before founding)


def _month_cell(team: Team, figures, year: int, month: int, today) -> MonthCell:
    activities = figures.activities if figures is not None else 0
    state = compliance.month_state(
        year,
        month,
        founded_on=team.founded_on,
        today=today,
        activities=activities,
        minimum=team.min_activities_per_month,
    )
    judged = state in (compliance.MonthState.MET, compliance.MonthState.NOT_MET)
    return MonthCell(
        activities=figures.activities if figures is not None else None,
        person_hours=figures.person_hours if figures is not None else None,
        met=(state == compliance.MonthState.MET) if judged else None,
    )


# --- Ranking ----------------------------------------------------------------------------------


@login_required
@require_safe
def ranking_page(request: HttpRequest) -> HttpResponse:
    """Teams ranked on one figure for one year; equal values share a rank."""
    scope = _scope(request)
    today = timezone.localdate()
    years = overview.selectable_years(scope.region_ids, today=today)
    year = _year(request, years, today)
    figure_key = request.GET.get("figure", "")
    if figure_key not in overview.RANKING_FIGURES:
        figure_key = overview.DEFAULT_RANKING_FIGURE
    tree = overview.RegionTree.load(scope.region_ids)
    try:
        region_id = int(request.GET.get("region") or "")
    except ValueError:
        region_id = None
    if region_id is not None and not tree.has(region_id):
        region_id = None
    region_ids = tree.subtree(region_id) if region_id else scope.region_ids
    window = overview.YearWindow.for_year(year, today)
    teams = overview.teams_with_figures(region_ids, window, rules=False).order_by("name", "pk")
    ranked, unranked = overview.rank(overview.overview_rows(teams), figure_key)
    page = Paginator(ranked, overview.PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"year": year, "figure": figure_key} | ({"region": region_id} if region_id else {})
    shown = [overview.FIGURES_BY_KEY[key] for key in RANKING_COLUMNS]
    entries = [
        (
            entry,
            [
                (overview.figure_text(entry.row.figure(f.key), f.kind), f.key == figure_key)
                for f in shown
            ],
        )
        for entry in page.object_list
    ]
    context = {
        "year": year,
        "years": years,
        "figure": overview.FIGURES_BY_KEY[figure_key],
        "figure_choices": [overview.FIGURES_BY_KEY[key] for key in overview.RANKING_FIGURES],
        "region_options": tree.options,
        "region_id": region_id,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        "page_query": urlencode(query),
        "entries": entries,
        "unranked": unranked,
        "shown_figures": shown,
    }
    return render(request, "regions/ranking.html", context)
