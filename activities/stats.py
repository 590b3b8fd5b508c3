"""Computing the figures (docs/domain.md § Figures) into the summary tables.

One team at a time, with four grouped queries (activities by month,
participations by month, participations by member and year, the members'
dates) reshaped in Python, then written in one transaction as an upsert: a
re-run writes the same rows, and a run killed half-way leaves the old figures.

Activities and participations are aggregated in separate queries on purpose:
summing activity hours over a join with participations would count each
activity once per participant (Django's join-multiplied sums).
"""

from __future__ import annotations

import calendar
import datetime
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.dispatch import Signal
from django.utils import timezone

from activities.models import (
    TEAM_FIGURE_FIELDS,
    Activity,
    MemberYearFigures,
    Participation,
    PeriodKind,
    TeamFigures,
    TeamFiguresState,
)
from members.models import Member
from teams.models import Team

logger = logging.getLogger(__name__)

STALE_AFTER = datetime.timedelta(days=1)

# Sent with ``team_ids`` inside the transaction that has just written those teams'
# figures (here and in stats_bulk), for what is computed from them in the same job
# (the star levels, stars/signals.py). A receiver that fails fails the recompute.
figures_written = Signal()
MEMBER_FIELDS = [
    "team_id",
    "member_id",
    "year",
    "participations",
    "hours",
    "monthly_participations",
    "monthly_hours",
]


@dataclass
class _Totals:
    activities: int = 0
    activity_hours: Decimal = Decimal("0")
    participant_times: int = 0
    person_hours: Decimal = Decimal("0")
    people_reached: int = 0
    materials_distributed: int = 0
    households_visited: int = 0
    donation_yuan: Decimal = Decimal("0")

    def add(self, other: _Totals) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _Computed:
    months: dict[tuple[int, int], _Totals] = field(default_factory=lambda: defaultdict(_Totals))
    # (member id, year) → (participations by month, hours by month)
    member_years: dict[tuple[int, int], tuple[list[int], list[Decimal]]] = field(
        default_factory=dict
    )


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _months(first: datetime.date, last: datetime.date) -> list[tuple[int, int]]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _collect(team_id: int) -> _Computed:
    computed = _Computed()
    approved = Activity.objects.approved().filter(team_id=team_id)
    month_totals = (
        approved.values(y=ExtractYear("start_date"), m=ExtractMonth("start_date"))
        .annotate(
            n=Count("pk"),
            hours=Sum("hours"),
            people=Sum("people_reached"),
            materials=Sum("materials_distributed"),
            households=Sum("households_visited"),
            donation=Sum("donation_yuan"),
        )
        .order_by()
    )
    for row in month_totals:
        totals = computed.months[(row["y"], row["m"])]
        totals.activities = row["n"]
        totals.activity_hours = Decimal(row["hours"])
        totals.people_reached = row["people"]
        totals.materials_distributed = row["materials"]
        totals.households_visited = row["households"]
        totals.donation_yuan = Decimal(row["donation"])
    participations = Participation.objects.approved().filter(activity__team_id=team_id)
    member_months = (
        participations.values(
            "member_id",
            y=ExtractYear("activity__start_date"),
            m=ExtractMonth("activity__start_date"),
        )
        .annotate(n=Count("pk"), hours=Sum("hours"))
        .order_by()
    )
    # The team's participations by month are the sums of its members' months.
    for row in member_months:
        year = computed.member_years.setdefault(
            (row["member_id"], row["y"]), ([0] * 12, [Decimal("0")] * 12)
        )
        hours = Decimal(row["hours"])
        year[0][row["m"] - 1] = row["n"]
        year[1][row["m"] - 1] = hours
        totals = computed.months[(row["y"], row["m"])]
        totals.participant_times += row["n"]
        totals.person_hours += hours
    return computed


def _registered(
    dates: list[tuple[datetime.date, datetime.date | None]],
    start: datetime.date,
    end: datetime.date,
) -> tuple[int, int]:
    """(registered in the period, still registered on its last day).

    Registered in the period: registered on or before its end and not left
    before its start (``left_on`` is the last day of membership).
    """
    during = at_end = 0
    for registered_on, left_on in dates:
        if registered_on > end:
            continue
        if left_on is None or left_on >= start:
            during += 1
        if left_on is None or left_on >= end:
            at_end += 1
    return during, at_end


