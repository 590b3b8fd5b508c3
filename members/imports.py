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
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, TextChoices
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.worksheet.datavalidation import DataValidation
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from activities.models import Participation
from activities.stats import team_figures_request
from members.models import CadreRank, Gender, Member, mask_phone
from members.services import duplicate_number_message, member_date_errors
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

SHEET = "注册志愿者"
KIND = "members"
# Rows whose volunteer number starts with this are the template's example: never imported.
EXAMPLE_PREFIX = "示例"
BATCH_SIZE = 500

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


@dataclass(frozen=True)
class MemberColumn:
    field: str
    header: str
    required: bool
    width: int
    help: Promise
    number_format: str | None = None

    def as_column(self) -> Column:
        return Column(self.header, self.width, self.number_format, self.required)


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


class RowStatus(TextChoices):
    NEW = "new", gettext_lazy("new")
    UPDATE = "update", gettext_lazy("update")
    UNCHANGED = "unchanged", gettext_lazy("unchanged")
    ERROR = "error", gettext_lazy("error")
    SKIPPED = "skipped", gettext_lazy("example, skipped")


@dataclass
class Change:
    column: str
    old: str
    new: str


@dataclass
class MemberRow:
    line: int
    values: dict = field(default_factory=dict)
    errors: list[CellProblem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    status: str = RowStatus.NEW
    member: Member | None = None
    # The member's details after the import (stored values overlaid with the file's).
    merged: dict = field(default_factory=dict)
    # {field: column letter} of the file, for cell references in messages.
    letters: dict = field(default_factory=dict, repr=False)

    @property
    def number(self) -> str:
        return self.values.get("volunteer_number", "")

    @property
    def name(self) -> str:
        return self.values.get("name", "")

    def error(self, field_name: str | None, message: str) -> None:
        header = COLUMN_BY_FIELD[field_name].header if field_name else ""
        letter = self.letters.get(field_name, "")
        self.errors.append(CellProblem(header, message, f"{letter}{self.line}" if letter else ""))

    def summary(self) -> str:
        """A new member's main details, for the preview."""
        parts = [
            display(name, self.merged.get(name))
            for name in ("gender", "cadre_rank", "position", "registered_on")
        ]
        return " · ".join(part for part in parts if part)


@dataclass
class MemberImportPlan:
    rows: list[MemberRow]
    ignored_headers: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in RowStatus.values}

    @property
    def has_errors(self) -> bool:
        return any(row.status == RowStatus.ERROR for row in self.rows)

    @property
    def writes(self) -> int:
        return self.count(RowStatus.NEW) + self.count(RowStatus.UPDATE)

    @property
    def digest(self) -> str:
        """What the preview showed; a confirmation whose plan differs is shown again."""
        shown = [
            [
                row.line,
                row.status,
                row.number,
                [[c.column, c.old, c.new] for c in row.changes],
                [[e.column, e.message] for e in row.errors],
            ]
            for row in self.rows
        ]
        return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()


@dataclass
class MemberImportResult:
    created: int
    updated: int


class ImportConflict(Exception):
    """The roster changed while writing; nothing was written."""


# --- The template -------------------------------------------------------------------------


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


# --- Reading cells --------------------------------------------------------------------------


def _choice(choices: type[TextChoices], texts: dict[str, str], message: Callable[[str], str]):
    """A parser accepting the Chinese text, the stored value or the English label."""
    accepted: dict[str, str] = {}

    def parse(cell) -> str:
        text = cell_text(cell)
        if not text:
            return ""
        if not accepted:
            with translation.override("en"):
                for value, label in choices.choices:
                    accepted[str(value).lower()] = value
                    accepted[str(label).lower()] = value
            accepted.update({text: value for value, text in texts.items()})
        found = accepted.get(text) or accepted.get(text.lower())
        if found is None:
            raise CellValueError(message(text))
        return found

    return parse


TRUE_TEXT = {YES, "y", "yes", "true", "1", "√", "✓", "党员"}
FALSE_TEXT = {NO, "n", "no", "false", "0", "×", "非党员"}


