"""Spreadsheets in and out: the shared helpers for .xlsx exports and imports.

Writing (exports, import templates):
    ``safe_cell`` neutralises formula injection; ``add_table_sheet`` writes a
    sheet with a Chinese header row, frozen below the header, column widths and
    date formats; ``workbook_response`` sends a workbook with a UTF-8 file name.

Reading (imports):
    ``read_upload`` refuses a file over ``IMPORT_MAX_BYTES`` before reading it;
    ``read_tables`` opens .xlsx with openpyxl (read-only, values not formulas)
    or .csv with the csv module, refuses what is not a spreadsheet and files
    over ``IMPORT_MAX_ROWS``, and returns each sheet as a header and numbered
    rows. ``cell_text`` / ``cell_date`` turn cells into values, with messages
    a person can act on.

Staging (between an import's preview and its confirmation):
    the uploaded file is kept server-side, never round-tripped through the
    browser; the session only holds a random token tied to the user, the team
    and the kind of import. The file is re-read and re-validated on
    confirmation, because the database may have changed in between.

Headers are matched loosely (spaces, a “*” for required columns and a unit in
brackets are ignored: “服务时长（小时）” is “服务时长”), so an exported file
can be imported again.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import re
import secrets
import tempfile
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- Writing ----------------------------------------------------------------------------

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
    """``value`` as a spreadsheet may hold it: text that would run as a formula gets
    a leading apostrophe (shown, never evaluated); other values are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, width (in characters) and cell format."""

    header: str
    width: int = 12
    number_format: str | None = None
    required: bool = False


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


# --- Reading ----------------------------------------------------------------------------


class SpreadsheetError(Exception):
    """The file as a whole cannot be imported; ``message`` says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CellValueError(ValueError):
    """One cell's value is not what its column needs; the message says what is."""


@dataclass
class CellProblem:
    """Why one cell (or, without a column, one row) cannot be imported.

    ``column`` is the Chinese header, ``cell`` the reference Excel shows (K4),
    so the secretary finds it in the file.
    """

    column: str
    message: str
    cell: str = ""


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


def read_upload(upload) -> bytes:
    """The uploaded file's bytes, refusing it before reading when it is too large."""
    limit = settings.IMPORT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise SpreadsheetError(too_large_message(upload.size))
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise SpreadsheetError(too_large_message(len(data)))
    if not data:
        raise SpreadsheetError(_("The file is empty."))
    return data


def too_large_message(size: int | None = None) -> str:
    limit = file_size_text(settings.IMPORT_MAX_BYTES)
    if size is None:
        return _(
            "The file is larger than %(limit)s, the most one import takes. "
            "Split it into several files and import them one after the other."
        ) % {"limit": limit}
    return _(
        "The file is %(size)s; the limit is %(limit)s. "
        "Split it into several files and import them one after the other."
    ) % {"size": file_size_text(size), "limit": limit}