def build_team_rows(team: Team, *, today: datetime.date) -> tuple[list[TeamFigures], dict]:
    """Every period's row for ``team`` (each month and year from its start, and all
    time), and the members' monthly participations and hours per year."""
    computed = _collect(team.pk)
    dates = list(Member.objects.filter(team=team).values_list("registered_on", "left_on"))
    starts = [team.founded_on.replace(day=1)]
    starts += [datetime.date(y, m, 1) for (y, m) in computed.months]
    starts += [registered for registered, _ in dates]
    first = min(starts)
    last = max([today] + [_month_end(y, m) for (y, m) in computed.months])
    rows: list[TeamFigures] = []
    years: dict[int, _Totals] = defaultdict(_Totals)
    everything = _Totals()
    for year, month in _months(first, last):
        totals = computed.months.get((year, month), _Totals())
        years[year].add(totals)
        everything.add(totals)
        start = datetime.date(year, month, 1)
        rows.append(
            _row(
                team,
                PeriodKind.MONTH,
                year,
                month,
                totals,
                dates,
                start,
                _month_end(year, month),
            )
        )
    for year, totals in sorted(years.items()):
        rows.append(
            _row(
                team,
                PeriodKind.YEAR,
                year,
                0,
                totals,
                dates,
                max(first, datetime.date(year, 1, 1)),
                datetime.date(year, 12, 31),
            )
        )
    rows.append(_row(team, PeriodKind.ALL, 0, 0, everything, dates, first, today))
    return rows, computed.member_years


def _row(team, kind, year, month, totals, dates, start, end) -> TeamFigures:
    during, at_end = _registered(dates, start, end)
    return TeamFigures(
        team=team,
        kind=kind,
        year=year,
        month=month,
        activities=totals.activities,
        activity_hours=totals.activity_hours,
        participant_times=totals.participant_times,
        person_hours=totals.person_hours,
        registered_volunteers=during,
        volunteers_at_end=at_end,
        people_reached=totals.people_reached,
        materials_distributed=totals.materials_distributed,
        households_visited=totals.households_visited,
        donation_yuan=totals.donation_yuan,
    )


def team_figures_recompute(*, team_id: int, only_if_stale: bool = False) -> bool:
    """Recompute one team's figures. Returns False when there was nothing to do.

    With ``only_if_stale`` a run is skipped when a recompute has already
    started after the last change was noticed (coalescing duplicate tasks).
    """
    started = timezone.now()
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        return False
    if only_if_stale:
        state = TeamFiguresState.objects.filter(team_id=team_id).first()
        if (
            state is not None
            and not state.stale
            and state.computed_at is not None
            and (state.requested_at is None or state.computed_at >= state.requested_at)
        ):
            return False
    rows, member_years = build_team_rows(team, today=timezone.localdate(started))
    team_values = {
        (row.kind, row.year, row.month): (
            team_id,
            row.kind,
            row.year,
            row.month,
            *(getattr(row, f) for f in TEAM_FIGURE_FIELDS),
        )
        for row in rows
    }
    member_values = {
        (member_id, year): (
            team_id,
            member_id,
            year,
            sum(counts),
            sum(hours, Decimal("0")),
            counts,
            [str(h) for h in hours],  # exact, as the JSON field holds them
        )
        for (member_id, year), (counts, hours) in member_years.items()
    }
    with transaction.atomic():
        # One writer per team at a time, and never an older run over a newer
        # one: a run that started before the last write steps aside.
        TeamFiguresState.objects.bulk_create(
            [TeamFiguresState(team_id=team_id, stale=True)], ignore_conflicts=True
        )
        state = TeamFiguresState.objects.select_for_update().get(team_id=team_id)
        if state.computed_at is not None and state.computed_at > started:
            return False
        teams_changed = _write_changed(
            TeamFigures.objects.filter(team_id=team_id),
            ["team_id", "kind", "year", "month", *TEAM_FIGURE_FIELDS],
            team_values,
            key=["kind", "year", "month"],
            unique=["team_id", "kind", "year", "month"],
        )
        members_changed = _write_changed(
            MemberYearFigures.objects.filter(team_id=team_id),
            MEMBER_FIELDS,
            member_values,
            key=["member_id", "year"],
            unique=["member_id", "year"],
        )
        done = {"computed_at": started}
        # Rows changed are no longer those the set-based recompute last saw (stats_bulk).
        if teams_changed:
            done["team_rows_digest"] = None
        if members_changed:
            done["member_rows_digest"] = None
        # Clear "stale" only if no change was noticed after this run began.
        fresh = TeamFiguresState.objects.filter(team_id=team_id).filter(
            Q(requested_at__isnull=True) | Q(requested_at__lte=started)
        )
        if not fresh.update(stale=False, **done):
            TeamFiguresState.objects.filter(team_id=team_id).update(**done)
        figures_written.send(sender=Team, team_ids=[team_id])
    return True


