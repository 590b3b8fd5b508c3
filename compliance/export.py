"""The monthly review as an Excel workbook (openpyxl), with Chinese headers.

Three sheets: "月度情况" (the year's months up to the one reviewed), "队员情况" (one row per
listed member, behind first, with their counts by month) and "报名与到场" (each member's
sign-ups, attendances and no-shows in the month, as at the export: not part of what is
signed, docs/domain.md § Attendance). Member names are
typed by people, so any text that a spreadsheet would read as a formula is
written with a leading apostrophe.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from activities.models import MonthlyReview
from compliance.months import MonthState
from compliance.review_data import ReviewData
from compliance.standing import MemberStatus
from volunteer_site.names import person_name
from volunteer_site.xlsx import safe_cell

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")

MONTHS_SHEET = "月度情况"
MEMBERS_SHEET = "队员情况"
MONTH_HEADERS = ["月份", "开展活动次数", "活动时长", "参与人次", "志愿服务总时数", "是否达标"]
MONTH_WIDTHS = [12, 14, 12, 12, 16, 16]
MEMBER_HEADERS = [
    "志愿者编号",
    "姓名",
    "职级",
    "本年累计次数",
    "本年累计时数",
    "年度目标",
    "当前应达",
    "状态",
]
MEMBER_WIDTHS = [16, 12, 12, 14, 14, 10, 10, 10]
TURNOUT_SHEET = "报名与到场"
TURNOUT_HEADERS = ["志愿者编号", "姓名", "报名次数", "到场次数", "缺席次数"]
TURNOUT_WIDTHS = [16, 12, 10, 10, 10]

# Written in Chinese whatever the reader's language: the workbook is a record.
MONTH_STATE_TEXT = {
    MonthState.MET: "达标",
    MonthState.NOT_MET: "未达标",
    MonthState.BEFORE_FOUNDING: "未成立",
    MonthState.FUTURE: "未到",
}
STATUS_TEXT = {
    MemberStatus.MET: "已达标",
    MemberStatus.ON_TRACK: "进度正常",
    MemberStatus.BEHIND: "落后",
    MemberStatus.NONE: "未参加",
}
RANK_TEXT = {
    "county": "县级",
    "section": "科级",
    "general": "一般干部",
    "worker": "职工",
    "other": "其他",
}


# One rule for formula injection across all exports (volunteer_site.xlsx).
safe_text = safe_cell


def _number(value: Decimal) -> float | int:
    # Hours are kept to one decimal; Excel stores floats, which show them exactly.
    return int(value) if value == value.to_integral_value() else float(value)


def month_state_text(state: str, met: bool) -> str:
    if state == MonthState.CURRENT:
        return "进行中（已达标）" if met else "进行中"
    return MONTH_STATE_TEXT[MonthState(state)]


def _sheet(workbook_sheet, headers: list[str], widths: list[int]) -> None:
    workbook_sheet.append(headers)
    for cell in workbook_sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for index, width in enumerate(widths, start=1):
        workbook_sheet.column_dimensions[get_column_letter(index)].width = width
    workbook_sheet.freeze_panes = "A2"


def month_rows(data: ReviewData) -> list[list]:
    rows = []
    for cell in data.months_to_review:
        met = cell.activities >= data.min_activities
        rows.append(
            [
                f"{data.year}年{cell.month}月",
                cell.activities,
                _number(cell.activity_hours),
                cell.participant_times,
                _number(cell.person_hours),
                month_state_text(cell.state, met),
            ]
        )
    return rows


def member_rows(data: ReviewData) -> list[list]:
    return [
        [
            safe_text(row.number),
            safe_text(row.name),
            RANK_TEXT.get(row.rank, safe_text(row.rank)),
            row.ytd_count,
            _number(row.ytd_hours),
            row.target,
            row.expected,
            STATUS_TEXT[MemberStatus(row.status)],
            *row.monthly[: data.month],
        ]
        for row in data.members
    ]


def turnout_rows(data: ReviewData, turnout: dict) -> list[list]:
    rows = []
    for row in data.members:
        counts = turnout.get(row.member_id)
        rows.append(
            [
                safe_text(row.number),
                safe_text(row.name),
                # Empty for a member without a login, who cannot sign up.
                *((counts.signed_up, counts.attended, counts.no_shows) if counts else (None,) * 3),
            ]
        )
    return rows


def review_workbook(
    *, team, data: ReviewData, review: MonthlyReview | None, turnout: dict | None = None
) -> bytes:
    """The review of ``data``'s month as .xlsx bytes (the figures as signed, if signed);
    with ``turnout`` (member id → attendance.selectors.Turnout) the sheet of sign-ups."""
    workbook = Workbook()
    months = workbook.active
    months.title = MONTHS_SHEET
    _sheet(months, MONTH_HEADERS, MONTH_WIDTHS)
    for row in month_rows(data):
        months.append(row)
    notes = [
        [],
        ["志愿服务队", safe_text(team.name)],
        ["审核月份", f"{data.year}年{data.month}月"],
        ["每月活动要求", f"不少于{data.min_activities}次"],
        ["队员年度要求", f"不少于{data.annual_target}次（按注册月数折算）"],
        ["队员进度正常及达标比例", data.share_on_track_display],
        ["已过月份达标", data.months_met_display],
    ]
    if review is not None:
        signer = person_name(review.signed_by) or "—"
        signed_at = timezone.localtime(review.signed_at)
        notes.append(["签署", safe_text(f"{signer} {signed_at:%Y-%m-%d %H:%M}")])
        if review.comment:
            notes.append(["审核意见", safe_text(review.comment)])
    if data.computed_at:
        notes.append(["数据计算时间", f"{timezone.localtime(data.computed_at):%Y-%m-%d %H:%M}"])
    for row in notes:
        months.append(row)

    members = workbook.create_sheet(MEMBERS_SHEET)
    month_columns = [f"{m}月" for m in range(1, data.month + 1)]
    _sheet(members, MEMBER_HEADERS + month_columns, MEMBER_WIDTHS + [6] * data.month)
    for row in member_rows(data):
        members.append(row)

    if turnout is not None:
        sheet = workbook.create_sheet(TURNOUT_SHEET)
        _sheet(sheet, TURNOUT_HEADERS, TURNOUT_WIDTHS)
        for row in turnout_rows(data, turnout):
            sheet.append(row)
        sheet.append([])
        sheet.append(
            [
                "说明",
                f"{data.year}年{data.month}月已举行的场次（未取消、已结束）中的报名（已确认）、"
                "到场和缺席（报名未到场）次数，按导出时的数据统计，不属于签署内容；"
                "没有登录账号的队员不能报名，留空。",
            ]
        )

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
