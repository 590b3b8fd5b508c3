"""Check-in and check-out by code, hand marking, and the sheet becoming the draft record
(docs/domain.md § Attendance): the one home of these rules.

Windows, in the server's time: check-in from CHECK_IN_BEFORE before the start until
the end; check-out from the check-in until CHECK_OUT_AFTER after the end. Who may
check in is who may sign up (the planned activity's audience), signed up or not.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, ActivityStatus
from activities.services import ParticipantInput, activity_save
from attendance.models import CODE_LENGTH, Attendance, CheckInCode
from planning.models import Audience, Occurrence, OccurrenceStatus
from signups.services import is_team_member
from volunteer_site.names import person_name

logger = logging.getLogger(__name__)

CHECK_IN_BEFORE = datetime.timedelta(minutes=30)
CHECK_OUT_AFTER = datetime.timedelta(minutes=60)
# A second tap of the same code this soon after checking in is a double tap, not a
# check-out (the check-out button says it is one).
DOUBLE_TAP = datetime.timedelta(minutes=2)
# Wrong codes: at most this many per person in the window, then a pause.
WRONG_CODE_LIMIT = 5
WRONG_CODE_SECONDS = 10 * 60
HALF_HOUR = Decimal("0.5")


class CheckInError(ValidationError):
    """A refused check-in or check-out, with a message for the volunteer."""


# --- Codes ---------------------------------------------------------------------------------


def normalise_code(text: str) -> str:
    """A code as typed: full-width forms folded (NFKC: "１２３" is "123"), spaces and
    dashes dropped. Only full-width forms: superscripts and other scripts' digits
    ("²³", "١٢") are not a code anyone was shown, and stay refused."""
    folded = (
        unicodedata.normalize("NFKC", ch) if "\uff01" <= ch <= "\uff5e" else ch for ch in text or ""
    )
    return "".join(ch for ch in folded if ch not in " -\t\u3000")


def is_code_shaped(code: str) -> bool:
    return len(code) == CODE_LENGTH and code.isascii() and code.isdigit()


def window(occurrence: Occurrence) -> tuple[datetime.datetime, datetime.datetime]:
    """From the first check-in to the last check-out."""
    return occurrence.starts_at - CHECK_IN_BEFORE, occurrence.ends_at + CHECK_OUT_AFTER


def _codes_in_use(now: datetime.datetime) -> set[str]:
    """Codes of occurrences whose window has not closed: a new code avoids them, so a
    typed code names one occurrence."""
    return set(
        CheckInCode.objects.filter(occurrence__ends_at__gt=now - CHECK_OUT_AFTER).values_list(
            "code", flat=True
        )
    )


def _new_code(now: datetime.datetime) -> str:
    taken = _codes_in_use(now)
    while True:
        code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
        if code not in taken:
            return code


@transaction.atomic
def code_for(*, occurrence: Occurrence, now: datetime.datetime | None = None) -> CheckInCode:
    """The occurrence's code, made the first time it is asked for."""
    now = now or timezone.now()
    existing = CheckInCode.objects.filter(occurrence=occurrence).first()
    if existing is not None:
        return existing
    Occurrence.objects.select_for_update().get(pk=occurrence.pk)
    code, _created = CheckInCode.objects.get_or_create(
        occurrence=occurrence, defaults={"code": _new_code(now), "created_at": now}
    )
    return code


@transaction.atomic
def code_renew(*, occurrence: Occurrence, now: datetime.datetime | None = None) -> CheckInCode:
    """A new code (the old one was shared too widely); the old one stops working."""
    now = now or timezone.now()
    Occurrence.objects.select_for_update().get(pk=occurrence.pk)
    code, _created = CheckInCode.objects.update_or_create(
        occurrence=occurrence, defaults={"code": _new_code(now), "created_at": now}
    )
    return code


# --- Wrong codes ---------------------------------------------------------------------------


def _wrong_key(user) -> str:
    return f"attendance:wrong-codes:{user.pk}"


