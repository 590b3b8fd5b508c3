"""Importing past activities from a workbook: upload → preview → confirm (or cancel).

The same flow as the roster import (``volunteer_site.import_flow``): secretary
only, the file kept server-side between preview and confirmation, re-checked on
confirmation, all rows written or none. The imported activities are submitted:
they wait for approval like any other.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy, ngettext
from openpyxl import Workbook

from activities.imports import (
    KIND,
    ActivityImportResult,
    activity_import_confirm,
    activity_import_plan,
    activity_import_template,
)
from teams.models import Team
from volunteer_site.import_flow import ImportFlow


class ActivityImportFlow(ImportFlow):
    kind = KIND
    namespace = "activity_io"
    upload_template = "activities/import_upload.html"
    preview_template = "activities/import_preview.html"
    workbook_filename = "志愿服务活动导入模板.xlsx"
    cancelled_url_name = "activities:list"
    finished_url_name = "activities:awaiting"
    not_waiting_message = gettext_lazy(
        "This import is no longer waiting: it was already imported, cancelled or "
        "left too long. Check the activities, or upload the file again."
    )
    changed_message = gettext_lazy(
        "The team's activities or roster changed after this preview, so nothing was "
        "imported yet. Check the rows below again and confirm."
    )
    plan = staticmethod(activity_import_plan)
    confirm = staticmethod(activity_import_confirm)

    def template_workbook(self, team: Team) -> Workbook:
        return activity_import_template(team)

    def audit_details(self, result: ActivityImportResult) -> dict:
        return {"created": len(result.activities)}

    def success_message(self, result: ActivityImportResult) -> str:
        count = len(result.activities)
        return ngettext(
            "%(count)d activity was imported with %(records)d service records; it awaits approval.",
            "%(count)d activities were imported with %(records)d service records; they await "
            "approval.",
            count,
        ) % {"count": count, "records": result.participations}


flow = ActivityImportFlow()
activity_template = flow.template_view
activity_import = flow.upload_view
activity_preview = flow.preview_view
activity_confirm = flow.confirm_view
