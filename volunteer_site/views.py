from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from teams.access import roles_for
from volunteer_site.health import health_check


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work is."""
    roles = roles_for(request.user)
    if len(roles.team_roles) == 1:
        return redirect(roles.team_roles[0].team)
    if roles.team_roles:
        return render(request, "home_choose_team.html", {"team_roles": roles.team_roles})
    if roles.is_region_admin:
        return redirect("regions:overview")
    if roles.is_volunteer:
        return redirect("members:my_record")
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "home_no_role.html")


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Each dependency's state, for monitoring (volunteer_site.health).

    503 when the site cannot do its work (database, broker or worker down);
    200 otherwise, also when only the shared cache is down ("status":
    "degraded"): pages and saves work without it, and a 503 would have a load
    balancer take every web host out at once for a fault that costs only speed.
    """
    report = health_check()
    return JsonResponse(report.as_dict(), status=503 if report.status == "down" else 200)


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes's answer to a locked-out login: the same for every user name."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
