"""The star levels are written with the figures: in the recompute's transaction, from
the member-year rows it has just written (``activities.stats.figures_written``); and
recomputed for a region's teams in a task once its thresholds change."""

from django.dispatch import receiver

from activities.stats import figures_written
from stars.services import team_stars_recompute, thresholds_changed
from stars.tasks import enqueue_region_stars


@receiver(figures_written, dispatch_uid="stars-figures-written")
def figures_written_levels(sender, team_ids, **kwargs) -> None:
    team_stars_recompute(team_ids=team_ids)


@receiver(thresholds_changed, dispatch_uid="stars-thresholds-changed")
def thresholds_changed_levels(sender, region_id, **kwargs) -> None:
    enqueue_region_stars(region_id)
