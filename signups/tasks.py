"""Celery tasks for sign-up mails: thin, taking ids, safe to run twice (signups.notices)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from signups import notices

RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "max_retries": 6,
}


@shared_task(name="signups.send_moved_up", ignore_result=True, **RETRY)
def send_moved_up(signup_ids: list[int]) -> int:
    """Mail the people moved up from the waiting list."""
    return notices.moved_up_send(signup_ids)


@shared_task(name="signups.send_cancelled", ignore_result=True, **RETRY)
def send_cancelled(signup_ids: list[int]) -> int:
    """Mail the people whose occurrence was cancelled."""
    return notices.cancelled_send(signup_ids)


# Its result (the mails sent) is kept for an hour, to be looked at.
@shared_task(name="signups.send_reminders", **RETRY)
def send_reminders() -> int:
    """The day-before reminders (daily at 18:00, volunteer_site/celery.py)."""
    return notices.reminders_send()
