"""The workbook the secretary fills in: the sheets 活动 and 参与记录, and the instructions."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from openpyxl.worksheet.datavalidation import DataValidation

from activities.imports.columns import (
    ACTIVITY_COLUMNS,
    ACTIVITY_SHEET,
    EXAMPLE_PREFIX,
    PARTICIPATION_COLUMNS,
    PARTICIPATION_SHEET,
)
from teams.models import Team
from volunteer_site.xlsx import INSTRUCTIONS_SHEET, Column, add_table_sheet, new_workbook


def activity_import_template(team: Team):
    """Two sheets to fill (活动, 参与记录), each with an example, and the instructions."""
    categories = [category.name for category in team.available_categories()]
    workbook = new_workbook()
    example_key = f"{EXAMPLE_PREFIX}1"
    activities = add_table_sheet(
        workbook,
        ACTIVITY_SHEET,
        [column.as_column() for column in ACTIVITY_COLUMNS],
        [
            [
                example_key,
                categories[0] if categories else "",
                "走访慰问困难群众（示例）",
                datetime.date(2018, 5, 10),
                datetime.date(2018, 5, 10),
                4,
                "日喀则市桑珠孜区",
                "走访慰问困难党员和群众",
                "市政府办公室",
                30,
                100,
                12,
                0,
                "",
            ]
        ],
    )
    participations = add_table_sheet(
        workbook,
        PARTICIPATION_SHEET,
        [column.as_column() for column in PARTICIPATION_COLUMNS],
        [
            [example_key, f"{EXAMPLE_PREFIX}00001", "扎西（示例）", 4, "组织者"],
            [example_key, "", "卓玛（示例）", 3.5, "参与者"],
        ],
    )
    for sheet, columns in (
        (activities, ACTIVITY_COLUMNS),
        (participations, PARTICIPATION_COLUMNS),
    ):
        for index, column in enumerate(columns, start=1):
            if column.number_format:
                letter = sheet.cell(row=1, column=index).column_letter
                sheet.column_dimensions[letter].number_format = column.number_format
    category_list = ",".join(categories)
    # A drop-down list of categories, when they fit Excel's 255-character limit.
    if categories and len(category_list) < 250 and '"' not in category_list:
        validation = DataValidation(type="list", formula1=f'"{category_list}"', allow_blank=True)
        validation.add("B2:B5000")
        activities.add_data_validation(validation)
    roles = DataValidation(type="list", formula1='"组织者,参与者"', allow_blank=True)
    roles.add("E2:E50000")
    participations.add_data_validation(roles)
    notes = [
        [ACTIVITY_SHEET, column.header, _yes_no(column.required), str(column.help)]
        for column in ACTIVITY_COLUMNS
    ]
    notes += [
        [PARTICIPATION_SHEET, column.header, _yes_no(column.required), str(column.help)]
        for column in PARTICIPATION_COLUMNS
    ]
    notes.append(
        [
            "",
            "",
            "",
            _(
                "Rows whose activity code starts with “%(prefix)s” are examples and are not "
                "imported. Imported activities are submitted for approval. An activity already "
                "logged with the same title and start date is left out. The team's categories: "
                "%(categories)s."
            )
            % {"prefix": EXAMPLE_PREFIX, "categories": "、".join(categories)},
        ]
    )
    add_table_sheet(
        workbook,
        INSTRUCTIONS_SHEET,
        [
            Column(_("Sheet"), 10),
            Column(_("Column"), 14),
            Column(_("Required"), 8),
            Column(_("How to fill it in"), 80),
        ],
        notes,
    )
    return workbook


def _yes_no(value: bool) -> str:
    return "是" if value else "否"
