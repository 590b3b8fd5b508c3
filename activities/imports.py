"""Importing past activities from a workbook: the template, the plan, the write.

For history kept in spreadsheets. The workbook has two sheets: “活动” (one
activity per row, with a key of the secretary's choosing) and “参与记录” (who
took part: the activity's key, the member's volunteer number or name, hours).

Every activity row is checked by the web form itself (``ActivityForm``: the
category, dates, hours at most 24 per day, outcomes), every participation row
by the participant picker's rules (``ParticipantSelection``: hours above zero,
one decimal, not above the activity's; the member registered at the time),
and the rules for submitting (it took place; it has participants). An
activity already logged with the same title on the same start date is left
out, so importing the same file twice adds nothing.

Nothing is written unless every row is correct; then all activities are
saved and submitted in one transaction (``activity_save(submit=True)``), so
they wait in the secretary's approval queue like any other, marked late when
they are (as history imports usually are).
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.worksheet.datavalidation import DataValidation

from activities import services
from activities.forms import DUPLICATE_SIMILARITY, ActivityForm, ParticipantSelection
from activities.models import Activity, Participation
from activities.services import ParticipantInput, membership_problem
from members.models import Member
from teams.models import Team
from volunteer_site.xlsx import (
    DATE_FORMAT,
    INSTRUCTIONS_SHEET,
    TEXT_FORMAT,
    CellProblem,
    CellValueError,
    Column,
    SpreadsheetError,
    add_table_sheet,
    cell_date,
    cell_text,
    new_workbook,
    read_tables,
)

KIND = "activities"
ACTIVITY_SHEET = "活动"
PARTICIPATION_SHEET = "参与记录"
EXAMPLE_PREFIX = "示例"
ROLE_TEXT = {Participation.Role.ORGANISER: "组织者", Participation.Role.PARTICIPANT: "参与者"}


@dataclass(frozen=True)
class SheetColumn:
    key: str
    header: str
    required: bool
    width: int
    help: Promise
    number_format: str | None = None

    def as_column(self) -> Column:
        return Column(self.header, self.width, self.number_format, self.required)


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


class RowStatus(TextChoices):
    NEW = "new", gettext_lazy("new")
    EXISTS = "exists", gettext_lazy("already logged, left out")
    ERROR = "error", gettext_lazy("error")
    SKIPPED = "skipped", gettext_lazy("example, skipped")
    OK = "ok", gettext_lazy("correct")


def _problem(headers: dict, letters: dict, key: str | None, line: int, message: str):
    letter = letters.get(key, "")
    return CellProblem(headers[key] if key else "", message, f"{letter}{line}" if letter else "")


@dataclass
class ParticipationRow:
    line: int
    key: str = ""
    number: str = ""
    name: str = ""
    hours_text: str = ""
    role: str = Participation.Role.PARTICIPANT
    status: str = RowStatus.OK
    member: Member | None = None
    hours: Decimal | None = None
    errors: list[CellProblem] = field(default_factory=list)
    letters: dict = field(default_factory=dict, repr=False)

    def error(self, key: str | None, message: str) -> None:
        self.errors.append(_problem(PARTICIPATION_HEADER, self.letters, key, self.line, message))

    @property
    def who(self) -> str:
        if self.member is not None:
            return f"{self.member.name}（{self.member.volunteer_number}）"
        return self.name or self.number


@dataclass
class ActivityRow:
    line: int
    key: str = ""
    title: str = ""
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    status: str = RowStatus.NEW
    form: ActivityForm | None = None
    existing: Activity | None = None
    errors: list[CellProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    participations: list[ParticipationRow] = field(default_factory=list)
    # Rows of the participation sheet naming this activity, correct or not,
    # and the line numbers of those with errors.
    listed: int = 0
    participation_error_lines: list[int] = field(default_factory=list)

    letters: dict = field(default_factory=dict, repr=False)

    def error(self, key: str | None, message: str) -> None:
        self.errors.append(_problem(ACTIVITY_HEADER, self.letters, key, self.line, message))

    @property
    def hours(self) -> Decimal | None:
        if self.form is not None and self.form.is_valid():
            return self.form.cleaned_data["hours"]
        return None

    @property
    def category(self):
        if self.form is not None and self.form.is_valid():
            return self.form.cleaned_data["category"]
        return None

    @property
    def person_hours(self) -> Decimal:
        return sum((p.hours or Decimal("0") for p in self.participations), Decimal("0"))


@dataclass
class ActivityImportPlan:
    activities: list[ActivityRow]
    participations: list[ParticipationRow]
    ignored_headers: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(row.status == RowStatus.ERROR for row in self.activities) or any(
            row.status == RowStatus.ERROR for row in self.participations
        )

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(RowStatus.values, 0)
        for row in self.activities:
            counts[row.status] += 1
        counts["participation_errors"] = sum(
            1 for row in self.participations if row.status == RowStatus.ERROR
        )
        counts["participations"] = sum(
            len(row.participations) for row in self.activities if row.status == RowStatus.NEW
        )
        return counts

    @property
    def writes(self) -> int:
        return sum(1 for row in self.activities if row.status == RowStatus.NEW)

    @property
    def participation_errors(self) -> list[ParticipationRow]:
        return [row for row in self.participations if row.status == RowStatus.ERROR]

    @property
    def digest(self) -> str:
        shown = [
            [
                ["a", row.line, row.status, row.key, [[e.column, e.message] for e in row.errors]]
                for row in self.activities
            ],
            [
                [
                    "p",
                    row.line,
                    row.status,
                    row.member.pk if row.member else None,
                    str(row.hours),
                    [[e.column, e.message] for e in row.errors],
                ]
                for row in self.participations
            ],
        ]
        return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()


class ImportConflict(Exception):
    """Saving failed after the checks passed (data changed meanwhile); nothing was written."""


# --- The template ----------------------------------------------------------------------------


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


# --- The plan ----------------------------------------------------------------------------------


def activity_import_plan(*, team: Team, data: bytes, filename: str) -> ActivityImportPlan:
    """Read the workbook and check every row; nothing is written."""
    tables = read_tables(
        data, filename=filename, sheets=[ACTIVITY_SHEET, PARTICIPATION_SHEET], allow_csv=False
    )
    activity_table, participation_table = tables[ACTIVITY_SHEET], tables[PARTICIPATION_SHEET]
    _require_headers(activity_table, ACTIVITY_COLUMNS, ACTIVITY_SHEET)
    _require_headers(participation_table, PARTICIPATION_COLUMNS, PARTICIPATION_SHEET)
    if (
        participation_table.index("志愿者编号") is None
        and participation_table.index("姓名") is None
    ):
        raise SpreadsheetError(
            _("The sheet “%(sheet)s” needs a column “志愿者编号” or “姓名”.")
            % {"sheet": PARTICIPATION_SHEET}
        )
    ignored = [
        f"{table.name}：{header}"
        for table, known in (
            (activity_table, ACTIVITY_HEADERS),
            (participation_table, PARTICIPATION_HEADERS),
        )
        for header in table.headers
        if header and header not in known
    ]
    activities = _activity_rows(team, activity_table)
    participations = _participation_rows(team, participation_table, activities)
    for row in activities:
        if row.status == RowStatus.NEW and not row.errors and not row.listed:
            row.error(
                None,
                _(
                    "Nobody is listed for this activity: add who took part on the "
                    "“%(sheet)s” sheet, with this activity's code."
                )
                % {"sheet": PARTICIPATION_SHEET},
            )
        if row.errors:
            row.status = RowStatus.ERROR
    return ActivityImportPlan(
        activities=activities, participations=participations, ignored_headers=ignored
    )


def _require_headers(table, columns, sheet: str) -> None:
    missing = [c.header for c in columns if c.required and table.index(c.header) is None]
    if missing:
        raise SpreadsheetError(
            _(
                "The sheet “%(sheet)s” has no column %(columns)s. Its first row must hold the "
                "headers of the template (download it from this page)."
            )
            % {"sheet": sheet, "columns": "、".join(f"“{header}”" for header in missing)}
        )


def _getter(table, columns):
    positions = {column.key: table.index(column.header) for column in columns}

    def get(cells: tuple, key: str):
        position = positions[key]
        return None if position is None else cells[position]

    return get


def _activity_rows(team: Team, table) -> list[ActivityRow]:
    get = _getter(table, ACTIVITY_COLUMNS)
    letters = table.letters(ACTIVITY_HEADER)
    categories = {category.name: category for category in team.available_categories()}
    today = timezone.localdate()
    rows: list[ActivityRow] = []
    for line, cells in table.rows:
        row = ActivityRow(line=line, key=cell_text(get(cells, "key")), letters=letters)
        rows.append(row)
        if row.key.startswith(EXAMPLE_PREFIX):
            row.status = RowStatus.SKIPPED
            continue
        row.title = cell_text(get(cells, "title"))
        data = {
            key: cell_text(get(cells, key))
            for key in (
                "title",
                "hours",
                "place",
                "content",
                "organiser",
                "other_outcomes",
                *ZERO_IF_EMPTY,
            )
        }
        for key in ZERO_IF_EMPTY:
            data[key] = data[key].replace(",", "") or "0"
        flagged: set[str] = set()
        if not row.key:
            row.error("key", _("This cell must be filled in."))
        category_name = cell_text(get(cells, "category"))
        category = categories.get(category_name)
        if category is None:
            flagged.add("category")
            row.error(
                "category",
                _("“%(value)s” is not one of the team's service categories: %(choices)s.")
                % {"value": category_name, "choices": "、".join(categories)}
                if category_name
                else _("This cell must be filled in."),
            )
        data["category"] = str(category.pk) if category else ""
        for key in ("start_date", "end_date"):
            try:
                value = cell_date(get(cells, key))
            except CellValueError as error:
                flagged.add(key)
                row.error(key, str(error))
                value = None
            setattr(row, key, value)
        if row.start_date is None and "start_date" not in flagged:
            flagged.add("start_date")
            row.error("start_date", _("This cell must be filled in."))
        if row.end_date is None and "end_date" not in flagged:
            row.end_date = row.start_date  # a one-day activity
            if "start_date" in flagged:
                flagged.add("end_date")  # its error is the start date's
        for key in ("start_date", "end_date"):
            value = getattr(row, key)
            data[key] = value.isoformat() if value else ""
        # The web form's own checks; the duplicate check is done below, for the
        # whole file with one query, so the form is told to skip it.
        data["confirm_duplicate"] = "on"
        form = ActivityForm(data, team=team)
        row.form = form
        if not form.is_valid():
            for key, messages in form.errors.items():
                if key in flagged:
                    continue
                for message in messages:
                    row.error(key if key in ACTIVITY_HEADER else None, message)
        if row.end_date and row.end_date > today and "end_date" not in flagged:
            row.error(
                "end_date" if get(cells, "end_date") not in (None, "") else "start_date",
                _(
                    "The activity ends on %(date)s, in the future: only activities that took "
                    "place can be imported."
                )
                % {"date": row.end_date.isoformat()},
            )
    _check_keys_and_duplicates(team, rows)
    return rows


def _check_keys_and_duplicates(team: Team, rows: list[ActivityRow]) -> None:
    lines_by_key: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.key and row.status != RowStatus.SKIPPED:
            lines_by_key[row.key].append(row.line)
    for row in rows:
        lines = lines_by_key.get(row.key, [])
        if len(lines) > 1:
            row.error(
                "key",
                _("The activity code %(key)s appears in rows %(lines)s of this sheet.")
                % {"key": row.key, "lines": "、".join(str(line) for line in lines)},
            )
    dates = {row.start_date for row in rows if row.start_date and row.status == RowStatus.NEW}
    logged: dict[datetime.date, list[Activity]] = defaultdict(list)
    for activity in Activity.objects.filter(team=team, start_date__in=dates):
        logged[activity.start_date].append(activity)
    seen: dict[tuple, int] = {}
    for row in rows:
        if row.status != RowStatus.NEW or not row.start_date or not row.title:
            continue
        same = [a for a in logged.get(row.start_date, []) if a.title == row.title]
        if same:
            row.existing = same[0]
            row.status = RowStatus.EXISTS
            row.errors = []
            continue
        if (row.start_date, row.title) in seen:
            row.error(
                "title",
                _("Row %(line)d has the same title and start date. Is it the same activity twice?")
                % {"line": seen[(row.start_date, row.title)]},
            )
        seen.setdefault((row.start_date, row.title), row.line)
        similar = likely_duplicates_in(logged.get(row.start_date, []), row.title)
        if similar:
            row.warnings.append(
                _(
                    "An activity with a similar title on the same day is already logged: "
                    "“%(title)s”. Check that it is not the same one."
                )
                % {"title": similar[0].title}
            )


def likely_duplicates_in(activities: list[Activity], title: str) -> list[Activity]:
    """The web form's similarity rule (forms.likely_duplicates), on activities already
    loaded: that function queries once per call, this file asks once for all rows."""
    return [
        other
        for other in activities
        if difflib.SequenceMatcher(None, other.title, title).ratio() >= DUPLICATE_SIMILARITY
        or other.title in title
        or title in other.title
    ]


ROLE_INPUT = {
    "组织者": Participation.Role.ORGANISER,
    "负责人": Participation.Role.ORGANISER,
    "organiser": Participation.Role.ORGANISER,
    "参与者": Participation.Role.PARTICIPANT,
    "participant": Participation.Role.PARTICIPANT,
}


def _participation_rows(team: Team, table, activities: list[ActivityRow]) -> list[ParticipationRow]:
    get = _getter(table, PARTICIPATION_COLUMNS)
    letters = table.letters(PARTICIPATION_HEADER)
    members = list(Member.objects.filter(team=team))
    by_number = {member.volunteer_number: member for member in members}
    by_name: dict[str, list[Member]] = defaultdict(list)
    for member in members:
        by_name[member.name].append(member)
    by_key = {row.key: row for row in activities if row.key}
    listed: dict[tuple[str, int], int] = {}
    rows: list[ParticipationRow] = []
    for line, cells in table.rows:
        row = ParticipationRow(
            line=line,
            letters=letters,
            key=cell_text(get(cells, "activity")),
            number=cell_text(get(cells, "volunteer_number")),
            name=cell_text(get(cells, "name")),
            hours_text=cell_text(get(cells, "hours")),
        )
        rows.append(row)
        activity = by_key.get(row.key)
        if row.key.startswith(EXAMPLE_PREFIX) or (
            activity is not None and activity.status in (RowStatus.SKIPPED, RowStatus.EXISTS)
        ):
            row.status = RowStatus.SKIPPED
            continue
        if not row.key:
            row.error("activity", _("This cell must be filled in."))
        elif activity is None:
            row.error(
                "activity",
                _("No activity on the “%(sheet)s” sheet has the code %(key)s.")
                % {"sheet": ACTIVITY_SHEET, "key": row.key},
            )
        if activity is not None:
            activity.listed += 1
        role_text = cell_text(get(cells, "role"))
        if role_text:
            role = ROLE_INPUT.get(role_text) or ROLE_INPUT.get(role_text.lower())
            if role is None:
                row.error("role", _("“%(value)s”: write 组织者 or 参与者.") % {"value": role_text})
            else:
                row.role = role
        row.member = _find_member(row, by_number, by_name)
        if row.member is not None and activity is not None:
            seen_line = listed.get((row.key, row.member.pk))
            if seen_line is not None:
                row.error(
                    _member_column(row),
                    _("%(name)s is already listed for this activity in row %(line)d.")
                    % {"name": row.member.name, "line": seen_line},
                )
            listed.setdefault((row.key, row.member.pk), row.line)
            _check_hours_and_membership(row, activity)
            activity.participations.append(row)
        if row.errors:
            row.status = RowStatus.ERROR
            if activity is not None:
                activity.participation_error_lines.append(row.line)
    return rows


def _member_column(row: ParticipationRow) -> str:
    return "volunteer_number" if row.number else "name"


def _find_member(row: ParticipationRow, by_number, by_name) -> Member | None:
    if row.number:
        member = by_number.get(row.number)
        if member is None:
            row.error(
                "volunteer_number",
                _("No member of the team has the volunteer number %(number)s.")
                % {"number": row.number},
            )
        elif row.name and row.name != member.name:
            row.error(
                "name",
                _("The volunteer number %(number)s is %(member)s's, not “%(name)s”'s.")
                % {"number": row.number, "member": member.name, "name": row.name},
            )
            return None
        return member
    if not row.name:
        row.error("volunteer_number", _("Give the member's volunteer number or name."))
        return None
    same_name = by_name.get(row.name, [])
    if not same_name:
        row.error("name", _("No member of the team is called “%(name)s”.") % {"name": row.name})
        return None
    if len(same_name) > 1:
        row.error(
            "name",
            _("%(count)d members are called “%(name)s”: give the volunteer number.")
            % {"count": len(same_name), "name": row.name},
        )
        return None
    return same_name[0]


def _check_hours_and_membership(row: ParticipationRow, activity: ActivityRow) -> None:
    """The participant picker's rules, applied to this one row."""
    member = row.member
    data = MultiValueDict({"participant": [str(member.pk)], f"hours_{member.pk}": [row.hours_text]})
    selection = ParticipantSelection(data, members=[member])
    start, end = activity.start_date, activity.end_date
    valid_dates = start is not None and end is not None and end >= start
    selection.validate(
        activity_hours=activity.hours,
        start=start if valid_dates else None,
        end=end if valid_dates else None,
    )
    problem = membership_problem(member, start, end) if valid_dates else None
    for message in selection.errors:
        row.error(_member_column(row) if message == problem else "hours", message)
    if problem and problem not in selection.errors:
        # The picker stops at a member's first problem; the file shows them all.
        row.error(_member_column(row), problem)
    if selection.cleaned:
        row.hours = selection.cleaned[0].hours


