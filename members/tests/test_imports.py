"""Importing the roster from .xlsx / .csv: template, preview, confirm, all or nothing."""

from __future__ import annotations

import datetime
import io
import itertools
import re
import zipfile
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from activities.tests.factories import ParticipationFactory
from members.imports import (
    HEADERS,
    SHEET,
    RowStatus,
    member_import_apply,
    member_import_plan,
)
from members.models import CadreRank, Gender, Member
from members.tests.factories import MemberFactory
from teams.models import TeamRole
from teams.tests.factories import TeamRoleFactory
from volunteer_site.tests.workbooks import PLACEHOLDER, with_raw_number

pytestmark = pytest.mark.django_db

SLUG = "our-team"


@pytest.fixture(autouse=True)
def _staging_in_tmp(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"


PHONES = itertools.count(13900100000)


def row(number="V2018001", name=None, **overrides) -> list:
    """One member row in the template's column order (a new name and phone by default)."""
    phone = str(next(PHONES))
    values = {
        "志愿者编号": number,
        "姓名": f"队员{phone[-4:]}" if name is None else name,
        "性别": "男",
        "民族": "藏族",
        "是否党员": "是",
        "入党时间": "2010-07-01",
        "职级": "科级",
        "职务": "科员",
        "手机号码": phone,
        "电子邮箱": "",
        "注册日期": "2018-01-05",
        "离队日期": None,
    }
    values.update(overrides)
    return [values[header] for header in HEADERS]


def xlsx(rows, headers=HEADERS, title=SHEET) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(headers))
    for values in rows:
        sheet.append(list(values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def secretary_client(personas) -> Client:
    client = Client()
    client.force_login(personas.secretary)
    return client


def upload(client, data: bytes, name="队员.xlsx"):
    url = reverse("member_io:import", kwargs={"slug": SLUG})
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def token_of(response) -> str:
    assert response.status_code == 302, response.context["form"].errors
    return parse_qs(urlparse(response["Location"]).query)["token"][0]


def preview(client, token, **query):
    url = reverse("member_io:preview", kwargs={"slug": SLUG})
    return client.get(url, {"token": token, **query})


def confirm(client, token, action="confirm"):
    url = reverse("member_io:confirm", kwargs={"slug": SLUG})
    return client.post(url, {"token": token, "action": action})


def import_file(client, data: bytes, name="队员.xlsx"):
    """Upload, preview, confirm; returns the preview's plan and the confirm response."""
    token = token_of(upload(client, data, name))
    plan = preview(client, token).context["plan"]
    return plan, confirm(client, token)


def errors_by_cell(plan) -> set[tuple[int, str]]:
    return {(row.line, error.column) for row in plan.rows for error in row.errors}


# --- The template round trip ------------------------------------------------------------------


def test_template_round_trip_adds_three_members(personas):
    client = secretary_client(personas)
    response = client.get(reverse("member_io:template", kwargs={"slug": SLUG}))
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook[SHEET]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= 15
    assert sheet.cell(row=2, column=1).value.startswith("示例")  # the example row stays
    for number, name, phone in [
        ("V001", "格桑", "13900000001"),
        ("V002", "卓玛", "13900000002"),
        ("V003", "王建国", "13900000003"),
    ]:
        sheet.append(
            [number, name, "女" if name == "卓玛" else "男", "藏族", "是", None, "一般干部", "",
             phone, "", datetime.date(2018, 1, 5), None]
        )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)

    plan, response = import_file(client, buffer.getvalue())
    assert plan.counts[RowStatus.NEW] == 3
    assert plan.counts[RowStatus.SKIPPED] == 1
    assert response.status_code == 302
    assert response["Location"] == reverse("members:list", kwargs={"slug": SLUG})
    roster = client.get(response["Location"])
    page_numbers = [member.volunteer_number for member in roster.context["page_obj"]]
    assert {"V001", "V002", "V003"} <= set(page_numbers)
    assert "格桑" in roster.content.decode()
    zhuoma = Member.objects.get(volunteer_number="V002")
    assert (zhuoma.team, zhuoma.gender, zhuoma.cadre_rank) == (
        personas.team,
        Gender.FEMALE,
        CadreRank.GENERAL,
    )
    assert zhuoma.registered_on == datetime.date(2018, 1, 5)
    record = zhuoma.history.get()
    assert record.history_user == personas.secretary
    assert "队员.xlsx" in record.history_change_reason


# --- Every row error, on its row and column ----------------------------------------------------


def test_every_row_error_is_reported_on_its_row_and_column(personas):
    MemberFactory(team=personas.other_team, volunteer_number="TAKEN1")
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    rows = [
        row("E01", name=""),  # row 2: missing name
        row("E02", 注册日期="2018-13-45"),  # row 3: bad date
        row("E03", 职级="处级"),  # row 4: unknown rank
        row("E04", 手机号码="1390000"),  # row 5: phone malformed
        row("DUP", name="甲"),  # row 6: duplicate number...
        row("DUP", name="乙", 手机号码="13900000009"),  # row 7: ...in the file
        row("E05", 性别="未知"),  # row 8: gender
        row("E06", 注册日期=future),  # row 9: registration in the future
        row("E07", 是否党员="否"),  # row 10: party date for a non-member
        row("TAKEN1"),  # row 11: number of another team
        row("E08", 手机号码="139****0001"),  # row 12: masked phone for a new member
        row("", name="无编号"),  # row 13: missing number
        row("E09", 注册日期=None),  # row 14: missing registration date
        row("OK1", name="正确", 手机号码="13900000077"),  # row 15: fine
    ]
    client = secretary_client(personas)
    token = token_of(upload(client, xlsx(rows)))
    page = preview(client, token)
    plan = page.context["plan"]
    assert errors_by_cell(plan) == {
        (2, "姓名"),
        (3, "注册日期"),
        (4, "职级"),
        (5, "手机号码"),
        (6, "志愿者编号"),
        (7, "志愿者编号"),
        (8, "性别"),
        (9, "注册日期"),
        (10, "入党时间"),
        (11, "志愿者编号"),
        (12, "手机号码"),
        (13, "志愿者编号"),
        (14, "注册日期"),
    }
    assert [row.status for row in plan.rows][-1] == RowStatus.NEW
    messages = {(row.line, e.column): e.message for row in plan.rows for e in row.errors}
    assert "2018-13-45" in messages[(3, "注册日期")]
    assert "处级" in messages[(4, "职级")]
    assert "6、7" in messages[(6, "志愿者编号")]
    html = page.content.decode()
    assert "第 5 行" in html or "Row 5" in html
    # Nothing is written, and confirming is refused.
    before = Member.objects.count()
    response = confirm(client, token)
    assert response.status_code == 200
    assert response.context["notice"]
    assert Member.objects.count() == before
    assert not Member.objects.filter(volunteer_number="OK1").exists()


def test_the_preview_opens_on_the_rows_with_errors(personas):
    client = secretary_client(personas)
    token = token_of(upload(client, xlsx([row("A1"), row("A2", name=""), row("A3")])))
    page = preview(client, token)
    assert page.context["show"] == RowStatus.ERROR
    assert [r.line for r in page.context["page_obj"]] == [3]
    everything = preview(client, token, show="all")
    assert [r.line for r in everything.context["page_obj"]] == [2, 3, 4]


def test_a_plan_with_errors_cannot_be_written(personas):
    plan = member_import_plan(
        team=personas.team, data=xlsx([row("A1"), row("A2", 职级="?")]), filename="x.xlsx"
    )
    assert plan.has_errors
    with pytest.raises(ValueError):
        member_import_apply(team=personas.team, plan=plan, by=personas.secretary, filename="x")
    assert not Member.objects.filter(volunteer_number="A1").exists()


def test_leaving_date_before_the_members_last_activity_is_refused(personas):
    participation = ParticipationFactory(
        activity__team=personas.team,
        activity__start_date=datetime.date(2018, 6, 1),
        member__team=personas.team,
        member__volunteer_number="L1",
        member__registered_on=datetime.date(2017, 1, 1),
    )
    member = participation.member
    plan = member_import_plan(
        team=personas.team,
        data=xlsx(
            [
                row("L1", name=member.name, 离队日期="2018-05-01", 注册日期="2017-01-01"),
            ]
        ),
        filename="x.xlsx",
    )
    assert errors_by_cell(plan) == {(2, "离队日期")}
    late = member_import_plan(
        team=personas.team,
        data=xlsx([row("L1", name=member.name, 注册日期="2018-07-01")]),
        filename="x.xlsx",
    )
    assert errors_by_cell(late) == {(2, "注册日期")}


# --- Updates and idempotence --------------------------------------------------------------------


def test_a_row_with_a_known_number_updates_that_member(personas):
    member = MemberFactory(
        team=personas.team, volunteer_number="U1", name="次仁", phone="13900000001"
    )
    client = secretary_client(personas)
    plan, response = import_file(client, xlsx([row("U1", 职务="副科长", 职级="县级")]))
    assert [r.status for r in plan.rows] == [RowStatus.UPDATE]
    assert {c.column for c in plan.rows[0].changes} >= {"职务", "职级"}
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.position, member.cadre_rank) == ("副科长", CadreRank.COUNTY)
    latest = member.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == personas.secretary


