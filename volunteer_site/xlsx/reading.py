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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from volunteer_site.xlsx.errors import SpreadsheetError
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
# An .xlsx is a zip of XML; a small file that unpacks to gigabytes is an attack.
MAX_UNPACKED_RATIO = 30


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


def _read_xlsx(data: bytes, wanted: Sequence[str]) -> dict[str, Table]:
    not_a_workbook = SpreadsheetError(
        _(
            "The file cannot be opened as an Excel workbook: it is damaged or another kind "
            "of file. Save it from Excel or WPS as .xlsx and upload it again."
        )
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_a_workbook from None
    if "xl/workbook.xml" not in names:
        raise not_a_workbook
    if unpacked > MAX_UNPACKED_RATIO * settings.IMPORT_MAX_BYTES:
        raise SpreadsheetError(
            _("The workbook unpacks to far more data than its size suggests; it is refused.")
        )
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
            name: _table_from_rows(name, workbook[actual].iter_rows(values_only=True), budget)
            for name, actual in sheets.items()
        }
    except SpreadsheetError:
        raise
    except Exception:
        # Damaged sheet XML surfaces only while reading the rows.
        raise not_a_workbook from None
    finally:
        workbook.close()


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
            # The first non-empty row is the header.
            table = Table(
                name=name, headers=[normalise_header(v) for v in values], header_line=line
            )
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
