"""The roster file's layout: its sheet, columns and Chinese texts, and the example row.

Exports of the roster (``members.exports``) write the same columns, so an
exported roster can be edited and imported again.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy

from members.models import CadreRank, Gender
from volunteer_site.xlsx import DATE_FORMAT, TEXT_FORMAT, ImportColumn

SHEET = "注册志愿者"
KIND = "members"
# Rows whose volunteer number starts with this are the template's example: never imported.
EXAMPLE_PREFIX = "示例"

# Written and read in Chinese whatever the interface language: the file is a record.
GENDER_TEXT = {Gender.MALE: "男", Gender.FEMALE: "女"}
RANK_TEXT = {
    CadreRank.COUNTY: "县级",
    CadreRank.SECTION: "科级",
    CadreRank.GENERAL: "一般干部",
    CadreRank.WORKER: "职工",
    CadreRank.OTHER: "其他",
}
YES, NO = "是", "否"


class MemberColumn(ImportColumn):
    """A column of the roster file; its key is the Member field it holds."""

    @property
    def field(self) -> str:
        return self.key


COLUMNS = [
    MemberColumn(
        "volunteer_number",
        "志愿者编号",
        True,
        18,
        gettext_lazy(
            "Required. The number given at registration; it identifies the member, so a row "
            "with a number already in the team updates that member."
        ),
        TEXT_FORMAT,
    ),
    MemberColumn("name", "姓名", True, 10, gettext_lazy("Required.")),
    MemberColumn("gender", "性别", True, 6, gettext_lazy("Required: 男 or 女.")),
    MemberColumn("ethnicity", "民族", False, 8, gettext_lazy("For example 汉族, 藏族.")),
    MemberColumn(
        "is_party_member",
        "是否党员",
        False,
        10,
        gettext_lazy("是 or 否; empty means 是 for a new member."),
    ),
    MemberColumn(
        "party_joined_on",
        "入党时间",
        False,
        12,
        gettext_lazy("A date, only for party members."),
        DATE_FORMAT,
    ),
    MemberColumn(
        "cadre_rank",
        "职级",
        False,
        10,
        gettext_lazy("县级, 科级, 一般干部, 职工 or 其他; empty means 一般干部 for a new member."),
    ),
    MemberColumn("position", "职务", False, 16, gettext_lazy("For example 科员.")),
    MemberColumn(
        "phone",
        "手机号码",
        False,
        15,
        gettext_lazy("An 11-digit mobile number, or a landline with its area code."),
        TEXT_FORMAT,
    ),
    MemberColumn("email", "电子邮箱", False, 24, gettext_lazy("Optional.")),
    MemberColumn(
        "registered_on",
        "注册日期",
        True,
        12,
        gettext_lazy("Required. The date of registration, not in the future."),
        DATE_FORMAT,
    ),
    MemberColumn(
        "left_on",
        "离队日期",
        False,
        12,
        gettext_lazy("Only for members who have left: their last day."),
        DATE_FORMAT,
    ),
]
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
HEADERS = [column.header for column in COLUMNS]

EXAMPLE_ROW = [
    f"{EXAMPLE_PREFIX}00001",
    "扎西（示例）",
    "男",
    "藏族",
    YES,
    datetime.date(2010, 7, 1),
    "科级",
    "科员",
    "13800000000",
    "",
    datetime.date(2016, 3, 1),
    None,
]
IMPORTED_FIELDS = [column.field for column in COLUMNS]


def display(field_name: str, value) -> str:
    """A value as the file writes it: 男, 科级, 是, 2018-01-05."""
    if value is None or value == "":
        return ""
    if field_name == "gender":
        return GENDER_TEXT.get(value, str(value))
    if field_name == "cadre_rank":
        return RANK_TEXT.get(value, str(value))
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
