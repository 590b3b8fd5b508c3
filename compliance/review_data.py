"""The monthly review's data: one team's month, as the review page, its print, its
workbook and the reminders show it.

``review_load`` reads it from the summary tables (``TeamFigures``,
``MemberYearFigures``) in a fixed number of queries whatever the team's size, with
the members judged by the one rule of ``compliance.standing``. The result can be
frozen into a ``MonthlyReview.snapshot`` and read back from it unchanged, so a
signed review shows exactly what was signed.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.utils.dateparse import parse_datetime

from activities.models import PeriodKind, TeamFigures, TeamFiguresState
from compliance.months import MONTHS, MonthState, month_label, month_state
from compliance.standing import (
    IN_GOOD_STANDING,
    NEEDS_REMINDER,
    STATUS_ORDER,
    MemberStatus,
    StandingWindow,
    format_share,
    members_with_standing,
    share_in_good_standing,
)
from members.models import CadreRank, Member

SNAPSHOT_VERSION = 1


def heat_class(count: int) -> str:
    """The heat map's colour step for a month's participations."""
    if count >= 5:
        return "heat-4"
    if count >= 3:
        return "heat-3"
    return f"heat-{count}"


@dataclass
class MonthCell:
    month: int
    state: str
    activities: int = 0
    activity_hours: Decimal = Decimal("0")
    participant_times: int = 0
    person_hours: Decimal = Decimal("0")
    registered_volunteers: int = 0

    @property
    def met(self) -> bool:
        return self.state == MonthState.MET

    @property
    def state_label(self) -> str:
        return MonthState(self.state).label

    @property
    def label(self) -> str:
        return month_label(self.month)


@dataclass
class HeatCell:
    month: int
    count: int | None  # None: after the review month, or not registered and nothing done
    css: str


@dataclass
class MemberRow:
    member_id: int
    number: str
    name: str
    rank: str
    registered_months: list[int]
    target: int
    expected: int
    ytd_count: int
    ytd_hours: Decimal
    status: str
    monthly: list[int | None]  # participations per month up to the review month

    @property
    def rank_label(self) -> str:
        try:
            return CadreRank(self.rank).label
        except ValueError:
            return self.rank

    @property
    def status_label(self) -> str:
        return MemberStatus(self.status).label

    @property
    def heat(self) -> list[HeatCell]:
        """A cell for each month up to the one reviewed (the later ones are None)."""
        cells = []
        for month, count in zip(MONTHS, self.monthly, strict=True):
            if count is None:
                break
            if month not in self.registered_months and not count:
                cells.append(HeatCell(month, None, "heat-out"))
            else:
                cells.append(HeatCell(month, count, heat_class(count)))
        return cells


@dataclass
class ReviewData:
    """Everything the review page, the workbook and the reminders show for one month."""

    year: int
    month: int
    min_activities: int
    annual_target: int
    months: list[MonthCell]
    members: list[MemberRow]
    computed_at: datetime.datetime | None = None
    stale: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def review_month(self) -> MonthCell:
        return self.months[self.month - 1]

    @property
    def months_to_review(self) -> list[MonthCell]:
        """January to the month reviewed: what a review shows (later months are not
        part of it, and their state moves on with the calendar)."""
        return self.months[: self.month]

    @property
    def share_on_track(self) -> Decimal | None:
        good = sum(1 for row in self.members if row.status in IN_GOOD_STANDING)
        return share_in_good_standing(good, len(self.members))

    @property
    def share_on_track_display(self) -> str:
        return format_share(self.share_on_track)

    @property
    def months_so_far(self) -> list[MonthCell]:
        """Months of the year up to the review month that are over (the current one,
        still in progress, and the months before founding do not count)."""
        return [
            cell
            for cell in self.months[: self.month]
            if cell.state in (MonthState.MET, MonthState.NOT_MET)
        ]

    @property
    def months_met(self) -> int:
        return sum(1 for cell in self.months_so_far if cell.met)

    @property
    def months_met_display(self) -> str:
        return f"{self.months_met} / {len(self.months_so_far)}"

    @property
    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(MemberStatus.values, 0)
        for row in self.members:
            counts[row.status] += 1
        return counts

    @property
    def behind(self) -> list[MemberRow]:
        return [row for row in self.members if row.status in NEEDS_REMINDER]

    # Freezing into MonthlyReview.snapshot and reading back.

    def to_snapshot(self) -> dict:
        # Field by field rather than dataclasses.asdict (which deep-copies every value,
        # a third of the review page's time for 200 members); same dict.
        data = {name: getattr(self, name) for name in _field_names(ReviewData) if name != "extra"}
        data["months"] = [_as_dict(cell) for cell in self.months]
        data["members"] = [_as_dict(row) for row in self.members]
        data["computed_at"] = self.computed_at.isoformat() if self.computed_at else None
        data = json.loads(json.dumps(data, default=str))
        data["version"] = SNAPSHOT_VERSION
        data["fingerprint"] = fingerprint(data)
        return data

    @classmethod
    def from_snapshot(cls, snapshot: dict) -> ReviewData:
        months = [
            MonthCell(
                **{
                    **cell,
                    "activity_hours": Decimal(cell["activity_hours"]),
                    "person_hours": Decimal(cell["person_hours"]),
                }
            )
            for cell in snapshot["months"]
        ]
        members = [
            MemberRow(**{**row, "ytd_hours": Decimal(row["ytd_hours"])})
            for row in snapshot["members"]
        ]
        computed_at = snapshot.get("computed_at")
        return cls(
            year=snapshot["year"],
            month=snapshot["month"],
            min_activities=snapshot["min_activities"],
            annual_target=snapshot["annual_target"],
            months=months,
            members=members,
            computed_at=parse_datetime(computed_at) if computed_at else None,
            stale=snapshot.get("stale", False),
        )

    @property
    def fingerprint(self) -> str:
        return self.to_snapshot()["fingerprint"]


@functools.cache
def _field_names(cls) -> tuple[str, ...]:
    return tuple(item.name for item in fields(cls))


def _as_dict(item) -> dict:
    """A flat dataclass (no nested dataclasses) as a dict of its fields."""
    return {name: getattr(item, name) for name in _field_names(type(item))}


def fingerprint(snapshot: dict) -> str:
    """A digest of the reviewed figures, to tell whether what a secretary saw is still
    what the tables say.

    Left out: when the figures were computed, and the strip's months after the
    review month, whose state (current, future) moves on with the calendar
    without anything about the review month changing.
    """
    figures = {
        key: value
        for key, value in snapshot.items()
        if key not in {"computed_at", "stale", "fingerprint", "version", "months"}
    }
    figures["months"] = snapshot["months"][: snapshot["month"]]
    text = json.dumps(figures, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def behind_first_key(row: MemberRow) -> tuple:
    return (STATUS_ORDER[MemberStatus(row.status)], row.ytd_count, row.number)


_UNREAD = object()


def review_load(team, year: int, month: int, *, today: datetime.date, state=_UNREAD) -> ReviewData:
    """The team's review of ``month`` of ``year``, from the summary tables (3 queries;
    2 when the caller has read the team's ``TeamFiguresState`` already)."""
    rows = {
        row.month: row
        for row in TeamFigures.objects.filter(team=team, kind=PeriodKind.MONTH, year=year)
    }
    if state is _UNREAD:
        state = TeamFiguresState.objects.filter(team=team).first()
    members = members_with_standing(
        Member.objects.filter(team=team),
        StandingWindow.at(year, month, today=today),
        annual_target=team.min_participations_per_member_year,
    ).values_list(
        "pk",
        "volunteer_number",
        "name",
        "cadre_rank",
        "first_month",
        "last_month",
        "target",
        "expected",
        "ytd_count",
        "status",
        "that_year__monthly_participations",
        "that_year__monthly_hours",
    )
    months = []
    for number in MONTHS:
        row = rows.get(number)
        cell = MonthCell(
            month=number,
            state=month_state(
                year,
                number,
                founded_on=team.founded_on,
                today=today,
                activities=row.activities if row else 0,
                minimum=team.min_activities_per_month,
            ),
        )
        if row is not None:
            cell.activities = row.activities
            cell.activity_hours = row.activity_hours
            cell.participant_times = row.participant_times
            cell.person_hours = row.person_hours
            cell.registered_volunteers = row.registered_volunteers
        months.append(cell)
    member_rows = []
    for (
        pk,
        number,
        name,
        rank,
        first,
        last,
        target,
        expected,
        ytd_count,
        status,
        participations,
        hours,
    ) in members:
        monthly = (list(participations or []) + [0] * 12)[:12]
        member_rows.append(
            MemberRow(
                member_id=pk,
                number=number,
                name=name,
                rank=rank,
                registered_months=list(range(first, last + 1)),
                target=target,
                expected=expected,
                ytd_count=ytd_count,
                ytd_hours=sum((Decimal(h) for h in (hours or [])[:month]), Decimal("0")),
                status=status,
                monthly=[
                    int(c) if m <= month else None for m, c in zip(MONTHS, monthly, strict=True)
                ],
            )
        )
    member_rows.sort(key=behind_first_key)
    return ReviewData(
        year=year,
        month=month,
        min_activities=team.min_activities_per_month,
        annual_target=team.min_participations_per_member_year,
        months=months,
        members=member_rows,
        # The team's last recompute: the rows carry no time of their own.
        computed_at=state.computed_at if state is not None else None,
        stale=state is None or state.stale,
    )
