"""Comparing up to five teams of the admin's regions side by side, for one year: the
page, its print layout (the page printed) and its workbook."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from compliance import months
from regions.query import (
    MAX_COMPARED,
    YearWindow,
    months_by_team,
    selectable_years,
    teams_with_figures,
)
from regions.rows import (
    FIGURES,
    OverviewRow,
    figure_text,
)
from regions.scope import admin_scope, chosen_year, computed_between, computed_text
from teams.models import Team
from volunteer_site.audit import audit
from volunteer_site.models import AuditAction
from volunteer_site.xlsx import Column, add_table_sheet, new_workbook, workbook_response

# --- Comparison -------------------------------------------------------------------------------


# The size of a team is no merit: its volunteers are not marked as "highest".
NOT_MARKED = {"registered_volunteers"}


@dataclass(frozen=True)
class CompareLine:
    label: str
    cells: list[tuple[str, bool]]  # (text, is the highest)


def _compare_lines(rows: list[OverviewRow]) -> list[CompareLine]:
    lines = []
    for figure in FIGURES:
        values = [row.figure(figure.key) for row in rows]
        if figure.key in NOT_MARKED:
            cells = [(figure_text(value, figure.kind), False) for value in values]
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
            pgettext("regions", "Last activity of the year"),
            [(row.text("last_activity"), False) for row in rows],
        )
    )
    lines.append(
        CompareLine(
            pgettext("regions", "Last signed-off month of the year"),
            [(row.text("last_review"), False) for row in rows],
        )
    )
    return lines


def _mark_highest(values, kind: str, texts: list[str] | None = None) -> list[tuple[str, bool]]:
    """Each value's text, and whether it is the highest (only when the teams differ)."""
    present = [value for value in values if value is not None]
    highest = max(present) if len(set(present)) > 1 else None
    texts = texts or [figure_text(value, kind) for value in values]
    return [
        (text, highest is not None and value == highest)
        for text, value in zip(texts, values, strict=True)
    ]


@dataclass
class Comparison:
    """What the page and the workbook share."""

    year: int
    years: list[int]
    slugs: list[str]
    rows: list[OverviewRow]
    month_table: list[tuple[int, list[MonthCell]]]

    @property
    def too_many(self) -> bool:
        return len(self.slugs) > MAX_COMPARED


def _comparison(request: HttpRequest) -> Comparison:
    scope = admin_scope(request)
    today = timezone.localdate()
    years = selectable_years(scope.region_ids, today=today)
    year = chosen_year(request, years, today)
    slugs = list(dict.fromkeys(slug for slug in request.GET.getlist("team") if slug))
    comparison = Comparison(year, years, slugs, [], [])
    if not slugs or comparison.too_many:
        return comparison
    window = YearWindow.for_year(year, today)
    teams = {
        team.slug: team
        for team in teams_with_figures(scope.region_ids, window).filter(slug__in=slugs)
    }
    if len(teams) != len(slugs):
        raise Http404  # a team outside the admin's regions, or none at all
    comparison.rows = [OverviewRow.from_team(teams[slug]) for slug in slugs]
    month_figures = months_by_team([row.team for row in comparison.rows], year)
    last_month = 12 if year < today.year else today.month
    comparison.month_table = [
        (
            month,
            [
                _month_cell(row.team, month_figures[row.team.pk].get(month), year, month, today)
                for row in comparison.rows
            ],
        )
        for month in range(1, last_month + 1)
    ]
    return comparison


@login_required
@require_safe
def compare_page(request: HttpRequest) -> HttpResponse:
    """Up to five teams side by side, for one year."""
    comparison = _comparison(request)
    year, rows, slugs = comparison.year, comparison.rows, comparison.slugs
    context = {
        "year": year,
        "years": comparison.years,
        "slugs": slugs,
        "max_compared": MAX_COMPARED,
        "too_many": comparison.too_many,
        "rows": rows,
    }
    if rows:
        context |= {
            "lines": _compare_lines(rows),
            "month_table": comparison.month_table,
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
            "export_query": urlencode([("year", year)] + [("team", s) for s in slugs]),
            "computed_between": computed_between(rows),
        }
    return render(request, "regions/compare.html", context)


@login_required
@require_safe
def compare_export(request: HttpRequest) -> HttpResponse:
    """The comparison as a workbook: the figures, then the months."""
    comparison = _comparison(request)
    rows = comparison.rows
    if not rows:
        raise Http404  # nothing chosen, or too many: the page explains
    names = [row.team.name for row in rows]
    workbook = new_workbook()
    title = _("Compare teams, %(year)d") % {"year": comparison.year}
    add_table_sheet(
        workbook,
        _("Figures"),
        [Column(_("Figure"), 28), *[Column(name, 22) for name in names]],
        [[line.label, *[text for text, _highest in line.cells]] for line in _compare_lines(rows)],
        title_lines=[title],
    )
    month_columns = [Column(_("Month"), 10)]
    for name in names:
        month_columns += [
            Column(f"{name} · {pgettext('regions', 'Activities')}", 16),
            Column(f"{name} · {pgettext('regions', 'Person-hours')}", 16),
        ]
    add_table_sheet(
        workbook,
        _("Months"),
        month_columns,
        [
            [
                f"{comparison.year}年{month}月",
                *[
                    value if value is not None else "—"
                    for cell in cells
                    for value in (cell.activities, cell.person_hours)
                ],
            ]
            for month, cells in comparison.month_table
        ],
        title_lines=[title],
    )
    notes = [
        (_("Year"), str(comparison.year)),
        (_("Teams compared"), "、".join(names)),
        (_("Exported by"), request.user.get_username()),
        (_("Exported at"), date_format(timezone.localtime(), "Y-m-d H:i")),
        (_("Figures computed"), computed_text(rows) or "—"),
    ]
    add_table_sheet(workbook, _("About this export"), [Column("", 18), Column("", 80)], notes)
    audit(
        request,
        AuditAction.EXPORT,
        target="regions:compare",
        year=comparison.year,
        teams=comparison.slugs,
    )
    filename = _("teams-compared-%(year)d.xlsx") % {"year": comparison.year}
    return workbook_response(workbook, filename)


@dataclass(frozen=True)
class MonthCell:
    activities: int | None
    person_hours: Decimal | None
    met: bool | None  # None: the month is not judged (in progress, before founding)


def _month_cell(team: Team, figures, year: int, month: int, today) -> MonthCell:
    activities = figures.activities if figures is not None else 0
    state = months.month_state(
        year,
        month,
        founded_on=team.founded_on,
        today=today,
        activities=activities,
        minimum=team.min_activities_per_month,
    )
    judged = state in (months.MonthState.MET, months.MonthState.NOT_MET)
    return MonthCell(
        activities=figures.activities if figures is not None else None,
        person_hours=figures.person_hours if figures is not None else None,
        met=(state == months.MonthState.MET) if judged else None,
    )