# --- Writing -------------------------------------------------------------------------------------


@dataclass
class ActivityImportResult:
    activities: list[Activity]
    participations: int


def activity_import_apply(*, team: Team, plan: ActivityImportPlan, by) -> ActivityImportResult:
    """Save and submit every new activity of a plan without errors, all or none."""
    if plan.has_errors:
        raise ValueError("a plan with errors cannot be written")
    now = timezone.now()
    created: list[Activity] = []
    count = 0
    try:
        with transaction.atomic():
            for row in plan.activities:
                if row.status != RowStatus.NEW:
                    continue
                participants = [
                    ParticipantInput(member=p.member, hours=p.hours, role=p.role)
                    for p in row.participations
                ]
                created.append(
                    services.activity_save(
                        team=team,
                        by=by,
                        fields=row.form.model_fields(),
                        participants=participants,
                        submit=True,
                        now=now,
                    )
                )
                count += len(participants)
    except services.WorkflowError as error:
        raise ImportConflict(" ".join(error.messages)) from error
    return ActivityImportResult(activities=created, participations=count)


def activity_import_confirm(
    *, team: Team, data: bytes, filename: str, previewed: str, by
) -> tuple[ActivityImportPlan, ActivityImportResult | None]:
    """Re-check the staged workbook; write it only if it is still what was previewed."""
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=team.pk).first()
        plan = activity_import_plan(team=team, data=data, filename=filename)
        if plan.has_errors or plan.digest != previewed:
            return plan, None
        return plan, activity_import_apply(team=team, plan=plan, by=by)