def test_without_a_known_number_name_and_phone_find_the_member(personas):
    member = MemberFactory(
        team=personas.team, volunteer_number="OLD-7", name="拉巴", phone="13900000042"
    )
    client = secretary_client(personas)
    plan, _response = import_file(client, xlsx([row("NEW-7", name="拉巴", 手机号码="13900000042")]))
    assert plan.rows[0].status == RowStatus.UPDATE
    assert ("志愿者编号", "OLD-7", "NEW-7") in {
        (c.column, c.old, c.new) for c in plan.rows[0].changes
    }
    member.refresh_from_db()
    assert member.volunteer_number == "NEW-7"
    assert Member.objects.filter(team=personas.team, name="拉巴").count() == 1


def test_an_empty_cell_keeps_the_stored_value(personas):
    member = MemberFactory(team=personas.team, volunteer_number="K1", position="科长")
    plan = member_import_plan(
        team=personas.team,
        data=xlsx([row("K1", name=member.name, 职务=None, 手机号码=member.phone)]),
        filename="x.xlsx",
    )
    assert "职务" not in {c.column for c in plan.rows[0].changes}


def test_importing_the_same_file_again_changes_nothing(personas):
    client = secretary_client(personas)
    data = xlsx([row(f"R{i}", name=f"队员{i}", 手机号码=f"1390000{i:04d}") for i in range(5)])
    import_file(client, data)
    history = Member.history.count()
    stored = list(Member.objects.order_by("pk").values())

    token = token_of(upload(client, data))
    page = preview(client, token)
    assert page.context["plan"].counts[RowStatus.UNCHANGED] == 5
    assert page.context["plan"].writes == 0
    assert b"confirm-import" not in page.content
    confirm(client, token)
    assert Member.history.count() == history
    assert list(Member.objects.order_by("pk").values()) == stored


