"""The compliance rules (DOMAIN.md § Rules) and the monthly review's data.

The rules are pure functions, checked on hand-worked cases in
``activities/tests/test_compliance.py``. One selector, ``review_load``, reads a
team's review of one month from the summary tables (``TeamFigures``,
``MemberYearFigures``) in four queries whatever the team's size; the result can
be frozen into a ``MonthlyReview.snapshot`` and read back from it unchanged, so
a signed review shows exactly what was signed.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import hashlib
import json
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from activities.models import MemberYearFigures, PeriodKind, TeamFigures, TeamFiguresState
from members.models import CadreRank, Member

MONTHS = range(1, 13)
SNAPSHOT_VERSION = 1


class MonthState(models.TextChoices):
    """A month of the calendar strip, seen from today."""

    BEFORE_FOUNDING = "before_founding", _("before the team was founded")
    FUTURE = "future", _("not yet")
    CURRENT = "current", _("in progress")
    MET = "met", _("met")
    NOT_MET = "not_met", _("not met")


class MemberStatus(models.TextChoices):
    """A member's standing against the year's target at the review month."""

    MET = "met", _("target met")  # 已达标
    ON_TRACK = "on_track", _("on track")  # 进度正常
    BEHIND = "behind", _("behind")  # 落后
    NONE = "none", _("none yet")  # 未参加


# "Behind first": the members who need a word from the secretary lead the list.
STATUS_ORDER = {
    MemberStatus.BEHIND: 0,
    MemberStatus.NONE: 1,
    MemberStatus.ON_TRACK: 2,
    MemberStatus.MET: 3,
}
NEEDS_REMINDER = {MemberStatus.BEHIND, MemberStatus.NONE}
IN_GOOD_STANDING = {MemberStatus.MET, MemberStatus.ON_TRACK}


# --- Months -----------------------------------------------------------------------------


@functools.cache
def month_start(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, 1)


@functools.cache
def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_label(month: int) -> str:
    """A month's short name in a column header or the strip: 1月 … 12月."""
    return pgettext("month column header", "%(month)d") % {"month": month}


def month_title(year: int, month: int) -> str:
    """A month in a heading or a message: 2026年11月."""
    return gettext("%(year)s/%(month)s") % {"year": year, "month": month}


def default_review_month(today: datetime.date) -> tuple[int, int]:
    """The month a review opens on: the month before ``today``.

    ``today`` is the local date (``timezone.localdate()``, Asia/Shanghai): at
    00:30 on 1 December in Shanghai it is still 30 November in UTC, yet the
    review opens on November, the month that has just ended.
    """
    return previous_month(today.year, today.month)


def month_met(activities: int, minimum: int) -> bool:
    """The team's monthly rule: at least ``minimum`` approved activities."""
    return activities >= minimum


def month_state(
    year: int,
    month: int,
    *,
    founded_on: datetime.date,
    today: datetime.date,
    activities: int,
    minimum: int,
) -> MonthState:
    """Where one month of the calendar strip stands today."""
    if (year, month) < (founded_on.year, founded_on.month):
        return MonthState.BEFORE_FOUNDING
    if (year, month) > (today.year, today.month):
        return MonthState.FUTURE
    if (year, month) == (today.year, today.month):
        return MonthState.CURRENT
    return MonthState.MET if month_met(activities, minimum) else MonthState.NOT_MET


# --- Members ----------------------------------------------------------------------------


def registered_months(
    registered_on: datetime.date, left_on: datetime.date | None, year: int
) -> list[int]:
    """The calendar months of ``year`` in which the member was registered at least one day.

    ``left_on`` is the last day of membership (DOMAIN.md § Entities).
    """
    return [
        month
        for month in MONTHS
        if registered_on <= month_end(year, month)
        and (left_on is None or left_on >= month_start(year, month))
    ]


