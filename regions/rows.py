"""The overview's rows: the columns and figures the civilization office's pages show,
one team's line (``OverviewRow``), and the ranking.

The values come from ``regions.query.teams_with_figures``; a row computes nothing
itself beyond the shares and texts shown ("—" where there is nothing to show).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from activities.models import TEAM_FIGURE_FIELDS, PeriodKind, TeamFigures
from compliance.standing import share_in_good_standing
from teams.models import Team


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
    Column("last_activity", pgettext_lazy("regions", "Last activity of the year"), "date", 14),
    Column(
        "last_review", pgettext_lazy("regions", "Last signed-off month of the year"), "text", 16
    ),
]
COLUMN_KEYS = [column.key for column in COLUMNS]
COLUMN_KINDS = {column.key: column.kind for column in COLUMNS}


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
YEAR_ROW_FIELDS = TEAM_FIGURE_FIELDS


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
        return share_in_good_standing(self.members_good, self.members_listed)

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


def overview_rows(teams: Iterable[Team]) -> list[OverviewRow]:
    return [OverviewRow.from_team(team) for team in teams]


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