def _party(cell) -> bool | None:
    if isinstance(cell, bool):
        return cell
    text = cell_text(cell).lower()
    if not text:
        return None
    if text in TRUE_TEXT:
        return True
    if text in FALSE_TEXT:
        return False
    raise CellValueError(_("“%(value)s”: write 是 or 否.") % {"value": cell_text(cell)})


def _phone(cell) -> str:
    # People type numbers in groups ("138 1234 5678"); the roster stores the digits.
    return "".join(cell_text(cell).split())


PARSERS: dict[str, Callable] = {
    "volunteer_number": cell_text,
    "name": cell_text,
    "gender": _choice(
        Gender,
        GENDER_TEXT,
        lambda text: _("“%(value)s” is not a gender: write 男 or 女.") % {"value": text},
    ),
    "ethnicity": cell_text,
    "is_party_member": _party,
    "party_joined_on": cell_date,
    "cadre_rank": _choice(
        CadreRank,
        RANK_TEXT,
        lambda text: (
            _("“%(value)s” is not a cadre rank: write one of %(choices)s.")
            % {"value": text, "choices": "、".join(RANK_TEXT.values())}
        ),
    ),
    "position": cell_text,
    "phone": _phone,
    "email": cell_text,
    "registered_on": cell_date,
    "left_on": cell_date,
}
# Fields whose model validators (length, e-mail, phone pattern) apply as they are.
VALIDATED_FIELDS = ("volunteer_number", "name", "ethnicity", "position", "email")

NEW_MEMBER_DEFAULTS = {
    "ethnicity": "",
    "is_party_member": True,
    "party_joined_on": None,
    "cadre_rank": CadreRank.GENERAL,
    "position": "",
    "phone": "",
    "email": "",
    "left_on": None,
}
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


def _parse_row(
    line: int, cells: tuple, positions: dict[str, int | None], letters: dict[str, str]
) -> MemberRow:
    row = MemberRow(line=line, letters=letters)
    for name, position in positions.items():
        if position is None:
            continue
        try:
            value = PARSERS[name](cells[position])
        except CellValueError as error:
            row.error(name, str(error))
            continue
        if value is None or value == "":
            if COLUMN_BY_FIELD[name].required:
                row.error(name, _("This cell must be filled in."))
            continue
        row.values[name] = value
    for name in VALIDATED_FIELDS:
        if name in row.values:
            _run_validators(row, name)
    return row


def _run_validators(row: MemberRow, name: str) -> None:
    try:
        Member._meta.get_field(name).run_validators(row.values[name])
    except ValidationError as error:
        for message in error.messages:
            row.error(name, message)
        row.values.pop(name, None)


# --- The plan ------------------------------------------------------------------------------


def member_import_plan(*, team: Team, data: bytes, filename: str) -> MemberImportPlan:
    """Read ``data`` and decide every row (nothing is written).

    Raises SpreadsheetError when the file as a whole cannot be read.
    """
    table = read_tables(data, filename=filename, sheets=[SHEET])[SHEET]
    positions = {column.field: table.index(column.header) for column in COLUMNS}
    missing = [c.header for c in COLUMNS if c.required and positions[c.field] is None]
    if missing:
        raise SpreadsheetError(
            _(
                "The file has no column %(columns)s. The first row must hold the headers "
                "of the template (download it from this page)."
            )
            % {"columns": "、".join(f"“{header}”" for header in missing)}
        )
    ignored = [header for header in table.headers if header and header not in HEADERS]
    letters = table.letters({column.field: column.header for column in COLUMNS})
    rows = [_parse_row(line, cells, positions, letters) for line, cells in table.rows]
    for row in rows:
        if row.number.startswith(EXAMPLE_PREFIX):
            row.status = RowStatus.SKIPPED
            row.errors = []
    _decide(team, [row for row in rows if row.status != RowStatus.SKIPPED])
    return MemberImportPlan(rows=rows, ignored_headers=ignored)