def wrong_codes_exhausted(user) -> bool:
    """True once the user typed WRONG_CODE_LIMIT wrong codes in the window. Without a
    cache the page still works: slower guessing is not worth refusing volunteers."""
    try:
        return (cache.get(_wrong_key(user)) or 0) >= WRONG_CODE_LIMIT
    except Exception:
        logger.warning("check-in rate limit unavailable", exc_info=True)
        return False


def _count_wrong_code(user) -> None:
    try:
        cache.add(_wrong_key(user), 0, WRONG_CODE_SECONDS)
        cache.incr(_wrong_key(user))
    except Exception:
        logger.warning("check-in rate limit unavailable", exc_info=True)


def too_many_wrong_codes_message() -> str:
    return _(
        "Too many wrong check-in codes: please wait %(minutes)d minutes and ask the "
        "organiser for the code."
    ) % {"minutes": WRONG_CODE_SECONDS // 60}


# --- Checking in and out -------------------------------------------------------------------


def _local(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


def why_not_check_in(occurrence: Occurrence, user, *, now: datetime.datetime) -> str | None:
    """Why ``user`` may not check in to ``occurrence`` now, in words for them; or None."""
    planned = occurrence.planned_activity
    if not planned.is_published or occurrence.status == OccurrenceStatus.CANCELLED:
        return _("This activity has been cancelled.")
    opens, _closes = window(occurrence)
    if now < opens:
        return _("Check-in opens at %(time)s, %(minutes)d minutes before the start.") % {
            "time": f"{timezone.localtime(opens):%Y-%m-%d %H:%M}",
            "minutes": CHECK_IN_BEFORE.seconds // 60,
        }
    if now > occurrence.ends_at:
        return _("This activity ended at %(time)s: check-in is closed.") % {
            "time": _local(occurrence.ends_at)
        }
    if planned.audience == Audience.TEAM and not is_team_member(user, planned.team_id, occurrence):
        return _("Only members of %(team)s may check in.") % {"team": planned.team.name}
    return None


@dataclass
class CheckInResult:
    attendance: Attendance
    action: str  # "in", "out" or "already"


# A code whose window closed this recently still gets "check-out closed", not "no such code".
RECENTLY = datetime.timedelta(days=1)


def _occurrence_by_code(code: str, now: datetime.datetime) -> Occurrence | None:
    """The occurrence with this code whose window is open; else one not long over or to come."""
    found = list(
        Occurrence.objects.filter(
            check_in_code__code=code, ends_at__gt=now - CHECK_OUT_AFTER - RECENTLY
        ).order_by("-starts_at")
    )
    open_now = [o for o in found if window(o)[0] <= now <= window(o)[1]]
    return (open_now or found or [None])[0]


@transaction.atomic
def check_in_or_out(
    *, code: str, user, checking_out: bool = False, now: datetime.datetime | None = None
) -> CheckInResult:
    """Check ``user`` in with ``code``; if they are checked in already, out.

    A second tap of the code within DOUBLE_TAP of the check-in leaves them checked
    in (``checking_out`` is the explicit check-out button). Raises CheckInError
    with the reason for every refusal; a wrong code counts towards the limit.
    """
    now = now or timezone.now()
    if wrong_codes_exhausted(user):
        raise CheckInError(too_many_wrong_codes_message())
    code = normalise_code(code)
    if not is_code_shaped(code):
        raise CheckInError(_("The check-in code is 6 digits, such as 123456."))
    occurrence = _occurrence_by_code(code, now)
    if occurrence is None:
        _count_wrong_code(user)
        raise CheckInError(
            _("No activity has the check-in code %(code)s. Please check it with the organiser.")
            % {"code": code}
        )
    occurrence = (
        Occurrence.objects.select_for_update()
        .select_related("planned_activity__team")
        .get(pk=occurrence.pk)
    )
    attendance = Attendance.objects.filter(occurrence=occurrence, user=user).first()
    if attendance is None:
        reason = why_not_check_in(occurrence, user, now=now)
        if reason:
            raise CheckInError(reason)
        attendance = Attendance.objects.create(occurrence=occurrence, user=user, checked_in_at=now)
        return CheckInResult(attendance, "in")
    if attendance.checked_in_at is None:
        raise CheckInError(_("The organiser has already marked you as present."))
    if attendance.checked_out_at is not None:
        raise CheckInError(
            _("You checked out at %(time)s already.") % {"time": _local(attendance.checked_out_at)}
        )
    if not checking_out and now - attendance.checked_in_at < DOUBLE_TAP:
        return CheckInResult(attendance, "already")
    closes = window(occurrence)[1]
    if now > closes:
        raise CheckInError(
            _(
                "Check-out closed at %(time)s, %(minutes)d minutes after the end. "
                "Please tell the organiser when you left."
            )
            % {"time": _local(closes), "minutes": CHECK_OUT_AFTER.seconds // 60}
        )
    attendance.checked_out_at = now
    attendance.save(update_fields=["checked_out_at", "updated_at"])
    return CheckInResult(attendance, "out")


# --- The organiser's hand --------------------------------------------------------------------


@transaction.atomic
def attendance_mark(
    *,
    occurrence: Occurrence,
    user,
    by,
    hours: Decimal | None = None,
    checked_in_at: datetime.datetime | None = None,
    checked_out_at: datetime.datetime | None = None,
    note: str = "",
) -> Attendance:
    """The organiser marks ``user`` as present, with hours or from–to, or neither (the
    check-in times, if any, or the activity's hours then count)."""
    Occurrence.objects.select_for_update().get(pk=occurrence.pk)
    if occurrence.status == OccurrenceStatus.CANCELLED:
        raise ValidationError(_("This activity has been cancelled."))
    if hours is not None and hours <= 0:
        raise ValidationError(_("A participant's hours must be more than zero."))
    if checked_out_at is not None and checked_in_at is not None and checked_out_at < checked_in_at:
        raise ValidationError(_("The time of leaving cannot be before the time of arriving."))
    attendance, _created = Attendance.objects.get_or_create(occurrence=occurrence, user=user)
    attendance.marked_by = by
    attendance.hours = hours
    attendance.note = note
    if checked_in_at is not None:
        attendance.checked_in_at = checked_in_at
        attendance.checked_out_at = checked_out_at
    attendance.save()
    return attendance


@transaction.atomic
def attendance_unmark(*, occurrence: Occurrence, user) -> int:
    """The organiser says ``user`` was not there: their row goes (check-in times too)."""
    deleted, _rows = Attendance.objects.filter(occurrence=occurrence, user=user).delete()
    return deleted


# --- Hours and the draft record ----------------------------------------------------------------


def occurrence_hours(occurrence: Occurrence) -> Decimal:
    """The activity's hours: the occurrence's length, to one decimal (half up)."""
    seconds = Decimal((occurrence.ends_at - occurrence.starts_at).total_seconds())
    return (seconds / 3600).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def round_to_half_hour(duration: datetime.timedelta) -> Decimal:
    """To the nearest half hour, a quarter hour rounding up: 2 h 22 min → 2.5; 2 h 14 → 2.0."""
    halves = (Decimal(duration.total_seconds()) / 1800).quantize(Decimal(1), ROUND_HALF_UP)
    return halves * HALF_HOUR


@dataclass
class PersonHours:
    hours: Decimal
    # Why the hours need the organiser's eye: "no_check_out", "capped", "" otherwise.
    flag: str = ""


def hours_of(attendance: Attendance, *, cap: Decimal) -> PersonHours:
    """A present person's hours (docs/domain.md § Attendance)."""
    if attendance.hours is not None:
        hours, flag = attendance.hours, ""
    elif attendance.checked_in_at is not None and attendance.checked_out_at is not None:
        hours = round_to_half_hour(attendance.checked_out_at - attendance.checked_in_at)
        flag = ""
    else:
        # Marked without hours, or checked in without checking out: the whole activity.
        return PersonHours(cap, "" if attendance.checked_in_at is None else "no_check_out")
    if hours > cap:
        return PersonHours(cap, "capped")
    return PersonHours(hours, flag)


@dataclass
class NotCounted:
    name: str
    reason: str


def _end_date(occurrence: Occurrence) -> datetime.date:
    """The last day the occurrence runs on: a patrol ending at 00:00 ends the day before."""
    return timezone.localdate(occurrence.ends_at - datetime.timedelta(microseconds=1))


@transaction.atomic
def draft_from_sheet(
    *, occurrence: Occurrence, by, now: datetime.datetime | None = None
) -> tuple[Activity, list[NotCounted]]:
    """The occurrence's draft activity record, created or brought up to date from the
    sheet, through the activities app's own save (its rules apply). The occurrence
    is then done. Returns the activity and the people present who are not counted."""
    from members.models import Member

    now = now or timezone.now()
    occurrence = (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("planned_activity__team", "planned_activity__category", "activity")
        .get(pk=occurrence.pk)
    )
    planned = occurrence.planned_activity
    if occurrence.status == OccurrenceStatus.CANCELLED:
        raise ValidationError(_("This activity has been cancelled."))
    if occurrence.starts_at > now:
        raise ValidationError(
            _("The activity has not begun: the draft record can be made from %(time)s.")
            % {"time": f"{timezone.localtime(occurrence.starts_at):%Y-%m-%d %H:%M}"}
        )
    activity = occurrence.activity
    if activity is not None and activity.status != ActivityStatus.DRAFT:
        raise ValidationError(
            _("The activity record is %(status)s already: change it on the record's own page.")
            % {"status": activity.get_status_display()}
        )
    cap = occurrence_hours(occurrence)
    attendances = list(
        Attendance.objects.filter(occurrence=occurrence).select_related("user").order_by("pk")
    )
    members = {
        m.user_id: m
        for m in Member.objects.filter(
            team=planned.team, user_id__in=[a.user_id for a in attendances]
        )
    }
    participants, not_counted = [], []
    for attendance in attendances:
        member = members.get(attendance.user_id)
        if member is None:
            not_counted.append(
                NotCounted(
                    person_name(attendance.user),
                    _("not a member of %(team)s") % {"team": planned.team.name},
                )
            )
            continue
        problem = member.registration_problem(occurrence.date)
        if problem:
            not_counted.append(NotCounted(member.name, problem))
            continue
        hours = hours_of(attendance, cap=cap).hours
        if hours <= 0:
            not_counted.append(
                NotCounted(member.name, _("less than a quarter of an hour checked in"))
            )
            continue
        participants.append(ParticipantInput(member=member, hours=hours))
    fields = {
        "category": planned.category,
        "title": planned.title,
        "start_date": occurrence.date,
        "end_date": _end_date(occurrence),
        "hours": cap,
        "place": planned.place,
    }
    activity = activity_save(
        team=planned.team, by=by, fields=fields, participants=participants, activity=activity
    )
    occurrence.activity = activity
    occurrence.status = OccurrenceStatus.DONE
    occurrence.save(update_fields=["activity", "status"])
    return activity, not_counted


def moments_of(
    occurrence: Occurrence, arrived: datetime.time, left: datetime.time
) -> tuple[datetime.datetime, datetime.datetime]:
    """Times of day typed by the organiser as moments: on the occurrence's date, except
    that for an occurrence past midnight a time before its start (less CHECK_IN_BEFORE)
    is on the next day; leaving at or before arriving is on the next day."""
    zone = timezone.get_default_timezone()
    start = timezone.localtime(occurrence.starts_at)
    crosses = timezone.localdate(occurrence.ends_at) > occurrence.date
    earliest = (start - CHECK_IN_BEFORE).time()

    def on_day(moment: datetime.time) -> datetime.datetime:
        day = occurrence.date
        if crosses and moment < earliest:
            day += datetime.timedelta(days=1)
        return datetime.datetime.combine(day, moment, tzinfo=zone)

    arrived_at, left_at = on_day(arrived), on_day(left)
    if left_at <= arrived_at:
        left_at = datetime.datetime.combine(
            arrived_at.date() + datetime.timedelta(days=1), left, tzinfo=zone
        )
    return arrived_at, left_at
