"""The monthly reminders' task (scheduled in volunteer_site/celery.py)."""

from __future__ import annotations

import datetime

from celery import shared_task

from compliance.reminders import reminders_send


@shared_task(name="compliance.send_monthly_reminders")
def send_monthly_reminders(day: str | None = None) -> dict:
    """Daily (beat): on the first working day of a month, last month's reminders.

    ``day`` (an ISO date) stands in for today, for tests and runs by hand.
    """
    today = datetime.date.fromisoformat(day) if day else None
    return reminders_send(today=today).as_dict()
