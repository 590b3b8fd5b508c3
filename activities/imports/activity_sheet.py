"""The sheet 活动: each row checked by the web form (``ActivityForm``), the codes and
the activities already logged."""

from __future__ import annotations

import datetime
import difflib
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from activities.forms import DUPLICATE_SIMILARITY, ActivityForm
from activities.imports.columns import (
    ACTIVITY_COLUMNS,
    ACTIVITY_HEADER,
    EXAMPLE_PREFIX,
    ZERO_IF_EMPTY,
    cell_getter,
    check_hours,
    read_text,
)
from activities.imports.rows import ActivityRow, RowStatus
from activities.models import Activity
from teams.models import Team
from volunteer_site.xlsx import CellValueError, cell_date


def read_activity_sheet(team: Team, table) -> list[ActivityRow]:
    get = cell_getter(table, ACTIVITY_COLUMNS)
    letters = table.letters(ACTIVITY_HEADER)
    categories = {category.name: category for category in team.available_categories()}
    today = timezone.localdate()
    rows: list[ActivityRow] = []
    for line, cells in table.rows:
        row = ActivityRow(line=line, letters=letters)
        rows.append(row)
        # Columns already reported: the form's own message for them would repeat it.
        flagged: set[str] = set()
        row.key = read_text(row, flagged, get(cells, "key"), "key")
        if row.key.startswith(EXAMPLE_PREFIX):
            row.status = RowStatus.SKIPPED
            continue
        data = {
            key: read_text(row, flagged, get(cells, key), key)
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
        row.title = data["title"]
        for key in ZERO_IF_EMPTY:
            data[key] = data[key].replace(",", "") or "0"
        check_hours(row, flagged, get(cells, "hours"))
        if not row.key and "key" not in flagged:
            row.error("key", _("This cell must be filled in."))
        category_name = read_text(row, flagged, get(cells, "category"), "category")
        category = categories.get(category_name)
        if category is None and "category" not in flagged:
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
