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
    teams: int
    team_rows: int
    member_rows: int
    skipped: int
    seconds_computing: float = 0.0  # the grouped queries into temporary tables
    seconds_writing: float = 0.0  # the summary tables' upserts and deletes


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


TEAM_FIGURE_COLUMNS = (
    "team_id, kind, year, month, activities, activity_hours, participant_times, person_hours, "
    "registered_volunteers, volunteers_at_end, people_reached, materials_distributed, "
    "households_visited, donation_yuan, computed_at"
)
_SUMS = """
    SUM(t.activities), SUM(t.activity_hours), SUM(t.participant_times), SUM(t.person_hours)
"""
_OUTCOME_SUMS = "SUM(t.people), SUM(t.materials), SUM(t.households), SUM(t.donation)"

TEAM_ROWS_SQL = f"""
INSERT INTO activities_teamfigures ({TEAM_FIGURE_COLUMNS})
SELECT t.team_id, %(month)s, t.ym / 12, mod(t.ym, 12) + 1,
       t.activities, t.activity_hours, t.participant_times, t.person_hours, t.during, t.at_end,
       t.people, t.materials, t.households, t.donation, %(started)s
  FROM fb_team_month t JOIN fb_write w ON w.team_id = t.team_id
UNION ALL
SELECT t.team_id, %(year)s, t.ym / 12, 0, {_SUMS}, r.during, r.at_end, {_OUTCOME_SUMS},
       %(started)s
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
       {_OUTCOME_SUMS}, %(started)s
  FROM fb_team_month t
  JOIN fb_write w ON w.team_id = t.team_id
  JOIN fb_span s ON s.team_id = t.team_id
 GROUP BY t.team_id, s.registered_by_today, s.there_today
ON CONFLICT (team_id, kind, year, month) DO UPDATE SET
    activities = EXCLUDED.activities, activity_hours = EXCLUDED.activity_hours,
    participant_times = EXCLUDED.participant_times, person_hours = EXCLUDED.person_hours,
    registered_volunteers = EXCLUDED.registered_volunteers,
    volunteers_at_end = EXCLUDED.volunteers_at_end, people_reached = EXCLUDED.people_reached,
    materials_distributed = EXCLUDED.materials_distributed,
    households_visited = EXCLUDED.households_visited, donation_yuan = EXCLUDED.donation_yuan,
    computed_at = EXCLUDED.computed_at
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
    "computed_at": "%(started)s",
}
# An UPDATE joined to the new rows, then an INSERT of the missing ones, rather than
# INSERT … ON CONFLICT: the join updates in one pass instead of probing the unique
# index row by row (half the time for millions of rows). Safe because this
# transaction holds the teams' fill-state locks, which every writer takes first.
MEMBER_UPDATE_SQL = f"""
UPDATE activities_memberyearfigures f
   SET {", ".join(f"{column} = {value}" for column, value in _MEMBER_VALUES.items())}
  FROM fb_member_year y JOIN fb_write w ON w.team_id = y.team_id
 WHERE f.member_id = y.member_id AND f.year = y.year
"""
MEMBER_INSERT_SQL = f"""
INSERT INTO activities_memberyearfigures (member_id, year, {", ".join(_MEMBER_VALUES)})
SELECT y.member_id, y.year, {", ".join(_MEMBER_VALUES.values())}
  FROM fb_member_year y JOIN fb_write w ON w.team_id = y.team_id
 WHERE NOT EXISTS (SELECT 1 FROM activities_memberyearfigures f
                    WHERE f.member_id = y.member_id AND f.year = y.year)
"""
MEMBER_DELETE_OLD_SQL = """
DELETE FROM activities_memberyearfigures f USING fb_write w
 WHERE f.team_id = w.team_id AND f.computed_at < %(started)s
"""


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
        team_rows = cursor.rowcount
        cursor.execute(
            "DELETE FROM activities_teamfigures f USING fb_write w "
            "WHERE f.team_id = w.team_id AND f.computed_at < %(started)s",
            params,
        )
        cursor.execute(MEMBER_UPDATE_SQL, params)
        member_rows = cursor.rowcount
        cursor.execute(
            "SELECT COUNT(*) FROM fb_member_year y JOIN fb_write w ON w.team_id = y.team_id"
        )
        if cursor.fetchone()[0] != member_rows:  # some rows are new
            cursor.execute(MEMBER_INSERT_SQL, params)
            member_rows += cursor.rowcount
        cursor.execute(MEMBER_DELETE_OLD_SQL, params)
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
        team_rows=team_rows,
        member_rows=member_rows,
        skipped=skipped,
        seconds_computing=computing,
        seconds_writing=writing,
    )
