"""The volunteer's calendar feed (.ics, RFC 5545) built with icalendar
(docs/domain.md § Entities, Sign-ups): their confirmed sign-ups from 30 days back on, and the
occurrences cancelled under them, as STATUS:CANCELLED so that calendar apps drop them."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from planning.models import OccurrenceStatus
from signups.models import SignUp, SignUpStatus

DAYS_BACK = 30
ZONE = ZoneInfo("Asia/Shanghai")


def feed_signups(user, *, now: datetime.datetime | None = None):
    now = now or timezone.now()
    return (
        SignUp.objects.filter(
            Q(status=SignUpStatus.CONFIRMED)
            | Q(status=SignUpStatus.CANCELLED, occurrence__status=OccurrenceStatus.CANCELLED),
            user=user,
            occurrence__starts_at__gte=now - datetime.timedelta(days=DAYS_BACK),
        )
        .select_related("occurrence__planned_activity__team")
        .order_by("occurrence__starts_at", "occurrence__pk")
    )


def uid_of(occurrence) -> str:
    """Stable per occurrence, whatever happens to the sign-up."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"occurrence-{occurrence.pk}@{host}"


def feed_ics(user, *, now: datetime.datetime | None = None) -> bytes:
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//volunteer-service-teams//signups//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("My activities"))
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    site = settings.SITE_URL.rstrip("/")
    for signup in feed_signups(user, now=now):
        occurrence = signup.occurrence
        planned = occurrence.planned_activity
        event = Event()
        event.add("uid", uid_of(occurrence))
        event.add("dtstamp", now)
        event.add("dtstart", occurrence.starts_at.astimezone(ZONE))
        event.add("dtend", occurrence.ends_at.astimezone(ZONE))
        event.add("summary", planned.title)
        if planned.place:
            event.add("location", planned.place)
        lines = [planned.team.name]
        if planned.what_to_bring:
            bring = {"what_to_bring": planned.what_to_bring}
            lines.append(_("What to bring: %(what_to_bring)s") % bring)
        event.add("description", "\n".join(lines))
        cancelled = occurrence.status == OccurrenceStatus.CANCELLED
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("url", site + reverse("signups:detail", kwargs={"pk": occurrence.pk}))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
