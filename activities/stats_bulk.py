"""Every team's figures at once, set-based, on PostgreSQL (after a bulk load, or nightly).

``activities.stats.team_figures_recompute`` computes one team with a few grouped
queries and writes it in Python; over 10,000 teams that is 10,000 round trips of
reading and writing. ``figures_recompute_all`` computes the same rows for every
team (or a list of teams) in a handful of statements:

1. approved activities grouped by team and month; participations of approved
   activities grouped by member and month (the one pass over the big table), then
   regrouped by team and month and by member and year;
2. each team's span of months (from the earliest of its founding month, first
   approved activity and first registration, to the later of today and its last
   approved activity), with the registered volunteers of every month from running
   sums of joins and departures;
3. an upsert of the month, year and all-time rows and of the member-year rows, and
   the removal of rows this run did not write — in one transaction, with the same
   fill-state rules as the per-team recompute (``TeamFiguresState``).

The rows are equal to the per-team recompute's, field for field (including the
members' twelve monthly counts and hours as strings); ``activities/tests/
test_stats_bulk.py`` checks that and the raw-SQL oracle.

Definitions used below, as in ``stats.py``: a member is registered in a period when
registered on or before its end and not left before its start; at its end when
also not left before its last day. For a month with start s and end e:
during = #(registered ≤ e) − #(left < s) and at end = #(registered ≤ e) − #(left < e),
because nobody leaves before registering.
"""

# The SQL is built from this module's constants and column names; values are parameters.
# ruff: noqa: S608
from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from activities.models import ActivityStatus, PeriodKind

# Month index (year × 12 + month − 1) of a date expression. date_part gives a float,
# cheaper than EXTRACT's numeric.
_YM = "(date_part('year', {0})::int * 12 + date_part('month', {0})::int - 1)"
# The grouping by member and year holds one entry per member-year (3.6 million at
# province scale): with the default 4 MB it spills to disk in many batches. One job
# at a time runs this, at night or after a bulk load, so it may use more memory.
WORK_MEM = "1GB"
# Integer tenths of an hour back to hours with one decimal ("3.0", as numeric(…,1)).
HOURS = "({0}::numeric / 10)::numeric(14, 1)"


def ym(expression: str) -> str:
    return _YM.format(expression)


@dataclass
class BulkFigures:
    teams: int  # teams written (their figures and fill state)
    team_rows: int  # team rows inserted or changed (unchanged ones are not written)
    member_rows: int  # member-year rows inserted or changed
    rows_deleted: int  # rows of either table that no longer have figures
    skipped: int  # teams a newer per-team run had already written
    seconds_computing: float = 0.0  # the grouped queries into temporary tables
    seconds_writing: float = 0.0  # comparing with the summary tables, writing the changes


def _team_filter(column: str, team_ids: list[int] | None) -> str:
    return "" if team_ids is None else f" AND {column} = ANY(%(team_ids)s)"


MONTHS = range(1, 13)
TEMPORARY_TABLES = [
    "fb_activity",
    "fb_activity_month",
    "fb_member_year",
    "fb_participation_month",
    "fb_span",
    "fb_member_event",
    "fb_month",
    "fb_team_month",
    "fb_write",
    "fb_team_rows",
]


