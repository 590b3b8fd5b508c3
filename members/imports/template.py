"""The workbook the secretary fills in."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl.worksheet.datavalidation import DataValidation

from members.imports.columns import (
    COLUMN_BY_FIELD,
    COLUMNS,
    EXAMPLE_PREFIX,
    EXAMPLE_ROW,
    GENDER_TEXT,
    HEADERS,
    NO,
    RANK_TEXT,
    SHEET,
    YES,
)
from volunteer_site.xlsx import INSTRUCTIONS_SHEET, Column, add_table_sheet, new_workbook


def member_import_template():
    """The workbook to fill: Chinese headers (required ones in red), an example row,
    drop-down lists for the fixed choices and a sheet of instructions."""
    workbook = new_workbook()
    sheet = add_table_sheet(
        workbook, SHEET, [column.as_column() for column in COLUMNS], [EXAMPLE_ROW]
    )
    last = 5000
    for column in COLUMNS:
        if column.number_format:
            # On the whole column, not cell by cell: cells would count as rows.
            letter = sheet.cell(row=1, column=HEADERS.index(column.header) + 1).column_letter
            sheet.column_dimensions[letter].number_format = column.number_format
    choices = {
        "gender": list(GENDER_TEXT.values()),
        "is_party_member": [YES, NO],
        "cadre_rank": list(RANK_TEXT.values()),
    }
    for field_name, values in choices.items():
        letter = sheet.cell(row=1, column=HEADERS.index(COLUMN_BY_FIELD[field_name].header) + 1)
        validation = DataValidation(
            type="list", formula1='"' + ",".join(values) + '"', allow_blank=True
        )
        validation.add(f"{letter.column_letter}2:{letter.column_letter}{last}")
        sheet.add_data_validation(validation)
    notes = [
        [column.header, YES if column.required else NO, str(column.help)] for column in COLUMNS
    ]
    notes.append(
        [
            "",
            "",
            _(
                "Rows whose volunteer number starts with “%(prefix)s” are examples and are "
                "not imported. For a member already in the roster, an empty cell keeps the "
                "stored value. Dates may be written 2018-01-05, 2018/1/5 or 2018年1月5日."
            )
            % {"prefix": EXAMPLE_PREFIX},
        ]
    )
    add_table_sheet(
        workbook,
        INSTRUCTIONS_SHEET,
        [Column(_("Column"), 14), Column(_("Required"), 10), Column(_("How to fill it in"), 80)],
        notes,
    )
    return workbook
