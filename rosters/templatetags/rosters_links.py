"""Links to the rosters from pages of other apps (the planned list, the team home)."""

from __future__ import annotations

import datetime

from django import template
from django.db.models import Exists, OuterRef
from django.utils import timezone

from planning.models import Occurrence, PlannedActivity
from planning.services import WINDOW_DAYS
from rosters.models import SwapRequest, SwapStatus
from rosters.selectors import is_recurring

register = template.Library()


@register.simple_tag
def recurring_planned(team) -> list[PlannedActivity]:
    """The team's recurring planned activities with an occurrence in the planned list
    (not ended, within its window): each has a weekly roster."""
    now = timezone.now()
    until = timezone.localdate(now) + datetime.timedelta(days=WINDOW_DAYS)
    ahead = Occurrence.objects.filter(
        planned_activity=OuterRef("pk"), ends_at__gt=now, date__lte=until
    )
    rows = PlannedActivity.objects.filter(team=team, is_published=True).exclude(rule="")
    rows = rows.filter(Exists(ahead)).order_by("title", "pk")
    return [planned for planned in rows if is_recurring(planned)]


@register.simple_tag
def pending_swaps(team) -> int:
    """How many swap requests of the team wait for the secretary."""
    return SwapRequest.objects.filter(
        occurrence__planned_activity__team=team, status=SwapStatus.PENDING
    ).count()
