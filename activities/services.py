"""Writes on activities: saving with participants, and the approval workflow.

The workflow (docs/domain.md § Entities)::

    draft ──submit──▶ submitted ──approve──▶ approved
      ▲                 │    ▲                   │
      │              return  └─────submit────┐   │ reopen (secretary, with a reason)
      │                 ▼                    │   ▼
      └──────────── returned ◀───────────────┴───┘

Only approved activities count in the figures. Who may call what (staff,
secretary) is the views' business; these functions guard the states.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from activities.models import HOURS_FIELD, Activity, ActivityStatus, Participation
from activities.workdays import is_logged_late
from members.models import Member

EDITABLE_STATUSES = {ActivityStatus.DRAFT, ActivityStatus.SUBMITTED, ActivityStatus.RETURNED}
# Hours must stay below this: the columns hold 99999.9 (max_digits 6, decimal_places 1).
HOURS_LIMIT = Decimal(10) ** (HOURS_FIELD["max_digits"] - HOURS_FIELD["decimal_places"])


@dataclass(frozen=True)
class ParticipantInput:
    member: Member
    hours: Decimal
    role: str = Participation.Role.PARTICIPANT


class WorkflowError(ValidationError):
    """A move the workflow does not allow, with a message a person can act on."""


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def activity_version(activity: Activity) -> str:
    """An opaque token for the activity as it is now, sent with the approve forms.

    It is ``updated_at`` in microseconds: every edit saves the activity's row (also
    when only participants change, activity_save), so any edit changes it.
    """
    return str((activity.updated_at - _EPOCH) // datetime.timedelta(microseconds=1))


def _require_status(activity: Activity, allowed: set[str], message: str) -> None:
    if activity.status not in allowed:
        raise WorkflowError(message)


@transaction.atomic
def activity_save(
    *,
    team,
    by,
    fields: dict,
    participants: list[ParticipantInput],
    activity: Activity | None = None,
    submit: bool = False,
    now: datetime.datetime | None = None,
) -> Activity:
    """Create or update an activity and its participant list in one transaction.

    ``fields`` are the form's cleaned model fields. Participations are synced:
    new members are bulk-inserted, removed ones deleted, changed hours updated,
    each with a history record. With ``submit`` the activity is then submitted.
    """
    _require_usable_hours(fields.get("hours"))
    for participant in participants:
        _require_usable_hours(participant.hours, name=participant.member.name)
    if activity is None:
        activity = Activity(team=team, created_by=by, status=ActivityStatus.DRAFT)
    else:
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        _require_status(
            activity,
            EDITABLE_STATUSES,
            _("An approved activity is read-only. The secretary can reopen it for changes."),
        )
    for name, value in fields.items():
        setattr(activity, name, value)
    problems = [
        problem
        for participant in participants
        if (problem := participant.member.registration_problem(activity.start_date))
    ]
    if problems:
        raise WorkflowError(problems)
    activity._history_user = by
    # Participants' hours must fit the new hours before the activity's row is
    # written: the database refuses an activity below any participant's hours.
    if activity.pk:
        _sync_participations(activity, participants, by, phase="shrink")
    activity.save()
    _sync_participations(activity, participants, by, phase="grow")
    if submit:
        activity = activity_submit(activity=activity, by=by, now=now)
    return activity


def _require_usable_hours(hours, *, name: str | None = None) -> None:
    """NaN, infinities and numbers too big for the column: the form refuses them as
    typed (forms.parse_hours); this holds every other caller to the same."""
    if hours is None or (hours.is_finite() and abs(hours) < HOURS_LIMIT):
        return
    problem = _("“%(value)s” is not a usable number of hours.") % {"value": hours}
    if name:
        problem = _("%(name)s: %(problem)s") % {"name": name, "problem": problem}
    raise WorkflowError(problem)


def _sync_participations(activity, participants, by, *, phase: str) -> None:
    """Bring the stored participations in line with ``participants``.

    Runs in two phases around the activity's own save, so that every row fits
    the database rule "participant hours <= activity hours" at all times:
    "shrink" (before) deletes removed members and lowers hours, "grow" (after)
    raises hours and bulk-inserts new members.
    """
    wanted = {p.member.pk: p for p in participants}
    existing = {p.member_id: p for p in activity.participations.all()} if activity.pk else {}
    for member_id, participation in existing.items():
        target = wanted.get(member_id)
        participation._history_user = by
        if target is None:
            if phase == "shrink":
                participation.delete()
            continue
        if (target.hours, target.role) == (participation.hours, participation.role):
            continue
        lowering = target.hours < participation.hours
        if lowering == (phase == "shrink"):
            participation.hours = target.hours
            participation.role = target.role
            participation.save(update_fields=["hours", "role"])
    if phase == "grow":
        new = [
            Participation(activity=activity, member=p.member, hours=p.hours, role=p.role)
            for member_id, p in wanted.items()
            if member_id not in existing
        ]
        if new:
            bulk_create_with_history(new, Participation, default_user=by)


def submit_problems(activity: Activity, *, today: datetime.date) -> list[str]:
    """What stops an activity from being submitted as done, in words for the user."""
    problems = []
    if activity.end_date > today:
        problems.append(
            _(
                "The activity ends on %(date)s, in the future: only activities that took place "
                "can be submitted. Save it as a draft instead."
            )
            % {"date": activity.end_date.isoformat()}
        )
    participations = list(activity.participations.select_related("member"))
    if not participations:
        problems.append(_("Choose at least one participant before submitting."))
    for participation in participations:
        problem = participation.member.registration_problem(activity.start_date)
        if problem:
            problems.append(problem)
    return problems


@transaction.atomic
def activity_submit(*, activity: Activity, by, now: datetime.datetime | None = None) -> Activity:
    """Submit for approval; marks the activity late if logged > 10 working days after it ended."""
    now = now or timezone.now()
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_status(
        activity,
        {ActivityStatus.DRAFT, ActivityStatus.RETURNED},
        _("Only a draft or a returned activity can be submitted."),
    )
    problems = submit_problems(activity, today=timezone.localdate(now))
    if problems:
        raise WorkflowError(problems)
    activity.status = ActivityStatus.SUBMITTED
    activity.submitted_at = now
    activity.is_late = is_logged_late(
        ended_on=activity.end_date, submitted_on=timezone.localdate(now)
    )
    activity._history_user = by
    activity.save()
    return activity


@transaction.atomic
def activity_approve(
    *,
    activity: Activity,
    by,
    version: str | None = None,
    now: datetime.datetime | None = None,
) -> Activity:
    """Approve a submitted activity.

    ``version`` is ``activity_version()`` as the secretary's page showed it; when
    given, the activity must not have changed since (compared on the locked row).
    The pages always give it; scripts may leave it out.
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_status(
        activity,
        {ActivityStatus.SUBMITTED},
        _("Only an activity awaiting approval can be approved."),
    )
    if version is not None and version != activity_version(activity):
        raise WorkflowError(
            _("The activity was changed after you opened it; please review it again")
        )
    activity.status = ActivityStatus.APPROVED
    activity.approved_by = by
    activity.approved_at = now or timezone.now()
    activity.return_reason = ""
    activity._history_user = by
    activity.save()
    return activity


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Please give a reason, so the office staff know what to change."))
    return reason