def test_the_secretarys_masked_export_imports_as_unchanged(personas):
    MemberFactory.create_batch(3, team=personas.team, email="a@example.cn")
    client = secretary_client(personas)
    exported = client.get(reverse("member_io:export", kwargs={"slug": SLUG}))
    plan = member_import_plan(team=personas.team, data=exported.content, filename="x.xlsx")
    assert {r.status for r in plan.rows} == {RowStatus.UNCHANGED}
    assert len(plan.rows) == Member.objects.filter(team=personas.team, left_on=None).count()


def test_dates_in_every_accepted_form(personas):
    excel_day = datetime.datetime(2018, 1, 5)
    rows = [
        row(f"D{i}", name=f"日期{i}", 手机号码=f"1390000010{i}", 注册日期=value)
        for i, value in enumerate(["2018-01-05", "2018/1/5", "2018年1月5日", excel_day, 43105])
    ]
    plan = member_import_plan(team=personas.team, data=xlsx(rows), filename="x.xlsx")
    assert not plan.has_errors
    assert {r.merged["registered_on"] for r in plan.rows} == {datetime.date(2018, 1, 5)}


def test_csv_in_utf8_and_in_gbk(personas):
    lines = [",".join(HEADERS), ",".join(str(v or "") for v in row("C1", name="达瓦"))]
    text = "\r\n".join(lines) + "\r\n"
    for encoding in ("utf-8-sig", "gbk"):
        plan = member_import_plan(
            team=personas.team, data=text.encode(encoding), filename="名册.csv"
        )
        assert [(r.status, r.name) for r in plan.rows] == [(RowStatus.NEW, "达瓦")]


def test_the_roster_changing_after_the_preview_asks_to_check_again(personas):
    client = secretary_client(personas)
    token = token_of(upload(client, xlsx([row("CH1", name="尼玛")])))
    preview(client, token)
    MemberFactory(team=personas.team, volunteer_number="CH1", name="尼玛", position="科员")
    response = confirm(client, token)
    assert response.status_code == 200
    assert "roster changed" in response.context["notice"] or "名册" in response.context["notice"]
    assert response.context["plan"].rows[0].status == RowStatus.UPDATE
    assert Member.objects.get(volunteer_number="CH1").registered_on != datetime.date(2018, 1, 5)
    # Now the secretary has seen the update: confirming writes it.
    assert confirm(client, token).status_code == 302
    assert Member.objects.get(volunteer_number="CH1").registered_on == datetime.date(2018, 1, 5)


