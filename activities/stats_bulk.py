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
3. the stored rows brought in line with the new ones, writing only what differs:
   rows whose values changed are updated, missing ones inserted, rows without a
   new counterpart deleted; a row that did not change is not rewritten (no new row
   version, no index entry). The month, year and all-time rows are compared every
   time; a team's member-year rows only when the digest of its new rows differs
   from the one its fill state kept from the last run (``MEMBER_DIGEST_SQL``). All
   in one transaction, with the same fill-state rules as the per-team recompute
   (``TeamFiguresState``).

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

from activities.models import TEAM_FIGURE_FIELDS, ActivityStatus, PeriodKind
from activities.stats import figures_written

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
    teams_compared_team_rows: int = 0  # teams whose team rows' digest changed
    teams_compared_member_rows: int = 0  # the same, member-year rows
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
    *(
        f"fb_{name}_{what}"
        for name in ["team", "member"]
        for what in ["digest", "teams", "new", "missing"]
    ),
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
    "team_id": "r.team_id",
    "participations": "r.n",
    "hours": HOURS.format("r.tenths"),
    "monthly_participations": "to_jsonb(ARRAY[{}])".format(", ".join(f"r.n{m}" for m in MONTHS)),
    # As the per-team recompute writes them, str(Decimal): "3.0", "12.5", and "0" for
    # a month without any. Integer arithmetic: cheaper than numeric for 12 × millions.
    "monthly_hours": "to_jsonb(ARRAY[{}])".format(
        ", ".join(f"COALESCE(r.t{m} / 10 || '.' || mod(r.t{m}, 10), '0')" for m in MONTHS)
    ),
}
# After writing this many rows, a summary table's statistics are brought up to date.
ANALYZE_AFTER_ROWS = 100_000
# Change the seed whenever the summary rows' stored form changes (what the digests
# stand for), so that every team's rows are compared once.
DIGEST_SEED = 1


