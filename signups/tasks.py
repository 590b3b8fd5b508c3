"""Celery tasks for sign-up mails: thin, taking ids, safe to run twice (signups.notices);
and their queueing after the commit, which never raises."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction

from signups import notices

logger = logging.getLogger(__name__)

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


@shared_task(name="signups.send_removed", ignore_result=True, **RETRY)
def send_removed(signup_ids: list[int]) -> int:
    """Mail the people the team took off a list."""
    return notices.removed_send(signup_ids)


# Its result (the mails sent) is kept for an hour, to be looked at.
@shared_task(name="signups.send_reminders", **RETRY)
def send_reminders() -> int:
    """The day-before reminders (daily at 18:00, volunteer_site/celery.py)."""
    return notices.reminders_send()


def _queue(task_name: str, signup_ids: list[int]) -> None:
    """Queue a mail task with these ids once the current transaction commits; never raises."""

    def enqueue() -> None:
        task = globals()[task_name]
        try:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                task.apply(args=[signup_ids])
            else:
                task.delay(signup_ids)
        except Exception:
            logger.warning("sign-up mails %s %s not queued", task_name, signup_ids, exc_info=True)

    transaction.on_commit(enqueue, robust=True)


def queue_moved_up(signup_ids: list[int]) -> None:
    _queue("send_moved_up", signup_ids)


def queue_cancelled(signup_ids: list[int]) -> None:
    _queue("send_cancelled", signup_ids)


def queue_removed(signup_ids: list[int]) -> None:
    _queue("send_removed", signup_ids)