def _collect_sql(team_ids: list[int] | None) -> list[str]:
    """The statements that fill the temporary tables (steps 1 and 2)."""
    activities = _team_filter("a.team_id", team_ids)
    members = _team_filter("m.team_id", team_ids)
    teams = _team_filter("t.id", team_ids)
    # Hours are summed as integer tenths (exact: they have one decimal): an integer
    # sum's state is 8 bytes, a numeric one's far more, and there are 13 per group.
    by_month = "".join(
        f", COUNT(*) FILTER (WHERE a.month = {m})::int AS n{m}"
        f", SUM(p.tenths) FILTER (WHERE a.month = {m}) AS t{m}"
        for m in MONTHS
    )
    team_sums = "".join(f", SUM(n{m}) AS n{m}, SUM(t{m}) AS t{m}" for m in MONTHS)
    unpivot = ", ".join(f"({m}, n{m}, t{m})" for m in MONTHS)
    return [
        # Approved activities with their month, and their totals by team and month.
        f"""
        CREATE TEMP TABLE fb_activity ON COMMIT DROP AS
        SELECT a.id, a.team_id, date_part('year', a.start_date)::int AS year,
               date_part('month', a.start_date)::int AS month
          FROM activities_activity a
         WHERE a.status = %(approved)s{activities}
        """,
        f"""
        CREATE TEMP TABLE fb_activity_month ON COMMIT DROP AS
        SELECT a.team_id, {ym("a.start_date")} AS ym, COUNT(*)::int AS n,
               SUM(a.hours) AS hours, SUM(a.people_reached) AS people,
               SUM(a.materials_distributed) AS materials,
               SUM(a.households_visited) AS households, SUM(a.donation_yuan) AS donation
          FROM activities_activity a
         WHERE a.status = %(approved)s{activities}
         GROUP BY 1, 2
        """,
        # The one pass over the participations: by member and year, with each month.
        f"""
        CREATE TEMP TABLE fb_member_year ON COMMIT DROP AS
        SELECT a.team_id, p.member_id, a.year, COUNT(*)::int AS n, SUM(p.tenths) AS tenths
               {by_month}
          FROM (SELECT activity_id, member_id, (hours * 10)::int AS tenths
                  FROM activities_participation) p
          JOIN fb_activity a ON a.id = p.activity_id
         GROUP BY a.team_id, p.member_id, a.year
        """,
        # Participations by team and month, from the members' months.
        f"""
        CREATE TEMP TABLE fb_participation_month ON COMMIT DROP AS
        SELECT y.team_id, y.year * 12 + v.month - 1 AS ym, v.n, {HOURS.format("v.tenths")} AS hours
          FROM (SELECT team_id, year {team_sums} FROM fb_member_year GROUP BY 1, 2) y
         CROSS JOIN LATERAL (VALUES {unpivot}) AS v(month, n, tenths)
         WHERE v.n > 0
        """,
        # Each team's span: first and last month index.
        f"""
        CREATE TEMP TABLE fb_span ON COMMIT DROP AS
        SELECT t.id AS team_id,
               LEAST({ym("t.founded_on")}, act.first_ym, {ym("mem.first_registered")})
                   AS first_ym,
               GREATEST({ym("%(today)s::date")}, act.last_ym) AS last_ym,
               COALESCE(mem.registered_by_today, 0) AS registered_by_today,
               COALESCE(mem.there_today, 0) AS there_today
          FROM teams_team t
          LEFT JOIN (SELECT team_id, MIN(ym) AS first_ym, MAX(ym) AS last_ym
                       FROM fb_activity_month GROUP BY team_id) act ON act.team_id = t.id
          LEFT JOIN (
                SELECT m.team_id, MIN(m.registered_on) AS first_registered,
                       COUNT(*) FILTER (WHERE m.registered_on <= %(today)s) AS registered_by_today,
                       COUNT(*) FILTER (WHERE m.registered_on <= %(today)s
                                          AND (m.left_on IS NULL OR m.left_on >= %(today)s))
                           AS there_today
                  FROM members_member m GROUP BY m.team_id
               ) mem ON mem.team_id = t.id
         WHERE TRUE{teams}
        """,
        # Joins and departures by month index: "registered ≤ the month's end" counts
        # from the month of registration; "left < the month's start" from the month
        # after leaving; "left < the month's end" from the month of leaving, or the
        # next one when the member left on its last day.
        f"""
        CREATE TEMP TABLE fb_member_event ON COMMIT DROP AS
        SELECT m.team_id, e.ym, SUM(e.registered)::int AS registered,
               SUM(e.gone_by_start)::int AS gone_by_start, SUM(e.gone_by_end)::int AS gone_by_end
          FROM members_member m
         CROSS JOIN LATERAL (VALUES
               ({ym("m.registered_on")}, 1, 0, 0),
               ({ym("m.left_on")} + 1, 0, 1, 0),
               ({ym("m.left_on")}
                + (m.left_on = (date_trunc('month', m.left_on)
                                + interval '1 month - 1 day')::date)::int, 0, 0, 1)
         ) AS e(ym, registered, gone_by_start, gone_by_end)
         WHERE e.ym IS NOT NULL{members}
         GROUP BY 1, 2
        """,
        # Every month of every span, through December of the last year (the year
        # rows' end), with the running counts.
        """
        CREATE TEMP TABLE fb_month ON COMMIT DROP AS
        SELECT s.team_id, g.ym, s.last_ym,
               SUM(COALESCE(e.registered, 0)) OVER w AS registered,
               SUM(COALESCE(e.gone_by_start, 0)) OVER w AS gone_by_start,
               SUM(COALESCE(e.gone_by_end, 0)) OVER w AS gone_by_end
          FROM fb_span s
         CROSS JOIN LATERAL generate_series(s.first_ym, s.last_ym / 12 * 12 + 11) AS g(ym)
          LEFT JOIN fb_member_event e ON e.team_id = s.team_id AND e.ym = g.ym
        WINDOW w AS (PARTITION BY s.team_id ORDER BY g.ym)
        """,
        # The month rows' figures (the span's months only).
        """
        CREATE TEMP TABLE fb_team_month ON COMMIT DROP AS
        SELECT m.team_id, m.ym,
               COALESCE(a.n, 0) AS activities, COALESCE(a.hours, 0) AS activity_hours,
               COALESCE(p.n, 0) AS participant_times, COALESCE(p.hours, 0) AS person_hours,
               m.registered - m.gone_by_start AS during, m.registered - m.gone_by_end AS at_end,
               COALESCE(a.people, 0) AS people, COALESCE(a.materials, 0) AS materials,
               COALESCE(a.households, 0) AS households, COALESCE(a.donation, 0) AS donation
          FROM fb_month m
          LEFT JOIN fb_activity_month a ON a.team_id = m.team_id AND a.ym = m.ym
          LEFT JOIN fb_participation_month p ON p.team_id = m.team_id AND p.ym = m.ym
         WHERE m.ym <= m.last_ym
        """,
    ]


