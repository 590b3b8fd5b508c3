"""Importing past activities from a workbook: upload → preview → confirm (or cancel).

The same flow as the roster import (members/import_views.py): secretary only,
the file kept server-side between preview and confirmation, re-checked on
confirmation, all rows written or none.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_safe

from activities.imports import (
    KIND,
    ActivityImportPlan,
    ImportConflict,
    RowStatus,
    activity_import_confirm,
    activity_import_plan,
    activity_import_template,
)
from teams.access import team_for_secretary
from teams.models import Team
from volunteer_site.audit import audit
from volunteer_site.models import AuditAction
from volunteer_site.xlsx import (
    SpreadsheetError,
    SpreadsheetUploadForm,
    StagedUpload,
    discard_staged,
    file_size_text,
    limit_upload_size,
    load_staged,
    remember_preview,
    stage_upload,
    upload_was_too_large,
    workbook_response,
)

ACCEPT = ".xlsx"


def _limits() -> dict:
    return {
        "max_size": file_size_text(settings.IMPORT_MAX_BYTES),
        "max_rows": settings.IMPORT_MAX_ROWS,
    }


@login_required
@require_safe
def activity_template(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    return workbook_response(activity_import_template(team), "志愿服务活动导入模板.xlsx")


@csrf_exempt
@login_required
def activity_import(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the upload page; POST: read the workbook, keep it, show the preview."""
    # Before the body is read (see members.import_views.member_import).
    limit_upload_size(request)
    return _activity_import(request, slug)


@csrf_protect
def _activity_import(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    if request.method == "POST":
        form = SpreadsheetUploadForm(
            request.POST, request.FILES, accept=ACCEPT, too_large=upload_was_too_large(request)
        )
    else:
        form = SpreadsheetUploadForm(accept=ACCEPT)
    if request.method == "POST" and form.is_valid():
        upload, data = form.cleaned_data["file"], form.cleaned_data["data"]
        try:
            activity_import_plan(team=team, data=data, filename=upload.name)
        except SpreadsheetError as error:
            form.add_error("file", error.message)
        else:
            token = stage_upload(request, kind=KIND, team=team, filename=upload.name, data=data)
            return redirect(preview_url(team, token))
    return render(
        request,
        "activities/import_upload.html",
        {"team": team, "form": form, **_limits()},
        status=400 if form.errors else 200,
    )


def preview_url(team: Team, token: str) -> str:
    url = reverse("activity_io:preview", kwargs={"slug": team.slug})
    return f"{url}?{urlencode({'token': token})}"


@login_required
@require_safe
def activity_preview(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    staged = load_staged(request, kind=KIND, team=team, token=request.GET.get("token", ""))
    if staged is None:
        messages.info(request, _("There is no import waiting to be checked. Upload the file."))
        return redirect("activity_io:import", slug=team.slug)
    try:
        plan = activity_import_plan(team=team, data=staged.data, filename=staged.filename)
    except SpreadsheetError as error:
        discard_staged(request, staged.token)
        messages.error(request, error.message)
        return redirect("activity_io:import", slug=team.slug)
    return _render_preview(request, team, staged, plan)


def _render_preview(
    request: HttpRequest,
    team: Team,
    staged: StagedUpload,
    plan: ActivityImportPlan,
    notice: str = "",
) -> HttpResponse:
    remember_preview(request, staged.token, plan.digest)
    return render(
        request,
        "activities/import_preview.html",
        {
            "team": team,
            "staged": staged,
            "plan": plan,
            "counts": plan.counts,
            "statuses": RowStatus,
            "notice": notice,
            "form": SpreadsheetUploadForm(accept=ACCEPT),
            **_limits(),
        },
    )


@login_required
def activity_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """POST only: save and submit the previewed activities (or cancel)."""
    team = team_for_secretary(request.user, slug)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    staged = load_staged(request, kind=KIND, team=team, token=request.POST.get("token", ""))
    if staged is None:
        messages.error(
            request,
            _(
                "This import is no longer waiting: it was already imported, cancelled or "
                "left too long. Check the activities, or upload the file again."
            ),
        )
        return redirect("activity_io:import", slug=team.slug)
    if request.POST.get("action") == "cancel":
        discard_staged(request, staged.token)
        messages.info(request, _("The import was cancelled. Nothing was changed."))
        return redirect("activities:list", slug=team.slug)
    try:
        plan, result = activity_import_confirm(
            team=team,
            data=staged.data,
            filename=staged.filename,
            previewed=staged.digest,
            by=request.user,
        )
    except (SpreadsheetError, ImportConflict) as error:
        messages.error(request, getattr(error, "message", None) or str(error))
        return redirect(preview_url(team, staged.token))
    if result is None:
        notice = (
            _("Nothing was imported: some rows have errors.")
            if plan.has_errors
            else _(
                "The team's activities or roster changed after this preview, so nothing was "
                "imported yet. Check the rows below again and confirm."
            )
        )
        return _render_preview(request, team, staged, plan, notice=notice)
    discard_staged(request, staged.token)
    count = len(result.activities)
    audit(request, AuditAction.IMPORT, target=team, kind="activities", created=count)
    messages.success(
        request,
        ngettext(
            "%(count)d activity was imported with %(records)d service records; it awaits approval.",
            "%(count)d activities were imported with %(records)d service records; they await "
            "approval.",
            count,
        )
        % {"count": count, "records": result.participations},
    )
    return redirect("activities:awaiting", slug=team.slug)
