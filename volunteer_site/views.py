from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from teams.access import roles_for
from volunteer_site.accounts import SESSION_KEY, password_change_required_clear
from volunteer_site.audit import audit
from volunteer_site.forms import PasswordChangeForm
from volunteer_site.health import health_check
from volunteer_site.models import AuditAction, PasswordChangeRequired


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
        return redirect("records:mine")
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


def too_many_requests(request: HttpRequest, message: str, *, kept_text: str = "") -> HttpResponse:
    """The "too many attempts" page, status 429, with ``message`` saying when to try again.

    ``kept_text``: what the visitor typed and could not send, shown for copying, so a
    refusal never costs them their words.
    """
    return render(request, "429.html", {"message": message, "kept_text": kept_text}, status=429)


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes's answer to a locked-out login: the same for every user name."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    message = ngettext(
        "Too many failed logins: logging in is paused for this account name or this "
        "computer. Please try again in %(minutes)d minute, or ask the site administrator "
        "to unlock it.",
        "Too many failed logins: logging in is paused for this account name or this "
        "computer. Please try again in %(minutes)d minutes, or ask the site administrator "
        "to unlock it.",
        minutes,
    ) % {"minutes": minutes}
    return too_many_requests(request, message)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its valid token (CSRF_FAILURE_VIEW): usually a page left
    open too long or a login in another tab. Offers the page it came from, if it is ours."""
    referer = request.META.get("HTTP_REFERER", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return render(request, "403_csrf.html", {"back_url": referer if safe else ""}, status=403)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Every signed-in user changes their own password here (Django's view, our form).

    A user who must change theirs (a public or one-time password) is sent here from
    every page; the page says why.
    """

    form_class = PasswordChangeForm
    # Not Django's template names: those are the admin's own password pages.
    template_name = "registration/password_change.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reason = self.request.session.get(SESSION_KEY)
        context["required_reason"] = reason
        context["required_is_demo"] = reason == PasswordChangeRequired.Reason.DEMO
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        password_change_required_clear(request=self.request)
        audit(self.request, AuditAction.PASSWORD_CHANGE, target=self.request.user.get_username())
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_changed.html"
