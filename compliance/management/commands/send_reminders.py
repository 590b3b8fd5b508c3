"""Send last month's reminders by hand (the daily Celery beat job does it on its own)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from compliance.reminders import first_working_day, reminders_send


class Command(BaseCommand):
    help = (
        "Send the monthly reminders about last month. Without --force-day nothing is sent "
        "unless the date is the first working day of its month. Nothing is ever sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD).")
        parser.add_argument(
            "--force-day",
            action="store_true",
            help="Send even if the date is not the first working day of its month.",
        )

    def handle(self, *args, date=None, force_day=False, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD: {error}") from error
        result = reminders_send(today=today, force_day=force_day)
        if not result.ran:
            first = first_working_day(result.day.year, result.day.month)
            self.stdout.write(
                f"{result.day} is not the first working day of its month ({first}); "
                "nothing sent. Use --force-day to send anyway."
            )
            return
        self.stdout.write(
            f"Reminders for {result.year}-{result.month:02d}: {len(result.sent)} sent, "
            f"{len(result.skipped)} already sent before, {len(result.failed)} failed; "
            f"{len(result.teams_without_anyone_behind)} team(s) with nobody behind."
        )
        for slug, kind, recipient in result.failed:
            self.stderr.write(f"failed: {slug} {kind} {recipient}")
        if result.failed:
            raise CommandError("Some reminders could not be sent; run again to retry them.")
