"""Writes for applications to join: apply, approve, reject, erase old rejected ones.

Each function is atomic and raises ``ValidationError`` with a message a person can
act on. Mail is never sent here: the views send it once these have committed
(applications/mail.py), so a mail outage cannot undo or refuse a decision.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from applications.models import REASON_MAX_LENGTH, Application, ApplicationStatus
from members.models import CadreRank, Member
from members.services import member_create
from teams.models import ServiceCategory, Team
from volunteer_site.names import INVISIBLE, normalise_name

# A rejected application's personal data is kept this long after the decision
# (docs/domain.md § Entities, Applications to join).
REJECTED_RETENTION_DAYS = 180
# Applications from one address: at most this many an hour (by hashed IP).
APPLY_LIMIT = 5
APPLY_WINDOW_SECONDS = 60 * 60

# Dashes people type in phone numbers: ASCII, the Unicode hyphens and dashes, the
# minus sign and the katakana/CJK prolonged sound mark of Chinese input methods.
# (NFKC has already folded the full-width hyphen-minus "－" to "-".)
PHONE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc\uff70]")
# The members' rule (members.models.phone_validator) in ASCII digits only: Python's
# \d also matches Arabic-Indic and other digits that NFKC does not fold.
PHONE = re.compile(r"1[0-9]{10}|0[0-9]{9,11}", re.ASCII)


def normalise_phone(text: str) -> str:
    """ "１３８ 1234－5678" → "13812345678": NFKC, invisible characters, spaces and dashes
    removed. Compared and stored in this form."""
    return PHONE_SEPARATORS.sub("", INVISIBLE.sub("", unicodedata.normalize("NFKC", text)))


def phone_problem(phone: str) -> str | None:
    """Why a normalised phone number cannot be used, or None."""
    if not phone:
        return _("Enter your phone number, so the team's secretary can reach you.")
    if not PHONE.fullmatch(phone):
        return _(
            "Enter an 11-digit mobile number or a landline number with its area code "
            "(for example 13812345678 or 0892-8821234)."
        )
    return None


def _same_phone(queryset, phone: str):
    # Members' phones may be stored with a dash (0892-8821234); compare without.
    return queryset.annotate(
        bare_phone=Replace(Replace("phone", Value("-"), Value("")), Value(" "), Value(""))
    ).filter(bare_phone=phone)


def duplicate_problem(*, team: Team, phone: str) -> str | None:
    """Why an application with this (normalised) phone would be a duplicate, or None:
    the phone is already awaiting review for the team, or a current member's."""
    if Application.objects.filter(team=team, phone=phone).pending().exists():
        return _(
            "An application with this phone number is already awaiting review by the team's "
            "secretary. There is no need to apply again; use the status link you were given."
        )
    if _same_phone(Member.objects.filter(team=team).active(), phone).exists():
        return _(
            "A member of this team is already registered with this phone number. "
            "If that is you, you need not apply; ask the team's secretary if anything is wrong."
        )
    return None


def ip_hash(ip: str | None) -> str:
    """A keyed SHA-256 of the address (salted with SECRET_KEY): countable, not reversible."""
    return salted_hmac("applications.Application.ip_hash", ip or "", algorithm="sha256").hexdigest()


def application_rate_allows(*, hashed_ip: str) -> bool:
    """False once this address has sent APPLY_LIMIT applications (to any team) this hour.
    Counted from the stored rows, so every process sees the same count."""
    since = timezone.now() - datetime.timedelta(seconds=APPLY_WINDOW_SECONDS)
    sent = Application.objects.filter(ip_hash=hashed_ip, created_at__gte=since)
    return sent.count() < APPLY_LIMIT


@transaction.atomic
def application_create(
    *,
    team: Team,
    name: str,
    gender: str,
    phone: str,
    consent_processing: bool,
    consent_public_name: bool = False,
    ethnicity: str = "",
    is_party_member: bool = False,
    party_joined_on: datetime.date | None = None,
    work_unit: str = "",
    position: str = "",
    email: str = "",
    categories: Iterable[ServiceCategory] = (),
    hashed_ip: str = "",
) -> Application:
    """Record an application to ``team``; raises ValidationError when it cannot be taken
    (no consent, a bad or duplicate phone, a category the team does not offer)."""
    errors: dict[str, list[str]] = {}
    if not consent_processing:
        errors["consent_processing"] = [consent_required_message()]
    phone = normalise_phone(phone)
    problem = phone_problem(phone) or duplicate_problem(team=team, phone=phone)
    if problem:
        errors["phone"] = [problem]
    name = normalise_name(name)
    if not name:
        errors["name"] = [_("Enter your full name.")]
    if party_joined_on and not is_party_member:
        party_joined_on = None  # only a party member has a date of joining
    categories = list(categories)
    offered = set(team.team_categories.values_list("category_id", flat=True))
    if any(category.pk not in offered for category in categories):
        errors["categories"] = [_("Choose among the services this team offers.")]
    if errors:
        raise ValidationError(errors)
    application = Application(
        team=team,
        name=name,
        gender=gender,
        ethnicity=normalise_name(ethnicity),
        is_party_member=is_party_member,
        party_joined_on=party_joined_on,
        work_unit=work_unit.strip(),
        position=position.strip(),
        phone=phone,
        email=email.strip(),
        consent_processing=True,
        consent_public_name=consent_public_name,
        ip_hash=hashed_ip,
    )
    try:
        # A savepoint: two identical applications at once meet the database's
        # one-pending-per-phone constraint; the second is told it is a duplicate.
        with transaction.atomic():
            application.save()
    except IntegrityError:
        problem = duplicate_problem(team=team, phone=phone)
        if problem:
            raise ValidationError({"phone": [problem]}) from None
        raise
    application.categories.set(categories)
    return application


