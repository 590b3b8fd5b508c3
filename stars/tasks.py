"""Celery tasks for the star levels: thin, taking ids (docs/domain.md § Figures).

The levels are written with the figures (``stars.signals``); this task covers the
other cause of a change, a region's thresholds.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from activities.tasks import RECONCILE_SOFT_TIME_LIMIT
from stars.services import team_stars_recompute
from teams.models import Region, Team

logger = logging.getLogger(__name__)


# A province's thresholds reach every team of the province (10,000 at province scale,
# docs/performance.md): as long as the nightly reconcile, not one team's 180 s. So,
# like the reconcile, it is acknowledged when it starts: a late acknowledgement would
# have the broker hand a long run to a second worker. If its worker dies, the levels
# catch up with the teams' next figures recompute (the nightly one at the latest).
@shared_task(
    name="stars.recompute_region_stars",
    acks_late=False,
    ignore_result=True,
    soft_time_limit=RECONCILE_SOFT_TIME_LIMIT,
    time_limit=RECONCILE_SOFT_TIME_LIMIT + 5 * 60,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=6,
)
def recompute_region_stars(region_id: int) -> int:
    """Recompute the levels of every team in the region's subtree (idempotent)."""
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        return 0
    team_ids = Team.objects.filter(region_id__in=region.subtree_ids()).values_list("pk", flat=True)
    return team_stars_recompute(team_ids=list(team_ids))


def enqueue_region_stars(region_id: int) -> None:
    """Queue the recompute; never raises. If the broker is down the levels catch up
    with the teams' next figures recompute (the nightly one at the latest)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        recompute_region_stars.apply(args=[region_id])
        return
    try:
        recompute_region_stars.delay(region_id)
    except Exception:
        logger.warning("could not queue the star levels of region %s", region_id, exc_info=True)
