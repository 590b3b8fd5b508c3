"""The star levels are written with the figures: in the recompute's transaction, from
the member-year rows it has just written (``activities.stats.figures_written``)."""

from django.dispatch import receiver

from activities.stats import figures_written
from stars.services import team_stars_recompute


@receiver(figures_written, dispatch_uid="stars-figures-written")
def figures_written_levels(sender, team_ids, **kwargs) -> None:
    team_stars_recompute(team_ids=team_ids)
