"""The star-level rule, in one place (docs/domain.md § Figures, Star volunteers).

A team uses its region's own thresholds, else the nearest ancestor region's that has
its own, else the defaults (100, 300, 600, 1000, 1500 hours). A member's level is the
number of thresholds their all-time approved hours reach (≥).
"""

from __future__ import annotations

from decimal import Decimal

from stars.models import DEFAULT_THRESHOLDS, StarThresholds
from teams.models import Region

Thresholds = tuple[Decimal, ...]


def thresholds_for_regions(region_ids) -> dict[int, Thresholds]:
    """The thresholds in force for each region: its own, the nearest ancestor's, or the
    defaults. Two queries, whatever the number of regions."""
    parents = dict(Region.objects.values_list("pk", "parent_id"))
    own = {row.region_id: row.values for row in StarThresholds.objects.all()}
    found: dict[int, Thresholds] = {}
    for region_id in region_ids:
        node, seen = region_id, set()
        while node is not None and node not in own and node not in seen:
            seen.add(node)
            node = parents.get(node)
        found[region_id] = own.get(node, DEFAULT_THRESHOLDS)
    return found


def thresholds_for_region(region_id: int) -> Thresholds:
    return thresholds_for_regions([region_id])[region_id]


def thresholds_for_team(team) -> Thresholds:
    return thresholds_for_region(team.region_id)


def level_for(hours: Decimal, thresholds: Thresholds) -> int:
    """How many thresholds the hours reach: 0 (none) to 5."""
    return sum(1 for threshold in thresholds if hours >= threshold)


def next_threshold(level: int, thresholds: Thresholds) -> Decimal | None:
    """The hours the next level needs, or None at the top level."""
    return thresholds[level] if level < len(thresholds) else None