def _decide(team: Team, rows: list[MemberRow]) -> None:
    """Match the rows to the roster (one query for it, a few for numbers elsewhere)."""
    members = list(Member.objects.filter(team=team))
    by_number = {member.volunteer_number: member for member in members}
    by_name_phone: dict[tuple[str, str], list[Member]] = defaultdict(list)
    for member in members:
        if member.phone:
            by_name_phone[(member.name, member.phone)].append(member)
    wanted = sorted({row.number for row in rows if row.number} - by_number.keys())
    elsewhere: set[str] = set()
    for start in range(0, len(wanted), BATCH_SIZE):
        elsewhere |= set(
            Member.objects.filter(volunteer_number__in=wanted[start : start + BATCH_SIZE])
            .exclude(team=team)
            .values_list("volunteer_number", flat=True)
        )
    # The first activity's end and the last one's start bound the membership dates.
    spans = {
        entry["member_id"]: (entry["first_end"], entry["last_start"])
        for entry in Participation.objects.filter(member__team=team)
        .values("member_id")
        .annotate(first_end=Min("activity__end_date"), last_start=Max("activity__start_date"))
    }
    lines_by_number: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.number:
            lines_by_number[row.number].append(row.line)
    seen_member: dict[int, int] = {}
    seen_person: dict[tuple[str, str], int] = {}
    today = timezone.localdate()
    for row in rows:
        repeated = len(lines_by_number.get(row.number, ())) > 1
        if repeated:
            row.error(
                "volunteer_number",
                _("The volunteer number %(number)s appears in rows %(lines)s of this file.")
                % {
                    "number": row.number,
                    "lines": "、".join(str(line) for line in lines_by_number[row.number]),
                },
            )
        member = _match(row, by_number, by_name_phone, elsewhere)
        if member is not None and not repeated:
            if member.pk in seen_member:
                row.error(
                    None,
                    _("Row %(line)d is already this member (%(name)s, %(number)s).")
                    % {
                        "line": seen_member[member.pk],
                        "name": member.name,
                        "number": member.volunteer_number,
                    },
                )
            seen_member.setdefault(member.pk, row.line)
        row.member = member
        _check_phone(row)
        person = (row.name, row.values.get("phone", ""))
        if person[1] and row.name:
            if person in seen_person and member is None:
                row.error(
                    "name",
                    _(
                        "Row %(line)d has the same name and phone number. "
                        "Is this the same person twice?"
                    )
                    % {"line": seen_person[person]},
                )
            seen_person.setdefault(person, row.line)
        _merge(row)
        _check_dates(row, spans.get(member.pk) if member else None, today)
    for row in rows:
        _classify(row)


def _match(row, by_number, by_name_phone, elsewhere) -> Member | None:
    number = row.number
    if number and number in by_number:
        return by_number[number]
    if number and number in elsewhere:
        row.error("volunteer_number", duplicate_number_message(number))
        return None
    phone = row.values.get("phone", "")
    if row.name and phone and "*" not in phone:
        candidates = by_name_phone.get((row.name, phone), [])
        if len(candidates) == 1:
            return candidates[0]
    return None


def _check_phone(row: MemberRow) -> None:
    phone = row.values.get("phone")
    if not phone:
        return
    if "*" in phone:
        # An exported roster shows phones masked; the stored number is kept.
        if row.member is not None and row.member.phone and mask_phone(row.member.phone) == phone:
            del row.values["phone"]
            return
        row.error(
            "phone",
            _(
                "The phone number is partly hidden (%(value)s). Write the full number, or "
                "leave the cell empty."
            )
            % {"value": phone},
        )
        del row.values["phone"]
        return
    # The model's validators: the phone pattern and the length.
    _run_validators(row, "phone")


def _merge(row: MemberRow) -> None:
    if row.member is not None:
        row.merged = {name: getattr(row.member, name) for name in IMPORTED_FIELDS}
    else:
        row.merged = dict(NEW_MEMBER_DEFAULTS)
    row.merged.update(row.values)
    if row.values.get("is_party_member") is False and "party_joined_on" not in row.values:
        # "否" with an empty date: the stored date goes with the membership.
        row.merged["party_joined_on"] = None


