"""Staff pages for planned activities (docs/domain.md § Entities, Planned activities).

Access (teams/access.py): the team's staff and secretary publish, list and
cancel; an admin of the team's region gets 403; everybody else 404.
"""

from __future__ import annotations

import datetime
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from planning import services
from planning.forms import PlannedActivityForm, rule_summary
from planning.models import Occurrence, OccurrenceStatus, PlannedActivity
from teams.access import team_for_staff
from volunteer_site.drafts import form_data, login_required_keeping_drafts

# The planned list shows the occurrences that ended this many days ago or less.
RECENT_DAYS = 14


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
    # Every planned activity that may still fall on a day ahead, published or stopped.
    planned = (
        PlannedActivity.objects.filter(team=team)
        .filter(
            Q(end_date__gte=today)
            | Q(end_date__isnull=True) & (~Q(rule="") | Q(first_date__gte=today))
        )
        .select_related("category")
        .order_by("-is_published", "first_date", "starts_at", "pk")
    )
    for row in planned:
        row.summary = rule_summary(row.rule)
    # Ended in the last two weeks: the way to their attendance sheets and draft records.
    recent = (
        Occurrence.objects.filter(
            planned_activity__team=team,
            ends_at__lte=now,
            ends_at__gt=now - datetime.timedelta(days=RECENT_DAYS),
        )
        .exclude(status=OccurrenceStatus.CANCELLED)
        .select_related("planned_activity", "planned_activity__category", "activity")
        .order_by("-starts_at", "-pk")
    )
    return render(
        request,
        "planning/planned_list.html",
        {
            "team": team,
            "weeks": weeks,
            "today": today,
            "until": until,
            "planned": planned,
            "recent": recent,
            "recent_days": RECENT_DAYS,
        },
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


@login_required_keeping_drafts
def planned_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Every field; future occurrences follow. When the change would cancel some,
    the dates are shown first and saving needs a second, confirmed POST."""
    team = team_for_staff(request.user, slug)
    planned = get_object_or_404(PlannedActivity, pk=pk, team=team)
    form = PlannedActivityForm(form_data(request), instance=planned, team=team)
    to_cancel = []
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        to_cancel = services.occurrences_to_cancel(planned=edited)
        if not to_cancel or request.POST.get("confirm") == "yes":
            _changed, followed = services.planned_activity_update(
                planned=edited, by=request.user, request=request
            )
            messages.success(request, _("The planned activity was saved."))
            _tell_followed(request, followed)
            return redirect("planning:list", slug=team.slug)
    return render(
        request,
        "planning/planned_form.html",
        {"team": team, "form": form, "planned": planned, "to_cancel": to_cancel},
    )


def _tell_followed(request: HttpRequest, followed: services.Followed) -> None:
    if followed.cancelled:
        count = len(followed.cancelled)
        messages.warning(request, _("Occurrences cancelled: %(count)d.") % {"count": count})
    if followed.restored:
        messages.info(
            request, _("Occurrences scheduled again: %(count)d.") % {"count": followed.restored}
        )


@login_required
@require_POST
def planned_stop(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_staff(request.user, slug)
    planned = get_object_or_404(PlannedActivity, pk=pk, team=team)
    try:
        cancelled = services.planned_activity_stop(
            planned=planned, by=request.user, request=request
        )
    except services.OccurrenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The planned activity was stopped."))
        _tell_followed(request, services.Followed(cancelled=cancelled))
    return redirect("planning:list", slug=team.slug)


@login_required
@require_POST
def planned_republish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_staff(request.user, slug)
    planned = get_object_or_404(PlannedActivity, pk=pk, team=team)
    try:
        followed = services.planned_activity_republish(
            planned=planned, by=request.user, request=request
        )
    except services.OccurrenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The planned activity was published again."))
        _tell_followed(request, followed)
    return redirect("planning:list", slug=team.slug)


@login_required
@require_POST
def occurrence_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_staff(request.user, slug)
    occurrence = get_object_or_404(Occurrence, pk=pk, planned_activity__team=team)
    try:
        services.occurrence_cancel(occurrence=occurrence, by=request.user, request=request)
    except services.OccurrenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The occurrence was cancelled."))
    return redirect("planning:list", slug=team.slug)
