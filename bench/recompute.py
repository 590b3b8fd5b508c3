"""How long the figures take to compute, against the raw GROUP BY floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volunteer_bench \\
        .venv/bin/python bench/recompute.py            # after manage.py seed_bulk
    .venv/bin/python bench/recompute.py --smoke        # tiny, throw-away database

1. Every team's figures (``stats_bulk.figures_recompute_all``) against the floor:
   the raw GROUP BY queries that yield every number the summary tables hold
   (approved activities by team and month; their participations by team and month
   and by member and month; members by team and month of joining and leaving), each
   aggregated completely on the server and nothing written. Run alternately, the
   best of each counts. The per-team recompute (``stats.team_figures_recompute``)
   is timed on a sample and extrapolated, to show why the set-based path exists.
2. One team's recompute after an approval (the reference team: 200 members, 3
   years), against the same floor queries for that team alone.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import heading, line, main_wrapper, ms, reference_team, summary, timed  # noqa: E402

TARGET_FULL = 1.5
SUMMARY_TABLES = ["activities_teamfigures", "activities_memberyearfigures"]
TARGET_ONE_TEAM_MS = 50
_MONTH = "date_trunc('month', {0})"
FLOOR_SQL = [
    # Approved activities by team and month, with every sum the figures hold.
    """SELECT COUNT(*), SUM(n), SUM(hours), SUM(people), SUM(materials), SUM(households),
              SUM(donation) FROM (
         SELECT a.team_id, date_trunc('month', a.start_date), COUNT(*) AS n, SUM(a.hours) AS hours,
                SUM(a.people_reached) AS people, SUM(a.materials_distributed) AS materials,
                SUM(a.households_visited) AS households, SUM(a.donation_yuan) AS donation
           FROM activities_activity a WHERE a.status = 'approved'{team}
          GROUP BY 1, 2) x""",
    # Their participations by team and month.
    """SELECT COUNT(*), SUM(n), SUM(hours) FROM (
         SELECT a.team_id, date_trunc('month', a.start_date), COUNT(*) AS n, SUM(p.hours) AS hours
           FROM activities_participation p JOIN activities_activity a ON a.id = p.activity_id
          WHERE a.status = 'approved'{team} GROUP BY 1, 2) x""",
    # And by member and month (the members' figures).
    """SELECT COUNT(*), SUM(n), SUM(hours) FROM (
         SELECT p.member_id, date_trunc('month', a.start_date), COUNT(*) AS n,
                SUM(p.hours) AS hours
           FROM activities_participation p JOIN activities_activity a ON a.id = p.activity_id
          WHERE a.status = 'approved'{team} GROUP BY 1, 2) x""",
    # Members by team and month of joining and leaving (registered volunteers).
    """SELECT COUNT(*), SUM(n) FROM (
         SELECT m.team_id, date_trunc('month', m.registered_on), date_trunc('month', m.left_on),
                COUNT(*) AS n
           FROM members_member m WHERE TRUE{member_team} GROUP BY 1, 2, 3) x""",
]


def floor(team_id: int | None = None) -> float:
    """Seconds for the floor queries (for every team, or one), in one transaction."""
    from django.db import connection, transaction

    from activities.stats_bulk import WORK_MEM

    team = "" if team_id is None else f" AND a.team_id = {int(team_id)}"
    member_team = "" if team_id is None else f" AND m.team_id = {int(team_id)}"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        for statement in FLOOR_SQL:
            cursor.execute(statement.format(team=team, member_team=member_team))
            cursor.fetchall()
    return time.perf_counter() - started


def full_recompute(*, repeat: int, sample: int) -> dict:
    from activities.models import MemberYearFigures, Participation, TeamFigures
    from activities.stats import team_figures_recompute
    from activities.stats_bulk import figures_recompute_all
    from teams.models import Team

    heading("Every team's figures: set-based recompute vs. the raw GROUP BY floor")
    teams = Team.objects.count()
    line("teams / participations", f"{teams} / {Participation.objects.count()}")
    floors, recomputes, results = [], [], []
    for _ in range(repeat):
        _vacuum()
        floors.append(floor())
        seconds, result = timed(figures_recompute_all)
        recomputes.append(seconds)
        results.append(result)
    best_floor, best = min(floors), min(recomputes)
    result = results[recomputes.index(best)]
    line("floor (raw GROUP BY, best)", f"{best_floor:.2f} s   runs: {_list(floors)}")
    line("figures_recompute_all (best)", f"{best:.2f} s   runs: {_list(recomputes)}")
    line(
        "rows written (team / member-year)",
        f"{result.team_rows} / {result.member_rows} "
        f"(tables now {TeamFigures.objects.count()} / {MemberYearFigures.objects.count()})",
    )
    ratio = best / best_floor
    line("ratio (target <= 1.5x)", f"{ratio:.2f}x  {'OK' if ratio <= TARGET_FULL else 'MISSED'}")
    line(
        "  of which computing / writing",
        f"{result.seconds_computing:.2f} s ({result.seconds_computing / best_floor:.2f}x floor)"
        f" / {result.seconds_writing:.2f} s",
    )
    result_dict = {
        "floor": best_floor,
        "recompute": best,
        "ratio": ratio,
        "computing": result.seconds_computing,
        "writing": result.seconds_writing,
    }
    if not sample:
        return result_dict
    # The per-team path, on a sample of teams (it rewrites their rows: harmless).
    ids = list(Team.objects.order_by("pk").values_list("pk", flat=True)[:sample])
    seconds, _ = timed(lambda: [team_figures_recompute(team_id=pk) for pk in ids])
    per_team = seconds / len(ids)
    line(
        "per-team recompute, every team (extrapolated)",
        f"{per_team * teams:.1f} s  ({ms(per_team)} a team, {len(ids)} sampled)",
    )
    return {**result_dict, "per_team_all": per_team * teams}


def _vacuum() -> None:
    """What autovacuum does between two nightly recomputes (it is off on some servers):
    without it every full recompute leaves a dead copy of every row behind."""
    from django.db import connection

    if connection.in_atomic_block:  # under a test's transaction: cannot, need not
        return
    with connection.cursor() as cursor:
        for table in SUMMARY_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def _list(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def one_team(*, repeat: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from activities import services
    from activities.models import Activity, ActivityStatus, Participation
    from activities.stats import team_figures_recompute

    team = reference_team()
    heading(f"One team's recompute after an approval ({team.slug})")
    members = team.members.count()
    participations = Participation.objects.filter(activity__team=team).count()
    years = team.activities.dates("start_date", "year").count()
    line("members / years / participations", f"{members} / {years} / {participations}")
    activity = (
        Activity.objects.filter(team=team, status=ActivityStatus.SUBMITTED)
        .order_by("-start_date")
        .first()
    )
    approved_before = activity is None
    if activity is None:  # nothing awaiting: approve a reopened copy of the latest
        activity = team.activities.filter(status=ActivityStatus.APPROVED).latest("start_date")
        Activity.objects.filter(pk=activity.pk).update(
            status=ActivityStatus.SUBMITTED, approved_at=None
        )
    user, _ = get_user_model().objects.get_or_create(username="bench-secretary")
    # The approval itself, with the recompute its commit triggers (in-process
    # without a broker, as `make run`).
    with CaptureQueriesContext(connection) as queries:
        seconds, _ = timed(lambda: services.activity_approve(activity=activity, by=user))
    line("approve + recompute on commit", f"{ms(seconds)}  ({len(queries)} queries)")
    times = []
    for _ in range(repeat):
        seconds, _ = timed(lambda: team_figures_recompute(team_id=team.pk))
        times.append(seconds)
    with CaptureQueriesContext(connection) as queries:
        team_figures_recompute(team_id=team.pk)
    floors = [floor(team.pk) for _ in range(repeat)]
    recompute, floor_ = summary(times), summary(floors)
    line(
        "team_figures_recompute (median / p95)",
        f"{ms(recompute['median'])} / {ms(recompute['p95'])}  ({len(queries)} queries)",
    )
    line("floor for this team (median)", ms(floor_["median"]))
    ok = recompute["median"] * 1000 <= TARGET_ONE_TEAM_MS
    line("target <= 50 ms", "OK" if ok else "MISSED")
    # Put the activity back as it was, and its figures.
    Activity.objects.filter(pk=activity.pk).update(
        status=ActivityStatus.APPROVED if approved_before else ActivityStatus.SUBMITTED,
        approved_at=activity.approved_at if approved_before else None,
    )
    team_figures_recompute(team_id=team.pk)
    return {"median_ms": recompute["median"] * 1000, "floor_ms": floor_["median"] * 1000}


# The summary tables' indexes that another index already covers (Django's automatic
# foreign-key indexes), for --what-if-storage.
REDUNDANT_INDEXES = {
    "activities_memberyearfigures": ["member_id", "team_id"],  # (member, year), (team, year)
    "activities_teamfigures": ["team_id"],  # (team, kind, year, month)
}


def what_if_storage(*, repeat: int) -> dict:
    """The full recompute again with the summary tables stored for rewriting: half-full
    pages (fillfactor 50, so an updated row fits beside its old version: a "HOT"
    update, no index touched) and without their redundant single-column indexes.

    Changes this database's schema outside the migrations, then puts it back.
    """
    from django.db import connection

    heading("What if: summary tables with fillfactor 50, without redundant indexes")
    dropped = []
    with connection.cursor() as cursor:
        for table, columns in REDUNDANT_INDEXES.items():
            cursor.execute(f"ALTER TABLE {table} SET (fillfactor = 50)")
            for column in columns:
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                    "FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                    "AND a.attnum = i.indkey[0] WHERE i.indrelid = %s::regclass "
                    "AND i.indnatts = 1 AND a.attname = %s",
                    [table, column],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f"DROP INDEX {name}")
                    dropped.append(definition)
            cursor.execute(f"VACUUM FULL {table}")  # rewrite at the new fillfactor
    try:
        return full_recompute(repeat=repeat, sample=0)
    finally:
        with connection.cursor() as cursor:
            for definition in dropped:
                cursor.execute(definition)
            for table in REDUNDANT_INDEXES:
                cursor.execute(f"ALTER TABLE {table} RESET (fillfactor)")
                cursor.execute(f"VACUUM FULL {table}")


def run(*, smoke: bool, what_if_storage: bool = False) -> dict:
    results = {
        "full": full_recompute(repeat=1 if smoke else 2, sample=3 if smoke else 100),
        "one_team": one_team(repeat=3 if smoke else 30),
    }
    if what_if_storage:
        results["what_if_storage"] = globals()["what_if_storage"](repeat=1 if smoke else 2)
    return results


if __name__ == "__main__":
    main_wrapper(
        run,
        sys.argv[1:],
        __doc__.splitlines()[0],
        {"--what-if-storage": "also time it with fillfactor 50 and no redundant indexes"},
    )
