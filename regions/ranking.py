"""The teams of the admin's regions ranked on one figure for one year: the page, its
print layout (the page printed) and its workbook."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from regions.filters import RegionTree
from regions.query import PAGE_SIZE, YearWindow, selectable_years, teams_with_figures
from regions.rows import (
    DEFAULT_RANKING_FIGURE,
    FIGURES_BY_KEY,
    RANKING_FIGURES,
    Figure,
    OverviewRow,
    RankedTeam,
    figure_text,
    overview_rows,
    rank,
)
from regions.scope import admin_scope, chosen_year, computed_between, computed_text
from volunteer_site.audit import audit
from volunteer_site.models import AuditAction
from volunteer_site.xlsx import Column, add_table_sheet, new_workbook, workbook_response

# The ranking table shows every rankable figure and the volunteers they are per.
RANKING_COLUMNS = [*RANKING_FIGURES, "registered_volunteers"]


@dataclass
class Ranking:
    """What the page and the workbook share: the year, the figure, the region, the rows."""

    year: int
    years: list[int]
    figure: Figure
    tree: RegionTree
    region_id: int | None
    ranked: list[RankedTeam]
    unranked: list[OverviewRow]

    @property
    def query(self) -> dict:
        region = {"region": self.region_id} if self.region_id else {}
        return {"year": self.year, "figure": self.figure.key} | region

    @property
    def rows(self) -> list[OverviewRow]:
        return [entry.row for entry in self.ranked] + self.unranked


def _ranking(request: HttpRequest) -> Ranking:
    scope = admin_scope(request)
    today = timezone.localdate()
    years = selectable_years(scope.region_ids, today=today)
    year = chosen_year(request, years, today)
    figure_key = request.GET.get("figure", "")
    if figure_key not in RANKING_FIGURES:
        figure_key = DEFAULT_RANKING_FIGURE
    tree = RegionTree.load(scope.region_ids)
    try:
        region_id = int(request.GET.get("region") or "")
    except ValueError:
        region_id = None
    if region_id is not None and not tree.has(region_id):
        region_id = None
    region_ids = tree.subtree(region_id) if region_id else scope.region_ids
    window = YearWindow.for_year(year, today)
    teams = teams_with_figures(region_ids, window, rules=False).order_by("name", "pk")
    ranked, unranked = rank(overview_rows(teams), figure_key)
    return Ranking(year, years, FIGURES_BY_KEY[figure_key], tree, region_id, ranked, unranked)


def _cells(entry: RankedTeam, figures: list[Figure]) -> list:
    return [entry.row.figure(figure.key) for figure in figures]


@login_required
@require_safe
def ranking_page(request: HttpRequest) -> HttpResponse:
    """Teams ranked on one figure for one year; equal values share a rank."""
    ranking = _ranking(request)
    page = Paginator(ranking.ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [FIGURES_BY_KEY[key] for key in RANKING_COLUMNS]
    entries = [
        (
            entry,
            [
                (figure_text(value, figure.kind), figure.key == ranking.figure.key)
                for figure, value in zip(shown, _cells(entry, shown), strict=True)
            ],
        )
        for entry in page.object_list
    ]
    context = {
        "year": ranking.year,
        "years": ranking.years,
        "figure": ranking.figure,
        "figure_choices": [FIGURES_BY_KEY[key] for key in RANKING_FIGURES],
        "region_options": ranking.tree.options,
        "region_id": ranking.region_id,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        "page_query": urlencode(ranking.query),
        "entries": entries,
        "unranked": ranking.unranked,
        "shown_figures": shown,
        "computed_between": computed_between(ranking.rows),
    }
    return render(request, "regions/ranking.html", context)


@login_required
@require_safe
def ranking_export(request: HttpRequest) -> HttpResponse:
    """The whole ranking (every page, then the teams not ranked) as a workbook."""
    ranking = _ranking(request)
    shown = [FIGURES_BY_KEY[key] for key in RANKING_COLUMNS]
    columns = [
        Column(pgettext("regions", "Rank"), 8),
        Column(pgettext("regions", "Team"), 44),
        Column(pgettext("regions", "Region"), 12),
        Column(pgettext("regions", "Host unit"), 28),
        *[Column(str(figure.label), 14) for figure in shown],
    ]
    lines = [
        [entry.rank, entry.row.team.name, entry.row.team.region.name, entry.row.team.host_unit]
        + [_or_dash(value) for value in _cells(entry, shown)]
        for entry in ranking.ranked
    ]
    lines += [
        ["—", row.team.name, row.team.region.name, row.team.host_unit]
        + [_or_dash(row.figure(figure.key)) for figure in shown]
        for row in ranking.unranked
    ]
    title = _("Ranking by %(figure)s, %(year)d") % {
        "figure": ranking.figure.label,
        "year": ranking.year,
    }
    workbook = new_workbook()
    add_table_sheet(workbook, _("Ranking"), columns, lines, title_lines=[title])
    region = next(
        (o.region.full_name for o in ranking.tree.options if o.region.pk == ranking.region_id),
        _("All my regions"),
    )
    notes = [
        (_("Year"), str(ranking.year)),
        (_("Rank by"), str(ranking.figure.label)),
        (pgettext("regions", "Region"), region),
        (_("Teams"), str(len(lines))),
        (_("Exported by"), request.user.get_username()),
        (_("Exported at"), date_format(timezone.localtime(), "Y-m-d H:i")),
        (_("Figures computed"), computed_text(ranking.rows) or "—"),
        ("", _("Highest first; teams with the same value share a rank.")),
    ]
    add_table_sheet(workbook, _("About this export"), [Column("", 18), Column("", 80)], notes)
    audit(
        request,
        AuditAction.EXPORT,
        target="regions:ranking",
        year=ranking.year,
        figure=ranking.figure.key,
        teams=len(lines),
    )
    filename = _("teams-ranking-%(year)d.xlsx") % {"year": ranking.year}
    return workbook_response(workbook, filename)


def _or_dash(value):
    return "—" if value is None else value