def consent_required_message() -> str:
    return _(
        "Tick the box to agree to the processing of your personal information: "
        "without it the team cannot take your application."
    )


def _pending_locked(application: Application) -> Application:
    """The application's row, locked; refused if somebody decided it meanwhile."""
    current = Application.objects.select_for_update().get(pk=application.pk)
    if current.status != ApplicationStatus.PENDING:
        raise ValidationError(
            _("This application was already decided (%(status)s).")
            % {"status": current.get_status_display()},
            code="decided",
        )
    return current


@dataclass
class Approval:
    application: Application
    member: Member
    # The login made for the new member (when they gave an e-mail), or None.
    user: AbstractBaseUser | None = None
    # Why no login was made although there is an e-mail, or "".
    login_problem: str = ""


@transaction.atomic
def application_approve(
    *,
    application: Application,
    volunteer_number: str,
    registered_on: datetime.date,
    cadre_rank: str = CadreRank.GENERAL,
    by: AbstractBaseUser,
) -> Approval:
    """Register the applicant as a member of the team (through member_create, with the
    number the secretary gives) and, if they gave an e-mail, make them a login.

    Refused if the application was decided meanwhile or its phone now belongs to a
    current member. A login that cannot be made does not refuse the approval: the
    secretary is told and can make one from the roster.
    """
    current = _pending_locked(application)
    if _same_phone(Member.objects.filter(team=current.team_id).active(), current.phone).exists():
        raise ValidationError(
            _(
                "A member of this team is already registered with the phone number %(phone)s. "
                "Reject this application as a duplicate, or check the roster."
            )
            % {"phone": current.phone},
            code="duplicate",
        )
    member = member_create(
        team=current.team,
        volunteer_number=volunteer_number,
        name=current.name,
        gender=current.gender,
        ethnicity=current.ethnicity,
        is_party_member=current.is_party_member,
        party_joined_on=current.party_joined_on,
        cadre_rank=cadre_rank,
        position=current.position,
        work_unit=current.work_unit,
        phone=current.phone,
        email=current.email,
        consents_to_public_name=current.consent_public_name,
        registered_on=registered_on,
        by=by,
    )
    current.status = ApplicationStatus.APPROVED
    current.decided_by = by
    current.decided_at = timezone.now()
    current.member = member
    current.save(update_fields=["status", "decided_by", "decided_at", "member"])
    approval = Approval(application=current, member=member)
    if member.email:
        approval.user, approval.login_problem = _login_for(member, by=by)
    application.__dict__.update(
        status=current.status,
        decided_by_id=current.decided_by_id,
        decided_at=current.decided_at,
        member_id=member.pk,
    )
    return approval


def _login_for(member: Member, *, by: AbstractBaseUser) -> tuple[AbstractBaseUser | None, str]:
    from accounts.logins import login_create

    try:
        # A savepoint: a login that cannot be made leaves the approval standing.
        with transaction.atomic():
            return login_create(member=member, by=by), ""
    except ValidationError as error:
        return None, " ".join(error.messages)


@transaction.atomic
def application_reject(
    *, application: Application, reason: str, by: AbstractBaseUser
) -> Application:
    """Refuse the application with a reason the applicant is shown (required)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason: the applicant is shown it.")}, code="required"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Keep the reason to %(limit)d characters or fewer.")
                % {"limit": REASON_MAX_LENGTH}
            },
            code="max_length",
        )
    current = _pending_locked(application)
    current.status = ApplicationStatus.REJECTED
    current.reject_reason = reason
    current.decided_by = by
    current.decided_at = timezone.now()
    current.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
    return current


# What erasing leaves of a rejected application: the team, status, dates and status link.
ERASED_VALUES = {
    "name": "",
    "gender": "",
    "ethnicity": "",
    "is_party_member": False,
    "party_joined_on": None,
    "work_unit": "",
    "position": "",
    "phone": "",
    "email": "",
    "consent_public_name": False,
    "reject_reason": "",
    "ip_hash": "",
}


@transaction.atomic
def applications_erase_rejected(
    *, now: datetime.datetime | None = None, days: int = REJECTED_RETENTION_DAYS
) -> int:
    """Erase the personal data of applications rejected more than ``days`` ago.

    The rows keep their team, status, dates and status link; run again, it finds
    nothing more to do. Returns how many were erased."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=days)
    due = Application.objects.filter(
        status=ApplicationStatus.REJECTED, erased_at__isnull=True, decided_at__lt=cutoff
    )
    ids = list(due.select_for_update().values_list("pk", flat=True))
    if not ids:
        return 0
    Application.categories.through.objects.filter(application_id__in=ids).delete()
    return Application.objects.filter(pk__in=ids).update(**ERASED_VALUES, erased_at=now)
