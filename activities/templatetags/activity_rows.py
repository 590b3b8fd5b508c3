"""The activity list's table rows, written in Python.

The list is the page the office staff open most. Rendered through the template
language its 25 rows (two includes, a URL and a few filters each) cost more than
the rest of the page together; written in plain Python they cost a tenth. The
markup is the same as the includes ``activities/_dates.html`` and ``_status.html``
give on the activity's own page.
"""

from django import template
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from activities.models import ActivityStatus
from activities.services import activity_version
from volunteer_site.html import esc

register = template.Library()


def _dates(activity) -> str:
    start = f'<span class="text-nowrap">{activity.start_date.isoformat()}</span>'
    if activity.end_date == activity.start_date:
        return start
    return f'{start} – <span class="text-nowrap">{activity.end_date.isoformat()}</span>'


@register.simple_tag
def activity_rows(activities, team, awaiting: bool) -> SafeString:
    """``<tr>`` for each activity of the page (the columns of activity_list.html)."""
    # One reverse for the page: every detail link differs only by the activity's id.
    marker = 999999999
    link = reverse("activities:detail", args=[team.slug, marker]).split(str(marker))
    late = (
        f' <span class="badge text-bg-warning" title="'
        f'{esc(_("Submitted more than 10 working days after the activity ended."))}">'
        f"{esc(_('logged late'))}</span>"
    )
    statuses = {value: esc(label) for value, label in ActivityStatus.choices}
    rows = []
    for activity in activities:
        pk = int(activity.pk)
        # With the version the secretary sees, so that approving refuses an
        # activity changed since (services.activity_approve).
        tick = (
            f'<td><input class="form-check-input" type="checkbox" name="activity" '
            f'value="{pk}" aria-label="{esc(activity.title)}">'
            f'<input type="hidden" name="version_{pk}" '
            f'value="{esc(activity_version(activity))}"></td>'
            if awaiting
            else ""
        )
        place = (
            f'<div class="small text-muted">{esc(activity.place)}</div>' if activity.place else ""
        )
        status = (
            f'<span class="badge status-{esc(activity.status)}">'
            f"{statuses.get(activity.status) or esc(activity.get_status_display())}</span>"
        )
        if activity.is_late:
            status += late
        if activity.status == ActivityStatus.RETURNED and activity.return_reason:
            status += (
                f'<div class="small text-danger">'
                f"{esc(truncatechars(activity.return_reason, 40))}</div>"
            )
        rows.append(
            f"<tr>{tick}<td>{_dates(activity)}</td><td>{esc(activity.category.name)}</td>"
            f'<td><a href="{esc(link[0])}{pk}{esc(link[1])}">{esc(activity.title)}</a>{place}</td>'
            f'<td class="text-end">{esc(activity.hours)}</td>'
            f'<td class="text-end">{int(activity.participant_count)}</td><td>{status}</td></tr>'
        )
    # Every value above is escaped or an int; the markup is constant.
    return mark_safe("\n".join(rows))  # noqa: S308
