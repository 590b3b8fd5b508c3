"""Celery tasks for the figures, and queuing them when a change affects a team's figures.

Thin: the tasks take ids and call ``activities.stats``, which knows nothing of the queue.
"""

from __future__ import annotations

import logging
import threading
from functools import partial

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection, transaction

from activities import stats

logger = logging.getLogger(__name__)

# Changes to one team within this many seconds share one recompute.
COALESCE_SECONDS = 2
# The nightly set-based recompute of every team takes tens of seconds at province
# scale (10,000 teams; docs/performance.md); the default limits
# (volunteer_site/celery.py) are for one team's recompute.
RECONCILE_SOFT_TIME_LIMIT = 30 * 60


# The per-team recompute is idempotent and short (the default 180 s limit, below
# the broker's visibility timeout): acknowledged only once it has run, so a task
# whose worker dies is delivered again (CELERY_VISIBILITY_TIMEOUT; at once when
# only the pool process dies). Nobody reads its result: none is stored, so queueing
# it touches only the broker.
@shared_task(
    name="activities.recompute_team_figures",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=6,
)
def recompute_team_figures(team_id: int) -> bool:
    """Recompute one team's figures, unless a later run already covered the change."""
    return stats.team_figures_recompute(team_id=team_id, only_if_stale=True)


# Acknowledged when it starts, not when it ends: it runs for up to 35 minutes,
# longer than the broker's visibility timeout, so a late acknowledgement would
# have the broker hand it to a second worker while the first still runs it. If
# its worker dies, that night's run is lost; the next night's (or
# `manage.py recompute_stats`) catches up, and changed teams have their own
# queued recomputes meanwhile.
@shared_task(
    name="activities.reconcile_team_figures",
    acks_late=False,
    soft_time_limit=RECONCILE_SOFT_TIME_LIMIT,
    time_limit=RECONCILE_SOFT_TIME_LIMIT + 5 * 60,
)
def reconcile_team_figures() -> int:
    """Nightly: bring every team's figures up to date. Returns the teams recomputed
    (PostgreSQL) or queued (elsewhere).

    The figures move with the calendar as well as with changes (a new month's row,
    the volunteers registered by today), so every team is due each night. On
    PostgreSQL that is one set-based transaction (``stats_bulk``) that writes only
    the rows that changed, instead of one task per team (10,000 at province scale);
    a team changed meanwhile stays stale for its own queued recompute. Elsewhere
    (the embedded SQLite default, a few teams) each team that is stale, missing or
    a day old gets its own recompute.
    """
    if connection.vendor == "postgresql":
        from activities.stats_bulk import figures_recompute_all

        result = figures_recompute_all()
        logger.info(
            "reconcile: %d team(s) recomputed in one transaction (%d skipped, newer): "
            "%d team and %d member-year rows written, %d deleted, %.1f s + %.1f s",
            result.teams,
            result.skipped,
            result.team_rows,
            result.member_rows,
            result.rows_deleted,
            result.seconds_computing,
            result.seconds_writing,
        )
        return result.teams
    team_ids = stats.teams_needing_recompute()
    for team_id in team_ids:
        recompute_team_figures.delay(team_id)
    logger.info("reconcile: %d team(s) queued for recomputing", len(team_ids))
    return len(team_ids)


def enqueue_team_recompute(team_id: int) -> None:
    """Queue a recompute for a team, at most one per team per coalescing window.

    Never raises: if Redis is down the team stays marked stale and the nightly
    reconcile (or ``manage.py recompute_stats``) brings its figures up to date.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # The embedded default: compute now, in this process (one per commit).
        recompute_team_figures.apply(args=[team_id])
        return
    key = f"figures-pending:{team_id}"
    try:
        if not cache.add(key, 1, timeout=COALESCE_SECONDS):
            return  # a recompute is already queued and will see this change
    except Exception:  # a Redis cache that is down: queue anyway
        logger.warning("cache unavailable while coalescing team %s", team_id, exc_info=True)
    try:
        # Run just after the window closes, so it sees every change made in it.
        recompute_team_figures.apply_async(args=[team_id], countdown=COALESCE_SECONDS + 1)
    except Exception:
        logger.warning(
            "could not queue the figures of team %s; left stale for the reconcile",
            team_id,
            exc_info=True,
        )
        try:
            cache.delete(key)
        except Exception:
            logger.debug("cache unavailable", exc_info=True)


# Teams asked for in this thread whose request has not yet been handled after a commit.
_pending = threading.local()


def _pending_teams() -> set[int]:
    if not hasattr(_pending, "teams"):
        _pending.teams = set()
    return _pending.teams


def figures_changed(*, team_id: int) -> None:
    """A change that affects the team's figures is being saved: mark them stale now (in
    the change's transaction) and, once it commits, recompute them (queued, or at once
    on the embedded default).

    One transaction that changes a team many times (a bulk approval) queues one
    recompute: the first of its commit callbacks handles the team, the others find it
    handled. A transaction rolled back leaves its team pending, to be handled by the
    team's next commit, which is harmless.
    """
    stats.team_figures_mark_stale(team_id=team_id)
    _pending_teams().add(team_id)
    transaction.on_commit(partial(_figures_changed_committed, team_id), robust=True)


def _figures_changed_committed(team_id: int) -> None:
    pending = _pending_teams()
    if team_id not in pending:
        return  # an earlier callback of this commit handled it
    pending.discard(team_id)
    stats.team_figures_note_committed(team_id=team_id)
    enqueue_team_recompute(team_id)
