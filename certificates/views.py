"""Service-record certificates: the volunteer's requests and downloads (/me/certificates/),
the team's register (/teams/<slug>/certificates/: the secretary issues, refuses and
revokes; an admin of the team's region reads and exports), and the public verification
page (/v/<code>/). docs/domain.md § Entities, Service-record certificates.
"""

from __future__ import annotations

import logging
import unicodedata

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from certificates import services
from certificates.forms import ApproveForm, FullIdForm, IssueForm, ReasonForm, RequestForm
from certificates.models import CODE_ALPHABET, CODE_LENGTH, Certificate, CertificateStatus
from certificates.pdf import certificate_pdf
from teams.access import roles_for, team_for_reader, team_for_secretary
from teams.models import Team, TeamRole
from volunteer_site.audit import audit, client_ip
from volunteer_site.models import AuditAction
from volunteer_site.views import too_many_requests
from volunteer_site.xlsx import Column, add_table_sheet, new_workbook, workbook_response

logger = logging.getLogger(__name__)

# Lookups of the verification page per address: enough for an office checking a pile of
# certificates, far too few to guess codes (31^10 of them).
VERIFY_LIMIT = 30
VERIFY_WINDOW_SECONDS = 600


def _pdf_response(certificate: Certificate, *, full_id_number: str = "") -> HttpResponse:
    pdf = certificate_pdf(certificate, full_id_number=full_id_number)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    return response


# --- The volunteer ---------------------------------------------------------------------------