def test_cancel_discards_the_upload(personas):
    client = secretary_client(personas)
    token = token_of(upload(client, xlsx([row("X1")])))
    assert confirm(client, token, action="cancel").status_code == 302
    response = confirm(client, token)
    assert response["Location"] == reverse("member_io:import", kwargs={"slug": SLUG})
    assert not Member.objects.filter(volunteer_number="X1").exists()


def test_a_token_is_good_only_for_who_uploaded_it(personas):
    client = secretary_client(personas)
    token = token_of(upload(client, xlsx([row("T1")])))
    second_secretary = TeamRoleFactory(team=personas.team, role=TeamRole.Role.SECRETARY).user
    other = Client()
    other.force_login(second_secretary)
    response = confirm(other, token)
    assert response.status_code == 302
    assert not Member.objects.filter(volunteer_number="T1").exists()
    staff = Client()
    staff.force_login(personas.staff)
    assert confirm(staff, token).status_code == 403
    assert upload(staff, xlsx([row("T2")])).status_code == 403
    outsider = Client()
    outsider.force_login(personas.other_secretary)
    assert upload(outsider, xlsx([row("T3")])).status_code == 404
    assert not Member.objects.filter(volunteer_number__in=["T1", "T2", "T3"]).exists()


# --- Files that are not fit to import ----------------------------------------------------------


def upload_error(response) -> str:
    assert response.status_code == 400
    return " ".join(response.context["form"].errors["file"])


def test_a_file_over_the_size_limit_is_refused(personas, settings):
    settings.IMPORT_MAX_BYTES = 2048
    data = xlsx([row(f"S{i}", name=f"大{i}", 手机号码=f"139{i:08d}") for i in range(200)])
    assert len(data) > 2048
    message = upload_error(upload(secretary_client(personas), data))
    assert "2 KB" in message
    assert not Member.objects.filter(volunteer_number__startswith="S").exists()


def test_a_file_over_the_row_limit_is_refused(personas, settings):
    settings.IMPORT_MAX_ROWS = 3
    data = xlsx([row(f"S{i}", name=f"多{i}", 手机号码=f"139{i:08d}") for i in range(4)])
    assert "3" in upload_error(upload(secretary_client(personas), data))


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "照片.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "旧版.xls"),
        (b"just some text", "notes.txt"),
        (b"PK\x03\x04 broken zip", "坏了.xlsx"),
        (b"\x00\x01\x02binary", "data.csv"),
        (b"\xff\xfe\xfa\xfb\x81\x30\xff" * 3, "bad.csv"),
    ],
    ids=["png", "xls", "text", "broken-zip", "binary-csv", "undecodable-csv"],
)
def test_what_is_not_a_spreadsheet_is_refused_with_a_message(personas, data, name):
    message = upload_error(upload(secretary_client(personas), data, name))
    assert message
    assert Member.objects.filter(team=personas.team).count() == 1  # the volunteer persona


def test_a_zip_that_is_not_a_workbook_is_refused(personas):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert upload_error(upload(secretary_client(personas), buffer.getvalue(), "a.xlsx"))


def test_a_file_without_the_required_columns_is_refused(personas):
    data = xlsx([["V1", "某人"]], headers=["编号", "名字"])
    message = upload_error(upload(secretary_client(personas), data))
    assert "志愿者编号" in message and "姓名" in message


def test_formula_cells_are_imported_as_plain_text(personas):
    plan = member_import_plan(
        team=personas.team,
        data=xlsx([row("F1", 职务='\'=HYPERLINK("http://x")')]),
        filename="x.xlsx",
    )
    assert plan.rows[0].merged["position"] == '=HYPERLINK("http://x")'


# --- 5,000 rows -------------------------------------------------------------------------------