TEAM_FIGURES = [
    "activities",
    "activity_hours",
    "participant_times",
    "person_hours",
    "registered_volunteers",
    "volunteers_at_end",
    "people_reached",
    "materials_distributed",
    "households_visited",
    "donation_yuan",
]
_SUMS = """
    SUM(t.activities), SUM(t.activity_hours), SUM(t.participant_times), SUM(t.person_hours)
"""
_OUTCOME_SUMS = "SUM(t.people), SUM(t.materials), SUM(t.households), SUM(t.donation)"

# The new month, year and all-time rows of the teams written, named as the table's columns.
TEAM_ROWS_SQL = f"""
CREATE TEMP TABLE fb_team_rows ON COMMIT DROP AS
SELECT t.team_id, %(month)s::varchar AS kind, t.ym / 12 AS year, mod(t.ym, 12) + 1 AS month,
       t.activities, t.activity_hours, t.participant_times, t.person_hours,
       t.during AS registered_volunteers, t.at_end AS volunteers_at_end,
       t.people AS people_reached, t.materials AS materials_distributed,
       t.households AS households_visited, t.donation AS donation_yuan
  FROM fb_team_month t JOIN fb_write w ON w.team_id = t.team_id
UNION ALL
SELECT t.team_id, %(year)s, t.ym / 12, 0, {_SUMS}, r.during, r.at_end, {_OUTCOME_SUMS}
  FROM fb_team_month t
  JOIN fb_write w ON w.team_id = t.team_id
  JOIN (
        SELECT team_id, ym / 12 AS year,
               MAX(registered) FILTER (WHERE mod(ym, 12) = 11) - MIN(gone_by_start) AS during,
               MAX(registered - gone_by_end) FILTER (WHERE mod(ym, 12) = 11) AS at_end
          FROM fb_month GROUP BY 1, 2
       ) r ON r.team_id = t.team_id AND r.year = t.ym / 12
 GROUP BY t.team_id, t.ym / 12, r.during, r.at_end
UNION ALL
SELECT t.team_id, %(all)s, 0, 0, {_SUMS}, s.registered_by_today, s.there_today,
       {_OUTCOME_SUMS}
  FROM fb_team_month t
  JOIN fb_write w ON w.team_id = t.team_id
  JOIN fb_span s ON s.team_id = t.team_id
 GROUP BY t.team_id, s.registered_by_today, s.there_today
"""
_MEMBER_VALUES = {
    "team_id": "y.team_id",
    "participations": "y.n",
    "hours": HOURS.format("y.tenths"),
    "monthly_participations": "to_jsonb(ARRAY[{}])".format(", ".join(f"y.n{m}" for m in MONTHS)),
    # As the per-team recompute writes them, str(Decimal): "3.0", "12.5", and "0" for
    # a month without any. Integer arithmetic: cheaper than numeric for 12 × millions.
    "monthly_hours": "to_jsonb(ARRAY[{}])".format(
        ", ".join(f"COALESCE(y.t{m} / 10 || '.' || mod(y.t{m}, 10), '0')" for m in MONTHS)
    ),
}