def prorated_target(annual_target: int, months: int) -> int:
    """The year's target for ``months`` registered months, rounded up.

    Joined in July: 6 months, ceil(10 × 6 / 12) = 5; left in March: ceil(2.5) = 3;
    joined in December: ceil(10 / 12) = 1.
    """
    return -(-annual_target * months // 12)


def expected_by(target: int, months_elapsed: int, months_in_year: int) -> int:
    """How many participations keep a member on track after ``months_elapsed``.

    DOMAIN.md says "the target times months elapsed / 12, rounded down"; that is
    this with ``months_in_year`` = 12 for a member registered all year. For a
    member registered part of the year both counts are of *their registered*
    months, so a July joiner with a target of 5 is expected to have floor(5 × 3 / 6)
    = 2 by September, not floor(5 × 9 / 12) = 3 for months they were not a member.
    """
    if months_in_year <= 0:
        return 0
    return target * months_elapsed // months_in_year


def member_status(ytd: int, target: int, expected: int) -> MemberStatus:
    if ytd >= target:
        return MemberStatus.MET
    if ytd == 0:
        return MemberStatus.NONE
    if ytd >= expected:
        return MemberStatus.ON_TRACK
    return MemberStatus.BEHIND


def year_to_date(monthly: list, month: int, *, kind=int):
    """The sum of the first ``month`` entries of a January-first list of twelve."""
    return sum((kind(value) for value in list(monthly)[:month]), kind(0))


@dataclass(frozen=True)
class Standing:
    """A member's year at the review month."""

    months_in_year: int
    months_elapsed: int
    target: int
    expected: int
    ytd_count: int
    ytd_hours: Decimal
    status: MemberStatus


def member_standing(
    *,
    registered_on: datetime.date,
    left_on: datetime.date | None,
    year: int,
    month: int,
    annual_target: int,
    monthly_participations: list | None,
    monthly_hours: list | None,
) -> Standing | None:
    """The member's target and status at the end of ``month``, or None when not listed.

    A member is listed when registered at least one day of the year up to the
    review month: nobody is reviewed for a year they were never in, or before
    they joined.
    """
    months = registered_months(registered_on, left_on, year)
    elapsed = sum(1 for m in months if m <= month)
    if not months or not elapsed:
        return None
    target = prorated_target(annual_target, len(months))
    expected = expected_by(target, elapsed, len(months))
    ytd_count = year_to_date(monthly_participations or [], month)
    ytd_hours = year_to_date(monthly_hours or [], month, kind=Decimal)
    return Standing(
        months_in_year=len(months),
        months_elapsed=elapsed,
        target=target,
        expected=expected,
        ytd_count=ytd_count,
        ytd_hours=ytd_hours,
        status=member_status(ytd_count, target, expected),
    )


def share_in_good_standing(statuses: list[str]) -> Decimal | None:
    """Percentage of members 已达标 or 进度正常, one decimal; None (shown "—") if none."""
    if not statuses:
        return None
    good = sum(1 for status in statuses if status in IN_GOOD_STANDING)
    return (Decimal(100 * good) / len(statuses)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def format_share(share: Decimal | None) -> str:
    return "—" if share is None else f"{share}%"


def heat_class(count: int) -> str:
    """The heat map's colour step for a month's participations."""
    if count >= 5:
        return "heat-4"
    if count >= 3:
        return "heat-3"
    return f"heat-{count}"


# --- The review's data ------------------------------------------------------------------


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
        cells = []
        for month, count in zip(MONTHS, self.monthly, strict=True):
            if count is None:
                cells.append(HeatCell(month, None, "heat-after"))
            elif month not in self.registered_months and not count:
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
    def review_month_met(self) -> bool:
        return month_met(self.review_month.activities, self.min_activities)

    @property
    def share_on_track(self) -> Decimal | None:
        return share_in_good_standing([row.status for row in self.members])

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


REVIEW_CACHE_SECONDS = 10 * 60
_UNREAD = object()


def review_load_cached(team, year: int, month: int, *, today: datetime.date) -> ReviewData:
    """``review_load``, kept in the cache until the team's figures are next recomputed.

    The review is a function of the summary tables, the team's rules, its members'
    numbers, names and ranks, and the day. The summary tables change only by a
    recompute, which moves ``TeamFiguresState.computed_at``; every change of an
    activity, a participation or a member (the page's saves, the admin, the imports)
    marks the team stale and asks for one. So the key is the last recompute, the rules
    and the day, and nothing is kept while the team is stale (the page then reads the
    tables, as always): one small query instead of the members and their year rows.
    """
    state = TeamFiguresState.objects.filter(team=team).first()
    if state is None or state.computed_at is None or state.stale:
        return review_load(team, year, month, today=today, state=state)
    rules = (team.min_activities_per_month, team.min_participations_per_member_year)
    key = (
        f"review-data:{team.pk}:{year}-{month}:{today.isoformat()}:"
        f"{state.computed_at.isoformat()}:{rules[0]}:{rules[1]}:{team.founded_on.isoformat()}"
    )
    data = cache.get(key)
    if data is None:
        # Figures a recompute commits while this reads are newer than the key says:
        # kept under it, they are replaced as soon as the next request sees the new key.
        data = review_load(team, year, month, today=today, state=state)
        cache.set(key, data, REVIEW_CACHE_SECONDS)
    return data


def review_load(team, year: int, month: int, *, today: datetime.date, state=_UNREAD) -> ReviewData:
    """The team's review of ``month`` of ``year``, from the summary tables (4 queries;
    3 when the caller has read the team's ``TeamFiguresState`` already)."""
    rows = {
        row.month: row
        for row in TeamFigures.objects.filter(team=team, kind=PeriodKind.MONTH, year=year)
    }
    if state is _UNREAD:
        state = TeamFiguresState.objects.filter(team=team).first()
    members = (
        Member.objects.filter(team=team)
        .registered_in_period(month_start(year, 1), month_end(year, month))
        .values_list("pk", "volunteer_number", "name", "cadre_rank", "registered_on", "left_on")
    )
    # Tuples, not model instances: 200 members and their rows are 400 instances else.
    figures = {
        member_id: (participations, hours)
        for member_id, participations, hours in MemberYearFigures.objects.filter(
            team=team, year=year
        ).values_list("member_id", "monthly_participations", "monthly_hours")
    }
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
    for pk, number, name, rank, registered_on, left_on in members:
        stored, monthly_hours = figures.get(pk, ([], None))
        monthly = (list(stored) + [0] * 12)[:12]
        standing = member_standing(
            registered_on=registered_on,
            left_on=left_on,
            year=year,
            month=month,
            annual_target=team.min_participations_per_member_year,
            monthly_participations=monthly,
            monthly_hours=monthly_hours,
        )
        if standing is None:
            continue
        member_rows.append(
            MemberRow(
                member_id=pk,
                number=number,
                name=name,
                rank=rank,
                registered_months=registered_months(registered_on, left_on, year),
                target=standing.target,
                expected=standing.expected,
                ytd_count=standing.ytd_count,
                ytd_hours=standing.ytd_hours,
                status=standing.status,
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
