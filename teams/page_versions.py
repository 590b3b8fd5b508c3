"""Version counters for the kept signed-in pages, moved on by database triggers.

The activity list, the compliance review and the region overview cost 10–25 ms of
Python to render and are read far more often than their data changes. They are
kept in the cache (``volunteer_site/fragments.py``) under keys that include these
counters (``teams.models.PageVersion``):

* ``TEAM``, one per team: its activities, their participations (the list's
  participant counts), its monthly reviews and its figures' fill state;
* ``REGION``, one per region: its teams' rows, their figures' fill state (every
  recompute and every change noticed moves it) and their monthly reviews;
* ``GLOBAL`` (key 0): regions and service categories, which many pages show.

Triggers rather than signals, because the rows also change by bulk statements
(``bulk_create``, ``QuerySet.update``, imports, the set-based recompute) that send
no signals. Each trigger moves the counter in the transaction of the change, so
the counter and the data become visible together: a page rendered from a snapshot
without the change carries the old counter, and one with the change the new. Two
transactions moving the same counter take its row lock in turn, so each commit
leaves a number no page has been stored under before. Every transaction takes them
in one order — the team's before its region's, and on PostgreSQL the keys of one
statement in ascending order — so two writers never wait on each other in a circle.

On PostgreSQL the triggers run once per statement with transition tables (a bulk
insert of 120 participations moves the team's counter once), and a TRUNCATE moves
the global counter; SQLite has row triggers only (and no TRUNCATE: a DELETE without
WHERE runs them for each row). ``install`` is idempotent and runs from the migration and after
every ``migrate`` (SQLite drops a table's triggers when Django rebuilds it).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from teams.models import PageVersion

TEAM = PageVersion.Kind.TEAM.value
REGION = PageVersion.Kind.REGION.value
GLOBAL = PageVersion.Kind.GLOBAL.value
TABLE = PageVersion._meta.db_table

# For each table: the counters its changed rows move, as (kind, SQL selecting the keys
# from the changed rows ``{rows}``, a transition table).
_TEAM_REGION = "SELECT t.region_id FROM {rows} r JOIN teams_team t ON t.id = r.team_id"
POSTGRESQL_SOURCES: dict[str, list[tuple[int, str]]] = {
    "activities_activity": [(TEAM, "SELECT team_id FROM {rows}")],
    "activities_participation": [
        (
            TEAM,
            "SELECT a.team_id FROM (SELECT DISTINCT activity_id FROM {rows}) r "
            "JOIN activities_activity a ON a.id = r.activity_id",
        )
    ],
    "activities_monthlyreview": [(TEAM, "SELECT team_id FROM {rows}"), (REGION, _TEAM_REGION)],
    # The team's counter too, before the region's: every transaction then takes the
    # counters' locks in one order, team before region (no deadlock between a
    # sign-off that recomputes first and an activity saved meanwhile).
    "activities_teamfiguresstate": [(TEAM, "SELECT team_id FROM {rows}"), (REGION, _TEAM_REGION)],
    "teams_team": [(TEAM, "SELECT id FROM {rows}"), (REGION, "SELECT region_id FROM {rows}")],
    "teams_region": [(GLOBAL, "SELECT 0 FROM {rows}")],
    "teams_servicecategory": [(GLOBAL, "SELECT 0 FROM {rows}")],
    "teams_teamcategory": [(GLOBAL, "SELECT 0 FROM {rows}")],
}


def _pg_name(table: str) -> str:
    return f"pageversion_{table}"


# The triggers seed_bulk switches off while it copies rows in (teams/bulk.py).
BULK_LOAD_TRIGGERS = [
    (table, f"{_pg_name(table)}_insert")
    for table in ["activities_activity", "activities_participation"]
]


def _pg_bump(kind: int, keys_sql: str) -> str:
    # DISTINCT: ON CONFLICT may touch a row once per statement. ORDER BY: every
    # transaction takes the counters' row locks in the same order.
    return (
        f"INSERT INTO {TABLE} (kind, key, version) "  # noqa: S608 - our own SQL
        f"SELECT DISTINCT {kind}, k.key, 1 FROM ({keys_sql}) AS k(key) "
        f"WHERE k.key IS NOT NULL ORDER BY 2 "
        f"ON CONFLICT (kind, key) DO UPDATE SET version = {TABLE}.version + 1;"
    )


def _postgresql() -> list[str]:
    # TRUNCATE (by hand: the app never does) has no rows to name: it moves the global
    # counter, and with it every key.
    statements = [
        f"""
        CREATE OR REPLACE FUNCTION pageversion_truncated() RETURNS trigger AS $$
        BEGIN
            {_pg_bump(GLOBAL, "SELECT 0")}
            RETURN NULL;
        END
        $$ LANGUAGE plpgsql
        """
    ]
    for table, sources in POSTGRESQL_SOURCES.items():
        name = _pg_name(table)
        # One statement per kind, team before region, over the old and new rows alike.
        bumps = {
            operation: "\n".join(
                _pg_bump(kind, " UNION ".join(sql.format(rows=rows) for rows in tables))
                for kind, sql in sources
            )
            for operation, tables in [
                ("INSERT", ["new_rows"]),
                ("UPDATE", ["new_rows", "old_rows"]),
                ("DELETE", ["old_rows"]),
            ]
        }
        statements.append(
            f"""
            CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    {bumps["INSERT"]}
                ELSIF TG_OP = 'UPDATE' THEN
                    {bumps["UPDATE"]}
                ELSE
                    {bumps["DELETE"]}
                END IF;
                RETURN NULL;
            END
            $$ LANGUAGE plpgsql
            """
        )
        for event, referencing in [
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        ]:
            trigger = f"{name}_{event.lower()}"
            statements.append(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            statements.append(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {table} "
                f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
        statements.append(f"DROP TRIGGER IF EXISTS {name}_truncate ON {table}")
        statements.append(
            f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION pageversion_truncated()"
        )
    return statements


# SQLite: row triggers; ``{row}`` is NEW or OLD. (An INSERT … SELECT needs a WHERE
# before ON CONFLICT in SQLite's grammar: the outer WHERE below.)
SQLITE_SOURCES: dict[str, list[tuple[int, str]]] = {
    "activities_activity": [(TEAM, "SELECT {row}.team_id AS key")],
    "activities_participation": [
        (TEAM, "SELECT team_id AS key FROM activities_activity WHERE id = {row}.activity_id")
    ],
    "activities_monthlyreview": [
        (TEAM, "SELECT {row}.team_id AS key"),
        (REGION, "SELECT region_id AS key FROM teams_team WHERE id = {row}.team_id"),
    ],
    "activities_teamfiguresstate": [
        (TEAM, "SELECT {row}.team_id AS key"),
        (REGION, "SELECT region_id AS key FROM teams_team WHERE id = {row}.team_id"),
    ],
    "teams_team": [(TEAM, "SELECT {row}.id AS key"), (REGION, "SELECT {row}.region_id AS key")],
    "teams_region": [(GLOBAL, "SELECT 0 AS key")],
    "teams_servicecategory": [(GLOBAL, "SELECT 0 AS key")],
    "teams_teamcategory": [(GLOBAL, "SELECT 0 AS key")],
}


def _sqlite() -> list[str]:
    statements = []
    for table, sources in SQLITE_SOURCES.items():
        for event, rows in [("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"])]:
            trigger = f"pageversion_{table}_{event.lower()}"
            body = "\n".join(
                f"INSERT INTO {TABLE} (kind, key, version) "  # noqa: S608 - our own SQL
                f"SELECT {kind}, key, 1 FROM ({sql.format(row=row)}) "
                f"WHERE key IS NOT NULL "
                f"ON CONFLICT (kind, key) DO UPDATE SET version = version + 1;"
                for row in rows
                for kind, sql in sources
            )
            statements.append(f"DROP TRIGGER IF EXISTS {trigger}")
            statements.append(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {table} FOR EACH ROW BEGIN {body} END"
            )
    return statements


def install(using_connection) -> None:
    builders = {"postgresql": _postgresql, "sqlite": _sqlite}
    if using_connection.vendor not in builders:
        raise NotImplementedError(f"No triggers written for {using_connection.vendor}")
    with using_connection.cursor() as cursor:
        for statement in builders[using_connection.vendor]():
            cursor.execute(statement)


def install_from_migration(apps, schema_editor) -> None:
    install(schema_editor.connection)


def install_after_migrate(sender, using, **kwargs) -> None:
    from django.db import connections

    using_connection = connections[using]
    tables = set(using_connection.introspection.table_names())
    if {TABLE, *POSTGRESQL_SOURCES} <= tables:
        install(using_connection)


# --- Reading the counters ---------------------------------------------------------------------


def team_version(team_id: int) -> tuple[int, int]:
    """The team's counter and the global one (0 where no row was written yet)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT kind, version FROM teams_pageversion "
            "WHERE (kind = %s AND key = %s) OR (kind = %s AND key = 0)",
            [TEAM, team_id, GLOBAL],
        )
        found = dict(cursor.fetchall())
    return found.get(TEAM, 0), found.get(GLOBAL, 0)


def regions_version(root_ids: Iterable[int]) -> int:
    """One number that moves whenever anything shown of the teams under these regions
    changes: the sum of the counters of the regions and all below them, and the global
    one (each only grows, so the sum grows with any of them). The tree is walked in the
    same statement; a change to it moves the global counter."""
    ids = sorted(root_ids)
    marks = ", ".join(["%s"] * len(ids)) or "NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE tree(id) AS ("  # noqa: S608 - marks only
            f"  SELECT id FROM teams_region WHERE id IN ({marks})"
            "  UNION SELECT r.id FROM teams_region r JOIN tree ON r.parent_id = tree.id"
            ") SELECT COALESCE(SUM(version), 0) FROM teams_pageversion "
            "WHERE (kind = %s AND key IN (SELECT id FROM tree)) OR (kind = %s AND key = 0)",
            [*ids, REGION, GLOBAL],
        )
        return int(cursor.fetchone()[0])
