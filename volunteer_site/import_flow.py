"""The pages of a spreadsheet import: template, upload → preview → confirm (or cancel).

The roster import (``members.import_views``) and the import of past activities
(``activities.import_views``) are one flow; a subclass of ``ImportFlow`` names
what differs: the importer (its plan, confirmation and template workbook), who
may import, the URL names, the templates and the texts, and what is audited and
said once the rows are written.

Only the team's secretary imports (staff get 403, everybody else 404). The
uploaded file waits server-side between the preview and the confirmation
(``volunteer_site.xlsx`` staging); the browser only carries a random token,
which must belong to this user, this team and this kind of import. On
confirmation the file is read and checked again (the team's data may have
changed since the preview) and written all at once, or not at all.

The pages extend ``imports/upload.html`` and ``imports/preview.html``, which
hold what both imports show; each import's templates fill in their blocks.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_safe
from openpyxl import Workbook

from teams.access import team_for_secretary
from teams.models import Team
from volunteer_site.audit import audit
from volunteer_site.middleware import spreadsheet_upload
from volunteer_site.models import AuditAction
from volunteer_site.xlsx import (
    ImportConflict,
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


class ImportPlan(Protocol):
    """What the flow needs of an importer's plan (the templates read the rest)."""

    @property
    def digest(self) -> str: ...

    @property
    def has_errors(self) -> bool: ...

    @property
    def counts(self) -> dict[str, int]: ...