def file_size_text(size: int) -> str:
    """10485760 → '10 MB'; 2048 → '2 KB'."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.3g} MB"
    return f"{max(size / 1024, 1):.0f} KB"


class _SizeLimitHandler(FileUploadHandler):
    """Skips a file as soon as it passes IMPORT_MAX_BYTES, so an oversized upload is
    neither kept in memory nor written to a temporary file."""

    def __init__(self, request=None):
        super().__init__(request)
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.IMPORT_MAX_BYTES:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def limit_upload_size(request: HttpRequest) -> None:
    """Install the size limit; call it before anything reads ``request.POST``
    (so in a ``csrf_exempt`` view that then applies ``csrf_protect`` itself)."""
    request.upload_handlers.insert(0, _SizeLimitHandler(request))


def upload_was_too_large(request: HttpRequest) -> bool:
    return any(
        isinstance(handler, _SizeLimitHandler) and handler.exceeded
        for handler in request.upload_handlers
    )


class SpreadsheetUploadForm(forms.Form):
    """The file to import. ``cleaned_data["data"]`` holds its bytes once valid."""

    file = forms.FileField(label=gettext_lazy("Spreadsheet file"))

    def __init__(self, *args, accept: str = ".xlsx,.csv", too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.fields["file"].widget.attrs.update(accept=accept, **{"class": "form-control"})

    def clean(self):
        cleaned = super().clean()
        if self.too_large:
            # The oversized file was skipped while reading the request.
            self.errors.pop("file", None)
            self.add_error("file", too_large_message())
            return cleaned
        upload = cleaned.get("file")
        if upload is not None:
            try:
                cleaned["data"] = read_upload(upload)
            except SpreadsheetError as error:
                self.add_error("file", error.message)
        return cleaned


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


# --- Cell values --------------------------------------------------------------------------

DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Excel stores dates as days since 1899-12-30: these are 1950-01-01 and 2099-12-31.
EXCEL_SERIALS = (18264, 73050)


def cell_text(value) -> str:
    """A cell as text: numbers without a spurious ".0", dates as 2018-01-05, stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # Floats from Excel carry noise (2.3000000000000003): 10 significant digits suffice.
        return format(Decimal(repr(round(value, 10))).normalize(), "f")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def cell_date(value) -> datetime.date | None:
    """A date from a date cell, an Excel day number or text such as 2018/1/5 or 2018年1月5日."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if EXCEL_SERIALS[0] <= value <= EXCEL_SERIALS[1]:
            return from_excel(value).date()
        raise CellValueError(_date_message(cell_text(value)))
    text = str(value).strip()
    match = DATE_TEXT.match(text) or COMPACT_DATE.match(text)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            # Well written, but no such day (2018年2月30日).
            raise CellValueError(
                _("“%(value)s” does not exist in the calendar: check the month and the day.")
                % {"value": text}
            ) from None
    raise CellValueError(_date_message(text))


def _date_message(text: str) -> str:
    return _("“%(value)s” is not a date. Write it as 2018-01-05, 2018/1/5 or 2018年1月5日.") % {
        "value": text
    }


def cell_decimal(value) -> Decimal | None:
    """A number from a number cell or text ("1,000" too); None for an empty cell."""
    text = cell_text(value).replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not number.is_finite():
        raise CellValueError(_("“%(value)s” is not a number.") % {"value": text})
    return number


# --- Staging between preview and confirmation -------------------------------------------

SESSION_KEY = "pending_imports"
# A preview older than this is not confirmed: the secretary uploads again.
STAGING_MAX_AGE_SECONDS = 2 * 60 * 60
# One session keeps at most this many pending imports (older ones are dropped).
MAX_PENDING_PER_SESSION = 4


def staging_storage() -> FileSystemStorage:
    """Where uploads wait for confirmation: outside the project and MEDIA_ROOT.

    ``IMPORT_STAGING_DIR`` may point it elsewhere (a folder shared by all web
    hosts when there are several). Files are readable by the site's user only.
    """
    location = getattr(settings, "IMPORT_STAGING_DIR", None) or (
        Path(tempfile.gettempdir()) / "volunteer-site-imports"
    )
    return FileSystemStorage(
        location=str(location), file_permissions_mode=0o600, directory_permissions_mode=0o700
    )


@dataclass
class StagedUpload:
    token: str
    kind: str
    team_id: int
    filename: str
    data: bytes
    digest: str


def stage_upload(request: HttpRequest, *, kind: str, team, filename: str, data: bytes) -> str:
    """Keep ``data`` for a later confirmation by this user on this team; returns the token."""
    storage = staging_storage()
    _purge_stale(storage)
    pending = dict(request.session.get(SESSION_KEY, {}))
    # A new upload of the same kind for the same team replaces the previous one.
    for token, entry in list(pending.items()):
        if entry["kind"] == kind and entry["team"] == team.pk:
            _delete_quietly(storage, token)
            del pending[token]
    while len(pending) >= MAX_PENDING_PER_SESSION:
        oldest = min(pending, key=lambda token: pending[token]["at"])
        _delete_quietly(storage, oldest)
        del pending[oldest]
    token = secrets.token_urlsafe(24)
    storage.save(_staged_name(token), ContentFile(data))
    pending[token] = {
        "kind": kind,
        "team": team.pk,
        "user": request.user.pk,
        "name": filename[:200],
        "at": time.time(),
        "digest": "",
    }
    request.session[SESSION_KEY] = pending
    return token


def load_staged(request: HttpRequest, *, kind: str, team, token: str) -> StagedUpload | None:
    """The staged upload, if ``token`` is this user's pending import of ``kind`` for ``team``."""
    entry = request.session.get(SESSION_KEY, {}).get(token or "")
    if (
        entry is None
        or entry["kind"] != kind
        or entry["team"] != team.pk
        or entry["user"] != request.user.pk
        or time.time() - entry["at"] > STAGING_MAX_AGE_SECONDS
    ):
        return None
    storage = staging_storage()
    try:
        with storage.open(_staged_name(token), "rb") as staged:
            data = staged.read()
    except (FileNotFoundError, OSError):
        return None
    return StagedUpload(
        token=token,
        kind=kind,
        team_id=team.pk,
        filename=entry["name"],
        data=data,
        digest=entry.get("digest", ""),
    )


def remember_preview(request: HttpRequest, token: str, digest: str) -> None:
    """Note what the user was shown, so a confirmation can tell whether it still holds."""
    pending = dict(request.session.get(SESSION_KEY, {}))
    if token in pending:
        pending[token] = {**pending[token], "digest": digest}
        request.session[SESSION_KEY] = pending


def discard_staged(request: HttpRequest, token: str) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    _delete_quietly(staging_storage(), token)


def _staged_name(token: str) -> str:
    # The token is URL-safe base64 from ``secrets``; checked anyway, as it comes from a form.
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token):
        raise ValueError("bad import token")
    return f"{token}.upload"


def _delete_quietly(storage: FileSystemStorage, token: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        storage.delete(_staged_name(token))


def _purge_stale(storage: FileSystemStorage) -> None:
    """Delete abandoned uploads (they hold personal data) older than the staging age."""
    try:
        _folders, files = storage.listdir("")
    except FileNotFoundError:
        return
    cutoff = time.time() - STAGING_MAX_AGE_SECONDS
    for name in files:
        if not name.endswith(".upload"):
            continue
        try:
            if Path(storage.path(name)).stat().st_mtime < cutoff:
                storage.delete(name)
        except OSError:
            continue
