"""Reading the stored star levels for pages (docs/domain.md § Figures, Star volunteers)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _

from members.models import Member
from stars.models import LEVEL_NAMES, LEVELS


@dataclass(frozen=True)
class LevelCount:
    level: int
    name: str
    count: int


def level_counts(team_ids, *, today: datetime.date) -> dict[int, list[LevelCount]]:
    """For each team, its members registered today by stored level, five stars first
    (one grouped query). Members without a star, or without a stored level, are not
    counted."""
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    rows = (
        Member.objects.active_on(today)
        .filter(team_id__in=list(team_ids), star__level__gte=1)
        .values("team_id", "star__level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["team_id"]][row["star__level"]] = row["n"]
    return {
        team_id: [
            LevelCount(level, str(LEVEL_NAMES[level]), counts[team_id].get(level, 0))
            for level in reversed(LEVELS)
        ]
        for team_id in team_ids
    }


def level_counts_text(counts: list[LevelCount]) -> str:
    """五星 0人 四星 1人 三星 0人 二星 2人 一星 5人."""
    return " ".join(
        _("%(level)s %(count)d people") % {"level": c.name, "count": c.count} for c in counts
    )


def level_summary(region_ids, *, today: datetime.date) -> list[LevelCount]:
    """The members registered today in the teams of the regions, by stored level, five
    stars first (one grouped query): the region overview's summary."""
    counts = dict(
        Member.objects.active_on(today)
        .filter(team__region_id__in=list(region_ids), star__level__gte=1)
        .values("star__level")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("star__level", "n")
    )
    return [
        LevelCount(level, str(LEVEL_NAMES[level]), counts.get(level, 0))
        for level in reversed(LEVELS)
    ]