class ImportFlow:
    """One import's four views: ``template_view``, ``upload_view``, ``preview_view`` and
    ``confirm_view``, to be named in the import's URLconf.

    A subclass sets the attributes below and implements the importer's methods
    (``template_workbook``, ``plan``, ``confirm``) and what follows a written
    import (``audit_details``, ``success_message``).
    """

    #: The kind of staged upload, also the ``kind`` of the audit entry.
    kind: str
    #: The URL namespace holding the names import, template, preview and confirm.
    namespace: str
    upload_template: str
    preview_template: str
    #: The downloaded template workbook's file name.
    workbook_filename: str
    #: Whether the importer reads CSV files as well as .xlsx workbooks.
    accepts_csv: bool = False
    #: URL names (taking the team's slug) shown after a cancelled and a written import.
    cancelled_url_name: str
    finished_url_name: str
    #: Said when a confirmation finds no pending import: where to look instead.
    not_waiting_message: Promise
    #: Shown above the preview again when the rows differ from those previewed.
    changed_message: Promise

    # --- What each import provides -------------------------------------------------------

    def team_for(self, request: HttpRequest, slug: str) -> Team:
        """The team whose data is imported; raises Http404 or PermissionDenied."""
        return team_for_secretary(request.user, slug)

    def template_workbook(self, team: Team) -> Workbook:
        """The workbook to fill in (``template_view`` sends it)."""
        raise NotImplementedError

    def plan(self, *, team: Team, data: bytes, filename: str) -> ImportPlan:
        """Read and check the file (nothing is written); raises SpreadsheetError."""
        raise NotImplementedError

    def confirm(
        self, *, team: Team, data: bytes, filename: str, previewed: str, by
    ) -> tuple[ImportPlan, Any | None]:
        """Check again and write if the plan's digest is still ``previewed``: (plan, result),
        the result None when nothing was written."""
        raise NotImplementedError

    def preview_context(
        self, request: HttpRequest, team: Team, staged: StagedUpload, plan: ImportPlan
    ) -> dict:
        """What the import's preview template needs besides the plan."""
        return {}

    def audit_details(self, result) -> dict:
        """The counts the audit entry of a written import records."""
        raise NotImplementedError

    def success_message(self, result) -> str:
        """What the secretary is told once the rows are written."""
        raise NotImplementedError

    # --- The views ----------------------------------------------------------------------

    @method_decorator([login_required, require_safe])
    def template_view(self, request: HttpRequest, slug: str) -> HttpResponse:
        team = self.team_for(request, slug)
        return workbook_response(self.template_workbook(team), self.workbook_filename)

    @method_decorator([spreadsheet_upload, csrf_exempt, login_required])
    def upload_view(self, request: HttpRequest, slug: str) -> HttpResponse:
        """GET: the upload page; POST: read the file, keep it, show the preview."""
        # Before the request body is read, so an oversized file is never stored;
        # the CSRF check follows in the inner view.
        limit_upload_size(request)
        return self._upload(request, slug)

    @method_decorator(csrf_protect)
    def _upload(self, request: HttpRequest, slug: str) -> HttpResponse:
        team = self.team_for(request, slug)
        form = self.upload_form(request)
        if request.method == "POST" and form.is_valid():
            upload, data = form.cleaned_data["file"], form.cleaned_data["data"]
            try:
                # Reading it now refuses a file that is not a spreadsheet at once.
                self.plan(team=team, data=data, filename=upload.name)
            except SpreadsheetError as error:
                form.add_error("file", error.message)
            else:
                token = stage_upload(
                    request, kind=self.kind, team=team, filename=upload.name, data=data
                )
                return redirect(self.preview_url(team, token))
        return render(
            request,
            self.upload_template,
            {**self.page_context(team), "form": form},
            status=400 if form.errors else 200,
        )

    @method_decorator([login_required, require_safe])
    def preview_view(self, request: HttpRequest, slug: str) -> HttpResponse:
        team = self.team_for(request, slug)
        staged = load_staged(request, kind=self.kind, team=team, token=request.GET.get("token", ""))
        if staged is None:
            messages.info(request, _("There is no import waiting to be checked. Upload the file."))
            return redirect(f"{self.namespace}:import", slug=team.slug)
        try:
            plan = self.plan(team=team, data=staged.data, filename=staged.filename)
        except SpreadsheetError as error:
            discard_staged(request, staged.token)
            messages.error(request, error.message)
            return redirect(f"{self.namespace}:import", slug=team.slug)
        return self.render_preview(request, team, staged, plan)

    @method_decorator(login_required)
    def confirm_view(self, request: HttpRequest, slug: str) -> HttpResponse:
        """POST only: write the previewed import (or cancel it)."""
        team = self.team_for(request, slug)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        staged = load_staged(
            request, kind=self.kind, team=team, token=request.POST.get("token", "")
        )
        if staged is None:
            messages.error(request, str(self.not_waiting_message))
            return redirect(f"{self.namespace}:import", slug=team.slug)
        if request.POST.get("action") == "cancel":
            discard_staged(request, staged.token)
            messages.info(request, _("The import was cancelled. Nothing was changed."))
            return redirect(self.cancelled_url_name, slug=team.slug)
        try:
            plan, result = self.confirm(
                team=team,
                data=staged.data,
                filename=staged.filename,
                previewed=staged.digest,
                by=request.user,
            )
        except (SpreadsheetError, ImportConflict) as error:
            messages.error(request, getattr(error, "message", None) or str(error))
            return redirect(self.preview_url(team, staged.token))
        if result is None:
            notice = (
                _("Nothing was imported: some rows have errors.")
                if plan.has_errors
                else str(self.changed_message)
            )
            return self.render_preview(request, team, staged, plan, notice=notice)
        discard_staged(request, staged.token)
        audit(
            request, AuditAction.IMPORT, target=team, kind=self.kind, **self.audit_details(result)
        )
        messages.success(request, self.success_message(result))
        return redirect(self.finished_url_name, slug=team.slug)

    # --- Helpers ------------------------------------------------------------------------

    def upload_form(self, request: HttpRequest | None = None) -> SpreadsheetUploadForm:
        accept = ".xlsx,.csv" if self.accepts_csv else ".xlsx"
        if request is None or request.method != "POST":
            return SpreadsheetUploadForm(accept=accept)
        return SpreadsheetUploadForm(
            request.POST, request.FILES, accept=accept, too_large=upload_was_too_large(request)
        )

    def preview_url(self, team: Team, token: str, **query) -> str:
        url = reverse(f"{self.namespace}:preview", kwargs={"slug": team.slug})
        return f"{url}?{urlencode({'token': token, **query})}"

    def page_context(self, team: Team) -> dict:
        """What the upload and preview pages share."""
        return {
            "team": team,
            "upload_url": reverse(f"{self.namespace}:import", kwargs={"slug": team.slug}),
            "template_url": reverse(f"{self.namespace}:template", kwargs={"slug": team.slug}),
            "confirm_url": reverse(f"{self.namespace}:confirm", kwargs={"slug": team.slug}),
            "file_label": (
                _("Spreadsheet file (.xlsx or .csv)")
                if self.accepts_csv
                else _("Excel workbook (.xlsx)")
            ),
            "max_size": file_size_text(settings.IMPORT_MAX_BYTES),
            "max_rows": settings.IMPORT_MAX_ROWS,
        }

    def render_preview(
        self,
        request: HttpRequest,
        team: Team,
        staged: StagedUpload,
        plan: ImportPlan,
        notice: str = "",
    ) -> HttpResponse:
        remember_preview(request, staged.token, plan.digest)
        return render(
            request,
            self.preview_template,
            {
                **self.page_context(team),
                "staged": staged,
                "plan": plan,
                "counts": plan.counts,
                "notice": notice,
                "form": self.upload_form(),
                **self.preview_context(request, team, staged, plan),
            },
        )
