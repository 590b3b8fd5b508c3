"""How long the figures take to compute, against the raw GROUP BY floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volunteer_bench \\
        .venv/bin/python bench/recompute.py            # after manage.py seed_bulk
    .venv/bin/python bench/recompute.py --smoke        # tiny, throw-away database

1. Every team's figures (``stats_bulk.figures_recompute_all``) against the floor:
   the raw GROUP BY queries that yield every number the summary tables hold
   (approved activities by team and month; their participations by team and month
   and by member and month; members by team and month of joining and leaving), each
   aggregated completely on the server and nothing written. Three cases, each run
   alternately with the floor (the best of each counts):

   a. unchanged: nothing changed since the last run (the nightly reconcile);
   b. changed: before each run 1 % of the teams get a new approved activity this
      month with ten participants (a day's approvals; removed again at the end);
   c. from empty: the summary tables emptied first (a new database, a bulk load).

   The per-team recompute (``stats.team_figures_recompute``) is timed on a sample
   and extrapolated, to show why the set-based path exists.
2. One team's recompute after an approval (the reference team: 200 members, 3
   years), against the same floor queries for that team alone.
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
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


CHANGED_SHARE = 0.01  # of the teams, with a new approved activity before a run
CHANGED_PARTICIPANTS = 10
BENCH_TITLE = "bench/recompute.py: a new activity"


def full_recompute(*, repeat: int, sample: int) -> dict:
    from activities.models import Participation
    from activities.stats import team_figures_recompute
    from activities.stats_bulk import figures_recompute_all
    from teams.models import Team

    heading("Every team's figures: set-based recompute vs. the raw GROUP BY floor")
    teams = Team.objects.count()
    line("teams / participations", f"{teams} / {Participation.objects.count()}")
    # Bring the figures and the fill state up to date first (not timed).
    seconds, result = timed(figures_recompute_all)
    line("first run (not counted)", f"{seconds:.2f} s  {_written(result)}")
    changed = _ChangedTeams(teams)
    try:
        # From empty first: the other cases then read tables as a fill leaves them.
        empty = _case("c. from empty", max(1, repeat - 1), lambda run: _empty())
        results = {
            "unchanged": _case("a. unchanged (the nightly case)", repeat, lambda run: None),
            "changed": _case(
                f"b. {CHANGED_SHARE:.0%} of the teams with a new activity",
                repeat,
                changed.add,
            ),
            "empty": empty,
        }
    finally:
        changed.remove()
    if not sample:
        return results
    # The per-team path, on a sample of teams (their figures are current: nothing written).
    ids = list(Team.objects.order_by("pk").values_list("pk", flat=True)[:sample])
    seconds, _ = timed(lambda: [team_figures_recompute(team_id=pk) for pk in ids])
    per_team = seconds / len(ids)
    line(
        "per-team recompute, every team (extrapolated)",
        f"{per_team * teams:.1f} s  ({ms(per_team)} a team, {len(ids)} sampled)",
    )
    return {**results, "per_team_all": per_team * teams}


def _case(name: str, repeat: int, prepare) -> dict:
    """Alternately the floor and the recompute, each after ``prepare`` (untimed)."""
    import os

    from activities.stats_bulk import figures_recompute_all

    floors, recomputes, results, loads = [], [], [], []
    for run in range(repeat):
        prepare(run)
        _vacuum()
        floors.append(floor())
        seconds, result = timed(figures_recompute_all)
        recomputes.append(seconds)
        results.append(result)
        loads.append(os.getloadavg()[0])
    best_floor, best = min(floors), min(recomputes)
    result = results[recomputes.index(best)]
    ratio = best / best_floor
    print(f"  {name}", flush=True)
    line("  floor (raw GROUP BY, best)", f"{best_floor:.2f} s   runs: {_list(floors)}")
    line("  figures_recompute_all (best)", f"{best:.2f} s   runs: {_list(recomputes)}")
    line("  ratio (target <= 1.5x)", f"{ratio:.2f}x  {'OK' if ratio <= TARGET_FULL else 'MISSED'}")
    # The rest is the commit: the deferred foreign-key checks of every row inserted.
    commit = best - result.seconds_computing - result.seconds_writing
    line(
        "  computing / comparing and writing / commit",
        f"{result.seconds_computing:.2f} s ({result.seconds_computing / best_floor:.2f}x floor)"
        f" / {result.seconds_writing:.2f} s / {commit:.2f} s",
    )
    line("  written", _written(result))
    line("  load average during the runs", _list(loads))
    return {
        "floor": best_floor,
        "recompute": best,
        "ratio": ratio,
        "computing": result.seconds_computing,
        "writing": result.seconds_writing,
        "commit": commit,
        "team_rows": result.team_rows,
        "member_rows": result.member_rows,
        "rows_deleted": result.rows_deleted,
    }


def _written(result) -> str:
    return (
        f"{result.team_rows} team / {result.member_rows} member-year rows, "
        f"{result.rows_deleted} deleted; rows compared for {result.teams_compared_team_rows}"
        f" / {result.teams_compared_member_rows} of {result.teams} teams"
    )


class _ChangedTeams:
    """Before each run a different 1 % of the teams get a new approved activity this
    month, with up to ten of their members (a day's approvals); removed at the end."""

    def __init__(self, teams: int):
        self.count = max(1, round(teams * CHANGED_SHARE))
        self.activity_ids: list[int] = []
        self.last_team_id = 0

    def add(self, run: int) -> None:
        """Each run takes the next teams in order."""
        from django.db import transaction
        from django.db.models import Q
        from django.utils import timezone

        from activities.models import Activity, ActivityStatus, Participation
        from members.models import Member
        from teams.models import Team

        today = timezone.localdate()
        present = Member.objects.filter(registered_on__lte=today).filter(
            Q(left_on__isnull=True) | Q(left_on__gte=today)
        )
        categories: dict[int, int] = {}
        members: dict[int, list[int]] = {}
        # The next teams in order that have members today and a category in use.
        while len(categories) < self.count:
            chunk = list(
                Team.objects.filter(pk__gt=self.last_team_id)
                .order_by("pk")
                .values_list("pk", flat=True)[: self.count * 2]
            )
            if not chunk:
                break
            self.last_team_id = chunk[-1]
            used = dict(
                Activity.objects.filter(team_id__in=chunk)
                .order_by("team_id")
                .distinct("team_id")
                .values_list("team_id", "category_id")
            )
            found: dict[int, list[int]] = {}
            for team_id, member_id in (
                present.filter(team_id__in=chunk).order_by("pk").values_list("team_id", "pk")
            ):
                found.setdefault(team_id, []).append(member_id)
            for team_id in chunk:
                if len(categories) < self.count and team_id in used and team_id in found:
                    categories[team_id] = used[team_id]
                    members[team_id] = found[team_id][:CHANGED_PARTICIPANTS]
        with transaction.atomic():
            made = Activity.objects.bulk_create(
                [
                    Activity(
                        team_id=team_id,
                        category_id=category_id,
                        title=BENCH_TITLE,
                        start_date=today,
                        end_date=today,
                        hours=Decimal("2.0"),
                        status=ActivityStatus.APPROVED,
                        approved_at=timezone.now(),
                    )
                    for team_id, category_id in categories.items()
                ]
            )
            Participation.objects.bulk_create(
                [
                    Participation(activity=activity, member_id=member_id, hours=Decimal("2.0"))
                    for activity in made
                    for member_id in members[activity.team_id]
                ]
            )
        self.activity_ids += [activity.pk for activity in made]

    def remove(self) -> None:
        """Delete the activities added, and bring the figures back (not timed)."""
        from django.db import connection, transaction

        from activities.stats_bulk import figures_recompute_all

        if not self.activity_ids:
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for table in ["activities_participation", "activities_activity"]:
                column = "activity_id" if table == "activities_participation" else "id"
                cursor.execute(
                    f"DELETE FROM {table} WHERE {column} = ANY(%s)",  # noqa: S608
                    [self.activity_ids],
                )
        self.activity_ids = []
        seconds, result = timed(figures_recompute_all)
        line("the added activities removed again", f"{seconds:.2f} s  {_written(result)}")


def _empty() -> None:
    """Both summary tables emptied, and the fill state's digests forgotten."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.in_atomic_block:  # under a test's transaction, with rows just written
            for table in SUMMARY_TABLES:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        else:
            cursor.execute(f"TRUNCATE {', '.join(SUMMARY_TABLES)}")
        cursor.execute(
            "UPDATE activities_teamfiguresstate "
            "SET team_rows_digest = NULL, member_rows_digest = NULL"
        )


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


def run(*, smoke: bool) -> dict:
    return {
        "full": full_recompute(repeat=1 if smoke else 3, sample=3 if smoke else 100),
        "one_team": one_team(repeat=3 if smoke else 30),
    }


if __name__ == "__main__":
    main_wrapper(run, sys.argv[1:], __doc__.splitlines()[0])
