"""Writes to the roster (花名册): register, edit, mark as left, rejoin.

Every function validates the whole member (``full_clean``: field validators,
the unique volunteer number, the model's check constraints) before saving, so
callers other than the forms (the admin, scripts, tasks) get the same rules
and a ``ValidationError`` a person can act on instead of an ``IntegrityError``.

Members are never deleted here: a member with service records must stay, and
one who leaves is marked with ``left_on`` so past figures remain true.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import CadreRank, Member
from teams.models import Team
from volunteer_site.names import normalise_name

# What the roster form edits. The team comes from the address, ``left_on`` from
# member_mark_left / member_rejoin, the login account from the admin.
EDITABLE_FIELDS = (
    "volunteer_number",
    "name",
    "gender",
    "ethnicity",
    "is_party_member",
    "party_joined_on",
    "cadre_rank",
    "position",
    "work_unit",
    "phone",
    "email",
    "registered_on",
    "consents_to_public_name",
)

# simple_history's history_change_reason column is a CharField(max_length=100).
REASON_MAX_LENGTH = 100


def duplicate_number_message(number: str) -> str:
    # Volunteer numbers are unique across all teams; say so, but not whose it is.
    return _(
        "The volunteer number %(number)s is already registered. "
        "Check the number: each volunteer has their own."
    ) % {"number": number}


def member_date_errors(
    *,
    registered_on: datetime.date | None,
    is_party_member: bool,
    party_joined_on: datetime.date | None,
    left_on: datetime.date | None,
) -> dict[str, list[str]]:
    """The date rules of a member's details, as {field: [messages]} (empty if none).

    Shared by the roster form (to show the errors by their fields) and by the
    services (so that every caller is held to them).
    """
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if registered_on and registered_on > today:
        errors["registered_on"] = [_("The registration date cannot be in the future.")]
    elif registered_on and left_on and registered_on > left_on:
        errors["registered_on"] = [
            _("The registration date cannot be after the leaving date (%(left_on)s).")
            % {"left_on": left_on.isoformat()}
        ]
    if party_joined_on and not is_party_member:
        errors["party_joined_on"] = [
            _(
                "Only a party member can have a date of joining the party. "
                "Tick “party member” or clear the date."
            )
        ]
    elif party_joined_on and party_joined_on > today:
        errors["party_joined_on"] = [_("The date of joining the party cannot be in the future.")]
    return errors


def _save(member: Member, *, by: AbstractBaseUser | None, reason: str | None = None) -> None:
    """Validate and save, recording who did it (and why) in the member's history."""
    # What looks the same is the same: “Ｖ００１” cannot be registered beside V001.
    member.volunteer_number = normalise_name(member.volunteer_number)
    member.name = normalise_name(member.name)
    errors = member_date_errors(
        registered_on=member.registered_on,
        is_party_member=member.is_party_member,
        party_joined_on=member.party_joined_on,
        left_on=member.left_on,
    )
    try:
        # Fields already in error are left out, so that a check constraint on
        # them does not repeat the message as a general error.
        member.full_clean(exclude=list(errors))
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if "volunteer_number" in errors:
        # Django's generic unique message names neither the number nor what to do.
        errors["volunteer_number"] = [
            duplicate_number_message(member.volunteer_number)
            if getattr(error, "code", None) == "unique"
            else error
            for error in errors["volunteer_number"]
        ]
    if errors:
        raise ValidationError(errors)
    member._history_user = by
    if reason:
        member._change_reason = reason
    try:
        # A savepoint, so that losing a race on the volunteer number leaves the
        # outer transaction usable and the caller gets a ValidationError.
        with transaction.atomic():
            member.save()
    except IntegrityError:
        if (
            Member.objects.filter(volunteer_number=member.volunteer_number)
            .exclude(pk=member.pk)
            .exists()
        ):
            raise ValidationError(
                {"volunteer_number": duplicate_number_message(member.volunteer_number)},
                code="unique",
            ) from None
        raise
    finally:
        # The attributes would otherwise stick to the instance and be reused by
        # the next save of the same object.
        for attribute in ("_history_user", "_change_reason"):
            if hasattr(member, attribute):
                delattr(member, attribute)


@transaction.atomic
def member_create(
    *,
    team: Team,
    volunteer_number: str,
    name: str,
    gender: str,
    registered_on: datetime.date,
    ethnicity: str = "",
    is_party_member: bool = True,
    party_joined_on: datetime.date | None = None,
    cadre_rank: str = CadreRank.GENERAL,
    position: str = "",
    work_unit: str = "",
    phone: str = "",
    email: str = "",
    consents_to_public_name: bool = False,
    by: AbstractBaseUser | None,
) -> Member:
    """Register a volunteer in ``team``. Raises ValidationError on bad data."""
    member = Member(
        team=team,
        volunteer_number=volunteer_number,
        name=name,
        gender=gender,
        ethnicity=ethnicity,
        is_party_member=is_party_member,
        party_joined_on=party_joined_on,
        cadre_rank=cadre_rank,
        position=position,
        work_unit=work_unit,
        phone=phone,
        email=email,
        registered_on=registered_on,
        consents_to_public_name=consents_to_public_name,
    )
    _save(member, by=by)
    return member


@transaction.atomic
def member_update(*, member: Member, by: AbstractBaseUser | None, **changes: object) -> Member:
    """Change a member's details; ``changes`` are among EDITABLE_FIELDS.

    The team and the leaving date are not changed here (see member_mark_left
    and member_rejoin).
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"member_update() cannot change: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(member, field, value)
    _save(member, by=by)
    return member


@transaction.atomic
def member_mark_left(
    *,
    member: Member,
    left_on: datetime.date,
    reason: str = "",
    by: AbstractBaseUser | None,
) -> Member:
    """Mark a member as left on ``left_on`` (their last day), keeping their records.

    The date is neither before the registration date nor in the future, nor
    before an activity the member took part in (Member.clean, through _save).
    ``reason`` goes into the member's history with the user who did it.
    """
    # Lock the row so two secretaries cannot mark the same member at once.
    current = Member.objects.select_for_update().get(pk=member.pk)
    if current.left_on is not None:
        raise ValidationError(
            _("%(name)s was already marked as left on %(left_on)s.")
            % {"name": current.name, "left_on": current.left_on.isoformat()},
            code="already_left",
        )
    if left_on > timezone.localdate():
        raise ValidationError(
            {"left_on": _("The leaving date cannot be in the future.")}, code="future"
        )
    if left_on < current.registered_on:
        raise ValidationError(
            {
                "left_on": _(
                    "The leaving date cannot be before the registration date (%(registered_on)s)."
                )
                % {"registered_on": current.registered_on.isoformat()}
            },
            code="before_registered",
        )
    reason = reason.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Keep the reason to %(limit)d characters or fewer.")
                % {"limit": REASON_MAX_LENGTH}
            }
        )
    # Save the fresh row, not the caller's copy, so that stale values in it
    # cannot overwrite another user's edit; then bring the copy up to date.
    current.left_on = left_on
    _save(current, by=by, reason=reason or _("Marked as left"))
    member.left_on = current.left_on
    return member


@transaction.atomic
def member_rejoin(*, member: Member, by: AbstractBaseUser | None) -> Member:
    """Undo leaving: clear ``left_on`` so the member is active again."""
    current = Member.objects.select_for_update().get(pk=member.pk)
    if current.left_on is None:
        raise ValidationError(
            _("%(name)s has not left the team.") % {"name": current.name}, code="not_left"
        )
    current.left_on = None
    _save(current, by=by, reason=_("Rejoined the team"))
    member.left_on = None
    return member
