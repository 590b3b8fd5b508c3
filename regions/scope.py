"""What every civilization-office page starts from: the admin's regions and the year.

Only region admins open these pages: anyone else signed in gets 403 (``admin_scope``);
a team outside the admin's regions is a 404, so its existence is not revealed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format

from regions.rows import OverviewRow
from teams.access import UserRoles, roles_for
from teams.models import Region, Team
from volunteer_site.listing import clean_year


@dataclass(frozen=True)
class AdminScope:
    regions: list[Region]
    region_ids: set[int]

    @property
    def names(self) -> str:
        return "、".join(region.full_name for region in self.regions)


def admin_roles(request: HttpRequest) -> UserRoles:
    """The user's roles, or 403 for anyone who is not a region admin."""
    roles = roles_for(request.user)
    if not roles.is_region_admin:
        raise PermissionDenied
    return roles


def admin_scope(request: HttpRequest) -> AdminScope:
    """The regions the user administers, or 403 for anyone who is not a region admin."""
    roles = admin_roles(request)
    return AdminScope(roles.admin_regions, roles.admin_region_ids())


def chosen_year(request: HttpRequest, years: list[int], today) -> int:
    return clean_year(request.GET.get("year"), years=years, default=today.year)


def computed_at(team: Team):
    """The team's last recompute (the figures rows carry no time of their own)."""
    if hasattr(team, "figures_computed_at"):  # annotated by teams_with_figures
        return team.figures_computed_at
    try:
        return team.figures_state.computed_at
    except ObjectDoesNotExist:
        return None


def computed_between(rows: list[OverviewRow]):
    times = [
        time
        for row in rows
        if row.figures is not None and (time := computed_at(row.team)) is not None
    ]
    return (min(times), max(times)) if times else None


def computed_text(rows: list[OverviewRow]) -> str:
    """When the rows' figures were computed, for an export's notes ("" when never)."""
    computed = computed_between(rows)
    if not computed:
        return ""
    first, last = (date_format(timezone.localtime(t), "Y-m-d H:i") for t in computed)
    return first if first == last else f"{first} – {last}"
