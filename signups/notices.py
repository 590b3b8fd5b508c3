"""Mail to volunteers about their sign-ups (docs/domain.md § Entities, Sign-ups): moved up from the
waiting list, taken off the list by the team, the occurrence cancelled, and the day-before
reminder.

Nothing here raises into a save: the mails are queued after the change has committed
(``transaction.on_commit``), a broker that is down leaves them unsent (logged), and a
mail server that is down leaves them due for the next run. Each mail is claimed on its
sign-up first (``notified_at``, ``reminded_at``) inside a transaction that is rolled
back if the mail cannot go, so a re-run, a retry or a second worker never sends one
twice.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from planning.models import OccurrenceStatus
from signups.models import SignUp, SignUpStatus
from volunteer_site.names import person_name

logger = logging.getLogger(__name__)


def recipient(user) -> str:
    """Where to write: the member's own address (kept for reminders), else the login's."""
    member = getattr(user, "member", None)
    return (member.email if member is not None else "") or user.email


def display_name(user) -> str:
    """The member's name, else the login's."""
    member = getattr(user, "member", None)
    return member.name if member is not None else person_name(user)


def _context(signup: SignUp) -> dict:
    occurrence = signup.occurrence
    planned = occurrence.planned_activity
    site = settings.SITE_URL.rstrip("/")
    return {
        "name": display_name(signup.user),
        "title": planned.title,
        "team": planned.team.name,
        "day": f"{occurrence.date:%Y-%m-%d}",
        "time_range": occurrence.time_range,
        "place": planned.place,
        "what_to_bring": planned.what_to_bring,
        "cutoff": f"{timezone.localtime(occurrence.signup_closes_at):%Y-%m-%d %H:%M}",
        "url": site + reverse("signups:detail", kwargs={"pk": occurrence.pk}),
        "list_url": site + reverse("signups:upcoming"),
    }


def _send(signup: SignUp, subject: str, template: str) -> bool:
    to = recipient(signup.user)
    if not to:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = _context(signup)
        subject = _(subject) % context
        body = render_to_string(template, context)
    try:
        EmailMessage(subject=subject, body=body, to=[to]).send()
    except Exception:
        logger.warning("sign-up mail %s to sign-up %s not sent", template, signup.pk, exc_info=True)
        raise
    return True


def _claim_and_send(
    pk: int, due: Q, field: str, now: datetime.datetime, send: Callable[[SignUp], bool]
) -> bool:
    """Mark sign-up ``pk`` as told (``field`` = now) if ``due`` still holds, and send;
    a mail that fails rolls the mark back, so it stays due."""
    try:
        with transaction.atomic():
            claimed = SignUp.objects.filter(due, pk=pk).update(**{field: now})
            if not claimed:
                return False
            signup = SignUp.objects.select_related(
                "user__member", "occurrence__planned_activity__team"
            ).get(pk=pk)
            if not send(signup):
                transaction.set_rollback(True)
                return False
    except Exception:
        return False
    return True


# Translated when sent, in the site's language.
_MOVED_UP_SUBJECT = gettext_noop("[Volunteer service] You are on the list for %(title)s on %(day)s")
_CANCELLED_SUBJECT = gettext_noop("[Volunteer service] Cancelled: %(title)s on %(day)s")
_REMOVED_SUBJECT = gettext_noop("[Volunteer service] Taken off the list: %(title)s on %(day)s")
_REMINDER_SUBJECT = gettext_noop("[Volunteer service] Tomorrow: %(title)s, %(time_range)s")


def _tell_each(signup_ids: list[int], due: Q, subject: str, template: str, now) -> int:
    """Send ``template`` to each sign-up still ``due`` a change notice; the mails sent."""
    return sum(
        _claim_and_send(pk, due, "notified_at", now, lambda s: _send(s, subject, template))
        for pk in signup_ids
    )


def moved_up_send(signup_ids: list[int], *, now: datetime.datetime | None = None) -> int:
    """Tell the people moved up from the waiting list; returns the mails sent."""
    now = now or timezone.now()
    due = Q(status=SignUpStatus.CONFIRMED, promoted_at__isnull=False) & (
        Q(notified_at__isnull=True) | Q(notified_at__lt=F("promoted_at"))
    )
    return _tell_each(signup_ids, due, _MOVED_UP_SUBJECT, "emails/signup_moved_up.txt", now)


def cancelled_send(signup_ids: list[int], *, now: datetime.datetime | None = None) -> int:
    """Tell the people whose occurrence was cancelled; returns the mails sent."""
    now = now or timezone.now()
    due = Q(
        status=SignUpStatus.CANCELLED,
        cancelled_at__isnull=False,
        occurrence__status=OccurrenceStatus.CANCELLED,
    ) & (Q(notified_at__isnull=True) | Q(notified_at__lt=F("cancelled_at")))
    return _tell_each(signup_ids, due, _CANCELLED_SUBJECT, "emails/signup_cancelled.txt", now)


def removed_send(signup_ids: list[int], *, now: datetime.datetime | None = None) -> int:
    """Tell the people the team took off a list (staff, a roster change, an approved swap)
    of an occurrence still taking place; returns the mails sent."""
    now = now or timezone.now()
    due = (
        Q(status=SignUpStatus.CANCELLED, cancelled_at__isnull=False)
        & ~Q(occurrence__status=OccurrenceStatus.CANCELLED)
        & Q(changed_by__isnull=False)
        & ~Q(changed_by=F("user"))
        & (Q(notified_at__isnull=True) | Q(notified_at__lt=F("cancelled_at")))
    )
    return _tell_each(signup_ids, due, _REMOVED_SUBJECT, "emails/signup_removed.txt", now)


def reminders_due(*, now: datetime.datetime | None = None):
    """Confirmed sign-ups of scheduled occurrences that start tomorrow, not yet reminded."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    return SignUp.objects.filter(
        status=SignUpStatus.CONFIRMED,
        reminded_at__isnull=True,
        occurrence__date=tomorrow,
        occurrence__status=OccurrenceStatus.SCHEDULED,
        occurrence__planned_activity__is_published=True,
    )


def reminders_send(*, now: datetime.datetime | None = None) -> int:
    """The day-before reminder (daily, volunteer_site/celery.py); returns the mails sent.
    Idempotent: a sign-up reminded once is never reminded again."""
    now = now or timezone.now()
    due = Q(status=SignUpStatus.CONFIRMED, reminded_at__isnull=True)
    pks = list(reminders_due(now=now).order_by("pk").values_list("pk", flat=True))
    return sum(
        _claim_and_send(
            pk,
            due,
            "reminded_at",
            now,
            lambda s: _send(s, _REMINDER_SUBJECT, "emails/signup_reminder.txt"),
        )
        for pk in pks
    )
