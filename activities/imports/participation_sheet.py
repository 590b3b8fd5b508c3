"""The sheet 参与记录: who took part in which activity, by the participant picker's
rules (``ParticipantSelection``)."""

from __future__ import annotations

from collections import defaultdict

from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from activities.forms import ParticipantSelection
from activities.imports.columns import (
    ACTIVITY_SHEET,
    EXAMPLE_PREFIX,
    PARTICIPATION_COLUMNS,
    PARTICIPATION_HEADER,
    ROLE_INPUT,
    cell_getter,
    check_hours,
    read_text,
)
from activities.imports.rows import ActivityRow, ParticipationRow, RowStatus
from members.models import Member
from teams.models import Team
from volunteer_site.names import normalise_name


def participation_rows(team: Team, table, activities: list[ActivityRow]) -> list[ParticipationRow]:
    get = cell_getter(table, PARTICIPATION_COLUMNS)
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
        row = ParticipationRow(line=line, letters=letters)
        flagged: set[str] = set()
        row.key = read_text(row, flagged, get(cells, "activity"), "activity")
        # Looked up as the roster stores them (“Ａ００１” is A001).
        row.number = normalise_name(
            read_text(row, flagged, get(cells, "volunteer_number"), "volunteer_number")
        )
        row.name = normalise_name(read_text(row, flagged, get(cells, "name"), "name"))
        row.hours_text = read_text(row, flagged, get(cells, "hours"), "hours")
        check_hours(row, flagged, get(cells, "hours"))
        rows.append(row)
        activity = by_key.get(row.key)
        if row.key.startswith(EXAMPLE_PREFIX) or (
            activity is not None and activity.status in (RowStatus.SKIPPED, RowStatus.EXISTS)
        ):
            row.status = RowStatus.SKIPPED
            continue
        if not row.key and "activity" not in flagged:
            row.error("activity", _("This cell must be filled in."))
        elif activity is None:
            row.error(
                "activity",
                _("No activity on the “%(sheet)s” sheet has the code %(key)s.")
                % {"sheet": ACTIVITY_SHEET, "key": row.key},
            )
        if activity is not None:
            activity.listed += 1
        role_text = read_text(row, flagged, get(cells, "role"), "role")
        if role_text:
            role = ROLE_INPUT.get(role_text) or ROLE_INPUT.get(role_text.lower())
            if role is None:
                row.error("role", _("“%(value)s”: write 组织者 or 参与者.") % {"value": role_text})
            else:
                row.role = role
        if not {"volunteer_number", "name"} & flagged:
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
            _check_hours_and_membership(row, activity, hours_read="hours" not in flagged)
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


def _check_hours_and_membership(
    row: ParticipationRow, activity: ActivityRow, *, hours_read: bool
) -> None:
    """The participant picker's rules, applied to this one row (its hours only when the
    cell could be read as a number: its problem is already reported)."""
    member = row.member
    hours_text = row.hours_text if hours_read else ""
    data = MultiValueDict({"participant": [str(member.pk)], f"hours_{member.pk}": [hours_text]})
    selection = ParticipantSelection(data, members=[member])
    start, end = activity.start_date, activity.end_date
    valid_dates = start is not None and end is not None and end >= start
    selection.validate(
        activity_hours=activity.hours,
        start=start if valid_dates else None,
        end=end if valid_dates else None,
    )
    problem = member.registration_problem(start) if valid_dates else None
    for message in selection.errors:
        row.error(_member_column(row) if message == problem else "hours", message)
    if problem and problem not in selection.errors:
        # The picker stops at a member's first problem; the file shows them all.
        row.error(_member_column(row), problem)
    if selection.cleaned and hours_read:
        row.hours = selection.cleaned[0].hours
