"""What an import decides: a status per row with its changes or errors, and the plan."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy

from members.imports.columns import COLUMN_BY_FIELD, display
from members.models import Member
from volunteer_site.xlsx import CellProblem, ImportConflict  # noqa: F401 - re-exported


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
