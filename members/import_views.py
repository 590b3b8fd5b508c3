"""Importing the roster from a spreadsheet: upload → preview → confirm (or cancel).

The flow, its checks and its staging are ``volunteer_site.import_flow``'s; this
module names the roster's importer, pages and texts. The preview lists the rows
by status (tabs) and in pages, as a roster may hold thousands of rows.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import Workbook

from members.imports import (
    KIND,
    MemberImportPlan,
    MemberImportResult,
    RowStatus,
    member_import_confirm,
    member_import_plan,
    member_import_template,
)
from teams.models import Team
from volunteer_site.import_flow import ImportFlow
from volunteer_site.xlsx import StagedUpload

PREVIEW_PAGE_SIZE = 200
SHOW_CHOICES = ["all", *RowStatus.values]


class MemberImportFlow(ImportFlow):
    kind = KIND
    namespace = "member_io"
    upload_template = "members/import_upload.html"
    preview_template = "members/import_preview.html"
    workbook_filename = "注册志愿者导入模板.xlsx"
    accepts_csv = True
    cancelled_url_name = finished_url_name = "members:list"
    not_waiting_message = gettext_lazy(
        "This import is no longer waiting: it was already imported, cancelled or "
        "left too long. Check the roster, or upload the file again."
    )
    changed_message = gettext_lazy(
        "The roster changed after this preview, so nothing was imported yet. "
        "Check the rows below again and confirm."
    )
    plan = staticmethod(member_import_plan)
    confirm = staticmethod(member_import_confirm)

    def template_workbook(self, team: Team) -> Workbook:
        return member_import_template()

    def preview_context(
        self, request: HttpRequest, team: Team, staged: StagedUpload, plan: MemberImportPlan
    ) -> dict:
        counts = plan.counts
        show = request.GET.get("show", "")
        if show not in SHOW_CHOICES:
            show = RowStatus.ERROR if plan.has_errors else "all"
        rows = plan.rows if show == "all" else [row for row in plan.rows if row.status == show]
        tabs = [
            {
                "key": key,
                "label": _("all rows") if key == "all" else RowStatus(key).label,
                "count": len(plan.rows) if key == "all" else counts[key],
                "url": self.preview_url(team, staged.token, show=key),
            }
            for key in SHOW_CHOICES
            if key == "all" or counts[key]
        ]
        return {
            "tabs": tabs,
            "show": show,
            "page_obj": Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page")),
            "page_query": urlencode({"token": staged.token, "show": show}),
        }

    def audit_details(self, result: MemberImportResult) -> dict:
        return {"created": result.created, "updated": result.updated}

    def success_message(self, result: MemberImportResult) -> str:
        created = ngettext("%(count)d member added", "%(count)d members added", result.created) % {
            "count": result.created
        }
        updated = ngettext(
            "%(count)d member updated", "%(count)d members updated", result.updated
        ) % {"count": result.updated}
        return _("Import finished at %(time)s: %(created)s, %(updated)s.") % {
            "time": timezone.localtime().strftime("%H:%M"),
            "created": created,
            "updated": updated,
        }


flow = MemberImportFlow()
member_template = flow.template_view
member_import = flow.upload_view
member_preview = flow.preview_view
member_confirm = flow.confirm_view
