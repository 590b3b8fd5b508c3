"""The Celery application.

Tasks are idempotent (they recompute from the database), so a message is
acknowledged only after the task has run and is redelivered if the worker dies
mid-way: at once if only its pool process dies, after the broker's visibility
timeout (``CELERY_VISIBILITY_TIMEOUT``, settings.py) if the whole worker does.
The exception is a task that can run longer than that timeout (the nightly
reconcile): it is acknowledged when it starts, or the broker would hand it to a
second worker while the first still runs it. Every periodic schedule lives in
``BEAT_SCHEDULE`` below, nowhere else.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "volunteer_site.settings")

app = Celery("volunteer_site")
app.config_from_object("django.conf:settings", namespace="CELERY")

# The one place for periodic jobs (run by `celery beat`).
BEAT_SCHEDULE = {
    # Every team's figures checked and brought up to date: on PostgreSQL one
    # set-based recompute in the task (only changed rows are written); on the
    # embedded default the stale, missing or day-old teams, one task each.
    "reconcile-team-figures": {
        "task": "activities.reconcile_team_figures",
        "schedule": crontab(hour=2, minute=30),
    },
    # Runs every morning; sends only on the first working day of a month, and
    # never twice for the same month (compliance.reminders).
    "monthly-reminders": {
        "task": "compliance.send_monthly_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    "purge-audit-log": {
        "task": "volunteer_site.tasks.purge_audit_log",
        "schedule": crontab(hour=3, minute=15),
    },
    # Erases the personal data of applications rejected more than 180 days ago.
    "erase-rejected-applications": {
        "task": "applications.erase_rejected_applications",
        "schedule": crontab(hour=3, minute=45),
    },
    # Planned activities' occurrences for the next 28 days (planning.services),
    # idempotent: a missed or repeated run creates no gap and no duplicate.
    "create-planned-occurrences": {
        "task": "planning.create_occurrences",
        "schedule": crontab(hour=1, minute=20),
    },
    # The day-before reminder to everyone signed up for tomorrow's occurrences
    # (signups.notices); a sign-up is reminded once, whatever the number of runs.
    "signup-day-before-reminders": {
        "task": "signups.send_reminders",
        "schedule": crontab(hour=18, minute=0),
    },
    "beat-heartbeat": {
        "task": "volunteer_site.tasks.beat_heartbeat",
        "schedule": crontab(minute="*"),
    },
}

app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    timezone="Asia/Shanghai",
    enable_utc=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_soft_time_limit=120,
    task_time_limit=180,
    result_expires=3600,
    broker_connection_retry_on_startup=True,
    beat_schedule=BEAT_SCHEDULE,
)
app.autodiscover_tasks()
