"""What the sortable tables share: the chosen year and the column headers' sort links.

A table sorted by ``?sort=key`` (ascending) or ``?sort=-key`` (descending): each
header links to the same page sorted by its column, or reversed when it already is,
and says which way it is sorted (``aria-sort``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.http import urlencode


@dataclass(frozen=True)
class SortLink:
    query: str  # the query string that sorts by this column (or reverses it)
    direction: str | None  # "ascending" / "descending" when the table is sorted by it


def sort_links(
    columns: Iterable[tuple[str, bool]], *, sort: str, query: Callable[[str], dict]
) -> dict[str, SortLink]:
    """For each (key, highest first) column: the link its header points to.

    A column whose first click sorts highest first (figures) starts descending.
    ``query(target_sort)`` gives the rest of the page's parameters.
    """
    links = {}
    for key, highest_first in columns:
        if sort == key:
            target, direction = f"-{key}", "ascending"
        elif sort == f"-{key}":
            target, direction = key, "descending"
        else:
            target, direction = (f"-{key}" if highest_first else key), None
        links[key] = SortLink(urlencode(query(target)), direction)
    return links


def years_from(first: int | None, *, today: datetime.date) -> list[int]:
    """The years a page offers, newest first: from ``first`` (the first year with
    figures; None when there are none) to the current year."""
    first = min(first or today.year, today.year)
    return list(range(today.year, first - 1, -1))


def clean_year(value: str | None, *, years: list[int], default: int) -> int:
    """``?year=`` if it is one of ``years``, else ``default``."""
    try:
        year = int(value or "")
    except ValueError:
        return default
    return year if year in years else default