@dataclass(frozen=True)
class _Sync:
    """Bring one summary table in line with the new rows of the teams written.

    Compared team by team first: a digest of each team's new rows (each row's key
    and the numbers its values derive from, hashed and XORed over the team's rows; 0
    without any) against the one the team's fill state kept from the last run. Equal,
    the stored rows are what this run would write (but for a 1 in 2^64 chance), so
    they are left unread; the per-team recompute clears the digest when it writes
    rows. Comparing every row instead, the member-year rows' 24 monthly values in
    JSON above all, took as long as computing them (docs/performance.md).

    For the teams whose digest changed, only what differs is written: an UPDATE
    joined to the new rows where some value is distinct, an INSERT of the new rows
    without a stored one, a DELETE of the stored rows without a new one (an
    anti-join). A row that did not change is not rewritten: no new row version, no
    index entry, nothing for vacuum. UPDATE … FROM and not INSERT … ON CONFLICT:
    the join compares in one pass instead of probing the unique index row by row.
    Safe because this transaction holds the teams' fill-state locks, which every
    writer takes first.
    """

    name: str  # names its temporary tables
    table: str
    rows: str  # the temporary table of the new rows (alias r) of every team written
    key: dict[str, str]  # column → expression over the new rows
    values: dict[str, str]
    digest_column: str  # of activities_teamfiguresstate
    digest_of: list[str]  # whole numbers that determine a new row, key included

    @property
    def teams(self) -> str:
        """The teams whose digest changed."""
        return f"fb_{self.name}_teams"

    def digest_sql(self) -> str:
        return f"""
        CREATE TEMP TABLE fb_{self.name}_digest ON COMMIT DROP AS
        SELECT w.team_id, COALESCE(d.digest, 0) AS digest,
               %(compare_every_row)s
               OR COALESCE(d.digest, 0) IS DISTINCT FROM s.{self.digest_column} AS changed
          FROM fb_write w
          JOIN activities_teamfiguresstate s ON s.team_id = w.team_id
          LEFT JOIN (
                SELECT r.team_id, bit_xor(hash_array_extended(
                           ARRAY[{", ".join(self.digest_of)}]::bigint[], %(digest_seed)s
                       )) AS digest
                  FROM {self.rows} r
                 GROUP BY r.team_id
               ) d ON d.team_id = w.team_id
        """

    def teams_sql(self) -> str:
        return (
            f"CREATE TEMP TABLE {self.teams} ON COMMIT DROP AS "
            f"SELECT team_id FROM fb_{self.name}_digest WHERE changed"
        )

    def new_rows_sql(self) -> str:
        """The new rows of the teams whose digest changed."""
        return (
            f"CREATE TEMP TABLE fb_{self.name}_new ON COMMIT DROP AS "
            f"SELECT r.* FROM {self.rows} r JOIN {self.teams} w ON w.team_id = r.team_id"
        )

    def _match(self) -> str:
        return " AND ".join(f"f.{column} = {value}" for column, value in self.key.items())

    @property
    def _stored(self) -> str:
        """The stored rows of those teams, as a condition the team index answers (a join
        to the teams may walk the whole index in a merge join, for a few teams)."""
        return f"f.team_id = ANY (ARRAY(SELECT team_id FROM {self.teams}))"

    def update(self, source: str) -> str:
        return (
            f"UPDATE {self.table} f "
            f"SET {', '.join(f'{c} = {v}' for c, v in self.values.items())} "
            f"FROM {source} r WHERE {self._stored} AND {self._match()} "
            f"AND ({', '.join(f'f.{c}' for c in self.values)}) "
            f"IS DISTINCT FROM ({', '.join(self.values.values())})"
        )

    def missing_sql(self, source: str) -> str:
        """The new rows without a stored one, set apart before inserting: an anti-join
        that reads the table while rows are added to it may rescan every new page for
        every row (a nested loop planned for a table found empty by ANALYZE)."""
        return (
            f"CREATE TEMP TABLE fb_{self.name}_missing ON COMMIT DROP AS "
            f"SELECT r.* FROM {source} r "
            f"WHERE NOT EXISTS (SELECT 1 FROM {self.table} f WHERE {self._match()})"
        )

    def insert(self, source: str) -> str:
        """In key order: a team's rows then lie together, for the next run's reads."""
        columns = {**self.key, **self.values}
        return (
            f"INSERT INTO {self.table} ({', '.join(columns)}) "
            f"SELECT {', '.join(columns.values())} FROM {source} r "
            f"ORDER BY r.team_id, {', '.join(self.key.values())}"
        )

    def stored_sql(self) -> str:
        return f"SELECT EXISTS (SELECT 1 FROM {self.table} f WHERE {self._stored})"

    def delete(self, source: str) -> str:
        return (
            f"DELETE FROM {self.table} f WHERE {self._stored} "
            f"AND NOT EXISTS (SELECT 1 FROM {source} r WHERE {self._match()})"
        )

    def run(self, cursor, params: dict, teams_written: int) -> tuple[int, int, int]:
        """(teams compared, rows inserted or updated, rows deleted)."""
        cursor.execute(self.digest_sql(), params)
        cursor.execute(self.teams_sql())
        compared = cursor.rowcount
        if not compared:
            return 0, 0, 0
        cursor.execute(f"ANALYZE {self.teams}")
        source = self.rows
        if compared < teams_written:  # a few teams: their rows apart, joined cheaply
            cursor.execute(self.new_rows_sql())
            source = f"fb_{self.name}_new"
            cursor.execute(f"ANALYZE {source}")
        cursor.execute(self.stored_sql())
        if not cursor.fetchone()[0]:  # nothing stored for these teams (a first fill)
            cursor.execute(self.insert(source))
            written, deleted = cursor.rowcount, 0
        else:
            cursor.execute(self.delete(source))
            deleted = cursor.rowcount
            cursor.execute(self.update(source))
            written = cursor.rowcount
            cursor.execute(self.missing_sql(source))
            if cursor.rowcount:
                cursor.execute(self.insert(f"fb_{self.name}_missing"))
                written += cursor.rowcount
        if written + deleted >= ANALYZE_AFTER_ROWS:
            # The next run plans its joins on these statistics (autovacuum may be off).
            cursor.execute(f"ANALYZE {self.table}")
        return compared, written, deleted


