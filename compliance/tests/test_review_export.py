"""The review as an Excel workbook, read back with openpyxl.

The data is the ``review_year`` fixture (compliance/tests/conftest.py), October 2026.
"""

import io
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse

from activities.stats import team_figures_recompute
from activities.tests.factories import ParticipationFactory
from compliance.export import safe_text
from compliance.tests.conftest import MONTH, YEAR
from compliance.tests.test_review_views import sign
from conftest import client_for
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

MEMBER_HEADERS = [
    "志愿者编号",
    "姓名",
    "职级",
    "本年累计次数",
    "本年累计时数",
    "年度目标",
    "当前应达",
    "状态",
    *[f"{m}月" for m in range(1, MONTH + 1)],  # January to the month reviewed
]
STATUS_TEXT = {"met": "已达标", "on_track": "进度正常", "behind": "落后", "none": "未参加"}


def url(team, name) -> str:
    return reverse(name, kwargs={"slug": team.slug, "year": YEAR, "month": MONTH})


def workbook_of(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_workbook_sheets_headers_and_layout(personas, review_year):
    response = client_for(personas.staff).get(url(personas.team, "compliance:review_export"))
    book = workbook_of(response)
    assert book.sheetnames == ["月度情况", "队员情况", "报名与到场"]
    months, members = book["月度情况"], book["队员情况"]
    assert [c.value for c in months[1]] == [
        "月份",
        "开展活动次数",
        "活动时长",
        "参与人次",
        "志愿服务总时数",
        "是否达标",
    ]
    assert [c.value for c in members[1]] == MEMBER_HEADERS
    assert months.freeze_panes == "A2"
    assert members.freeze_panes == "A2"
    assert members.column_dimensions["B"].width == 12
    assert months.column_dimensions["E"].width == 16
    # January to October, the month reviewed, and no later month (its state would move
    # on with the calendar); October: 1 activity of 2 hours, 1 participant-time, 2
    # person-hours.
    rows = list(months.iter_rows(min_row=2, max_row=11, values_only=True))
    assert [row[0] for row in rows] == [f"2026年{m}月" for m in range(1, 11)]
    assert months.cell(row=12, column=1).value is None  # the notes follow a blank row
    assert rows[MONTH - 1] == ("2026年10月", 1, 2, 1, 2, "达标")
    assert rows[0][1:5] == (1, 2, 3, 6)  # January: 3 participants × 2 hours
    disposition = response["Content-Disposition"]
    stem = f"{personas.team.slug}-2026-10.xlsx"
    assert f'filename="review-{stem}"' in disposition
    assert f"filename*=UTF-8''{quote('月度审核-' + stem)}" in disposition


def test_one_row_per_member_with_the_values_of_the_page(personas, review_year):
    client = client_for(personas.secretary)
    page = client.get(url(personas.team, "compliance:review"))
    book = workbook_of(client.get(url(personas.team, "compliance:review_export")))
    rows = list(book["队员情况"].iter_rows(min_row=2, values_only=True))
    shown = page.context["rows"]
    assert len(rows) == len(shown) == 4
    for row, member in zip(rows, shown, strict=True):
        assert row[0] == member.number
        assert row[1] == member.name
        assert row[3] == member.ytd_count
        assert Decimal(str(row[4])) == member.ytd_hours
        assert row[5] == member.target
        assert row[6] == member.expected
        assert row[7] == STATUS_TEXT[member.status]
        assert list(row[8:]) == member.monthly[:MONTH]
    # And by hand: behind first. October is over: floor(10 × 10 / 12) = 8 due.
    volunteer = personas.volunteer_member.volunteer_number
    assert [row[:8] for row in rows] == [
        ("R003", "一般丙", "一般干部", 3, 6, 10, 8, "落后"),
        (volunteer, "志愿者甲", "一般干部", 0, 0, 10, 8, "未参加"),
        ("R002", "科级乙", "科级", 8, 16, 10, 8, "进度正常"),
        ("R001", "县级甲", "县级", 10, 20, 10, 8, "已达标"),
    ]
    # 县级甲 took part every month January–October; no column after October.
    assert rows[3][8:] == (1, 1, 1, 1, 1, 1, 1, 1, 1, 1)


def test_text_that_looks_like_a_formula_is_neutralised(personas, review_year):
    MemberFactory(team=personas.team, name='=HYPERLINK("http://x","点我")')
    MemberFactory(team=personas.team, name="@SUM(A1)")
    MemberFactory(team=personas.team, name="+1", volunteer_number="-2")
    book = workbook_of(
        client_for(personas.staff).get(url(personas.team, "compliance:review_export"))
    )
    names = {row[1] for row in book["队员情况"].iter_rows(min_row=2, values_only=True)}
    numbers = {row[0] for row in book["队员情况"].iter_rows(min_row=2, values_only=True)}
    assert '\'=HYPERLINK("http://x","点我")' in names
    assert "'@SUM(A1)" in names
    assert "'+1" in names
    assert "'-2" in numbers
    assert safe_text("一般") == "一般"
    assert safe_text(5) == 5


def test_a_signed_review_exports_the_signed_figures(personas, review_year):
    sign(personas, comment="=危险的意见")
    # Afterwards 一般丙 joins October's activity: the page and the workbook still
    # show what was signed.
    ParticipationFactory(activity=review_year.activities[-1], member=review_year.behind)
    team_figures_recompute(team_id=personas.team.pk)
    book = workbook_of(
        client_for(personas.region_admin).get(url(personas.team, "compliance:review_export"))
    )
    first = next(book["队员情况"].iter_rows(min_row=2, values_only=True))
    assert first[1:4] == ("一般丙", "一般干部", 3)
    notes = {row[0]: row[1] for row in book["月度情况"].iter_rows(min_row=13, values_only=True)}
    assert notes["审核意见"] == "'=危险的意见"
    assert notes["队员进度正常及达标比例"] == "50.0%"
    assert notes["已过月份达标"] == "10 / 10"