def test_five_thousand_rows_import_in_one_go(personas):
    existing = MemberFactory(team=personas.team, volunteer_number="B00010", name="旧名字")
    rows = [
        row(
            f"B{i:05d}",
            name=f"队员{i}",
            手机号码=f"139{i:08d}",
            性别="女" if i % 2 else "男",
            职级=["县级", "科级", "一般干部", "职工"][i % 4],
            注册日期=datetime.date(2016, 3, 1) + datetime.timedelta(days=i % 700),
        )
        for i in range(5000)
    ]
    client = secretary_client(personas)
    with CaptureQueriesContext(connection) as queries:
        plan, response = import_file(client, xlsx(rows))
    assert response.status_code == 302
    assert plan.counts[RowStatus.NEW] == 4999
    assert plan.counts[RowStatus.UPDATE] == 1
    imported = Member.objects.filter(team=personas.team, volunteer_number__startswith="B")
    assert imported.count() == 5000
    assert Member.history.filter(volunteer_number__startswith="B").count() == 5001
    existing.refresh_from_db()
    assert existing.name == "队员10"
    sample = imported.get(volunteer_number="B04321")
    assert (sample.name, sample.phone, sample.gender, sample.cadre_rank) == (
        "队员4321",
        "13900004321",
        Gender.FEMALE,
        CadreRank.SECTION,
    )
    # Not a timing test (see bench/import_members.py): a guard against a per-row query
    # creeping in, which would make thousands.
    print(f"{len(queries)} queries for 5,000 rows")
    assert len(queries) < 1000  # batched: about 250 (on SQLite) for 5,000 rows


def test_the_upload_is_protected_against_cross_site_requests(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.secretary)
    response = upload(client, xlsx([row("CSRF1")]))
    assert response.status_code == 403
    assert not Member.objects.filter(volunteer_number="CSRF1").exists()


def test_a_day_that_does_not_exist_is_told_apart_from_text_that_is_not_a_date():
    from volunteer_site.xlsx import CellValueError, cell_date

    with pytest.raises(CellValueError) as no_such_day:
        cell_date("2018年2月30日")
    with pytest.raises(CellValueError) as not_a_date:
        cell_date("去年春天")
    assert str(no_such_day.value) != str(not_a_date.value)
    assert "2018-01-05" in str(not_a_date.value)  # says how to write it
    assert cell_date(" 2018 / 1 / 5 ") == datetime.date(2018, 1, 5)
    assert cell_date("20180105") == datetime.date(2018, 1, 5)
    assert cell_date("2018-01-05 00:00:00") == datetime.date(2018, 1, 5)
    assert cell_date(None) is None


# --- Numbers and dates that are not what their column holds --------------------------------------
# Text such as NaN or 1e30, and number cells: 1e30 and 1e-30 as openpyxl writes
# them, infinity as only a crafted file holds it (1E999). Each is an error on its
# row and column, in Chinese, never a member called "Infinity" or numbered "0".

BAD_NUMBERS = {
    "text-NaN": "NaN",
    "text-Infinity": "Infinity",
    "text-1e30": "1e30",
    "text-1e-30": "1e-30",
    "number-1e30": 1e30,
    "number-1e-30": 1e-30,
    "number-1E999": "1E999",
    "number--1E999": "-1E999",
}
# Columns whose cells hold numbers or dates (text columns take "NaN" as text).
NUMBER_COLUMNS = ["入党时间", "注册日期", "离队日期", "手机号码", "是否党员"]
TEXT_COLUMNS = ["志愿者编号", "姓名"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def bad_cell_file(column: str, case: str) -> bytes:
    value = BAD_NUMBERS[case]
    if case in ("number-1E999", "number--1E999"):
        return with_raw_number(xlsx([row("BAD1", **{column: PLACEHOLDER})]), value)
    return xlsx([row("BAD1", **{column: value})])


# “NaN” or 1e30 may be a name or a volunteer number; infinity is never text.
CELL_CASES = [(column, case) for column in NUMBER_COLUMNS for case in BAD_NUMBERS] + [
    (column, case) for column in TEXT_COLUMNS for case in ("number-1E999", "number--1E999")
]


@pytest.mark.parametrize(("column", "case"), CELL_CASES, ids=[f"{c}-{k}" for c, k in CELL_CASES])
def test_a_cell_that_is_not_its_columns_kind_is_an_error_on_its_cell(personas, column, case):
    data = bad_cell_file(column, case)
    plan = member_import_plan(team=personas.team, data=data, filename="x.xlsx")
    [only] = plan.rows
    assert only.status == RowStatus.ERROR
    assert column in {error.column for error in only.errors}, only.errors
    assert all(CJK.search(error.message) for error in only.errors)
    response = upload(secretary_client(personas), data)
    assert response.status_code == 302  # the file is read; its row is shown as an error
    assert not Member.objects.filter(name__startswith="队员", team=personas.team).exists()
