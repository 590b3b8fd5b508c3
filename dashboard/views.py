from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from dashboard import selectors
from members.models import Member
from teams.access import roles_for, team_for_reader
from teams.models import TeamRole
from volunteer_site.listing import clean_year


@login_required
def team_home(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's dashboard, for its staff and secretary and the region's admins.

    ``?year=`` picks the year of the members' table (a year with figures, or the
    current one) and ``?sort=`` its order (dashboard/selectors.py SORTS). The number
    of queries does not grow with the team.
    """
    team = team_for_reader(request.user, slug)
    today = timezone.localdate()
    years = selectors.selectable_years(team, today=today)
    year = clean_year(request.GET.get("year"), years=years, default=today.year)
    sort = selectors.clean_sort(request.GET.get("sort"))
    members_year = selectors.members_year(team, year=year, sort=sort)
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
        .annotate(participant_count=Count("participations"))
        .order_by("-start_date", "-pk")[:10],
        "categories": team.categories_in_order(),
        "today": today,
        "figures_now": selectors.team_figures_now(team, today=today),
        "members_year": members_year,
        "members_year_totals": {
            "participations": sum(m.year_participations for m in members_year),
            "hours": sum((m.year_hours for m in members_year), Decimal("0")),
        },
        "year": year,
        "years": years,
        "sort": sort,
        "sort_links": selectors.member_sort_links(year=year, sort=sort),
    }
    return render(request, "dashboard/team_home.html", context)
