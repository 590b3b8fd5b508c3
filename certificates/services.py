"""The writes of certificates: request, issue (from a request or directly), refuse,
revoke. Each is atomic and keyword-only; the forms have validated what they get.

docs/domain.md § Entities, Service-record certificates.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from certificates.models import (
    Certificate,
    CertificateCounter,
    CertificateStatus,
    new_code,
)
from members.models import Member
from records.service_records import approved_records
from teams.models import Team
from volunteer_site.audit import audit
from volunteer_site.models import AuditAction
from volunteer_site.names import person_name


class CertificateError(Exception):
    """A certificate cannot be issued, refused or revoked as asked; the message says why."""


def mask_name(name: str) -> str:
    """The name as the public verification page shows it, as the issue's example
    次仁多吉 → 次*多吉: the first character and the second half of the name are kept,
    the characters between are masked (张三丰 → 张*丰); a two-character name keeps its
    first (次仁 → 次*), a one-character name nothing."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    kept = len(name) // 2
    return name[0] + "*" * (len(name) - 1 - kept) + name[-kept:]


def certificate_figures(
    *, member: Member, start: datetime.date, end: datetime.date
) -> tuple[int, Decimal, list[dict]]:
    """The member's approved service with a start date in [start, end]: the count,
    the hours and the rows (date order), as the certificate will keep them."""
    records = approved_records(member).filter(
        activity__start_date__gte=start, activity__start_date__lte=end
    )
    rows = []
    total = Decimal("0")
    for participation in records.order_by("activity__start_date", "activity__pk"):
        activity = participation.activity
        total += participation.hours
        rows.append(
            {
                "date": activity.start_date.isoformat(),
                "end": activity.end_date.isoformat(),
                "title": activity.title,
                "category": activity.category.name,
                "hours": str(participation.hours),
            }
        )
    return len(rows), total, rows


def next_number(*, team: Team, year: int) -> str:
    """The team's next certificate number in ``year`` (<slug>-2026-0001), allocated under
    a row lock on the team's counter for the year, so two issues at once never share
    one. Called inside the issuing transaction: a rolled-back issue gives its number
    back."""
    try:
        with transaction.atomic():
            CertificateCounter.objects.get_or_create(team=team, year=year)
    except IntegrityError:  # created by a concurrent issue in the meantime
        pass
    counter = CertificateCounter.objects.select_for_update().get(team=team, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{team.slug}-{year}-{counter.last:04d}"


# A volunteer's requests awaiting the secretary: enough for any real need, and a
# script cannot fill the register with them.
OPEN_REQUEST_LIMIT = 5


@transaction.atomic
def certificate_request(
    *,
    member: Member,
    start: datetime.date,
    end: datetime.date,
    user,
    national_volunteer_id: str = "",
    id_type: str = "",
    id_number: str = "",
    remarks: str = "",
) -> Certificate:
    """A volunteer asks for a certificate of ``start``..``end``. Of the ID number only
    the last four characters are kept. Refused while OPEN_REQUEST_LIMIT of theirs await
    the secretary."""
    # Locks the member's row: two requests at once count each other.
    Member.objects.select_for_update().filter(pk=member.pk).first()
    waiting = Certificate.objects.filter(member=member, status=CertificateStatus.REQUESTED)
    if waiting.count() >= OPEN_REQUEST_LIMIT:
        raise CertificateError(
            f"您已有 {OPEN_REQUEST_LIMIT} 份申请等待秘书出具，请等秘书处理后再申请。"
        )
    return Certificate.objects.create(
        team=member.team,
        member=member,
        period_start=start,
        period_end=end,
        national_volunteer_id=national_volunteer_id,
        id_type=id_type if id_number else "",
        id_last_four=id_number[-4:],
        remarks=remarks,
        requested_by=user,
    )


def _fill_and_issue(certificate: Certificate, *, user, contact: str, request) -> Certificate:
    team = Team.objects.select_related("lead_member").get(pk=certificate.team_id)
    member = certificate.member
    today = timezone.localdate()
    count, hours, rows = certificate_figures(
        member=member, start=certificate.period_start, end=certificate.period_end
    )
    certificate.number = next_number(team=team, year=today.year)
    certificate.year = today.year
    certificate.code = _unused_code()
    certificate.issued_on = today
    certificate.issued_at = timezone.now()
    certificate.issued_by = user
    certificate.status = CertificateStatus.ISSUED
    certificate.member_name = member.name
    certificate.volunteer_number = member.volunteer_number
    certificate.activity_count = count
    certificate.total_hours = hours
    certificate.activities = rows
    certificate.team_name = team.name
    certificate.host_unit = team.host_unit
    certificate.person_in_charge = team.lead_display_name
    certificate.handler = person_name(user)
    certificate.contact = contact
    certificate.save()
    audit(
        request,
        AuditAction.CERTIFICATE_ISSUE,
        target=certificate.number,
        member=member.volunteer_number,
        hours=str(hours),
    )
    return certificate


def _unused_code() -> str:
    # 31^10 codes: a clash is astronomically rare, but cheap to rule out.
    while True:
        code = new_code()
        if not Certificate.objects.filter(code=code).exists():
            return code


@transaction.atomic
def certificate_issue(
    *, certificate: Certificate, user, contact: str = "", request=None
) -> Certificate:
    """Issue a requested certificate: number, code, and the figures as of now."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != CertificateStatus.REQUESTED:
        raise CertificateError("这份申请已经处理过了。")
    return _fill_and_issue(certificate, user=user, contact=contact, request=request)


@transaction.atomic
def certificate_issue_direct(
    *,
    member: Member,
    start: datetime.date,
    end: datetime.date,
    user,
    contact: str = "",
    national_volunteer_id: str = "",
    remarks: str = "",
    request=None,
) -> Certificate:
    """The secretary issues a certificate for a member of the team without a request."""
    certificate = Certificate(
        team=member.team,
        member=member,
        period_start=start,
        period_end=end,
        national_volunteer_id=national_volunteer_id,
        remarks=remarks,
        requested_by=user,
    )
    return _fill_and_issue(certificate, user=user, contact=contact, request=request)


@transaction.atomic
def certificate_refuse(*, certificate: Certificate, reason: str) -> Certificate:
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != CertificateStatus.REQUESTED:
        raise CertificateError("这份申请已经处理过了。")
    certificate.status = CertificateStatus.REFUSED
    certificate.refuse_reason = reason
    certificate.save(update_fields=["status", "refuse_reason"])
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, user, reason: str, request=None) -> Certificate:
    """Revoke an issued certificate: it stays in the register and its code shows 已作废."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != CertificateStatus.ISSUED:
        raise CertificateError("只有有效的证明才能作废。")
    certificate.status = CertificateStatus.REVOKED
    certificate.revoke_reason = reason
    certificate.revoked_by = user
    certificate.revoked_at = timezone.now()
    certificate.save(update_fields=["status", "revoke_reason", "revoked_by", "revoked_at"])
    audit(request, AuditAction.CERTIFICATE_REVOKE, target=certificate.number, reason=reason)
    return certificate