def _own_member(request: HttpRequest):
    member = roles_for(request.user).member
    if member is None:
        raise Http404
    return member


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    """The volunteer's certificates and the form to request one."""
    member = _own_member(request)
    if request.method == "POST":
        form = RequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.certificate_request(
                    member=member,
                    start=data["period_start"],
                    end=data["period_end"],
                    user=request.user,
                    national_volunteer_id=data["national_volunteer_id"],
                    id_type=data["id_type"],
                    id_number=data["id_number"],
                    remarks=data["remarks"],
                )
            except services.CertificateError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Your request was sent to the team's secretary, who will issue it."),
                )
                return redirect("certificates:mine")
    else:
        form = RequestForm(initial={"period_end": timezone.localdate()})
    certificates = Certificate.objects.filter(member=member).order_by("-requested_at", "-pk")
    return render(
        request,
        "certificates/mine.html",
        {"member": member, "form": form, "certificates": certificates},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The volunteer's own PDF; posted with their whole ID number (FullIdForm), that
    number is printed on this download instead of the masked one, and kept nowhere."""
    member = _own_member(request)
    certificate = get_object_or_404(
        Certificate, pk=pk, member=member, status=CertificateStatus.ISSUED
    )
    if request.method != "POST":
        return _pdf_response(certificate)
    form = FullIdForm(request.POST, last_four=certificate.id_last_four)
    if not form.is_valid():
        for error in form.errors.get("id_number", []):
            messages.error(request, error)
        return redirect("certificates:mine")
    return _pdf_response(certificate, full_id_number=form.cleaned_data["id_number"])


# --- The register ----------------------------------------------------------------------------


def team_for_register(user, slug: str) -> Team:
    """The team for its secretary and for an admin of its region; 403 for its staff."""
    team = team_for_reader(user, slug)
    if roles_for(user).role_on(team) == TeamRole.Role.STAFF:
        raise PermissionDenied
    return team


def _year(value: str) -> int | None:
    value = unicodedata.normalize("NFKC", value or "").strip()
    if len(value) == 4 and value.isascii() and value.isdigit():
        return int(value)
    return None


def _filtered(request: HttpRequest, team: Team):
    certificates = Certificate.objects.filter(team=team).select_related("member")
    status = request.GET.get("status", "")
    if status not in CertificateStatus.values:
        status = ""
    year = _year(request.GET.get("year", ""))
    if status:
        certificates = certificates.filter(status=status)
    if year:
        # A certificate's year is its year of issue; a request's, the year it was made.
        certificates = certificates.filter(
            Q(year=year) | Q(year__isnull=True, requested_at__year=year)
        )
    return certificates.order_by("-requested_at", "-pk"), status, year


@login_required
@require_safe
def register(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_register(request.user, slug)
    certificates, status, year = _filtered(request, team)
    is_secretary = roles_for(request.user).role_on(team) == TeamRole.Role.SECRETARY
    return render(
        request,
        "certificates/register.html",
        {
            "team": team,
            "certificates": certificates,
            "status": status,
            "year": year,
            "statuses": CertificateStatus.choices,
            "is_secretary": is_secretary,
            "role": roles_for(request.user).role_on(team),
        },
    )


REGISTER_COLUMNS = [
    Column("证明编号", 24),
    Column("状态", 8),
    Column("姓名", 12),
    Column("志愿者编号", 14),
    Column("服务时间段", 26),
    Column("活动次数", 10),
    Column("服务时长（小时）", 16),
    Column("出具日期", 12),
    Column("经办人", 12),
    Column("申请时间", 18),
    Column("作废时间", 18),
    Column("作废或不予出具的原因", 30),
]
STATUS_TEXT = {
    CertificateStatus.REQUESTED: "待出具",
    CertificateStatus.ISSUED: "有效",
    CertificateStatus.REFUSED: "不予出具",
    CertificateStatus.REVOKED: "已作废",
}


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@login_required
@require_safe
def register_export(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_register(request.user, slug)
    certificates, _status, _year_ = _filtered(request, team)
    rows = [
        [
            c.number or "",
            STATUS_TEXT[c.status],
            c.member_name or c.member.name,
            c.volunteer_number or c.member.volunteer_number,
            f"{c.period_start.isoformat()} 至 {c.period_end.isoformat()}",
            c.activity_count if c.number else "",
            c.total_hours if c.number else "",
            c.issued_on.isoformat() if c.issued_on else "",
            c.handler,
            _local(c.requested_at),
            _local(c.revoked_at),
            c.revoke_reason or c.refuse_reason,
        ]
        for c in certificates
    ]
    workbook = new_workbook()
    add_table_sheet(
        workbook,
        "证明登记簿",
        REGISTER_COLUMNS,
        rows,
        title_lines=[f"{team.name} 志愿服务记录证明登记簿"],
    )
    audit(request, AuditAction.EXPORT, target=team, what="certificates", rows=len(rows))
    return workbook_response(workbook, f"{team.slug}-certificates.xlsx")


@login_required
@require_safe
def register_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_register(request.user, slug)
    certificate = get_object_or_404(
        Certificate,
        pk=pk,
        team=team,
        status__in=[CertificateStatus.ISSUED, CertificateStatus.REVOKED],
    )
    return _pdf_response(certificate)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def issue(request: HttpRequest, slug: str) -> HttpResponse:
    """The secretary issues a certificate for any member of the team, without a request."""
    team = team_for_secretary(request.user, slug)
    if request.method == "POST":
        form = IssueForm(request.POST, team=team)
        if form.is_valid():
            data = form.cleaned_data
            certificate = services.certificate_issue_direct(
                member=data["member"],
                start=data["period_start"],
                end=data["period_end"],
                user=request.user,
                contact=data["contact"],
                national_volunteer_id=data["national_volunteer_id"],
                remarks=data["remarks"],
                request=request,
            )
            messages.success(
                request, _("Certificate %(number)s issued.") % {"number": certificate.number}
            )
            return redirect("certificates:register", slug=team.slug)
    else:
        form = IssueForm(team=team, initial={"period_end": timezone.localdate()})
    return render(request, "certificates/issue.html", {"team": team, "form": form})


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _decide(request: HttpRequest, slug: str, pk: int, form_class, act) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    certificate = get_object_or_404(Certificate, pk=pk, team=team)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            message = act(certificate, form.cleaned_data)
        except services.CertificateError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, message)
    else:
        _form_errors(request, form)
    return redirect("certificates:register", slug=team.slug)


@login_required
@require_POST
def approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    def act(certificate, data):
        issued = services.certificate_issue(
            certificate=certificate, user=request.user, contact=data["contact"], request=request
        )
        return _("Certificate %(number)s issued.") % {"number": issued.number}

    return _decide(request, slug, pk, ApproveForm, act)


@login_required
@require_POST
def refuse(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    def act(certificate, data):
        services.certificate_refuse(certificate=certificate, reason=data["reason"])
        return _("The request was refused; the volunteer sees the reason.")

    return _decide(request, slug, pk, ReasonForm, act)


@login_required
@require_POST
def revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    def act(certificate, data):
        services.certificate_revoke(
            certificate=certificate, user=request.user, reason=data["reason"], request=request
        )
        return _("Certificate %(number)s revoked.") % {"number": certificate.number}

    return _decide(request, slug, pk, ReasonForm, act)


# --- Public verification -----------------------------------------------------------------------


def normalise_code(text: str) -> str:
    """A code as typed or scanned: full-width folded, spaces and dashes dropped, capitals."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text if ch not in " -\t").upper()


def _verify_rate_allows(request: HttpRequest) -> bool:
    """False once this address looked up VERIFY_LIMIT codes in the window. Counted in the
    shared cache by a keyed hash of the address; without a cache the page still works."""
    hashed = salted_hmac("certificates.verify", client_ip(request) or "", algorithm="sha256")
    key = f"certificates:verify:{hashed.hexdigest()}"
    try:
        cache.add(key, 0, VERIFY_WINDOW_SECONDS)
        return cache.incr(key) <= VERIFY_LIMIT
    except Exception:  # the cache is down: slower guessing is not worth refusing people
        logger.warning("verification rate limit unavailable", exc_info=True)
        return True


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "certificates/verify_not_found.html", status=404)


def _limited(request: HttpRequest) -> HttpResponse:
    return too_many_requests(
        request, _("Too many certificate look-ups from this address: please try again later.")
    )


@never_cache
@require_safe
def verify_form(request: HttpRequest) -> HttpResponse:
    typed = request.GET.get("code")
    if typed is None:
        return render(request, "certificates/verify_form.html")
    code = normalise_code(typed)
    if len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code):
        return redirect("certificates:verify", code=code)
    if not _verify_rate_allows(request):
        return _limited(request)
    return _not_found(request)


@never_cache
@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    if not _verify_rate_allows(request):
        return _limited(request)
    code = normalise_code(code)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return _not_found(request)
    certificate = Certificate.objects.verifiable().filter(code=code).first()
    if certificate is None:
        return _not_found(request)
    return render(
        request,
        "certificates/verify.html",
        {"c": certificate, "masked_name": services.mask_name(certificate.member_name)},
    )
