"""The activity list's table rows, written in Python.

The list is the page the office staff open most. Rendered through the template
language its 25 rows (two includes, a URL and a few filters each) cost more than
the rest of the page together; written with ``format_html`` they cost a tenth. The
markup is the same as the includes ``activities/_dates.html`` and ``_status.html``
give on the activity's own page.
"""

from django import template
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from activities.models import ActivityStatus

register = template.Library()


def _dates(activity) -> SafeString:
    start = format_html('<span class="text-nowrap">{}</span>', activity.start_date.isoformat())
    if activity.end_date == activity.start_date:
        return start
    return format_html(
        '{} – <span class="text-nowrap">{}</span>', start, activity.end_date.isoformat()
    )


def _status(activity, late_title: str, late_text: str) -> SafeString:
    html = format_html(
        '<span class="badge status-{}">{}</span>', activity.status, activity.get_status_display()
    )
    if activity.is_late:
        html += format_html(
            ' <span class="badge text-bg-warning" title="{}">{}</span>', late_title, late_text
        )
    if activity.status == ActivityStatus.RETURNED and activity.return_reason:
        html += format_html(
            '<div class="small text-danger">{}</div>', truncatechars(activity.return_reason, 40)
        )
    return html


@register.simple_tag
def activity_rows(activities, team, awaiting: bool) -> SafeString:
    """``<tr>`` for each activity of the page (the columns of activity_list.html)."""
    # One reverse for the page: every detail link differs only by the activity's id.
    marker = 999999999
    link = reverse("activities:detail", args=[team.slug, marker]).split(str(marker))
    late_title = _("Submitted more than 10 working days after the activity ended.")
    late_text = _("logged late")
    rows = []
    for activity in activities:
        tick = (
            format_html(
                '<td><input class="form-check-input" type="checkbox" name="activity" '
                'value="{}" aria-label="{}"></td>',
                activity.pk,
                activity.title,
            )
            if awaiting
            else ""
        )
        place = (
            format_html('<div class="small text-muted">{}</div>', activity.place)
            if activity.place
            else ""
        )
        rows.append(
            (
                tick,
                _dates(activity),
                activity.category.name,
                f"{link[0]}{activity.pk}{link[1]}",
                activity.title,
                place,
                activity.hours,
                activity.participant_count,
                _status(activity, late_title, late_text),
            )
        )
    return format_html_join(
        mark_safe("\n"),  # noqa: S308 - a constant
        '<tr>{}<td>{}</td><td>{}</td><td><a href="{}">{}</a>{}</td>'
        '<td class="text-end">{}</td><td class="text-end">{}</td><td>{}</td></tr>',
        rows,
    )
