"""Importing past activities from a workbook: the template, the plan, the write.

For history kept in spreadsheets. The workbook has two sheets: “活动” (one
activity per row, with a key of the secretary's choosing) and “参与记录” (who
took part: the activity's key, the member's volunteer number or name, hours).

Every activity row is checked by the web form itself (``ActivityForm``: the
category, dates, hours at most 24 per day, outcomes; hours that are no number
at all, such as NaN or 1e30, are refused before, alike on both sheets), every participation row
by the participant picker's rules (``ParticipantSelection``: hours above zero,
one decimal, not above the activity's; the member registered at the time),
and the rules for submitting (it took place; it has participants). An
activity already logged with the same title on the same start date is left
out, so importing the same file twice adds nothing.

Nothing is written unless every row is correct; then all activities are
saved and submitted in one transaction (``activity_save(submit=True)``), so
they wait in the secretary's approval queue like any other, marked late when
they are (as history imports usually are).

The package: ``columns`` (the sheets' layout), ``template`` (the workbook to
fill), ``rows`` (statuses, rows and the plan), ``activity_sheet`` and
``participation_sheet`` (checking each sheet's rows), ``plan`` (the two
together) and ``apply`` (writing). Every name is importable from
``activities.imports``.
"""

from activities.imports.activity_sheet import likely_duplicates_in
from activities.imports.apply import activity_import_apply, activity_import_confirm
from activities.imports.columns import (
    ACTIVITY_COLUMNS,
    ACTIVITY_HEADER,
    ACTIVITY_HEADERS,
    ACTIVITY_SHEET,
    EXAMPLE_PREFIX,
    KIND,
    PARTICIPATION_COLUMNS,
    PARTICIPATION_HEADER,
    PARTICIPATION_HEADERS,
    PARTICIPATION_SHEET,
    ROLE_INPUT,
    ROLE_TEXT,
    ZERO_IF_EMPTY,
    SheetColumn,
)
from activities.imports.plan import activity_import_plan
from activities.imports.rows import (
    ActivityImportPlan,
    ActivityImportResult,
    ActivityRow,
    ImportConflict,
    ParticipationRow,
    RowStatus,
)
from activities.imports.template import activity_import_template

__all__ = [
    "ACTIVITY_COLUMNS",
    "ACTIVITY_HEADER",
    "ACTIVITY_HEADERS",
    "ACTIVITY_SHEET",
    "EXAMPLE_PREFIX",
    "KIND",
    "PARTICIPATION_COLUMNS",
    "PARTICIPATION_HEADER",
    "PARTICIPATION_HEADERS",
    "PARTICIPATION_SHEET",
    "ROLE_INPUT",
    "ROLE_TEXT",
    "ZERO_IF_EMPTY",
    "ActivityImportPlan",
    "ActivityImportResult",
    "ActivityRow",
    "ImportConflict",
    "ParticipationRow",
    "RowStatus",
    "SheetColumn",
    "activity_import_apply",
    "activity_import_confirm",
    "activity_import_plan",
    "activity_import_template",
    "likely_duplicates_in",
]
