"""Staff pages for planned activities (docs/domain.md § Entities, Planned activities).

Access (teams/access.py): the team's staff and secretary publish, list and
cancel; an admin of the team's region gets 403; everybody else 404.
"""

from __future__ import annotations

import datetime
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from planning import services
from planning.forms import PlannedActivityForm
from planning.models import Occurrence
from teams.access import team_for_staff
from volunteer_site.drafts import form_data, login_required_keeping_drafts


@login_required
def planned_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's occurrences of the next four weeks, grouped by week (Monday first)."""
    team = team_for_staff(request.user, slug)
    now = timezone.now()
    today = timezone.localdate(now)
    until = today + datetime.timedelta(days=services.WINDOW_DAYS)
    occurrences = (
        Occurrence.objects.filter(planned_activity__team=team, ends_at__gt=now, date__lte=until)
        .select_related("planned_activity", "planned_activity__category")
        .order_by("starts_at", "pk")
    )

    def monday(occurrence):
        return occurrence.date - datetime.timedelta(days=occurrence.date.weekday())

    weeks = [(start, list(rows)) for start, rows in groupby(occurrences, key=monday)]
    return render(
        request,
        "planning/planned_list.html",
        {"team": team, "weeks": weeks, "today": today, "until": until},
    )


@login_required_keeping_drafts
def planned_create(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_staff(request.user, slug)
    form = PlannedActivityForm(form_data(request), team=team)
    if request.method == "POST" and form.is_valid():
        planned = form.save(commit=False)
        services.planned_activity_publish(planned=planned, by=request.user)
        messages.success(request, _("The planned activity was published."))
        return redirect("planning:list", slug=team.slug)
    return render(request, "planning/planned_form.html", {"team": team, "form": form})


@login_required
@require_POST
def occurrence_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_staff(request.user, slug)
    occurrence = get_object_or_404(Occurrence, pk=pk, planned_activity__team=team)
    try:
        services.occurrence_cancel(occurrence=occurrence)
    except services.OccurrenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The occurrence was cancelled."))
    return redirect("planning:list", slug=team.slug)
