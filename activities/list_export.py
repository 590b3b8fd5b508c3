"""The activity list as .xlsx, with the list page's filters (``ActivityFilterForm``).

For the team's staff and secretary and an admin of its region, like the list;
every export is audited. The rows are those the list shows, in its order,
with every page in one sheet and the outcomes the list leaves out.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from activities.forms import ActivityFilterForm
from activities.models import Activity, ActivityStatus
from teams.access import team_for_reader
from volunteer_site.audit import audit
from volunteer_site.models import AuditAction
from volunteer_site.xlsx import (
    DATE_FORMAT,
    Column,
    add_table_sheet,
    new_workbook,
    workbook_response,
)

SHEET = "志愿服务活动"
COLUMNS = [
    Column("开始日期", 12, DATE_FORMAT),
    Column("结束日期", 12, DATE_FORMAT),
    Column("服务类别", 22),
    Column("活动名称", 32),
    Column("地点", 18),
    Column("服务时长（小时）", 14),
    Column("参与人数", 10),
    Column("状态", 10),
    Column("逾期录入", 10),
    Column("组织单位", 20),
    Column("受益群众人数", 14),
    Column("发放资料份数", 14),
    Column("走访户数", 10),
    Column("捐赠资金（元）", 14),
]
# Written in Chinese whatever the reader's language: the workbook is a record.
STATUS_TEXT = {
    ActivityStatus.DRAFT: "草稿",
    ActivityStatus.SUBMITTED: "待审核",
    ActivityStatus.APPROVED: "审核通过",
    ActivityStatus.RETURNED: "已退回",
}


def listed_activities(team, params) -> tuple[ActivityFilterForm, QuerySet[Activity]]:
    """The activities the list page shows for these query parameters, in its order."""
    filters = ActivityFilterForm(params or None, team=team)
    activities = (
        Activity.objects.filter(team=team)
        .select_related("category")
        .annotate(participant_count=Count("participations"))
        .order_by("-start_date", "-pk")
    )
    return filters, filters.apply(activities)


def export_rows(activities: QuerySet[Activity]) -> list[list]:
    return [
        [
            activity.start_date,
            activity.end_date,
            activity.category.name,
            activity.title,
            activity.place,
            activity.hours,
            activity.participant_count,
            STATUS_TEXT.get(activity.status, activity.status),
            "是" if activity.is_late else "",
            activity.organiser,
            activity.people_reached,
            activity.materials_distributed,
            activity.households_visited,
            activity.donation_yuan,
        ]
        for activity in activities
    ]


def activity_list_workbook(activities: QuerySet[Activity]):
    workbook = new_workbook()
    add_table_sheet(workbook, SHEET, COLUMNS, export_rows(activities))
    return workbook


@login_required
@require_safe
def activity_list_export(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_reader(request.user, slug)
    params = request.GET.copy()
    params.pop("page", None)
    _filters, activities = listed_activities(team, params)
    workbook = activity_list_workbook(activities)
    audit(
        request,
        AuditAction.EXPORT,
        target=team,
        export="activities",
        rows=workbook[SHEET].max_row - 1,
        filters=params.dict(),
    )
    filename = f"{team.name}-志愿服务活动-{timezone.localdate():%Y%m%d}.xlsx"
    return workbook_response(workbook, filename)
