"""Reads for applications: the number to suggest to the secretary who approves one."""

from __future__ import annotations

import re

from members.models import Member
from teams.models import Team

TRAILING_DIGITS = re.compile(r"^(.*?)([0-9]+)$", re.ASCII)


def next_volunteer_number(team: Team) -> str:
    """The number after the team's highest (prefix kept, width kept), free across all teams.

    Staff type volunteer numbers (志愿者编号) when they register a member; this only
    suggests one: after 540201180121 comes 540201180122. "" when the team's numbers end
    in no digits (or it has no members), and the secretary types one.
    """
    best: tuple[int, int, str] | None = None
    for number in Member.objects.filter(team=team).values_list("volunteer_number", flat=True):
        match = TRAILING_DIGITS.match(number)
        if match:
            key = (len(match.group(2)), int(match.group(2)), match.group(1))
            if best is None or key > best:
                best = key
    if best is None:
        return ""
    width, value, prefix = best
    for step in range(1, 1000):
        candidate = f"{prefix}{value + step:0{width}d}"
        if not Member.objects.filter(volunteer_number=candidate).exists():
            return candidate
    return ""
