"""Exporting the roster as .xlsx (a member's service record: records/exports.py).

It is for the team's staff and secretary and for an admin of its region
(``team_for_reader``), and every export is audited. Phones are masked as on
the roster page, except for the secretary who asks for full numbers
(``?full_phones=1``), which the audit entry records; anyone else asking is
refused. E-mail addresses, which no page shows to them, are masked too.

The roster has the import template's columns, so an exported roster can be
edited and imported again (masked phones are then read as "unchanged").
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from members.forms import MemberFilterForm
from members.imports import COLUMNS, SHEET, display
from members.models import Member, mask_phone
from teams.access import roles_for, team_for_reader
from teams.models import Team, TeamRole
from volunteer_site.audit import audit
from volunteer_site.models import AuditAction
from volunteer_site.xlsx import add_table_sheet, new_workbook, workbook_response

# --- The roster -----------------------------------------------------------------------------


def mask_email(email: str) -> str:
    """zhaxi@example.cn → z****@example.cn."""
    if not email:
        return ""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}****@{domain}" if domain else "****"


def roster_rows(members: QuerySet[Member], *, full_phones: bool, full_emails: bool) -> list[list]:
    rows = []
    for member in members:
        values = {column.field: getattr(member, column.field) for column in COLUMNS}
        values["phone"] = member.phone if full_phones else mask_phone(member.phone)
        values["email"] = member.email if full_emails else mask_email(member.email)
        rows.append(
            [
                value if isinstance(value, datetime.date) else display(column.field, value)
                for column, value in ((c, values[c.field]) for c in COLUMNS)
            ]
        )
    return rows


def roster_workbook(members: QuerySet[Member], *, full_phones: bool, full_emails: bool):
    workbook = new_workbook()
    add_table_sheet(
        workbook,
        SHEET,
        [column.as_column() for column in COLUMNS],
        roster_rows(members, full_phones=full_phones, full_emails=full_emails),
    )
    return workbook


def _is_secretary(user, team: Team) -> bool:
    return roles_for(user).role_on(team) == TeamRole.Role.SECRETARY


@login_required
@require_safe
def roster_export(request: HttpRequest, slug: str) -> HttpResponse:
    """The roster with the list page's filters, as .xlsx."""
    team = team_for_reader(request.user, slug)
    is_secretary = _is_secretary(request.user, team)
    full_phones = request.GET.get("full_phones") == "1"
    if full_phones and not is_secretary:
        # Only the secretary sees full numbers; asking for them is refused (and audited).
        raise PermissionDenied
    filter_form = MemberFilterForm(request.GET, search_phone=is_secretary)
    members = filter_form.filter(Member.objects.filter(team=team)).order_by(
        "volunteer_number", "pk"
    )
    workbook = roster_workbook(members, full_phones=full_phones, full_emails=is_secretary)
    rows = workbook[SHEET].max_row - 1
    audit(
        request,
        AuditAction.EXPORT,
        target=team,
        export="roster",
        rows=rows,
        full_phones=full_phones,
        filters={key: value for key, value in request.GET.items() if key != "full_phones"},
    )
    today = timezone.localdate()
    return workbook_response(workbook, f"{team.name}-注册志愿者名册-{today:%Y%m%d}.xlsx")
