"""``manage.py seed_bulk``: a province of synthetic teams for benchmarks (demo/bulk.py)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from demo.bulk import BulkSeedError, bulk_seed


class Command(BaseCommand):
    help = (
        "载入省级规模的模拟数据（仅 PostgreSQL，只能载入一次）。 "
        "Load a province of synthetic teams, members and activities (PostgreSQL only, "
        "into a fresh database), then compute every team's figures."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--teams", type=int, default=100, help="Number of teams (100).")
        parser.add_argument(
            "--members-per-team", type=int, default=120, help="Average team size (120)."
        )
        parser.add_argument("--years", type=int, default=3, help="Years of activities (3).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (1).")
        parser.add_argument(
            "--until",
            type=datetime.date.fromisoformat,
            default=None,
            help="Last day of the data, YYYY-MM-DD (today). Same seed and day: same data.",
        )
        parser.add_argument("--no-figures", action="store_true", help="Skip computing the figures.")

    def handle(self, *args, **options) -> None:
        try:
            result = bulk_seed(
                teams=options["teams"],
                members_per_team=options["members_per_team"],
                years=options["years"],
                seed=options["seed"],
                until=options["until"],
                figures=not options["no_figures"],
                progress=self.stdout.write,
            )
        except BulkSeedError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"服务队 teams {result.teams} · 队员 members {result.members} · "
                f"活动 activities {result.activities} · "
                f"服务记录 participations {result.participations} · "
                f"用时 {result.total_seconds:.1f} s"
            )
        )
