"""A member's yearly service record (志愿服务记录) as .xlsx, for the team's staff and
secretary and for an admin of its region (``team_for_reader``); every export is
audited. The roster's "service record" box finds the member by volunteer number or
unique name.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from activities.imports.columns import ROLE_TEXT
from activities.models import Participation
from members.models import Member
from records import service_records as records
from teams.access import team_for_reader
from volunteer_site.audit import audit
from volunteer_site.models import AuditAction
from volunteer_site.names import normalise_name
from volunteer_site.xlsx import Column, add_table_sheet, new_workbook, workbook_response

# --- A member's service record --------------------------------------------------------------

# The columns of a volunteer service record (志愿服务记录) under the national rules, each
# named for what it holds: the activity's service category, the member's own role and
# hours, the unit that organised the activity and its organisers (records.service_records).
RECORD_COLUMNS = [
    Column("活动名称", 32),
    Column("日期", 24),
    Column("地点", 18),
    Column("服务类别", 22),
    Column("角色", 10),
    Column("服务时间（小时）", 16),
    Column("活动组织单位", 26),
    Column("活动负责人", 16),
]
RECORD_SHEET = "志愿服务记录"


def record_participations(member: Member, year: int) -> list[Participation]:
    """The member's approved service in ``year``, in date order (as the record lists it)."""
    return list(
        records.approved_records(member, year=year).order_by("activity__start_date", "activity__pk")
    )


def _leads(activity_ids: list[int]) -> dict[int, list[str]]:
    """Each activity's organisers (活动负责人), in roster order."""
    leads: dict[int, list[str]] = defaultdict(list)
    organisers = (
        Participation.objects.filter(
            activity_id__in=activity_ids, role=Participation.Role.ORGANISER
        )
        .order_by("member__volunteer_number")
        .values_list("activity_id", "member__name")
    )
    for activity_id, name in organisers:
        leads[activity_id].append(name)
    return leads


def date_span(start: datetime.date, end: datetime.date) -> str:
    if start == end:
        return start.isoformat()
    return f"{start.isoformat()} 至 {end.isoformat()}"


def record_rows(member: Member, participations: list[Participation]) -> list[list]:
    leads = _leads([p.activity_id for p in participations])
    rows = []
    for participation in participations:
        row = records.record_row(
            participation, team_name=member.team.name, role=ROLE_TEXT[participation.role]
        )
        rows.append(
            [
                row.title,
                date_span(row.start_date, row.end_date),
                row.place,
                row.category,
                row.role,
                row.hours,
                row.organising_unit,
                "、".join(leads.get(participation.activity_id, [])),
            ]
        )
    return rows


def record_workbook(member: Member, year: int):
    participations = record_participations(member, year)
    total = sum((p.hours for p in participations), Decimal("0"))
    workbook = new_workbook()
    add_table_sheet(
        workbook,
        RECORD_SHEET,
        RECORD_COLUMNS,
        record_rows(member, participations),
        title_lines=[
            f"{year}年志愿服务记录",
            f"姓名：{member.name}　志愿者编号：{member.volunteer_number}　"
            f"服务队：{member.team.name}",
            f"全年参加志愿服务 {len(participations)} 次，累计 {total} 小时（只计审核通过的活动）",
        ],
    )
    return workbook


def requested_year(request: HttpRequest) -> int:
    """``?year=``, or this year when it is missing or not a plausible year."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        return this_year
    return year if 2000 <= year <= this_year else this_year


@login_required
@require_safe
def record_export(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_reader(request.user, slug)
    member = get_object_or_404(Member.objects.select_related("team"), pk=pk, team=team)
    year = requested_year(request)
    workbook = record_workbook(member, year)
    audit(
        request,
        AuditAction.EXPORT,
        target=member,
        export="service_record",
        member_id=member.pk,
        year=year,
    )
    return workbook_response(workbook, f"{member.name}-{year}年志愿服务记录.xlsx")


@login_required
@require_safe
def record_find(request: HttpRequest, slug: str) -> HttpResponse:
    """The roster's “service record” box: a volunteer number (or a unique name) and a year."""
    team = team_for_reader(request.user, slug)
    query = normalise_name(request.GET.get("member", ""))
    member = Member.objects.filter(team=team, volunteer_number=query).first() if query else None
    same_name = []
    if member is None and query:
        same_name = list(Member.objects.filter(team=team, name=query)[:2])
        member = same_name[0] if len(same_name) == 1 else None
    if member is None:
        if not query:
            problem = _("Type a volunteer number or a name to export a service record.")
        elif same_name:
            problem = _(
                "Several members are called “%(query)s”: type the volunteer number instead."
            ) % {"query": query}
        else:
            problem = _(
                "No member of the team has the volunteer number or the name “%(query)s”."
            ) % {"query": query}
        messages.error(request, problem)
        return redirect("members:list", slug=team.slug)
    url = reverse("records:export", kwargs={"slug": team.slug, "pk": member.pk})
    return redirect(f"{url}?{urlencode({'year': requested_year(request)})}")
