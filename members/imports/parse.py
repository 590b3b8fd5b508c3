"""Reading one row of the file: each cell into its field's value, or a problem."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _

from members.imports.columns import COLUMN_BY_FIELD, GENDER_TEXT, NO, RANK_TEXT, YES
from members.imports.rows import MemberRow
from members.models import CadreRank, Gender, Member
from volunteer_site.names import normalise_name
from volunteer_site.xlsx import CellValueError, cell_date, cell_text


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


def _name(cell) -> str:
    # “Ｖ００１” or “V001\u200b” is V001, as the roster form stores it.
    return normalise_name(cell_text(cell))


PARSERS: dict[str, Callable] = {
    "volunteer_number": _name,
    "name": _name,
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


def parse_row(
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
            run_validators(row, name)
    return row


def run_validators(row: MemberRow, name: str) -> None:
    try:
        Member._meta.get_field(name).run_validators(row.values[name])
    except ValidationError as error:
        for message in error.messages:
            row.error(name, message)
        row.values.pop(name, None)
