"""Benchmark-only views: the trivial baseline, and the public profile computed per request.

``profile_live`` renders the same page as ``profiles.views.profile`` but
aggregates the activities, participations and members on every request (what a
site without summary tables does) instead of reading ``TeamFigures``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import engines
from django.utils import timezone
from django.views.decorators.http import require_safe

from activities.models import Activity, Participation, PeriodKind, TeamFigures
from members.models import Member
from profiles.views import CHART_MONTHS, _team_for_profile, profile_context
from volunteer_site.charts import last_months, month_values


def ping(request: HttpRequest) -> HttpResponse:
    """The baseline: the whole middleware stack and nothing else."""
    return HttpResponse("pong", content_type="text/plain")


def empty_page(request: HttpRequest) -> HttpResponse:
    """The site's layout (base.html: navigation, language switch) with no content: the
    least any of its HTML pages costs."""
    template = engines["django"].from_string('{% extends "base.html" %}')
    return HttpResponse(template.render({}, request))


def live_figures(team, today) -> tuple[TeamFigures, dict]:
    """The all-time figures and the chart's months, aggregated now (four queries)."""
    approved = Activity.objects.approved().filter(team=team)
    totals = approved.aggregate(
        n=Count("pk"),
        hours=Sum("hours"),
        people=Sum("people_reached"),
        materials=Sum("materials_distributed"),
        households=Sum("households_visited"),
        donation=Sum("donation_yuan"),
    )
    participations = (
        Participation.objects.approved()
        .filter(activity__team=team)
        .aggregate(n=Count("pk"), hours=Sum("hours"))
    )
    volunteers = Member.objects.filter(team=team).aggregate(
        during=Count("pk", filter=Q(registered_on__lte=today)),
        at_end=Count(
            "pk",
            filter=Q(registered_on__lte=today) & (Q(left_on__isnull=True) | Q(left_on__gte=today)),
        ),
    )
    months = last_months(today, CHART_MONTHS)
    first_year = months[0][0]
    by_month = {
        (row["y"], row["m"]): (row["n"], row["hours"])
        for row in approved.filter(start_date__year__gte=first_year)
        .values(y=ExtractYear("start_date"), m=ExtractMonth("start_date"))
        .annotate(n=Count("pk"), hours=Sum("hours"))
        .order_by()
    }
    figures = TeamFigures(
        team=team,
        kind=PeriodKind.ALL,
        activities=totals["n"],
        activity_hours=totals["hours"] or Decimal("0"),
        participant_times=participations["n"],
        person_hours=participations["hours"] or Decimal("0"),
        registered_volunteers=volunteers["during"],
        volunteers_at_end=volunteers["at_end"],
        people_reached=totals["people"] or 0,
        materials_distributed=totals["materials"] or 0,
        households_visited=totals["households"] or 0,
        donation_yuan=totals["donation"] or Decimal("0"),
    )
    return figures, month_values(months, by_month)


@require_safe
def profile_live(request: HttpRequest, slug: str) -> HttpResponse:
    team, preview = _team_for_profile(request, slug, related=["lead_member", "figures_state"])
    all_time, values = live_figures(team, timezone.localdate())
    return render(
        request, "profiles/profile.html", profile_context(team, preview, all_time, values)
    )