def history_reason(reason: str) -> str:
    """``reason`` shortened (…) to fit simple_history's change-reason column.

    The activity keeps the whole reason in ``return_reason`` (the timeline shows
    that one); the history's column is a CharField(max_length=100).
    """
    limit = Activity.history.model._meta.get_field("history_change_reason").max_length
    return Truncator(reason).chars(limit, truncate="…")


@transaction.atomic
def activity_return(*, activity: Activity, by, reason: str) -> Activity:
    """Send a submitted activity back to the staff with a reason they will see."""
    reason = _require_reason(reason)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_status(
        activity,
        {ActivityStatus.SUBMITTED},
        _("Only an activity awaiting approval can be returned."),
    )
    activity.status = ActivityStatus.RETURNED
    activity.return_reason = reason
    activity._history_user = by
    activity._change_reason = history_reason(reason)
    activity.save()
    return activity


@transaction.atomic
def activity_reopen(*, activity: Activity, by, reason: str) -> Activity:
    """Take an approved activity out of the figures so it can be corrected."""
    reason = _require_reason(reason)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_status(
        activity, {ActivityStatus.APPROVED}, _("Only an approved activity can be reopened.")
    )
    activity.status = ActivityStatus.RETURNED
    activity.return_reason = reason
    activity.approved_by = None
    activity.approved_at = None
    activity._history_user = by
    activity._change_reason = history_reason(reason)
    activity.save()
    return activity


@transaction.atomic
def activities_approve(
    *, activities: list[Activity], by, versions: dict[int, str] | None = None
) -> int:
    """Approve several at once: all of them, or none if one cannot be approved.

    ``versions`` maps each activity's id to the version the secretary saw (see
    activity_approve); the error names the activity that stopped them all.
    """
    now = timezone.now()
    for activity in activities:
        version = None if versions is None else versions.get(activity.pk, "")
        try:
            activity_approve(activity=activity, by=by, version=version, now=now)
        except WorkflowError as error:
            raise WorkflowError(
                _("“%(title)s”: %(problem)s")
                % {"title": activity.title, "problem": error.messages[0]}
            ) from None
    return len(activities)


@transaction.atomic
def activities_return(*, activities: list[Activity], by, reason: str) -> int:
    for activity in activities:
        activity_return(activity=activity, by=by, reason=reason)
    return len(activities)
