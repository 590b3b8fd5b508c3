"""``manage.py recompute_stats``: bring the figures up to date now, in this process.

For an operator after an outage (Redis down, so changes were left stale) or after
an import: it calls the recompute service directly instead of queuing Celery
tasks, so it works without a broker and reports how long each team took.

``--every-row`` is for after the summary tables were emptied or edited by hand
(anything but the two recomputes): on PostgreSQL it runs the set-based recompute of
every team comparing every stored row, which the nightly run skips for teams whose
rows' digests did not change (activities/stats_bulk.py). The per-team recompute
compares every row of its team anyway, so on SQLite it is ``--all``.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from activities.stats import team_figures_recompute, teams_needing_recompute
from activities.stats_bulk import figures_recompute_all
from teams.models import Team


class Command(BaseCommand):
    help = (
        "重新计算统计数据：默认只算需要更新的服务队（已过期、缺失或超过一天）。 "
        "Recompute the figures; by default only the teams that need it "
        "(stale, missing or older than a day)."
    )

    def add_arguments(self, parser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--team", metavar="SLUG", help="Recompute this one team (its address name)."
        )
        which.add_argument("--all", action="store_true", help="Recompute every team, stale or not.")
        which.add_argument(
            "--every-row",
            action="store_true",
            help="Every team, comparing every stored row with what it should be "
            "(after the summary tables were emptied or edited by hand).",
        )

    def handle(self, *args, **options) -> None:
        if options["every_row"] and connection.vendor == "postgresql":
            self._every_row()
            return
        every_team = options["all"] or options["every_row"]
        teams = self._teams(slug=options["team"], every_team=every_team)
        if not teams:
            self.stdout.write("没有需要重新计算的服务队。 No team needs recomputing.")
            return
        started = time.perf_counter()
        done = 0
        for team in teams:
            team_started = time.perf_counter()
            if not team_figures_recompute(team_id=team.pk):
                # Deleted since the list was read.
                self.stdout.write(f"{team.name}: gone, skipped")
                continue
            done += 1
            self.stdout.write(f"{team.name}: computed in {_ms(team_started)} ms")
        total = _ms(started)
        self.stdout.write(
            self.style.SUCCESS(
                f"已重新计算 {done} 个服务队，用时 {total} ms。 "
                f"Recomputed {done} team(s) in {total} ms."
            )
        )

    def _every_row(self) -> None:
        started = time.perf_counter()
        result = figures_recompute_all(compare_every_row=True)
        total = _ms(started)
        rows = result.team_rows + result.member_rows
        self.stdout.write(
            self.style.SUCCESS(
                f"已重新计算 {result.teams} 个服务队，逐行核对；写入 {rows} 行，删除 "
                f"{result.rows_deleted} 行，用时 {total} ms。 "
                f"Recomputed {result.teams} team(s), every row compared: {rows} row(s) "
                f"written, {result.rows_deleted} deleted, in {total} ms."
            )
        )

    def _teams(self, *, slug: str | None, every_team: bool) -> list[Team]:
        if slug is not None:
            team = Team.objects.filter(slug=slug).first()
            if team is None:
                raise CommandError(
                    f"没有网址名称为“{slug}”的服务队。 No team has the address name “{slug}”."
                )
            return [team]
        teams = Team.objects.order_by("pk")
        if not every_team:
            teams = teams.filter(pk__in=teams_needing_recompute())
        return list(teams.only("pk", "name"))


def _ms(since: float) -> int:
    return round((time.perf_counter() - since) * 1000)
