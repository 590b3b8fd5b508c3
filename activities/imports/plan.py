"""Reading the workbook and checking every row; nothing is written."""

from __future__ import annotations

from django.utils.translation import gettext as _

from activities.imports.activity_sheet import read_activity_sheet
from activities.imports.columns import (
    ACTIVITY_COLUMNS,
    ACTIVITY_HEADERS,
    ACTIVITY_SHEET,
    PARTICIPATION_COLUMNS,
    PARTICIPATION_HEADERS,
    PARTICIPATION_SHEET,
)
from activities.imports.participation_sheet import participation_rows
from activities.imports.rows import ActivityImportPlan, RowStatus
from teams.models import Team
from volunteer_site.xlsx import SpreadsheetError, read_tables


def activity_import_plan(*, team: Team, data: bytes, filename: str) -> ActivityImportPlan:
    """Read the workbook and check every row; nothing is written."""
    tables = read_tables(
        data, filename=filename, sheets=[ACTIVITY_SHEET, PARTICIPATION_SHEET], allow_csv=False
    )
    activity_table, participation_table = tables[ACTIVITY_SHEET], tables[PARTICIPATION_SHEET]
    _require_headers(activity_table, ACTIVITY_COLUMNS, ACTIVITY_SHEET)
    _require_headers(participation_table, PARTICIPATION_COLUMNS, PARTICIPATION_SHEET)
    if (
        participation_table.index("志愿者编号") is None
        and participation_table.index("姓名") is None
    ):
        raise SpreadsheetError(
            _("The sheet “%(sheet)s” needs a column “志愿者编号” or “姓名”.")
            % {"sheet": PARTICIPATION_SHEET}
        )
    ignored = [
        f"{table.name}：{header}"
        for table, known in (
            (activity_table, ACTIVITY_HEADERS),
            (participation_table, PARTICIPATION_HEADERS),
        )
        for header in table.headers
        if header and header not in known
    ]
    activities = read_activity_sheet(team, activity_table)
    participations = participation_rows(team, participation_table, activities)
    for row in activities:
        if row.status == RowStatus.NEW and not row.errors and not row.listed:
            row.error(
                None,
                _(
                    "Nobody is listed for this activity: add who took part on the "
                    "“%(sheet)s” sheet, with this activity's code."
                )
                % {"sheet": PARTICIPATION_SHEET},
            )
        if row.errors:
            row.status = RowStatus.ERROR
    return ActivityImportPlan(
        activities=activities, participations=participations, ignored_headers=ignored
    )


def _require_headers(table, columns, sheet: str) -> None:
    missing = [c.header for c in columns if c.required and table.index(c.header) is None]
    if missing:
        raise SpreadsheetError(
            _(
                "The sheet “%(sheet)s” has no column %(columns)s. Its first row must hold the "
                "headers of the template (download it from this page)."
            )
            % {"sheet": sheet, "columns": "、".join(f"“{header}”" for header in missing)}
        )
