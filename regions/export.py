"""The region overview as an Excel workbook: the same rows, columns and order as the page.

Sheet one is the table (header row frozen, numbers as numbers, "—" where the
page shows "—"); sheet two says what was exported: the regions, the year, the
filters and sort, who exported it and when, and when the figures were computed.

Text that a spreadsheet would run as a formula (starting with = + - @, or a tab
or carriage return) is written with a leading apostrophe, so a team name typed
as ``=HYPERLINK(...)`` stays text (OWASP "CSV injection").
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from regions.rows import COLUMNS, OverviewRow
from volunteer_site.xlsx import safe_cell

NUMBER_FORMATS = {
    "int": "0",
    "hours": "0.0",
    "percent": '0.0"%"',
    "date": "yyyy-mm-dd",
}
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# One rule for formula injection across all exports (volunteer_site.xlsx).
neutralise = safe_cell


def _cell_value(value):
    if value is None:
        return "—"
    if isinstance(value, Decimal | int | datetime.date):
        return value
    return neutralise(str(value))


def overview_workbook(
    rows: list[OverviewRow], *, sheet_title: str, notes_title: str, about: list[tuple[str, str]]
) -> bytes:
    """The workbook's bytes. ``about`` is the second sheet's (label, value) lines."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append([str(column.label) for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        values = row.values()
        sheet.append([_cell_value(values[column.key]) for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        number_format = NUMBER_FORMATS.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                if not isinstance(cell.value, str):
                    cell.number_format = number_format
                cell.alignment = Alignment(horizontal="right")
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions

    notes = workbook.create_sheet(title=notes_title[:31])
    for label, value in about:
        notes.append([neutralise(label), neutralise(value)])
    for cell in notes["A"]:
        cell.font = Font(bold=True)
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 80

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
