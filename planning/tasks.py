"""Celery tasks for planned activities: thin and idempotent."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from planning.services import occurrences_create_ahead


@shared_task(
    name="planning.create_occurrences",
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=6,
)
def create_occurrences() -> int:
    """Occurrences of every published planned activity in the rolling window."""
    return occurrences_create_ahead()
