"""Checking in by code (/me/check-in/) and the organiser's sheet (docs/domain.md § Attendance).

Access: any signed-in person may open the check-in page (the service says who may
check in where); the sheet and its actions are the team's staff and secretary's
(teams/access.py): an admin of the team's region gets 403, everybody else 404.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from attendance import selectors, services
from attendance.forms import CheckInForm, MarkForm
from planning.models import Occurrence
from teams.access import roles_for, team_for_staff
from volunteer_site.audit import audit
from volunteer_site.models import AuditAction
from volunteer_site.views import too_many_requests


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest) -> HttpResponse:
    """GET: the code form, pre-filled from ?code= (the QR code); POST: in or out."""
    result, stays_signed_in = None, False
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if services.wrong_codes_exhausted(request.user):
            return too_many_requests(request, services.too_many_wrong_codes_message())
        if form.is_valid():
            try:
                result = services.check_in_or_out(
                    code=form.cleaned_data["code"],
                    user=request.user,
                    checking_out=request.POST.get("out") == "1",
                )
            except services.CheckInError as error:
                form.add_error("code", error.messages)
            else:
                stays_signed_in = _signed_in_until_check_out(request, result)
    else:
        code = services.normalise_code(request.GET.get("code", ""))[:40]
        form = CheckInForm(initial={"code": code} if services.is_code_shaped(code) else None)
    return render(
        request,
        "attendance/check_in.html",
        {
            "form": form,
            "result": result,
            "stays_signed_in": stays_signed_in,
            "checkout_closes": (
                services.window(result.attendance.occurrence)[1] if result is not None else None
            ),
            "before_minutes": services.CHECK_IN_BEFORE.seconds // 60,
            "after_minutes": services.CHECK_OUT_AFTER.seconds // 60,
        },
        status=400 if form.errors else 200,
    )


def _signed_in_until_check_out(request: HttpRequest, result: services.CheckInResult) -> bool:
    """Someone checked in comes back hours later to check out, with the page idle in
    between: the session of a login that only sees its owner's records (no role on a team
    or region, not an administrator) stays valid while idle until check-out closes; the
    check-out puts the usual idle limit back (docs/domain.md § Attendance). True when the
    session was kept."""
    if result.action == "out":
        request.session.set_expiry(None)
        return False
    roles = roles_for(request.user)
    if roles.team_roles or roles.is_region_admin or request.user.is_staff:
        return False
    closes = services.window(result.attendance.occurrence)[1]
    seconds = int((closes - timezone.now()).total_seconds())
    if seconds <= settings.SESSION_COOKIE_AGE:
        return False
    request.session.set_expiry(seconds)
    return True


def _occurrence(request: HttpRequest, slug: str, pk: int) -> Occurrence:
    team = team_for_staff(request.user, slug)
    return get_object_or_404(
        Occurrence.objects.select_related(
            "planned_activity__team", "planned_activity__category", "activity"
        ),
        pk=pk,
        planned_activity__team=team,
    )


def _code_context(request: HttpRequest, occurrence: Occurrence) -> dict:
    code = services.code_for(occurrence=occurrence)
    url = (
        request.build_absolute_uri(reverse("attendance:check_in"))
        + "?"
        + urlencode({"code": code.code})
    )
    opens, closes = services.window(occurrence)
    return {
        "occurrence": occurrence,
        "team": occurrence.planned_activity.team,
        "code": code.code,
        "check_in_url": url,
        "qr": segno.make(url, error="m").svg_data_uri(scale=6, border=2),
        "opens": opens,
        "closes": closes,
    }


@login_required
@require_safe
def sheet(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    occurrence = _occurrence(request, slug, pk)
    rows = selectors.sheet_rows(occurrence)
    context = _code_context(request, occurrence)
    context |= {
        "rows": rows,
        "signed_count": sum(row.signed_up for row in rows),
        "present_count": sum(row.attendance is not None for row in rows),
        "no_show_count": sum(row.no_show for row in rows),
        "hours": services.occurrence_hours(occurrence),
        "mark_form": MarkForm(occurrence=occurrence),
        "started": occurrence.starts_at <= timezone.now(),
        # After the last check-out the code is of no use: the sheet says so instead.
        "window_over": context["closes"] <= timezone.now(),
    }
    return render(request, "attendance/sheet.html", context)


@login_required
@require_safe
def sheet_print(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    occurrence = _occurrence(request, slug, pk)
    return render(request, "attendance/code_print.html", _code_context(request, occurrence))


def _back(occurrence: Occurrence) -> HttpResponse:
    return redirect(
        "attendance:sheet", slug=occurrence.planned_activity.team.slug, pk=occurrence.pk
    )


@login_required
@require_POST
def new_code(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    occurrence = _occurrence(request, slug, pk)
    code = services.code_renew(occurrence=occurrence)
    audit(request, AuditAction.CHECKIN_CODE_RENEW, target=occurrence, occurrence=occurrence.pk)
    messages.success(
        request, _("New check-in code %(code)s: the old one no longer works.") % {"code": code.code}
    )
    return _back(occurrence)


@login_required
@require_POST
def mark(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    occurrence = _occurrence(request, slug, pk)
    form = MarkForm(request.POST, occurrence=occurrence)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(occurrence)
    arrived_at, left_at = form.moments()
    try:
        services.attendance_mark(
            occurrence=occurrence,
            user=form.cleaned_data["user"],
            by=request.user,
            hours=form.cleaned_data["hours"],
            checked_in_at=arrived_at,
            checked_out_at=left_at,
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        hours = form.cleaned_data["hours"]
        audit(
            request,
            AuditAction.ATTENDANCE_MARK,
            target=occurrence,
            occurrence=occurrence.pk,
            volunteer=form.cleaned_data["user"].get_username(),
            hours=None if hours is None else str(hours),
            arrived=None if arrived_at is None else timezone.localtime(arrived_at).isoformat(),
            left=None if left_at is None else timezone.localtime(left_at).isoformat(),
        )
        messages.success(
            request,
            _("%(name)s is marked as present.")
            % {"name": form.fields["user"].label_from_instance(form.cleaned_data["user"])},
        )
    return _back(occurrence)


@login_required
@require_POST
def unmark(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    occurrence = _occurrence(request, slug, pk)
    form = MarkForm({"user": request.POST.get("user", "")}, occurrence=occurrence)
    form.is_valid()
    user = form.cleaned_data.get("user")
    if user is None:
        messages.error(request, _("Choose someone on the sheet."))
    elif services.attendance_unmark(occurrence=occurrence, user=user):
        audit(
            request,
            AuditAction.ATTENDANCE_UNMARK,
            target=occurrence,
            occurrence=occurrence.pk,
            volunteer=user.get_username(),
        )
        messages.success(
            request,
            _("%(name)s is no longer marked as present.")
            % {"name": form.fields["user"].label_from_instance(user)},
        )
    return _back(occurrence)


@login_required
@require_POST
def make_draft(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    occurrence = _occurrence(request, slug, pk)
    try:
        activity, not_counted = services.draft_from_sheet(occurrence=occurrence, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _back(occurrence)
    messages.success(
        request,
        _(
            "The draft activity record has %(count)d participant(s). Check it, then submit it "
            "for approval."
        )
        % {"count": activity.participations.count()},
    )
    for person in not_counted:
        messages.warning(
            request,
            _("Not counted: %(name)s (%(reason)s)")
            % {"name": person.name, "reason": person.reason},
        )
    return redirect(activity.get_absolute_url())