TEAM_SYNC = _Sync(
    name="team",
    table="activities_teamfigures",
    rows="fb_team_rows",
    key={column: f"r.{column}" for column in ["team_id", "kind", "year", "month"]},
    values={column: f"r.{column}" for column in TEAM_FIGURE_FIELDS},
    digest_column="team_rows_digest",
    # (year, month) tells the kind: (0, 0) all time, (y, 0) a year, (y, m) a month.
    digest_of=[
        "r.year * 100 + r.month",
        *(
            f"r.{column} * {scale}"
            for column, scale in [
                ("activities", 1),
                ("activity_hours", 10),
                ("participant_times", 1),
                ("person_hours", 10),
                ("registered_volunteers", 1),
                ("volunteers_at_end", 1),
                ("people_reached", 1),
                ("materials_distributed", 1),
                ("households_visited", 1),
                ("donation_yuan", 100),
            ]
        ),
    ],
)
MEMBER_SYNC = _Sync(
    name="member",
    table="activities_memberyearfigures",
    rows="fb_member_year",
    # A member's rows are all of one team: the member's participations are in it.
    key={"member_id": "r.member_id", "year": "r.year"},
    values=_MEMBER_VALUES,
    digest_column="member_rows_digest",
    # The totals are the sums of the months.
    digest_of=[
        "r.member_id",
        "r.year",
        *(f"r.n{m}" for m in MONTHS),
        *(f"r.t{m}" for m in MONTHS),
    ],
)
SYNCS = [TEAM_SYNC, MEMBER_SYNC]


def figures_recompute_all(
    *,
    team_ids: list[int] | None = None,
    now: datetime.datetime | None = None,
    compare_every_row: bool = False,
) -> BulkFigures:
    """Recompute the figures of every team (or of ``team_ids``) in one transaction.

    The same rows as ``stats.team_figures_recompute`` for each team; a team whose
    figures a per-team run wrote after this run started is left alone (never an
    older run over a newer one), and a team changed while this ran stays stale.

    ``compare_every_row`` compares every stored row, whatever the digests say: after
    the summary tables were emptied or edited by hand (anything but the two
    recomputes), which the digests cannot know.
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
        "digest_seed": DIGEST_SEED,
        "compare_every_row": compare_every_row,
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
        teams_written = cursor.rowcount
        cursor.execute("ANALYZE fb_write")
        cursor.execute(TEAM_ROWS_SQL, params)
        cursor.execute("ANALYZE fb_team_rows")
        counts = {sync.name: sync.run(cursor, params, teams_written) for sync in SYNCS}
        # Clear "stale" only where no change was noticed after this run began.
        cursor.execute(
            "UPDATE activities_teamfiguresstate f SET computed_at = %(started)s, "
            "stale = CASE WHEN f.requested_at IS NULL OR f.requested_at <= %(started)s "
            "THEN false ELSE f.stale END, "
            "team_rows_digest = t.digest, member_rows_digest = m.digest "
            "FROM fb_team_digest t JOIN fb_member_digest m ON m.team_id = t.team_id "
            "WHERE f.team_id = t.team_id",
            params,
        )
        teams = cursor.rowcount
        cursor.execute("SELECT team_id FROM fb_write ORDER BY team_id")
        written_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(TEMPORARY_TABLES)}")
        # What is computed from the figures in the same job (stats.figures_written).
        figures_written.send(sender=None, team_ids=written_ids)
        writing = time.perf_counter() - clock - computing
    return BulkFigures(
        teams=teams,
        team_rows=counts["team"][1],
        member_rows=counts["member"][1],
        rows_deleted=counts["team"][2] + counts["member"][2],
        skipped=skipped,
        teams_compared_team_rows=counts["team"][0],
        teams_compared_member_rows=counts["member"][0],
        seconds_computing=computing,
        seconds_writing=writing,
    )
