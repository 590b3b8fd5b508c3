"""Reading uploads: .xlsx with openpyxl (read-only, values not formulas) or .csv with
the csv module, each sheet as a header and numbered rows.

Headers are matched loosely (spaces, a “*” for required columns and a unit in
brackets are ignored: “服务时长（小时）” is “服务时长”), so an exported file
can be imported again.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from volunteer_site.xlsx.errors import SpreadsheetError
from volunteer_site.xlsx.uploads import file_size_text
from volunteer_site.xlsx.writing import FORMULA_STARTS


@dataclass
class Table:
    """One sheet (or a CSV file): normalised headers and the non-empty rows below them.

    ``rows`` holds ``(line, values)``: the row number as the spreadsheet shows it,
    and one value per header (missing cells are None).
    """

    name: str
    headers: list[str]
    rows: list[tuple[int, tuple]] = field(default_factory=list)
    header_line: int = 1

    def index(self, header: str) -> int | None:
        try:
            return self.headers.index(header)
        except ValueError:
            return None

    def letters(self, headers: dict[str, str]) -> dict[str, str]:
        """{key: column letter} for the keys whose header (``{key: header}``) is present."""
        found = {key: self.index(header) for key, header in headers.items()}
        return {key: get_column_letter(i + 1) for key, i in found.items() if i is not None}


# After this many empty rows in a row, the rest of a sheet is formatting, not data.
EMPTY_RUN_LIMIT = 1000
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"

# An .xlsx is a zip of XML, read at about 2 MB of XML a second: a 600 KB file
# that unpacks to 300 MB would hold a worker for minutes. What a workbook may
# unpack to (the sizes its zip declares; reading stops there) is 1 MB for its
# parts plus 1.5 KB for each row IMPORT_MAX_ROWS allows: 31 MB, about 15 s, by
# default, where a 20,000-row, 14-column workbook unpacks to 10-16 MB.
UNPACKED_BASE_BYTES = 1024 * 1024
UNPACKED_BYTES_PER_ROW = 1536
# Columns read from a sheet (the widest import has 14); a sheet may declare
# (<dimension ref="A1:N2001">) at most IMPORT_MAX_ROWS rows of them.
MAX_COLUMNS = 256
DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z0-9:$]+)\"")


def normalise_header(value) -> str:
    """'姓名 *' → '姓名'; '服务时长（小时）' → '服务时长'; '（必填）' and spaces dropped."""
    text = "" if value is None else str(value)
    text = re.sub(r"\s+", "", text).replace("*", "").replace("＊", "")
    text = re.sub(r"[（(][^（()）]*[)）]$", "", text)
    return text


def read_tables(
    data: bytes, *, filename: str, sheets: Sequence[str], allow_csv: bool = True
) -> dict[str, Table]:
    """The sheets named ``sheets`` (or, failing the names, the first ones in order).

    Raises SpreadsheetError when the file is not a spreadsheet, misses a sheet,
    or has more non-empty rows than IMPORT_MAX_ROWS.
    """
    if data.startswith(ZIP_SIGNATURE):
        return _read_xlsx(data, sheets)
    if data.startswith(XLS_SIGNATURE):
        raise SpreadsheetError(
            _(
                "This is an old-style Excel file (.xls) or a password-protected workbook. "
                "Open it in Excel or WPS, save it as “Excel workbook (.xlsx)” without a "
                "password, and upload that file."
            )
        )
    if allow_csv and filename.lower().endswith(".csv"):
        if len(sheets) != 1:
            raise SpreadsheetError(_("This import needs an .xlsx workbook with several sheets."))
        return {sheets[0]: _read_csv(data, sheets[0])}
    if allow_csv:
        raise SpreadsheetError(
            _("This is not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file (.csv).")
        )
    raise SpreadsheetError(_("This is not an Excel workbook. Upload an .xlsx file."))


def unpacked_limit() -> int:
    """The most a workbook may unpack to (see UNPACKED_BASE_BYTES)."""
    return UNPACKED_BASE_BYTES + settings.IMPORT_MAX_ROWS * UNPACKED_BYTES_PER_ROW


def max_sheet_cells() -> int:
    """The most cells a sheet may declare: IMPORT_MAX_ROWS rows of MAX_COLUMNS."""
    return settings.IMPORT_MAX_ROWS * MAX_COLUMNS


def _read_xlsx(data: bytes, wanted: Sequence[str]) -> dict[str, Table]:
    not_a_workbook = SpreadsheetError(
        _(
            "The file cannot be opened as an Excel workbook: it is damaged or another kind "
            "of file. Save it from Excel or WPS as .xlsx and upload it again."
        )
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in set(archive.namelist()):
                raise not_a_workbook
            # Before a byte of XML is parsed: a decompression bomb is refused at once.
            _refuse_oversized(archive)
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        EOFError,
        zlib.error,
        # A member encrypted (RuntimeError) or packed in a way zipfile cannot read.
        RuntimeError,
        NotImplementedError,
    ):
        raise not_a_workbook from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        # openpyxl raises many kinds (InvalidFileException, KeyError, XML parse
        # errors …) on damaged or foreign files; to the user they are all one.
        raise not_a_workbook from None
    try:
        sheets = _pick_sheets(workbook.sheetnames, wanted)
        budget = _RowBudget(settings.IMPORT_MAX_ROWS)
        return {
            name: _table_from_rows(name, _sheet_rows(workbook[actual]), budget)
            for name, actual in sheets.items()
        }
    except SpreadsheetError:
        raise
    except Exception:
        # Damaged sheet XML surfaces only while reading the rows.
        raise not_a_workbook from None
    finally:
        workbook.close()


def _sheet_rows(sheet) -> Iterable[tuple]:
    """The sheet's rows as values, at most MAX_COLUMNS wide: columns past it are never
    data, and openpyxl would pad every row to the widest (a stray cell in column
    XFD makes that 16,384 values a row)."""
    width = min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS)
    return sheet.iter_rows(values_only=True, max_col=width)


def _refuse_oversized(archive: zipfile.ZipFile) -> None:
    """Raise SpreadsheetError when the zip declares more data than an import reads, or a
    sheet declares more cells; reads the zip's directory and each sheet's first bytes."""
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > unpacked_limit():
        raise SpreadsheetError(
            _(
                "The workbook unpacks to %(size)s, more than the %(limit)s an import reads: "
                "it holds far more than rows of data. Copy only the rows and columns to "
                "import into a new workbook, save it as .xlsx and upload that."
            )
            % {"size": file_size_text(unpacked), "limit": file_size_text(unpacked_limit())}
        )
    for info in archive.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        with archive.open(info) as sheet:
            match = DIMENSION.search(sheet.read(64 * 1024))
        if match is None:
            continue
        try:
            first_column, first_row, last_column, last_row = range_boundaries(
                match.group(1).decode()
            )
        except (TypeError, ValueError):
            continue
        rows = (last_row or first_row or 1) - (first_row or 1) + 1
        columns = (last_column or first_column or 1) - (first_column or 1) + 1
        if rows * columns > max_sheet_cells():
            raise SpreadsheetError(
                _(
                    "A sheet of the workbook spans %(rows)s rows × %(columns)s columns, "
                    "more than an import reads (%(limit)s cells). Delete the empty rows and "
                    "columns past the data, or copy the data into a new workbook, and "
                    "upload it again."
                )
                % {
                    "rows": f"{rows:,}",
                    "columns": f"{columns:,}",
                    "limit": f"{max_sheet_cells():,}",
                }
            )


# The template's instructions sheet is never data.
INSTRUCTIONS_SHEET = "填写说明"


def _pick_sheets(available: list[str], wanted: Sequence[str]) -> dict[str, str]:
    by_name = {normalise_header(name): name for name in available}
    spare = [name for name in available if normalise_header(name) != INSTRUCTIONS_SHEET]
    spare = [name for name in spare if normalise_header(name) not in wanted]
    chosen = {}
    for position, name in enumerate(wanted):
        if name in by_name:
            chosen[name] = by_name[name]
        elif len(wanted) == 1 and available:
            # One sheet wanted: the first one, whatever it is called.
            chosen[name] = spare[0] if spare else available[0]
        elif position < len(spare):
            chosen[name] = spare.pop(0)
        else:
            raise SpreadsheetError(
                _("The workbook has no sheet “%(sheet)s”. Start from the template.")
                % {"sheet": name}
            )
    return chosen


class _RowBudget:
    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0

    def take(self) -> None:
        self.used += 1
        if self.used > self.limit:
            raise SpreadsheetError(
                _(
                    "The file has more than %(limit)d rows of data, the most one import "
                    "takes. Split it into several files."
                )
                % {"limit": self.limit}
            )


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table_from_rows(name: str, rows: Iterable[Sequence], budget: _RowBudget) -> Table:
    table: Table | None = None
    empty_run = 0
    for line, values in enumerate(rows, start=1):
        if all(_is_empty(value) for value in values):
            empty_run += 1
            if empty_run > EMPTY_RUN_LIMIT:
                break
            continue
        empty_run = 0
        if table is None:
            # The first non-empty row is the header; columns past its last header
            # are not read (they have no name to import them by).
            headers = [normalise_header(v) for v in values]
            while headers and not headers[-1]:
                headers.pop()
            table = Table(name=name, headers=headers, header_line=line)
            continue
        budget.take()
        width = len(table.headers)
        cells = tuple(_unescape(value) for value in values[:width])
        table.rows.append((line, cells + (None,) * (width - len(cells))))
    if table is None:
        raise SpreadsheetError(
            _("The sheet “%(sheet)s” is empty: it has no header row.") % {"sheet": name}
        )
    return table


def _unescape(value):
    """Undo ``safe_cell``: an exported "'=x" is read back as "=x" (stored as plain text)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _read_csv(data: bytes, name: str) -> Table:
    if b"\x00" in data:
        raise SpreadsheetError(
            _("This is not a CSV file. Upload an Excel workbook (.xlsx) or a CSV file (.csv).")
        )
    # Excel saves "CSV UTF-8" with a byte-order mark, and plain "CSV" in GBK on
    # Chinese Windows; GB 18030 reads GBK too.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetError(
            _("The CSV file's text encoding is not UTF-8 or GBK. Save it as “CSV UTF-8”.")
        )
    first_line = text.split("\n", 1)[0]
    dialect = csv.excel_tab if "\t" in first_line and "," not in first_line else csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error:
        raise SpreadsheetError(_("The CSV file is damaged; save it again from Excel.")) from None
    cleaned = [[cell if cell.strip() else None for cell in row] for row in rows]
    return _table_from_rows(name, cleaned, _RowBudget(settings.IMPORT_MAX_ROWS))