@dataclass(frozen=True)
class _Sync:
    """Bring a summary table in line with the new rows of the teams written.

    Only what differs is written: an UPDATE joined to the new rows where some value
    is distinct, an INSERT of the new rows without a stored one, a DELETE of the
    stored rows without a new one (an anti-join). A row that did not change is
    only read: no new row version, no index entry, nothing for vacuum. UPDATE …
    FROM and not INSERT … ON CONFLICT: the join compares in one pass instead of
    probing the unique index row by row. Safe because this transaction holds the
    teams' fill-state locks, which every writer takes first.
    """

    table: str
    source: str  # FROM clause of the new rows, only the teams written
    key: dict[str, str]  # column → expression over the new rows
    values: dict[str, str]
    counterpart: str  # the new row of a stored row ``f``, for the DELETE's anti-join

    def _match(self) -> str:
        return " AND ".join(f"f.{column} = {value}" for column, value in self.key.items())

    def update(self) -> str:
        return (
            f"UPDATE {self.table} f "
            f"SET {', '.join(f'{c} = {v}' for c, v in self.values.items())} "
            f"FROM {self.source} WHERE {self._match()} "
            f"AND ({', '.join(f'f.{c}' for c in self.values)}) "
            f"IS DISTINCT FROM ({', '.join(self.values.values())})"
        )

    def insert(self) -> str:
        columns = {**self.key, **self.values}
        return (
            f"INSERT INTO {self.table} ({', '.join(columns)}) "
            f"SELECT {', '.join(columns.values())} FROM {self.source} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {self.table} f WHERE {self._match()})"
        )

    def delete(self) -> str:
        return (
            f"DELETE FROM {self.table} f USING fb_write w WHERE f.team_id = w.team_id "
            f"AND NOT EXISTS (SELECT 1 FROM {self.counterpart})"
        )


TEAM_SYNC = _Sync(
    table="activities_teamfigures",
    source="fb_team_rows n",
    key={column: f"n.{column}" for column in ["team_id", "kind", "year", "month"]},
    values={column: f"n.{column}" for column in TEAM_FIGURES},
    counterpart=(
        "fb_team_rows n WHERE n.team_id = f.team_id AND n.kind = f.kind "
        "AND n.year = f.year AND n.month = f.month"
    ),
)
MEMBER_SYNC = _Sync(
    table="activities_memberyearfigures",
    source="fb_member_year y JOIN fb_write w ON w.team_id = y.team_id",
    key={"member_id": "y.member_id", "year": "y.year"},
    values=_MEMBER_VALUES,
    # A member's rows are all of one team: the member's participations are in it.
    counterpart="fb_member_year y WHERE y.member_id = f.member_id AND y.year = f.year",
)


