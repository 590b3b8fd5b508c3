"""Links to the rosters from pages of other apps (the planned list, the team home)."""

from __future__ import annotations

from django import template

from planning.models import PlannedActivity
from rosters.models import SwapRequest, SwapStatus
from rosters.selectors import is_recurring

register = template.Library()


@register.simple_tag
def recurring_planned(team) -> list[PlannedActivity]:
    """The team's published recurring planned activities that have not ended: each has
    a weekly roster."""
    from django.db.models import Q
    from django.utils import timezone

    today = timezone.localdate()
    rows = PlannedActivity.objects.filter(team=team, is_published=True).exclude(rule="")
    rows = rows.filter(Q(end_date__isnull=True) | Q(end_date__gte=today)).order_by("title", "pk")
    return [planned for planned in rows if is_recurring(planned)]


@register.simple_tag
def pending_swaps(team) -> int:
    """How many swap requests of the team wait for the secretary."""
    return SwapRequest.objects.filter(
        occurrence__planned_activity__team=team, status=SwapStatus.PENDING
    ).count()
