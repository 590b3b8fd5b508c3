"""Writing workbooks: exports and import templates.

``safe_cell`` neutralises formula injection; ``add_table_sheet`` writes a sheet
with a Chinese header row, frozen below the header, column widths and date
formats; ``workbook_response`` sends a workbook with a UTF-8 file name.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A cell starting with one of these is run as a formula by Excel, LibreOffice
# and WPS (CSV/formula injection, OWASP); tab and carriage return too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
TITLE_FONT = Font(bold=True, size=13)
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"


def safe_cell(value):
    """``value`` as a spreadsheet may hold it: control characters a workbook cannot
    store are dropped, and text that would run as a formula gets a leading
    apostrophe (shown, never evaluated); other values are unchanged.

    The control characters come with pasted text (Word's line break is a vertical
    tab) and are stored as typed; openpyxl refuses the whole workbook for one.
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, width (in characters) and cell format."""

    header: str
    width: int = 12
    number_format: str | None = None
    required: bool = False


@dataclass(frozen=True)
class ImportColumn:
    """One column of an import template: the key its values are read into, its Chinese
    header, whether a row must fill it, its width and format, and its help text (the
    template's instructions sheet)."""

    key: str
    header: str
    required: bool
    width: int
    help: Promise
    number_format: str | None = None

    def as_column(self) -> Column:
        return Column(self.header, self.width, self.number_format, self.required)


def new_workbook() -> Workbook:
    """A workbook without openpyxl's default empty sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def add_table_sheet(
    workbook: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    *,
    title_lines: Sequence[str] = (),
) -> Worksheet:
    """A sheet with optional title lines, a header row frozen in place, then ``rows``.

    Every value goes through ``safe_cell``; dates and date-times are written as
    real dates. Required columns' headers are red (import templates).
    """
    sheet = workbook.create_sheet(title)
    for line in title_lines:
        sheet.append([safe_cell(line)])
        sheet.cell(row=sheet.max_row, column=1).font = TITLE_FONT
    sheet.append([column.header for column in columns])
    header_row = sheet.max_row
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=header_row, column=index)
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    # Freezing at the first cell below the header keeps the title and header in view.
    # (A coordinate, not sheet.cell(): that would create the row and move appends down.)
    sheet.freeze_panes = f"A{header_row + 1}"
    formats = [column.number_format for column in columns]
    for row in rows:
        sheet.append([_writable(value) for value in row])
        row_number = sheet.max_row
        for index, (value, number_format) in enumerate(zip(row, formats, strict=False), start=1):
            if number_format:
                sheet.cell(row=row_number, column=index).number_format = number_format
            elif isinstance(value, datetime.date):
                sheet.cell(row=row_number, column=index).number_format = DATE_FORMAT
    return sheet


def _writable(value):
    if isinstance(value, Decimal):
        # Hours and yuan are short decimals; Excel stores floats, which show them exactly.
        return int(value) if value == value.to_integral_value() else float(value)
    return safe_cell(value)


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987)."""
    fallback = filename.encode("ascii", "ignore").decode().replace('"', "").strip() or "export"
    if fallback.startswith("."):
        fallback = "export" + fallback
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def workbook_response(workbook: Workbook, filename: str) -> HttpResponse:
    """The workbook as a download. Exports hold personal data: never cached."""
    response = HttpResponse(workbook_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "no-store"
    return response