def _write_changed(
    stored, fields: list[str], rows: dict[tuple, tuple], *, key: list[str], unique: list[str]
) -> int:
    """Bring the ``stored`` rows (a QuerySet) in line with ``rows`` (key → values in
    ``fields`` order): write the rows that are new or differ, delete those whose key
    was not produced (a month or year without figures any more, a member without
    approved activities in a year). Returns the rows written and deleted.

    The stored rows are read first (one indexed query): after an approval a handful
    of a team's ~700 rows change, and reading the rest is cheaper than offering them
    all to the upsert, which locks each conflicting row even when it leaves it.
    """
    key_at = [fields.index(name) for name in key]
    current = {}
    for pk, *values in stored.values_list("pk", *fields):
        current[tuple(values[i] for i in key_at)] = (pk, tuple(values))
    changed = [row for k, row in rows.items() if k not in current or current[k][1] != row]
    written = _upsert(stored.model, fields, changed, unique=unique) if changed else 0
    others = [pk for k, (pk, _values) in current.items() if k not in rows]
    if others:
        written += stored.filter(pk__in=others).delete()[0]
    return written


def _upsert(model, fields: list[str], rows: list[tuple], *, unique: list[str]) -> int:
    """INSERT … ON CONFLICT (unique) DO UPDATE of ready values, where they differ.

    A row whose stored values are the same is left as it is: no new row version,
    no index entries. Returns the rows written.

    What ``bulk_create(update_conflicts=True)`` did here, without a model instance
    per row and each value prepared through its field: for a team of 200 members
    (about 600 member-year rows) that was most of the recompute's Python time.
    Lists go to JSON fields as text (``json.dumps``), as the field would store them.
    """
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = [meta.get_field(name).column for name in fields]
    keys = {meta.get_field(name).column for name in unique}
    values = [column for column in columns if column not in keys]
    # SQLite spells it IS NOT (IS DISTINCT FROM only from 3.39); both treat NULLs as values.
    distinct = "IS NOT" if connection.vendor == "sqlite" else "IS DISTINCT FROM"
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 - names, not input
        table, ", ".join(quote(c) for c in columns)
    )
    tail = " ON CONFLICT ({}) DO UPDATE SET {} WHERE ({}) {} ({})".format(
        ", ".join(quote(meta.get_field(name).column) for name in unique),
        ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in values),
        ", ".join(f"{table}.{quote(c)}" for c in values),
        distinct,
        ", ".join(f"excluded.{quote(c)}" for c in values),
    )
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    size = max(1, min(1000, connection.ops.bulk_batch_size([None] * len(columns), rows)))
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                head + ", ".join([placeholder] * len(batch)) + tail,
                [
                    json.dumps(value) if isinstance(value, list) else value
                    for row in batch
                    for value in row
                ],
            )
            written += max(cursor.rowcount, 0)
    return written


# --- Asking for a recompute -----------------------------------------------------------------
# activities/tasks.py ``figures_changed`` calls these: the first in the change's
# transaction, the second once it has committed, before queuing the recompute.


def team_figures_mark_stale(*, team_id: int) -> None:
    """Mark the team's figures stale, in the transaction of the change that affects them:
    the mark is committed with the change even if a recompute can never be queued, and
    the nightly reconcile then catches the team up."""
    if not TeamFiguresState.objects.filter(team_id=team_id).update(stale=True):
        TeamFiguresState.objects.bulk_create(
            [TeamFiguresState(team_id=team_id, stale=True)], ignore_conflicts=True
        )


def team_figures_note_committed(*, team_id: int) -> None:
    """Note when a change committed. A recompute that started before this cannot have
    seen the change, so it leaves the team stale (``team_figures_recompute``)."""
    TeamFiguresState.objects.filter(team_id=team_id).update(requested_at=timezone.now())


def teams_needing_recompute(*, now=None) -> list[int]:
    """Teams whose figures are stale, missing, or older than a day."""
    now = now or timezone.now()
    return list(
        Team.objects.filter(
            Q(figures_state__isnull=True)
            | Q(figures_state__stale=True)
            | Q(figures_state__computed_at__isnull=True)
            | Q(figures_state__computed_at__lt=now - STALE_AFTER)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
