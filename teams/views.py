from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from members.models import Member
from teams import dashboard
from teams.access import roles_for, team_for_reader
from teams.models import Team, TeamRole


@login_required
def team_home(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's dashboard, for its staff and secretary and the region's admins.

    ``?year=`` picks the year of the members' table (a year with figures, or the
    current one) and ``?sort=`` its order (teams/dashboard.py SORTS). The number
    of queries does not grow with the team.
    """
    team = team_for_reader(request.user, slug)
    today = timezone.localdate()
    years = dashboard.selectable_years(team, today=today)
    year = dashboard.clean_year(request.GET.get("year"), years=years, default=today.year)
    sort = dashboard.clean_sort(request.GET.get("sort"))
    members_year = dashboard.members_year(team, year=year, sort=sort)
    status_counts = dict(
        Activity.objects.filter(team=team).values_list("status").annotate(n=Count("pk"))
    )
    role = roles_for(request.user).role_on(team)
    context = {
        "team": team,
        "role": role,
        "awaiting_count": status_counts.get(ActivityStatus.SUBMITTED, 0)
        if role == TeamRole.Role.SECRETARY
        else None,
        "active_members": Member.objects.filter(team=team).active_on(today).count(),
        "status_counts": [
            (status.label, status_counts.get(status.value, 0)) for status in ActivityStatus
        ],
        "recent_activities": Activity.objects.filter(team=team)
        .select_related("category")
        .annotate(participant_count=Count("participations"))[:10],
        "categories": team.categories_in_order(),
        "today": today,
        "figures_now": dashboard.team_figures_now(team, today=today),
        "members_year": members_year,
        "members_year_totals": {
            "participations": sum(m.year_participations for m in members_year),
            "hours": sum((m.year_hours for m in members_year), Decimal("0")),
        },
        "year": year,
        "years": years,
        "sort": sort,
        "sort_links": dashboard.sort_links(year=year, sort=sort),
    }
    return render(request, "teams/team_home.html", context)


@login_required
def region_overview(request: HttpRequest) -> HttpResponse:
    roles = roles_for(request.user)
    if not roles.is_region_admin:
        raise PermissionDenied
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    # Each count is its own subquery: joining both relations at once would
    # multiply the rows and inflate the counts.
    members = (
        Member.objects.filter(team=OuterRef("pk"))
        .active_on(today)
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    activities = (
        Activity.objects.approved()
        .filter(team=OuterRef("pk"), start_date__gte=year_start)
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    teams = (
        Team.objects.in_regions(roles.admin_region_ids())
        .select_related("region", "region__parent")
        .annotate(
            active_members=Coalesce(Subquery(members), 0),
            activities_this_year=Coalesce(Subquery(activities), 0),
        )
        .order_by("region__name", "name")
    )
    return render(
        request,
        "teams/region_overview.html",
        {"teams": teams, "regions": roles.admin_regions, "year": today.year},
    )
