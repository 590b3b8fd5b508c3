"""What the team dashboard (the team home) reads from the figures tables.

The figures are computed by background jobs into ``TeamFigures`` and
``MemberYearFigures`` (activities/stats.py); this module only reads them, in a
fixed number of queries whatever the team's size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, FilteredRelation, IntegerField, Q, Value
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from activities.models import MemberYearFigures, PeriodKind, TeamFigures, TeamFiguresState
from members.models import Member
from teams.models import Team
from volunteer_site.listing import SortLink, sort_links, years_from

# (TeamFigures attribute or ratio property, label, unit), in the order of docs/domain.md § Figures.
FIGURES: list[tuple[str, Promise, Promise | str]] = [
    ("activities", _("Volunteer service activities held"), _("times")),
    ("activity_hours", _("Total activity hours"), _("hours")),
    ("participant_times", _("Participant-times"), _("person-times")),
    ("person_hours", _("Total person-hours"), _("hours")),
    # Registered at any time in the month or year: what the per-volunteer figures divide by.
    ("registered_volunteers", _("Volunteers registered in the period"), _("people")),
    ("hours_per_volunteer", _("Hours per volunteer"), _("hours")),
    ("activities_per_volunteer", _("Participations per volunteer"), _("times")),
    ("hours_per_activity", _("Hours per activity"), _("hours")),
    ("people_per_activity", _("Participants per activity"), _("people")),
]
OUTCOMES: list[tuple[str, Promise, Promise | str]] = [
    ("people_reached", _("People served or educated"), _("people")),
    ("materials_distributed", _("Materials distributed"), _("copies")),
    ("households_visited", _("Households visited"), _("households")),
    ("donation_yuan", _("Donations (yuan)"), ""),
]


@dataclass(frozen=True)
class FigureLine:
    """One figure for this month and this year; None where there is nothing to show."""

    label: str
    unit: str
    month: Decimal | int | None
    year: Decimal | int | None


@dataclass(frozen=True)
class TeamFiguresNow:
    figures: list[FigureLine]
    outcomes: list[FigureLine]
    computed_at: datetime.datetime | None
    stale: bool


def team_figures_now(team: Team, *, today: datetime.date) -> TeamFiguresNow:
    """This month's and this year's figures as last computed (two queries)."""
    rows = {
        row.kind: row
        for row in TeamFigures.objects.filter(team=team).filter(
            Q(kind=PeriodKind.YEAR, year=today.year, month=0)
            | Q(kind=PeriodKind.MONTH, year=today.year, month=today.month)
        )
    }
    month_row, year_row = rows.get(PeriodKind.MONTH), rows.get(PeriodKind.YEAR)
    state = TeamFiguresState.objects.filter(team=team).first()

    def lines(spec) -> list[FigureLine]:
        # A missing row shows "—" like a division by zero: never a misleading 0.
        return [
            FigureLine(
                label=label,
                unit=unit,
                month=getattr(month_row, name) if month_row else None,
                year=getattr(year_row, name) if year_row else None,
            )
            for name, label, unit in spec
        ]

    return TeamFiguresNow(
        figures=lines(FIGURES),
        outcomes=lines(OUTCOMES),
        # The team's last recompute: the rows carry no time of their own.
        computed_at=state.computed_at if state is not None else None,
        stale=state is None or state.stale,
    )


# --- The members' own figures for a year ------------------------------------------------

# ?sort= values and the ordering each stands for; ties fall back to the volunteer number.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "volunteer_number"),
    "-name": ("-name", "volunteer_number"),
    "number": ("volunteer_number",),
    "-number": ("-volunteer_number",),
    "count": ("year_participations", "year_hours", "volunteer_number"),
    "-count": ("-year_participations", "-year_hours", "volunteer_number"),
    "hours": ("year_hours", "year_participations", "volunteer_number"),
    "-hours": ("-year_hours", "-year_participations", "volunteer_number"),
}
# The members furthest behind their yearly target come first.
DEFAULT_SORT = "count"
SORT_COLUMNS = ("name", "number", "count", "hours")


def clean_sort(value: str | None) -> str:
    return value if value in SORTS else DEFAULT_SORT


def member_sort_links(*, year: int, sort: str) -> dict[str, SortLink]:
    """For each sortable column: the link its header points to, and its aria-sort."""
    return sort_links(
        ((column, False) for column in SORT_COLUMNS),
        sort=sort,
        query=lambda target: {"year": year, "sort": target},
    )


def selectable_years(team: Team, *, today: datetime.date) -> list[int]:
    """From the first year with members' figures to the current one, newest first."""
    return years_from(
        MemberYearFigures.objects.filter(team=team)
        .order_by("year")
        .values_list("year", flat=True)
        .first(),
        today=today,
    )


def members_year(team: Team, *, year: int, sort: str) -> list[Member]:
    """Members registered at some time in ``year``, with that year's figures.

    Each member gets ``year_participations`` and ``year_hours`` (0 without a
    row). Members who left before the year are left out unless they still have
    figures in it, so the table adds up to the team's figures. One query.
    """
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    registered_that_year = Q(registered_on__lte=end) & (
        Q(left_on__isnull=True) | Q(left_on__gte=start)
    )
    return list(
        Member.objects.filter(team=team)
        .annotate(that_year=FilteredRelation("year_figures", condition=Q(year_figures__year=year)))
        .filter(registered_that_year | Q(that_year__pk__isnull=False))
        .annotate(
            year_participations=Coalesce(
                F("that_year__participations"), Value(0), output_field=IntegerField()
            ),
            year_hours=Coalesce(
                F("that_year__hours"),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=10, decimal_places=1),
            ),
        )
        .only("name", "volunteer_number", "registered_on", "left_on")
        .order_by(*SORTS[sort])
    )
