"""Deciding every row against the roster: new, update, unchanged or error."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from members.imports.columns import (
    COLUMN_BY_FIELD,
    COLUMNS,
    EXAMPLE_PREFIX,
    HEADERS,
    IMPORTED_FIELDS,
    SHEET,
    display,
)
from members.imports.parse import parse_row, run_validators
from members.imports.rows import Change, MemberImportPlan, MemberRow, RowStatus
from members.models import CadreRank, Member, mask_phone
from members.services import duplicate_number_message, member_date_errors
from teams.models import Team
from volunteer_site.xlsx import SpreadsheetError, read_tables

BATCH_SIZE = 500

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
    rows = [parse_row(line, cells, positions, letters) for line, cells in table.rows]
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
    # A participant is registered on each activity's start date (docs/domain.md § Rules):
    # the first start and the last start bound the membership dates.
    spans = {
        pk: (first_start, last_start)
        for pk, first_start, last_start in Member.objects.filter(
            team=team, participations__isnull=False
        )
        .annotate(
            first_start=Min("participations__activity__start_date"),
            last_start=Max("participations__activity__start_date"),
        )
        .values_list("pk", "first_start", "last_start")
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
    run_validators(row, "phone")


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
        first_start, last_start = span
        if registered_on > first_start:
            row.error(
                "registered_on",
                _(
                    "This member took part in an activity that started on %(date)s, before "
                    "this registration date."
                )
                % {"date": first_start.isoformat()},
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
