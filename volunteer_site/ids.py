"""Reading object ids that a form posts (tick boxes: ``participant``, ``activity`` ...).

``str.isdigit()`` accepts "²", "①" and digits of other scripts; ``int()`` then
raises on some ("²") and quietly reads others ("١٢" is 12). Ids are only ever
written by our own pages as ASCII digits, so anything else is refused, as is a
number too long for the database's bigint (or for ``int()`` on 5,000 digits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ID_TEXT = re.compile(r"[0-9]{1,18}", re.ASCII)


def posted_ids(values: Iterable[str]) -> tuple[list[int], list[str]]:
    """The ids in ``values`` (in order, without repeats) and the values that were not ids."""
    ids: dict[int, None] = {}
    unreadable = []
    for value in values:
        if ID_TEXT.fullmatch(value):
            ids[int(value)] = None
        else:
            unreadable.append(value)
    return list(ids), unreadable
