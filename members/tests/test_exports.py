"""Exports of the roster; the shared xlsx helpers (the service record: records/tests)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from activities.models import Participation
from conftest import client_for
from members.imports import HEADERS, SHEET
from members.models import CadreRank
from members.tests.factories import MemberFactory
from volunteer_site.models import AuditAction, AuditEntry
from volunteer_site.xlsx import (
    Column,
    add_table_sheet,
    content_disposition,
    new_workbook,
    safe_cell,
    workbook_bytes,
)

pytestmark = pytest.mark.django_db

SLUG = "our-team"
FULL_PHONE = "13812345678"
MASKED_PHONE = "138****5678"


def sheet_rows(response, sheet: str = SHEET, header_line: int = 1) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book[sheet].iter_rows(min_row=header_line, values_only=True))
    headers = rows[0]
    return [dict(zip(headers, values, strict=True)) for values in rows[1:]]


def export_url(**query) -> str:
    url = reverse("member_io:export", kwargs={"slug": SLUG})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def roster(personas):
    team = personas.team
    MemberFactory(team=team, volunteer_number="M01", name="扎西", email="zhaxi@example.cn")
    MemberFactory(team=team, volunteer_number="M02", name="卓玛", is_party_member=False)
    MemberFactory(team=team, volunteer_number="M03", name="次仁", cadre_rank=CadreRank.COUNTY)
    MemberFactory(
        team=team,
        volunteer_number="M04",
        name="离队者",
        left_on=datetime.date(2018, 6, 30),
    )
    MemberFactory(team=personas.other_team, volunteer_number="X01", name="别队的人")
    return team


# --- The roster -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff", "secretary", "region_admin"])
@pytest.mark.parametrize("query", [{}, {"party": "no"}, {"status": "all"}, {"q": "扎"}])
def test_the_roster_export_equals_the_roster_page(personas, roster, persona, query):
    client = client_for(getattr(personas, persona) if persona else None)
    page = client.get(reverse("members:list", kwargs={"slug": SLUG}), query)
    shown = [
        (m.volunteer_number, m.name, m.masked_phone, m.registered_on)
        for m in page.context["page_obj"]
    ]
    rows = sheet_rows(client.get(export_url(**query)))
    exported = [(r["志愿者编号"], r["姓名"], r["手机号码"], r["注册日期"].date()) for r in rows]
    assert exported == shown
    assert all(r["手机号码"] == MASKED_PHONE for r in rows)


def test_the_export_has_the_template_columns_frozen_and_sized(personas, roster):
    response = client_for(personas.staff).get(export_url())
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[SHEET]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "A2"
    assert all(sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKL")
    zhaxi = next(r for r in sheet_rows(response) if r["姓名"] == "扎西")
    assert (zhaxi["性别"], zhaxi["是否党员"], zhaxi["职级"]) == ("男", "是", "一般干部")
    assert zhaxi["电子邮箱"] == "z****@example.cn"  # only the secretary sees addresses


def test_the_secretary_gets_full_phones_only_on_request_and_it_is_audited(personas, roster):
    client = client_for(personas.secretary)
    masked = sheet_rows(client.get(export_url()))
    assert {r["手机号码"] for r in masked} == {MASKED_PHONE}
    assert next(r for r in masked if r["姓名"] == "扎西")["电子邮箱"] == "zhaxi@example.cn"
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert entry.detail["full_phones"] is False

    full = sheet_rows(client.get(export_url(full_phones=1)))
    assert {r["手机号码"] for r in full} == {FULL_PHONE}
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert entry.user == personas.secretary
    assert entry.detail["full_phones"] is True
    assert entry.detail["export"] == "roster"
    assert entry.detail["rows"] == 4  # the active members: the volunteer and three


@pytest.mark.parametrize("persona", ["staff", "region_admin"])
def test_nobody_else_gets_full_phones(personas, roster, persona):
    response = client_for(getattr(personas, persona) if persona else None).get(
        export_url(full_phones=1)
    )
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
    assert AuditEntry.objects.filter(action=AuditAction.REFUSED).exists()


def test_every_export_is_audited(personas, roster):
    client_for(personas.region_admin).get(export_url(status="all"))
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.user == personas.region_admin
    assert entry.detail["filters"] == {"status": "all"}
    assert entry.detail["rows"] == 5


def test_text_that_would_run_as_a_formula_is_neutralised(personas):
    MemberFactory(
        team=personas.team,
        volunteer_number="@SUM(1+1)",
        name='=HYPERLINK("http://evil","点我")',
        position="+86 主任",
        ethnicity="-1",
    )
    response = client_for(personas.staff).get(export_url())
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for row in book[SHEET].iter_rows(min_row=2) for cell in row]
    evil = [cell for cell in cells if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert evil[0].value == '\'=HYPERLINK("http://evil","点我")'
    assert evil[0].data_type == "s"
    values = {cell.value for cell in cells}
    assert {"'@SUM(1+1)", "'+86 主任", "'-1"} <= values
    assert not any(cell.data_type == "f" for cell in cells)


# --- The shared helpers -------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_safe_cell_prefixes_every_formula_start(start):
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("value", ["扎西", "0892-8821234", 5, -5, Decimal("-1.5"), None, ""])
def test_safe_cell_leaves_other_values_alone(value):
    assert safe_cell(value) == value


def test_a_sheet_written_by_the_helpers():
    book = new_workbook()
    add_table_sheet(
        book,
        "表",
        [Column("日期", 12), Column("名称", 20)],
        [[datetime.date(2018, 1, 5), "=1+1"]],
        title_lines=["标题"],
    )
    sheet = load_workbook(io.BytesIO(workbook_bytes(book)))["表"]
    assert sheet.freeze_panes == "A3"
    assert [c.value for c in sheet[2]] == ["日期", "名称"]
    assert sheet["A3"].value == datetime.datetime(2018, 1, 5)
    assert sheet["A3"].number_format == "yyyy-mm-dd"
    assert sheet["B3"].value == "'=1+1"
    assert sheet.column_dimensions["B"].width == 20


def test_content_disposition_carries_the_utf8_name_and_an_ascii_fallback():
    header = content_disposition("我们的志愿服务队-名册-20180105.xlsx")
    assert header.startswith('attachment; filename="-')
    assert "filename*=UTF-8''%E6%88%91%E4%BB%AC" in header
    assert (
        content_disposition('a"b.xlsx')
        == "attachment; filename=\"ab.xlsx\"; filename*=UTF-8''a%22b.xlsx"
    )


def test_exports_are_not_cached(personas, roster):
    response = client_for(personas.staff).get(export_url())
    assert response["Cache-Control"] == "no-store"


def test_the_helpers_write_a_valid_workbook_for_openpyxl():
    book = Workbook()
    assert workbook_bytes(book).startswith(b"PK")


def test_the_workbooks_chinese_words_are_the_interfaces():
    from django.utils import translation

    from activities.imports.columns import ROLE_TEXT
    from members.imports import GENDER_TEXT, RANK_TEXT
    from members.models import CadreRank, Gender

    with translation.override("zh-hans"):
        assert {value: str(label) for value, label in CadreRank.choices} == RANK_TEXT
        assert {value: str(label) for value, label in Gender.choices} == GENDER_TEXT
        assert {value: str(label) for value, label in Participation.Role.choices} == ROLE_TEXT
