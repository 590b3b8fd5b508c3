"""Importing the roster from a spreadsheet: upload → preview → confirm (or cancel).

Only the team's secretary imports (staff get 403, everybody else 404). The
uploaded file waits server-side between the preview and the confirmation
(``volunteer_site.xlsx`` staging); the browser only carries a random token,
which must belong to this user, this team and this kind of import.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_safe

from members.imports import (
    KIND,
    ImportConflict,
    MemberImportPlan,
    RowStatus,
    member_import_confirm,
    member_import_plan,
    member_import_template,
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

PREVIEW_PAGE_SIZE = 200
SHOW_CHOICES = ["all", *RowStatus.values]


def _limits() -> dict:
    return {
        "max_size": file_size_text(settings.IMPORT_MAX_BYTES),
        "max_rows": settings.IMPORT_MAX_ROWS,
    }


@login_required
@require_safe
def member_template(request: HttpRequest, slug: str) -> HttpResponse:
    team_for_secretary(request.user, slug)
    return workbook_response(member_import_template(), "注册志愿者导入模板.xlsx")


@csrf_exempt
@login_required
def member_import(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the upload page; POST: read the file, keep it, show the preview."""
    # Before the request body is read, so an oversized file is never stored;
    # the CSRF check follows in the inner view.
    limit_upload_size(request)
    return _member_import(request, slug)


@csrf_protect
def _member_import(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    form = upload_form(request)
    if request.method == "POST" and form.is_valid():
        upload, data = form.cleaned_data["file"], form.cleaned_data["data"]
        try:
            # Reading it now refuses a file that is not a spreadsheet at once.
            member_import_plan(team=team, data=data, filename=upload.name)
        except SpreadsheetError as error:
            form.add_error("file", error.message)
        else:
            token = stage_upload(request, kind=KIND, team=team, filename=upload.name, data=data)
            return redirect(preview_url(team, token))
    return render(
        request,
        "members/import_upload.html",
        {"team": team, "form": form, **_limits()},
        status=400 if form.errors else 200,
    )


def upload_form(request: HttpRequest) -> SpreadsheetUploadForm:
    if request.method != "POST":
        return SpreadsheetUploadForm()
    return SpreadsheetUploadForm(
        request.POST, request.FILES, too_large=upload_was_too_large(request)
    )


def preview_url(team: Team, token: str, **query) -> str:
    url = reverse("member_io:preview", kwargs={"slug": team.slug})
    return f"{url}?{urlencode({'token': token, **query})}"


@login_required
@require_safe
def member_preview(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    staged = load_staged(request, kind=KIND, team=team, token=request.GET.get("token", ""))
    if staged is None:
        messages.info(request, _("There is no import waiting to be checked. Upload the file."))
        return redirect("member_io:import", slug=team.slug)
    try:
        plan = member_import_plan(team=team, data=staged.data, filename=staged.filename)
    except SpreadsheetError as error:
        discard_staged(request, staged.token)
        messages.error(request, error.message)
        return redirect("member_io:import", slug=team.slug)
    return _render_preview(request, team, staged, plan)


def _render_preview(
    request: HttpRequest,
    team: Team,
    staged: StagedUpload,
    plan: MemberImportPlan,
    notice: str = "",
) -> HttpResponse:
    remember_preview(request, staged.token, plan.digest)
    counts = plan.counts
    show = request.GET.get("show", "")
    if show not in SHOW_CHOICES:
        show = RowStatus.ERROR if plan.has_errors else "all"
    rows = plan.rows if show == "all" else [row for row in plan.rows if row.status == show]
    page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [
        {
            "key": key,
            "label": _("all rows") if key == "all" else RowStatus(key).label,
            "count": len(plan.rows) if key == "all" else counts[key],
            "url": preview_url(team, staged.token, show=key),
        }
        for key in SHOW_CHOICES
        if key == "all" or counts[key]
    ]
    return render(
        request,
        "members/import_preview.html",
        {
            "team": team,
            "staged": staged,
            "plan": plan,
            "counts": counts,
            "tabs": tabs,
            "show": show,
            "page_obj": page,
            "page_query": urlencode({"token": staged.token, "show": show}),
            "notice": notice,
            "form": SpreadsheetUploadForm(),
            **_limits(),
        },
    )


@login_required
def member_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """POST only: write the previewed import (or cancel it)."""
    team = team_for_secretary(request.user, slug)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    staged = load_staged(request, kind=KIND, team=team, token=request.POST.get("token", ""))
    if staged is None:
        messages.error(
            request,
            _(
                "This import is no longer waiting: it was already imported, cancelled or "
                "left too long. Check the roster, or upload the file again."
            ),
        )
        return redirect("member_io:import", slug=team.slug)
    if request.POST.get("action") == "cancel":
        discard_staged(request, staged.token)
        messages.info(request, _("The import was cancelled. Nothing was changed."))
        return redirect("members:list", slug=team.slug)
    try:
        plan, result = member_import_confirm(
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
                "The roster changed after this preview, so nothing was imported yet. "
                "Check the rows below again and confirm."
            )
        )
        return _render_preview(request, team, staged, plan, notice=notice)
    discard_staged(request, staged.token)
    audit(
        request,
        AuditAction.IMPORT,
        target=team,
        kind="members",
        created=result.created,
        updated=result.updated,
    )
    created = ngettext("%(count)d member added", "%(count)d members added", result.created) % {
        "count": result.created
    }
    updated = ngettext("%(count)d member updated", "%(count)d members updated", result.updated) % {
        "count": result.updated
    }
    messages.success(
        request,
        _("Import finished at %(time)s: %(created)s, %(updated)s.")
        % {
            "time": timezone.localtime().strftime("%H:%M"),
            "created": created,
            "updated": updated,
        },
    )
    return redirect("members:list", slug=team.slug)
