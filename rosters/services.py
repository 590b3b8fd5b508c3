"""Writes for duty groups, rosters and swaps (docs/domain.md § Duty rosters).

Who is on an occurrence's list is still decided in ``signups.services`` only: a group
put on duty is each of its members ``assign``-ed, a member taken off is ``cancel``-led
by the team, and a swap is an ``assign`` and a ``cancel`` on each side. Everything here
is atomic; a swap locks both occurrences (in id order, so two swaps never wait on each
other) before it looks at their lists.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member
from planning.models import Occurrence, OccurrenceStatus, PlannedActivity
from rosters.models import (
    GROUP_NAME_MAX,
    REASON_MAX,
    DutyGroup,
    DutyGroupMember,
    DutyShift,
    SwapRequest,
    SwapStatus,
)
from signups import services as signups
from signups.models import SignUp, SignUpSource, SignUpStatus
from volunteer_site.names import normalise_name

ONE_WEEK = datetime.timedelta(days=7)


class RosterError(Exception):
    """A refusal with a message for the person who asked."""


# --- Groups ------------------------------------------------------------------------------------


def _clean_group_name(team, name: str, *, exclude_pk: int | None = None) -> str:
    name = normalise_name(name or "")
    if not name:
        raise RosterError(_("Give the group a name."))
    if len(name) > GROUP_NAME_MAX:
        raise RosterError(
            _("A group name has at most %(limit)d characters.") % {"limit": GROUP_NAME_MAX}
        )
    if "\x00" in name:
        raise RosterError(_("The name contains characters that cannot be used."))
    taken = DutyGroup.objects.filter(team=team, name=name).exclude(pk=exclude_pk)
    if taken.exists():
        raise RosterError(_("The team already has a group named %(name)s.") % {"name": name})
    return name


@transaction.atomic
def group_create(*, team, name: str) -> DutyGroup:
    """A new group at the end of the rotation order."""
    name = _clean_group_name(team, name)
    last = DutyGroup.objects.filter(team=team).aggregate(last=Max("position"))["last"]
    try:
        with transaction.atomic():
            return DutyGroup.objects.create(
                team=team, name=name, position=0 if last is None else last + 1
            )
    except IntegrityError as error:  # the same name saved at the same moment
        raise RosterError(
            _("The team already has a group named %(name)s.") % {"name": name}
        ) from error


@transaction.atomic
def group_rename(*, group: DutyGroup, name: str) -> DutyGroup:
    group.name = _clean_group_name(group.team, name, exclude_pk=group.pk)
    group.save(update_fields=["name"])
    return group


@transaction.atomic
def group_delete(*, group: DutyGroup) -> None:
    """The group and its memberships go; the duties already on the roster stay."""
    group.delete()


@transaction.atomic
def group_set_members(*, group: DutyGroup, members: list[Member]) -> None:
    """``members`` (current members of the group's team) become the group's; a member
    who was in another group of the team moves here (one group per member)."""
    for member in members:
        if member.team_id != group.team_id or member.left_on is not None:
            raise RosterError(
                _("%(name)s is not a current member of the team.") % {"name": member.name}
            )
    keep = {member.pk for member in members}
    DutyGroupMember.objects.filter(group=group).exclude(member_id__in=keep).delete()
    for member in members:
        DutyGroupMember.objects.update_or_create(member=member, defaults={"group": group})


# --- The roster ---------------------------------------------------------------------------------


def _check_can_change(occurrence: Occurrence, now: datetime.datetime) -> None:
    if occurrence.status != OccurrenceStatus.SCHEDULED:
        raise RosterError(_("This occurrence is not scheduled any more."))
    if occurrence.ends_at <= now:
        raise RosterError(_("This activity is over; its list can no longer change."))


def _can_serve(member: Member, occurrence: Occurrence) -> bool:
    return member.user_id is not None and member.was_registered_on(occurrence.date)


@transaction.atomic
def group_put_on_duty(
    *, occurrence: Occurrence, group: DutyGroup, by, now: datetime.datetime | None = None
) -> list[Member]:
    """Put ``group`` on duty at ``occurrence``: each of its members who has a login and
    is registered that day is assigned (``signups.services.assign``). If another group
    was on duty, its members whom the team had assigned are taken off (sign-ups people
    made themselves stay). Returns the group's members who could not be assigned."""
    now = now or timezone.now()
    occurrence = Occurrence.objects.select_for_update().get(pk=occurrence.pk)
    if group.team_id != occurrence.planned_activity.team_id:
        raise RosterError(_("This group is not one of the team's."))
    _check_can_change(occurrence, now)
    shift = DutyShift.objects.filter(occurrence=occurrence).select_related("group").first()
    if shift is not None and shift.group_id != group.pk:
        leaving = SignUp.objects.filter(
            occurrence=occurrence,
            status=SignUpStatus.CONFIRMED,
            source=SignUpSource.ASSIGNED,
            user__member__duty_group_membership__group=shift.group,
        )
        for signup in leaving:
            signups.cancel(signup, by=by, now=now)
    DutyShift.objects.update_or_create(
        occurrence=occurrence, defaults={"group": group, "assigned_by": by}
    )
    left_out = []
    for row in group.members.select_related("member__user").order_by("member__name", "member_id"):
        if _can_serve(row.member, occurrence):
            _assign(occurrence, row.member, by=by, now=now)
        else:
            left_out.append(row.member)
    return left_out


def _assign(occurrence: Occurrence, member: Member, *, by, now) -> SignUp:
    try:
        return signups.assign(occurrence, member.user, by=by, now=now)
    except ValidationError as error:
        raise RosterError(" ".join(error.messages)) from error


def week_occurrences(planned: PlannedActivity, monday: datetime.date, weeks: int = 1):
    """The planned activity's occurrences from ``monday`` for ``weeks`` weeks, by date."""
    return Occurrence.objects.filter(
        planned_activity=planned, date__gte=monday, date__lt=monday + weeks * ONE_WEEK
    ).order_by("date")


def rotation_start(planned: PlannedActivity, monday: datetime.date, groups: list[DutyGroup]) -> int:
    """The index in ``groups`` of the group a rotation from ``monday`` begins with: the one
    after the group of the last day before ``monday`` that had one; else the first."""
    before = (
        DutyShift.objects.filter(occurrence__planned_activity=planned, occurrence__date__lt=monday)
        .exclude(occurrence__status=OccurrenceStatus.CANCELLED)
        .order_by("-occurrence__date")
        .values_list("group_id", flat=True)
        .first()
    )
    ids = [group.pk for group in groups]
    return (ids.index(before) + 1) % len(ids) if before in ids else 0


@transaction.atomic
def groups_rotate(
    *,
    planned: PlannedActivity,
    monday: datetime.date,
    weeks: int,
    by,
    now: datetime.datetime | None = None,
) -> int:
    """按组轮换: the team's groups take the days in turn, from ``monday`` for ``weeks``
    weeks: group 1 on the first occurrence, group 2 on the second… (a 7-day week with 4
    groups: 1, 2, 3, 4, 1, 2, 3; the next week goes on 4, 1, 2…). The turn is counted
    over every occurrence of the span that is not cancelled, so a re-run, or one run on
    a later day, gives each day the same group. It goes on from the group of the last
    day before ``monday`` that had one, so rotating week by week gives what one run over
    the weeks gives. Only scheduled occurrences that have not started and have no group
    yet are changed: a re-run changes nothing. Returns how many occurrences got a group."""
    now = now or timezone.now()
    groups = list(DutyGroup.objects.filter(team=planned.team_id).order_by("position", "pk"))
    if not groups:
        raise RosterError(_("The team has no duty groups yet: create them first."))
    occurrences = list(
        week_occurrences(planned, monday, weeks)
        .exclude(status=OccurrenceStatus.CANCELLED)
        .select_related("duty_shift")
    )
    start = rotation_start(planned, monday, groups)
    changed = 0
    for turn, occurrence in enumerate(occurrences, start):
        if occurrence.status != OccurrenceStatus.SCHEDULED or occurrence.starts_at <= now:
            continue
        if hasattr(occurrence, "duty_shift"):
            continue
        group_put_on_duty(occurrence=occurrence, group=groups[turn % len(groups)], by=by, now=now)
        changed += 1
    return changed


@transaction.atomic
def member_put_on_duty(
    *, occurrence: Occurrence, member: Member, by, now: datetime.datetime | None = None
) -> SignUp:
    """One member added to an occurrence's list by the team, whatever the capacity."""
    now = now or timezone.now()
    if member.team_id != occurrence.planned_activity.team_id or not member.was_registered_on(
        occurrence.date
    ):
        raise RosterError(
            _("%(name)s is not a current member of the team.") % {"name": member.name}
        )
    if member.user_id is None:
        raise RosterError(
            _("%(name)s has no login yet and cannot be put on the roster.") % {"name": member.name}
        )
    _check_can_change(occurrence, now)
    return _assign(occurrence, member, by=by, now=now)


@transaction.atomic
def member_take_off_duty(
    *, signup: SignUp, by, now: datetime.datetime | None = None
) -> list[SignUp]:
    """The team takes a member off an occurrence's list; the first waiting moves up."""
    try:
        _signup, promoted = signups.cancel(signup, by=by, now=now)
    except ValidationError as error:
        raise RosterError(" ".join(error.messages)) from error
    return promoted


# --- Swaps ------------------------------------------------------------------------------------


def _on_duty(occurrence: Occurrence, member: Member) -> SignUp | None:
    if member.user_id is None:
        return None
    return SignUp.objects.filter(
        occurrence=occurrence, user_id=member.user_id, status=SignUpStatus.CONFIRMED
    ).first()


def _on_list(occurrence: Occurrence, member: Member) -> bool:
    return (
        member.user_id is not None
        and SignUp.objects.filter(
            occurrence=occurrence, user_id=member.user_id, status__in=signups.ON_THE_LIST
        ).exists()
    )


def _check_swap(
    *,
    occurrence: Occurrence,
    requester: Member,
    partner: Member,
    partner_occurrence: Occurrence | None,
    now: datetime.datetime,
) -> None:
    """Why a swap cannot happen (RosterError), checked when asked and again when approved."""
    team_id = occurrence.planned_activity.team_id
    if partner.pk == requester.pk:
        raise RosterError(_("You cannot swap with yourself."))
    for duty in filter(None, [occurrence, partner_occurrence]):
        if duty.status != OccurrenceStatus.SCHEDULED:
            raise RosterError(_("This occurrence is not scheduled any more."))
        if duty.starts_at <= now:
            raise RosterError(
                _("The duty on %(day)s has already begun; it can no longer be swapped.")
                % {"day": f"{duty.date:%Y-%m-%d}"}
            )
    if partner.team_id != team_id or not partner.was_registered_on(occurrence.date):
        raise RosterError(
            _("%(name)s is not a current member of the team.") % {"name": partner.name}
        )
    if partner.user_id is None:
        raise RosterError(
            _("%(name)s has no login yet and cannot be put on the roster.") % {"name": partner.name}
        )
    if _on_duty(occurrence, requester) is None:
        raise RosterError(
            _("%(name)s is not on duty on %(day)s.")
            % {"name": requester.name, "day": f"{occurrence.date:%Y-%m-%d}"}
        )
    if _on_list(occurrence, partner):
        raise RosterError(
            _("%(name)s is already on the list on %(day)s.")
            % {"name": partner.name, "day": f"{occurrence.date:%Y-%m-%d}"}
        )
    if partner_occurrence is not None:
        if partner_occurrence.planned_activity.team_id != team_id:
            raise RosterError(_("This occurrence is not one of the team's."))
        if partner_occurrence.pk == occurrence.pk:
            raise RosterError(_("Choose a different duty to exchange with."))
        if _on_duty(partner_occurrence, partner) is None:
            raise RosterError(
                _("%(name)s is not on duty on %(day)s.")
                % {"name": partner.name, "day": f"{partner_occurrence.date:%Y-%m-%d}"}
            )
        if not requester.was_registered_on(partner_occurrence.date):
            raise RosterError(
                _("%(name)s is not a current member of the team.") % {"name": requester.name}
            )
        if _on_list(partner_occurrence, requester):
            raise RosterError(
                _("%(name)s is already on the list on %(day)s.")
                % {"name": requester.name, "day": f"{partner_occurrence.date:%Y-%m-%d}"}
            )


@transaction.atomic
def swap_request(
    *,
    occurrence: Occurrence,
    requester: Member,
    partner: Member,
    partner_occurrence: Occurrence | None = None,
    now: datetime.datetime | None = None,
) -> SwapRequest:
    """A member on duty asks to hand the duty to ``partner`` (or to exchange it for the
    partner's ``partner_occurrence``). The secretary decides (``swap_approve``)."""
    now = now or timezone.now()
    _check_swap(
        occurrence=occurrence,
        requester=requester,
        partner=partner,
        partner_occurrence=partner_occurrence,
        now=now,
    )
    duplicate = SwapRequest.objects.filter(
        occurrence=occurrence, requester=requester, status=SwapStatus.PENDING
    )
    message = _("You have already asked to swap this duty; the secretary has not decided yet.")
    if duplicate.exists():
        raise RosterError(message)
    try:
        with transaction.atomic():
            return SwapRequest.objects.create(
                occurrence=occurrence,
                requester=requester,
                partner=partner,
                partner_occurrence=partner_occurrence,
            )
    except IntegrityError as error:  # a double tap: the unique constraint caught it
        raise RosterError(message) from error


def _locked_pending(swap: SwapRequest) -> SwapRequest:
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.status != SwapStatus.PENDING:
        raise RosterError(_("This swap request has already been decided."))
    return swap


@transaction.atomic
def swap_agree(
    *, swap: SwapRequest, member: Member, now: datetime.datetime | None = None
) -> SwapRequest:
    """The partner says they agree (optional; the secretary sees it)."""
    swap = _locked_pending(swap)
    if member.pk != swap.partner_id:
        raise RosterError(_("Only the member asked can agree."))
    swap.partner_agreed_at = now or timezone.now()
    swap.save(update_fields=["partner_agreed_at"])
    return swap


@transaction.atomic
def swap_approve(*, swap: SwapRequest, by, now: datetime.datetime | None = None) -> SwapRequest:
    """The secretary approves: the partner takes the requester's duty and, in an
    exchange, the requester takes the partner's. Each side is an ``assign`` of the one
    coming and then a ``cancel`` (by the secretary) of the one leaving, so the list
    never has a free place in between and nobody waiting moves up: exactly the two
    sign-ups change hands."""
    now = now or timezone.now()
    swap = _locked_pending(swap)
    duties = [swap.occurrence_id, swap.partner_occurrence_id]
    locked = Occurrence.objects.select_for_update().filter(pk__in=[d for d in duties if d])
    by_pk = {o.pk: o for o in locked.order_by("pk").select_related("planned_activity")}
    occurrence = by_pk[swap.occurrence_id]
    partner_occurrence = by_pk.get(swap.partner_occurrence_id)
    requester = Member.objects.get(pk=swap.requester_id)
    partner = Member.objects.get(pk=swap.partner_id)
    _check_swap(
        occurrence=occurrence,
        requester=requester,
        partner=partner,
        partner_occurrence=partner_occurrence,
        now=now,
    )
    _hand_over(occurrence, leaving=requester, coming=partner, by=by, now=now)
    if partner_occurrence is not None:
        _hand_over(partner_occurrence, leaving=partner, coming=requester, by=by, now=now)
    swap.status = SwapStatus.APPROVED
    swap.decided_by = by
    swap.decided_at = now
    swap.save(update_fields=["status", "decided_by", "decided_at"])
    return swap


def _hand_over(occurrence: Occurrence, *, leaving: Member, coming: Member, by, now) -> None:
    _assign(occurrence, coming, by=by, now=now)
    signup = _on_duty(occurrence, leaving)
    try:
        signups.cancel(signup, by=by, now=now)
    except ValidationError as error:
        raise RosterError(" ".join(error.messages)) from error


@transaction.atomic
def swap_reject(
    *, swap: SwapRequest, by, reason: str, now: datetime.datetime | None = None
) -> SwapRequest:
    """The secretary rejects, with a reason the requester sees."""
    reason = (reason or "").strip()
    if not reason:
        raise RosterError(_("Give a reason for rejecting."))
    if len(reason) > REASON_MAX:
        raise RosterError(_("A reason has at most %(limit)d characters.") % {"limit": REASON_MAX})
    swap = _locked_pending(swap)
    swap.status = SwapStatus.REJECTED
    swap.reason = reason
    swap.decided_by = by
    swap.decided_at = now or timezone.now()
    swap.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return swap