def _check_dates(row: MemberRow, span, today: datetime.date) -> None:
    merged = row.merged
    registered_on, left_on = merged.get("registered_on"), merged.get("left_on")
    if registered_on is None:
        return  # already reported: required
    errors = member_date_errors(
        registered_on=registered_on,
        is_party_member=merged["is_party_member"],
        party_joined_on=merged["party_joined_on"],
        left_on=left_on,
    )
    if "party_joined_on" in errors and not merged["is_party_member"]:
        errors["party_joined_on"] = [
            _(
                "Only a party member has a date of joining the party: write 是 in “是否党员” "
                "or clear this cell."
            )
        ]
    # Registered after leaving: point at the leaving date when only the file's is new.
    if (
        "registered_on" in errors
        and registered_on <= today
        and left_on
        and "left_on" in row.values
        and "registered_on" not in row.values
    ):
        errors["left_on"] = errors.pop("registered_on")
    for name, messages in errors.items():
        for message in messages:
            row.error(name, message)
    if left_on and left_on > today:
        row.error("left_on", _("The leaving date cannot be in the future."))
    if span is not None:
        first_end, last_start = span
        if registered_on > first_end:
            row.error(
                "registered_on",
                _(
                    "This member took part in an activity that ended on %(date)s, before this "
                    "registration date."
                )
                % {"date": first_end.isoformat()},
            )
        if left_on and left_on < last_start:
            row.error(
                "left_on",
                _(
                    "This member took part in an activity on %(date)s, after that date. "
                    "The leaving date must be on or after their last activity."
                )
                % {"date": last_start.isoformat()},
            )


def _classify(row: MemberRow) -> None:
    if row.errors:
        row.status = RowStatus.ERROR
        return
    if row.member is None:
        row.status = RowStatus.NEW
        return
    for name in IMPORTED_FIELDS:
        old, new = getattr(row.member, name), row.merged[name]
        if old != new:
            row.changes.append(
                Change(COLUMN_BY_FIELD[name].header, display(name, old), display(name, new))
            )
    row.status = RowStatus.UPDATE if row.changes else RowStatus.UNCHANGED


# --- Writing ---------------------------------------------------------------------------------


def _reason(filename: str) -> str:
    # simple_history's change reason holds 100 characters.
    return (_("Imported from %(file)s") % {"file": filename})[:100]


def member_import_apply(
    *, team: Team, plan: MemberImportPlan, by, filename: str
) -> MemberImportResult:
    """Write a plan without errors: all its new and changed rows, or none."""
    if plan.has_errors:
        raise ValueError("a plan with errors cannot be written")
    reason = _reason(filename)
    new = [Member(team=team, **row.merged) for row in plan.rows if row.status == RowStatus.NEW]
    changed: list[Member] = []
    fields: set[str] = set()
    for row in plan.rows:
        if row.status != RowStatus.UPDATE:
            continue
        for name in IMPORTED_FIELDS:
            if getattr(row.member, name) != row.merged[name]:
                setattr(row.member, name, row.merged[name])
                fields.add(name)
        changed.append(row.member)
    try:
        with transaction.atomic():
            if new:
                bulk_create_with_history(
                    new,
                    Member,
                    batch_size=BATCH_SIZE,
                    default_user=by,
                    default_change_reason=reason,
                )
            if changed:
                bulk_update_with_history(
                    changed,
                    Member,
                    fields=sorted(fields),
                    batch_size=BATCH_SIZE,
                    default_user=by,
                    default_change_reason=reason,
                )
    except IntegrityError as error:
        raise ImportConflict(
            _(
                "The roster was changed by someone else while importing (a volunteer number "
                "is now taken). Nothing was imported; upload the file again."
            )
        ) from error
    if new or changed:
        # Bulk writes send no signals: ask for the figures (registered volunteers) here.
        team_figures_request(team_id=team.pk)
    return MemberImportResult(created=len(new), updated=len(changed))


def member_import_confirm(
    *, team: Team, data: bytes, filename: str, previewed: str, by
) -> tuple[MemberImportPlan, MemberImportResult | None]:
    """Re-validate the staged file and write it if the plan is still the one previewed.

    Returns the plan and, when written, the result; a plan with errors or one
    that differs from the preview (``previewed`` is its digest) is returned
    unwritten for the secretary to check again.
    """
    with transaction.atomic():
        # One import at a time per team: the second waits and then sees the first's rows.
        Team.objects.select_for_update().filter(pk=team.pk).first()
        plan = member_import_plan(team=team, data=data, filename=filename)
        if plan.has_errors or plan.digest != previewed:
            return plan, None
        return plan, member_import_apply(team=team, plan=plan, by=by, filename=filename)
