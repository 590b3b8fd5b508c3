"""The workbook's layout: its two sheets, their columns and Chinese texts."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from activities.models import Participation
from volunteer_site.xlsx import (
    DATE_FORMAT,
    TEXT_FORMAT,
    CellValueError,
    ImportColumn,
    cell_decimal,
    cell_text,
)

KIND = "activities"
ACTIVITY_SHEET = "活动"
PARTICIPATION_SHEET = "参与记录"
EXAMPLE_PREFIX = "示例"
ROLE_TEXT = {Participation.Role.ORGANISER: "组织者", Participation.Role.PARTICIPANT: "参与者"}


# The shared column type, under the name this import has always given it.
SheetColumn = ImportColumn


ACTIVITY_COLUMNS = [
    SheetColumn(
        "key",
        "活动编号",
        True,
        10,
        gettext_lazy(
            "Required. A short code of your choosing (A1, 2018-05 …), different for each "
            "activity; the “参与记录” sheet uses it."
        ),
        TEXT_FORMAT,
    ),
    SheetColumn(
        "category", "服务类别", True, 24, gettext_lazy("Required: one of the team's categories.")
    ),
    SheetColumn("title", "活动名称", True, 30, gettext_lazy("Required.")),
    SheetColumn("start_date", "开始日期", True, 12, gettext_lazy("Required."), DATE_FORMAT),
    SheetColumn(
        "end_date",
        "结束日期",
        False,
        12,
        gettext_lazy("Empty for a one-day activity."),
        DATE_FORMAT,
    ),
    SheetColumn(
        "hours",
        "服务时长",
        True,
        10,
        gettext_lazy(
            "Required. The activity's service hours, not the calendar span: at most 24 for "
            "each day."
        ),
    ),
    SheetColumn("place", "地点", False, 16, gettext_lazy("Optional.")),
    SheetColumn("content", "服务内容", False, 30, gettext_lazy("Optional.")),
    SheetColumn("organiser", "组织单位", False, 20, gettext_lazy("Optional.")),
    SheetColumn(
        "people_reached", "受益群众人数", False, 12, gettext_lazy("A whole number; empty is 0.")
    ),
    SheetColumn(
        "materials_distributed",
        "发放资料份数",
        False,
        12,
        gettext_lazy("A whole number; empty is 0."),
    ),
    SheetColumn(
        "households_visited", "走访户数", False, 10, gettext_lazy("A whole number; empty is 0.")
    ),
    SheetColumn("donation_yuan", "捐赠资金", False, 10, gettext_lazy("In yuan; empty is 0.")),
    SheetColumn("other_outcomes", "其他成效", False, 20, gettext_lazy("Optional.")),
]
PARTICIPATION_COLUMNS = [
    SheetColumn(
        "activity",
        "活动编号",
        True,
        10,
        gettext_lazy("Required: the activity's code on the “活动” sheet."),
        TEXT_FORMAT,
    ),
    SheetColumn(
        "volunteer_number",
        "志愿者编号",
        False,
        18,
        gettext_lazy("The member's volunteer number; or leave it empty and give the name."),
        TEXT_FORMAT,
    ),
    SheetColumn(
        "name",
        "姓名",
        False,
        10,
        gettext_lazy("Enough on its own when no other member of the team has the same name."),
    ),
    SheetColumn(
        "hours", "服务时长", False, 10, gettext_lazy("Empty: the activity's service hours.")
    ),
    SheetColumn("role", "角色", False, 10, gettext_lazy("组织者 or 参与者; empty is 参与者.")),
]
ACTIVITY_HEADERS = [column.header for column in ACTIVITY_COLUMNS]
PARTICIPATION_HEADERS = [column.header for column in PARTICIPATION_COLUMNS]
ACTIVITY_HEADER = {column.key: column.header for column in ACTIVITY_COLUMNS}
PARTICIPATION_HEADER = {column.key: column.header for column in PARTICIPATION_COLUMNS}
# The outcome counts the form requires; an empty cell means none.
ZERO_IF_EMPTY = ("people_reached", "materials_distributed", "households_visited", "donation_yuan")

ROLE_INPUT = {
    "组织者": Participation.Role.ORGANISER,
    "负责人": Participation.Role.ORGANISER,
    "organiser": Participation.Role.ORGANISER,
    "参与者": Participation.Role.PARTICIPANT,
    "participant": Participation.Role.PARTICIPANT,
}


def cell_getter(table, columns):
    positions = {column.key: table.index(column.header) for column in columns}

    def get(cells: tuple, key: str):
        position = positions[key]
        return None if position is None else cells[position]

    return get


def read_text(row, flagged: set[str], value, key: str) -> str:
    """``cell_text``, or "" with the cell's problem reported on ``row`` and its key added
    to ``flagged`` (so that no second message, such as "required", repeats it)."""
    try:
        return cell_text(value)
    except CellValueError as error:
        flagged.add(key)
        row.error(key, str(error))
        return ""


def check_hours(row, flagged: set[str], value) -> None:
    """An hours cell that is not a plain number (NaN, infinity, 1e30, a thousands
    separator) reported on ``row``, as on both sheets; the rows keep the text, which
    the form reads again."""
    if "hours" in flagged:
        return
    try:
        cell_decimal(value, grouping=False)
    except CellValueError as error:
        flagged.add("hours")
        row.error("hours", str(error))
