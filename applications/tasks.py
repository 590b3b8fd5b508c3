"""Periodic jobs for applications (scheduled in volunteer_site/celery.py)."""

from celery import shared_task


@shared_task(name="applications.erase_rejected_applications")
def erase_rejected_applications() -> int:
    """Erase the personal data of applications rejected more than 180 days ago.
    Idempotent: rows already erased are left alone."""
    from applications.services import applications_erase_rejected

    return applications_erase_rejected()
