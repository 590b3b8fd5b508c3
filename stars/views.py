"""The region admin's star thresholds (mounted under /regions/stars/).

Region admins only: anyone else signed in 403, a region outside the admin's subtrees
404 (its existence is not revealed).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from stars.forms import ThresholdsForm
from stars.levels import thresholds_for_regions
from stars.models import DEFAULT_THRESHOLDS, LEVEL_NAMES, LEVELS, StarThresholds
from stars.services import thresholds_clear, thresholds_set
from teams.access import roles_for
from teams.models import Region


def _scope_ids(request: HttpRequest) -> set[int]:
    roles = roles_for(request.user)
    if not roles.is_region_admin:
        raise PermissionDenied
    return roles.admin_region_ids()


def _rows(region_ids) -> list[dict]:
    regions = sorted(
        Region.objects.filter(pk__in=region_ids).select_related("parent__parent__parent"),
        key=lambda region: region.full_name,
    )
    own = {row.region_id: row for row in StarThresholds.objects.filter(region__in=regions)}
    in_force = thresholds_for_regions([region.pk for region in regions])
    return [
        {
            "region": region,
            "thresholds": in_force[region.pk],
            "own": own.get(region.pk),
            "is_default": region.pk not in own and in_force[region.pk] == DEFAULT_THRESHOLDS,
        }
        for region in regions
    ]


@login_required
@require_safe
def thresholds_list(request: HttpRequest) -> HttpResponse:
    rows = _rows(_scope_ids(request))
    levels = [LEVEL_NAMES[level] for level in LEVELS]
    return render(
        request,
        "stars/thresholds_list.html",
        {"rows": rows, "levels": levels, "year": timezone.localdate().year},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def thresholds_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if pk not in _scope_ids(request):
        raise Http404
    region = Region.objects.get(pk=pk)
    own = StarThresholds.objects.filter(region=region).first()
    in_force = thresholds_for_regions([region.pk])[region.pk]
    if request.method == "POST" and "clear" in request.POST:
        thresholds_clear(region=region)
        messages.success(
            request, _("%(region)s now uses the thresholds above it.") % {"region": region.name}
        )
        return redirect("regions:stars")
    form = ThresholdsForm(request.POST or None, initial_values=in_force)
    if request.method == "POST" and form.is_valid():
        thresholds_set(region=region, values=form.values(), user=request.user)
        messages.success(
            request,
            _("The star thresholds of %(region)s are saved; the levels are being updated.")
            % {"region": region.name},
        )
        return redirect("regions:stars")
    history = (
        own.history.select_related("history_user").order_by("-history_date")[:20] if own else []
    )
    return render(
        request,
        "stars/thresholds_edit.html",
        {"region": region, "form": form, "own": own, "history": history},
    )
