"""What an import decides: a status per activity and participation row, and the plan."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy

from activities.forms import ActivityForm
from activities.imports.columns import ACTIVITY_HEADER, PARTICIPATION_HEADER
from activities.models import Activity, Participation
from members.models import Member
from volunteer_site.xlsx import CellProblem, ImportConflict  # noqa: F401 - re-exported


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


@dataclass
class ActivityImportResult:
    activities: list[Activity]
    participations: int
