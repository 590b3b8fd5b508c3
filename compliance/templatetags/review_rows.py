"""The compliance review's member rows (a year-to-date line and a 12-month heat map per
member), written in Python.

A team of 200 members gives 4,000 cells; through the template language that was
most of the page's time (about 50 ms), in plain Python it is a few. The markup
is what ``_review_members.html`` had in its loop.
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

from compliance.standing import MONTHS, MemberStatus, heat_class
from members.models import CadreRank
from volunteer_site.html import esc as _e

register = template.Library()


def _heat_cells(row):
    """The cells of MemberRow.heat, without a HeatCell object for each."""
    registered = set(row.registered_months)
    for month, count in zip(MONTHS, row.monthly, strict=True):
        if count is None:
            yield '<td class="heat heat-after"></td>'
        elif month not in registered and not count:
            yield '<td class="heat heat-out"></td>'
        else:
            yield f'<td class="heat {heat_class(count)}">{int(count)}</td>'


@register.simple_tag
def review_member_rows(rows) -> SafeString:
    """``<tr>`` for each member row (compliance.MemberRow) of the review."""
    # Each label translated once, not twice per member.
    ranks = {value: _e(label) for value, label in CadreRank.choices}
    statuses = {value: _e(label) for value, label in MemberStatus.choices}
    lines = []
    for row in rows:
        heat = "".join(_heat_cells(row))
        status = _e(row.status)
        lines.append(
            f'<tr data-status="{status}" data-member="{int(row.member_id)}">'
            f'<td class="text-nowrap">{_e(row.number)}</td>'
            f'<td class="text-nowrap">{_e(row.name)}</td>'
            f'<td class="text-nowrap">{ranks.get(row.rank) or _e(row.rank_label)}</td>'
            f'<td class="num ytd-count">{int(row.ytd_count)}</td>'
            f'<td class="num">{_e(row.ytd_hours)}</td>'
            f'<td class="num target">{int(row.target)}</td>'
            f'<td class="num">{int(row.expected)}</td>'
            f'<td class="col-status"><span class="badge member-{status}">'
            f"{statuses.get(row.status) or _e(row.status_label)}</span></td>{heat}</tr>"
        )
    # Every value above is escaped or an int; the classes are constants.
    return mark_safe("\n".join(lines))  # noqa: S308
