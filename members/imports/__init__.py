"""Importing the roster (花名册) from a spreadsheet: the template, the plan, the write.

The secretary downloads the template, fills it (or exports the roster and
edits it), and uploads it. ``member_import_plan`` reads the file and decides,
row by row, without writing anything:

* **new**: the volunteer number is not registered anywhere;
* **update**: it matches a member of the team by volunteer number, or else by
  name and phone number (the number in the file then replaces the stored one);
* **unchanged**: it matches and nothing differs (so importing the same file
  twice changes nothing);
* **error**: with the reason for each cell, by the spreadsheet's row number
  and the column's Chinese header.

``member_import_confirm`` re-reads and re-validates the same file (the roster
may have changed since the preview) and writes every row in one transaction,
or none if any row has an error. Writes use simple_history's bulk helpers, so
every new or changed member has a history record naming the secretary.

For a member who is already registered, an empty cell keeps the stored value:
a file adds and corrects, it never erases. A phone number masked as in an
export (138****5678) that matches the stored number is read as "unchanged".

The package: ``columns`` (the file's layout), ``template`` (the workbook to fill),
``rows`` (statuses, rows and the plan), ``parse`` (cells into values), ``plan``
(deciding each row) and ``apply`` (writing). Every name is importable from
``members.imports``.
"""

from members.imports.apply import member_import_apply, member_import_confirm
from members.imports.columns import (
    COLUMN_BY_FIELD,
    COLUMNS,
    EXAMPLE_PREFIX,
    EXAMPLE_ROW,
    GENDER_TEXT,
    HEADERS,
    IMPORTED_FIELDS,
    KIND,
    NO,
    RANK_TEXT,
    SHEET,
    YES,
    MemberColumn,
    display,
)
from members.imports.parse import FALSE_TEXT, PARSERS, TRUE_TEXT, VALIDATED_FIELDS
from members.imports.plan import BATCH_SIZE, NEW_MEMBER_DEFAULTS, member_import_plan
from members.imports.rows import (
    Change,
    ImportConflict,
    MemberImportPlan,
    MemberImportResult,
    MemberRow,
    RowStatus,
)
from members.imports.template import member_import_template

__all__ = [
    "BATCH_SIZE",
    "COLUMNS",
    "COLUMN_BY_FIELD",
    "EXAMPLE_PREFIX",
    "EXAMPLE_ROW",
    "FALSE_TEXT",
    "GENDER_TEXT",
    "HEADERS",
    "IMPORTED_FIELDS",
    "KIND",
    "NEW_MEMBER_DEFAULTS",
    "NO",
    "PARSERS",
    "RANK_TEXT",
    "SHEET",
    "TRUE_TEXT",
    "VALIDATED_FIELDS",
    "YES",
    "Change",
    "ImportConflict",
    "MemberColumn",
    "MemberImportPlan",
    "MemberImportResult",
    "MemberRow",
    "RowStatus",
    "display",
    "member_import_apply",
    "member_import_confirm",
    "member_import_plan",
    "member_import_template",
]
