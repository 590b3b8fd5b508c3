"""The monthly reminders: on the first working day of a month, about the month before.

For each team with at least one member behind (落后 or 未参加 at the end of last
month), each secretary with an e-mail address gets a summary of the month and
the list of members behind, and each member behind who has an address and is
still in the team gets a friendly note about their own count only. A team with
nobody behind gets nothing.

Sending twice is impossible: each e-mail is first recorded in ``ReminderLog``,
whose unique key (team, month, kind, recipient) lets only one transaction
insert it; the e-mail is sent inside that transaction, so a send that fails
rolls the record back and a later run (``manage.py send_reminders``) can try
again, while a duplicate run or a second worker finds the record and skips.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from activities.models import ReminderLog
from activities.stats import team_figures_recompute
from activities.workdays import is_working_day
from compliance import months, review_data
from members.models import Member
from teams.models import Team, TeamRole

logger = logging.getLogger(__name__)


@dataclass
class ReminderResult:
    """What one run did, for the task's return value and the command's output."""

    day: datetime.date
    year: int = 0
    month: int = 0
    ran: bool = False
    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (team slug, kind, to)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # sent before
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    teams_without_anyone_behind: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "month": f"{self.year}-{self.month:02d}" if self.ran else None,
            "ran": self.ran,
            "sent": len(self.sent),
            "skipped": len(self.skipped),
            "failed": len(self.failed),
        }


def first_working_day(year: int, month: int) -> datetime.date:
    """The first day of the month that is a working day in China (调休 included)."""
    day = datetime.date(year, month, 1)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def reminders_send(
    *, today: datetime.date | None = None, force_day: bool = False
) -> ReminderResult:
    """Send last month's reminders if ``today`` is the first working day of its month.

    ``force_day`` sends on any day (by hand, after a failed run); the log still
    prevents anything going out twice.
    """
    today = today or timezone.localdate()
    result = ReminderResult(day=today)
    if not force_day and today != first_working_day(today.year, today.month):
        return result
    result.ran = True
    result.year, result.month = months.default_review_month(today)
    end = months.month_end(result.year, result.month)
    teams = Team.objects.filter(founded_on__lte=end).order_by("pk")
    with translation.override(settings.LANGUAGE_CODE):
        for team in teams:
            _team_reminders(team, today=today, result=result)
    logger.info("monthly reminders: %s", result.as_dict())
    return result


def _review_url(team: Team, year: int, month: int) -> str:
    path = reverse("compliance:review", kwargs={"slug": team.slug, "year": year, "month": month})
    return settings.SITE_URL.rstrip("/") + path


def _team_reminders(team: Team, *, today: datetime.date, result: ReminderResult) -> None:
    year, month = result.year, result.month
    data = review_data.review_load(team, year, month, today=today)
    if data.stale:  # a change not counted yet: never tell someone they are behind by mistake
        team_figures_recompute(team_id=team.pk)
        data = review_data.review_load(team, year, month, today=today)
    behind = data.behind
    if not behind:
        result.teams_without_anyone_behind.append(team.slug)
        return
    context = {
        "team": team,
        "data": data,
        "title": months.month_title(year, month),
        "month_cell": data.review_month,
        "behind": behind,
        "review_url": _review_url(team, year, month),
    }
    secretaries = (
        TeamRole.objects.filter(team=team, role=TeamRole.Role.SECRETARY)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__email")
    )
    subject = _("[Volunteer service] %(month)s review of %(team)s: %(count)d member(s) behind") % {
        "month": context["title"],
        "team": team.name,
        "count": len(behind),
    }
    for role in secretaries:
        body = render_to_string(
            "emails/reminder_secretary.txt", {**context, "secretary": role.user}
        )
        _send_once(team, ReminderLog.Kind.SECRETARY, role.user.email, subject, body, result)
    addresses = dict(
        Member.objects.filter(pk__in=[row.member_id for row in behind])
        .active_on(today)
        .exclude(email="")
        .values_list("pk", "email")
    )
    member_subject = _("[Volunteer service] Your participation in %(year)s so far") % {"year": year}
    for row in behind:
        email = addresses.get(row.member_id)
        if not email:
            continue
        body = render_to_string("emails/reminder_member.txt", {**context, "row": row})
        _send_once(team, ReminderLog.Kind.MEMBER, email, member_subject, body, result)


def _send_once(team, kind: str, recipient: str, subject: str, body: str, result) -> None:
    key = (team.slug, str(kind), recipient)
    try:
        with transaction.atomic():
            # The record first: a second run, or a second worker, stops here.
            ReminderLog.objects.create(
                team=team, year=result.year, month=result.month, kind=kind, recipient=recipient
            )
            EmailMessage(subject=subject, body=body, to=[recipient]).send()
    except IntegrityError:
        result.skipped.append(key)
    except Exception:
        # Not recorded (rolled back): a later run by hand sends it.
        logger.exception("reminder to %s for team %s could not be sent", recipient, team.pk)
        result.failed.append(key)
    else:
        result.sent.append(key)