def figures_recompute_all(
    *,
    team_ids: list[int] | None = None,
    now: datetime.datetime | None = None,
) -> BulkFigures:
    """Recompute the figures of every team (or of ``team_ids``) in one transaction.

    The same rows as ``stats.team_figures_recompute`` for each team; a team whose
    figures a per-team run wrote after this run started is left alone (never an
    older run over a newer one), and a team changed while this ran stays stale.
    """
    if connection.vendor != "postgresql":
        raise NotImplementedError("figures_recompute_all is PostgreSQL only; use stats.py")
    started = now or timezone.now()
    params = {
        "approved": ActivityStatus.APPROVED.value,
        "today": timezone.localdate(started),
        "started": started,
        "team_ids": team_ids,
        "month": PeriodKind.MONTH.value,
        "year": PeriodKind.YEAR.value,
        "all": PeriodKind.ALL.value,
    }
    state_filter = _team_filter("team_id", team_ids)
    with transaction.atomic(), connection.cursor() as cursor:
        # ON COMMIT DROP is not enough inside a caller's transaction (or a test's).
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(TEMPORARY_TABLES)}")
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        clock = time.perf_counter()
        for statement in _collect_sql(team_ids):
            cursor.execute(statement, params)
            # Temporary tables have no statistics until analysed; the joins need them.
            table = statement.split("TEMP TABLE ")[1].split()[0]
            cursor.execute(f"ANALYZE {table}")
        computing = time.perf_counter() - clock
        # The fill-state rows, locked: one writer per team at a time (as stats.py).
        cursor.execute(
            "INSERT INTO activities_teamfiguresstate (team_id, stale) "
            "SELECT team_id, true FROM fb_span ON CONFLICT (team_id) DO NOTHING"
        )
        cursor.execute(
            f"SELECT team_id, computed_at > %(started)s FROM activities_teamfiguresstate "
            f"WHERE TRUE{state_filter} ORDER BY team_id FOR UPDATE",
            params,
        )
        skipped = sum(1 for _team, newer in cursor.fetchall() if newer)
        cursor.execute(
            "CREATE TEMP TABLE fb_write ON COMMIT DROP AS "
            "SELECT s.team_id FROM fb_span s JOIN activities_teamfiguresstate f "
            "ON f.team_id = s.team_id "
            "WHERE f.computed_at IS NULL OR f.computed_at <= %(started)s",
            params,
        )
        cursor.execute("ANALYZE fb_write")
        cursor.execute(TEAM_ROWS_SQL, params)
        cursor.execute("ANALYZE fb_team_rows")
        written, deleted = {}, 0
        for name, sync in [("team", TEAM_SYNC), ("member", MEMBER_SYNC)]:
            written[name] = 0
            for statement in [sync.update(), sync.insert()]:
                cursor.execute(statement, params)
                written[name] += cursor.rowcount
            cursor.execute(sync.delete(), params)
            deleted += cursor.rowcount
        # Clear "stale" only where no change was noticed after this run began.
        cursor.execute(
            "UPDATE activities_teamfiguresstate f SET computed_at = %(started)s, "
            "stale = CASE WHEN f.requested_at IS NULL OR f.requested_at <= %(started)s "
            "THEN false ELSE f.stale END "
            "FROM fb_write w WHERE f.team_id = w.team_id",
            params,
        )
        teams = cursor.rowcount
        cursor.execute(f"DROP TABLE {', '.join(TEMPORARY_TABLES)}")
        writing = time.perf_counter() - clock - computing
    return BulkFigures(
        teams=teams,
        team_rows=written["team"],
        member_rows=written["member"],
        rows_deleted=deleted,
        skipped=skipped,
        seconds_computing=computing,
        seconds_writing=writing,
    )
