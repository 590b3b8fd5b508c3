"""Spreadsheets in and out: the shared helpers for .xlsx exports and imports.

Writing (exports, import templates), ``writing``:
    ``safe_cell`` neutralises formula injection; ``add_table_sheet`` writes a
    sheet with a Chinese header row, frozen below the header, column widths and
    date formats; ``workbook_response`` sends a workbook with a UTF-8 file name.

Reading (imports), ``uploads``, ``reading``, ``cells`` and ``errors``:
    ``read_upload`` refuses a file over ``IMPORT_MAX_BYTES`` before reading it;
    ``read_tables`` opens .xlsx with openpyxl (read-only, values not formulas)
    or .csv with the csv module, refuses what is not a spreadsheet, workbooks
    that unpack to more than an import reads (``unpacked_limit``, before any
    XML is parsed) and files over ``IMPORT_MAX_ROWS``, and returns each sheet
    as a header and numbered rows. ``cell_text`` / ``cell_date`` / ``cell_decimal`` turn cells into
    values, with messages a person can act on (NaN, infinity and 1e30 are not
    numbers a column can hold).

Staging (between an import's preview and its confirmation), ``staging``:
    the uploaded file is kept server-side, never round-tripped through the
    browser; the session only holds a random token tied to the user, the team
    and the kind of import. The file is re-read and re-validated on
    confirmation, because the database may have changed in between.

Headers are matched loosely (spaces, a “*” for required columns and a unit in
brackets are ignored: “服务时长（小时）” is “服务时长”), so an exported file
can be imported again.

Everything is importable from here (``from volunteer_site.xlsx import …``).
"""

from volunteer_site.xlsx.cells import (
    COMPACT_DATE,
    DATE_TEXT,
    EXCEL_SERIALS,
    cell_date,
    cell_decimal,
    cell_text,
)
from volunteer_site.xlsx.errors import (
    CellProblem,
    CellValueError,
    ImportConflict,
    SpreadsheetError,
)
from volunteer_site.xlsx.reading import (
    EMPTY_RUN_LIMIT,
    INSTRUCTIONS_SHEET,
    MAX_COLUMNS,
    UNPACKED_BASE_BYTES,
    UNPACKED_BYTES_PER_ROW,
    XLS_SIGNATURE,
    ZIP_SIGNATURE,
    Table,
    max_sheet_cells,
    normalise_header,
    read_tables,
    unpacked_limit,
)
from volunteer_site.xlsx.staging import (
    MAX_PENDING_PER_SESSION,
    SESSION_KEY,
    STAGING_MAX_AGE_SECONDS,
    StagedUpload,
    discard_staged,
    load_staged,
    remember_preview,
    stage_upload,
    staging_storage,
)
from volunteer_site.xlsx.uploads import (
    SpreadsheetUploadForm,
    file_size_text,
    limit_upload_size,
    read_upload,
    too_large_message,
    upload_was_too_large,
)
from volunteer_site.xlsx.writing import (
    DATE_FORMAT,
    FORMULA_STARTS,
    HEADER_FILL,
    HEADER_FONT,
    REQUIRED_FONT,
    TEXT_FORMAT,
    TITLE_FONT,
    XLSX_CONTENT_TYPE,
    Column,
    ImportColumn,
    add_table_sheet,
    content_disposition,
    new_workbook,
    safe_cell,
    workbook_bytes,
    workbook_response,
)

__all__ = [
    "COMPACT_DATE",
    "DATE_FORMAT",
    "DATE_TEXT",
    "EMPTY_RUN_LIMIT",
    "EXCEL_SERIALS",
    "FORMULA_STARTS",
    "HEADER_FILL",
    "HEADER_FONT",
    "INSTRUCTIONS_SHEET",
    "MAX_COLUMNS",
    "MAX_PENDING_PER_SESSION",
    "REQUIRED_FONT",
    "SESSION_KEY",
    "STAGING_MAX_AGE_SECONDS",
    "TEXT_FORMAT",
    "TITLE_FONT",
    "UNPACKED_BASE_BYTES",
    "UNPACKED_BYTES_PER_ROW",
    "XLSX_CONTENT_TYPE",
    "XLS_SIGNATURE",
    "ZIP_SIGNATURE",
    "CellProblem",
    "CellValueError",
    "Column",
    "ImportColumn",
    "ImportConflict",
    "SpreadsheetError",
    "SpreadsheetUploadForm",
    "StagedUpload",
    "Table",
    "add_table_sheet",
    "cell_date",
    "cell_decimal",
    "cell_text",
    "content_disposition",
    "discard_staged",
    "file_size_text",
    "limit_upload_size",
    "load_staged",
    "max_sheet_cells",
    "new_workbook",
    "normalise_header",
    "read_tables",
    "read_upload",
    "remember_preview",
    "safe_cell",
    "stage_upload",
    "staging_storage",
    "too_large_message",
    "unpacked_limit",
    "upload_was_too_large",
    "workbook_bytes",
    "workbook_response",
]
