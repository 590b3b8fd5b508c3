"""What goes wrong when reading a spreadsheet: the whole file, one cell, one row."""

from __future__ import annotations

from dataclasses import dataclass


class SpreadsheetError(Exception):
    """The file as a whole cannot be imported; ``message`` says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ImportConflict(Exception):
    """Writing an import failed after its checks passed (the data changed meanwhile);
    nothing was written. The members' and the activities' imports both raise it."""


class CellValueError(ValueError):
    """One cell's value is not what its column needs; the message says what is."""


@dataclass
class CellProblem:
    """Why one cell (or, without a column, one row) cannot be imported.

    ``column`` is the Chinese header, ``cell`` the reference Excel shows (K4),
    so the secretary finds it in the file.
    """

    column: str
    message: str
    cell: str = ""
