"""Importing past activities from a workbook: the web form's rules, all or nothing."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from activities import imports, services
from activities.forms import ActivityForm
from activities.imports import (
    ACTIVITY_HEADERS,
    ACTIVITY_SHEET,
    PARTICIPATION_HEADERS,
    PARTICIPATION_SHEET,
    RowStatus,
    activity_import_plan,
)
from activities.models import Activity, ActivityStatus, Participation
from activities.tests.factories import ActivityFactory
from members.tests.factories import MemberFactory
from teams.tests.factories import ServiceCategoryFactory
from volunteer_site.tests.workbooks import PLACEHOLDER, with_raw_number

pytestmark = pytest.mark.django_db

SLUG = "our-team"
CATEGORY = "扶贫帮困"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _staging_in_tmp(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"


@pytest.fixture
def team(personas):
    ServiceCategoryFactory(name=CATEGORY)
    MemberFactory(team=personas.team, volunteer_number="A001", name="扎西")
    MemberFactory(team=personas.team, volunteer_number="A002", name="卓玛")
    MemberFactory(team=personas.team, volunteer_number="A003", name="次仁")
    return personas.team


def activity(key="K1", **overrides) -> list:
    values = {
        "活动编号": key,
        "服务类别": CATEGORY,
        "活动名称": f"走访慰问困难群众{key}",
        "开始日期": datetime.date(2018, 5, 10),
        "结束日期": None,
        "服务时长": 4,
        "地点": "桑珠孜区",
        "服务内容": "走访慰问",
        "组织单位": "市政府办公室",
        "受益群众人数": 30,
        "发放资料份数": 100,
        "走访户数": 12,
        "捐赠资金": 2500,
        "其他成效": "",
    }
    values.update(overrides)
    return [values[header] for header in ACTIVITY_HEADERS]


def participation(key="K1", number="A001", name=None, hours=None, role=None) -> list:
    values = {"活动编号": key, "志愿者编号": number, "姓名": name, "服务时长": hours, "角色": role}
    return [values[header] for header in PARTICIPATION_HEADERS]


def workbook(activities, participations) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = ACTIVITY_SHEET
    sheet.append(ACTIVITY_HEADERS)
    for values in activities:
        sheet.append(values)
    people = book.create_sheet(PARTICIPATION_SHEET)
    people.append(PARTICIPATION_HEADERS)
    for values in participations:
        people.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plan_for(team, activities, participations):
    return activity_import_plan(
        team=team, data=workbook(activities, participations), filename="活动.xlsx"
    )


def errors(plan) -> set[tuple[str, int, str]]:
    found = {(ACTIVITY_SHEET, row.line, e.column) for row in plan.activities for e in row.errors}
    found |= {
        (PARTICIPATION_SHEET, row.line, e.column) for row in plan.participations for e in row.errors
    }
    return found


def secretary(personas) -> Client:
    client = Client()
    client.force_login(personas.secretary)
    return client


def upload(client, data: bytes, name="活动.xlsx"):
    url = reverse("activity_io:import", kwargs={"slug": SLUG})
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def import_file(client, data: bytes):
    response = upload(client, data)
    assert response.status_code == 302, response.context["form"].errors
    token = parse_qs(urlparse(response["Location"]).query)["token"][0]
    page = client.get(reverse("activity_io:preview", kwargs={"slug": SLUG}), {"token": token})
    confirmed = client.post(
        reverse("activity_io:confirm", kwargs={"slug": SLUG}),
        {"token": token, "action": "confirm"},
    )
    return page.context["plan"], confirmed


# --- The happy path ------------------------------------------------------------------------------


def test_template_round_trip_imports_activities_awaiting_approval(personas, team):
    client = secretary(personas)
    response = client.get(reverse("activity_io:template", kwargs={"slug": SLUG}))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [ACTIVITY_SHEET, PARTICIPATION_SHEET, "填写说明"]
    assert [c.value for c in book[ACTIVITY_SHEET][1]] == ACTIVITY_HEADERS
    assert [c.value for c in book[PARTICIPATION_SHEET][1]] == PARTICIPATION_HEADERS
    book[ACTIVITY_SHEET].append(
        activity("T1", 结束日期=datetime.date(2018, 5, 12), 服务时长=12, 活动名称="吉隆县乡村宣讲")
    )
    book[PARTICIPATION_SHEET].append(participation("T1", "A001", role="组织者"))
    book[PARTICIPATION_SHEET].append(participation("T1", None, name="卓玛", hours=8))
    buffer = io.BytesIO()
    book.save(buffer)

    plan, confirmed = import_file(client, buffer.getvalue())
    assert [r.status for r in plan.activities] == [RowStatus.SKIPPED, RowStatus.NEW]
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("activities:awaiting", kwargs={"slug": SLUG})
    imported = Activity.objects.get(title="吉隆县乡村宣讲")
    assert imported.status == ActivityStatus.SUBMITTED
    assert imported.submitted_at is not None
    assert imported.is_late  # logged years after it ended
    assert imported.created_by == personas.secretary
    assert (imported.start_date, imported.end_date, imported.hours) == (
        datetime.date(2018, 5, 10),
        datetime.date(2018, 5, 12),
        Decimal("12"),
    )
    assert imported.donation_yuan == Decimal("2500")
    records = {
        p.member.name: (p.hours, p.role) for p in imported.participations.select_related("member")
    }
    assert records == {
        "扎西": (Decimal("12"), Participation.Role.ORGANISER),
        "卓玛": (Decimal("8"), Participation.Role.PARTICIPANT),
    }
    awaiting = client.get(confirmed["Location"])
    assert "吉隆县乡村宣讲" in awaiting.content.decode()
    # The secretary approves it like any other activity.
    services.activity_approve(activity=imported, by=personas.secretary)
    imported.refresh_from_db()
    assert imported.status == ActivityStatus.APPROVED


def test_importing_the_same_workbook_again_adds_nothing(personas, team):
    data = workbook([activity("R1"), activity("R2")], [participation("R1"), participation("R2")])
    client = secretary(personas)
    import_file(client, data)
    assert Activity.objects.filter(team=team).count() == 2
    plan, confirmed = import_file(client, data)
    assert [r.status for r in plan.activities] == [RowStatus.EXISTS, RowStatus.EXISTS]
    assert plan.writes == 0
    assert Activity.objects.filter(team=team).count() == 2
    assert Participation.objects.filter(activity__team=team).count() == 2


# --- The web form's rules -----------------------------------------------------------------------

A = ACTIVITY_SHEET
P = PARTICIPATION_SHEET
FUTURE = timezone.localdate() + datetime.timedelta(days=5)

CASES = {
    "end-before-start": (
        [activity(结束日期=datetime.date(2018, 5, 9))],
        [participation()],
        {(A, 2, "结束日期")},
    ),
    "hours-zero": ([activity(服务时长=0)], [participation()], {(A, 2, "服务时长")}),
    "hours-over-24-a-day": (
        [activity(服务时长=49, 结束日期=datetime.date(2018, 5, 11))],
        [participation()],
        {(A, 2, "服务时长")},
    ),
    "hours-two-decimals": ([activity(服务时长=2.25)], [participation()], {(A, 2, "服务时长")}),
    "hours-missing": ([activity(服务时长=None)], [participation()], {(A, 2, "服务时长")}),
    "unknown-category": ([activity(服务类别="打扫卫生")], [participation()], {(A, 2, "服务类别")}),
    "bad-date": ([activity(开始日期="2018年13月1日")], [participation()], {(A, 2, "开始日期")}),
    "future": ([activity(开始日期=FUTURE)], [participation()], {(A, 2, "开始日期")}),
    "negative-donation": ([activity(捐赠资金=-5)], [participation()], {(A, 2, "捐赠资金")}),
    "not-a-count": ([activity(受益群众人数="很多")], [participation()], {(A, 2, "受益群众人数")}),
    "no-participants": ([activity("K1"), activity("K2")], [participation("K1")], {(A, 3, "")}),
    "duplicate-key": (
        [activity("K1"), activity("K1", 活动名称="另一个活动")],
        [participation("K1")],
        {(A, 2, "活动编号"), (A, 3, "活动编号")},
    ),
    "participant-hours-over-activity": (
        [activity(服务时长=4)],
        [participation(hours=5)],
        {(P, 2, "服务时长")},
    ),
    "participant-hours-zero": ([activity()], [participation(hours=0)], {(P, 2, "服务时长")}),
    "unknown-member": ([activity()], [participation(number="Z999")], {(P, 2, "志愿者编号")}),
    "number-and-name-disagree": (
        [activity()],
        [participation(number="A001", name="卓玛")],
        {(P, 2, "姓名")},
    ),
    "unknown-name": ([activity()], [participation(number=None, name="无名氏")], {(P, 2, "姓名")}),
    "member-twice": (
        [activity()],
        [participation(), participation(), participation(number="A002")],
        {(P, 3, "志愿者编号")},
    ),
    "unknown-activity-key": (
        [activity()],
        [participation(), participation(key="K9", number="A002")],
        {(P, 3, "活动编号")},
    ),
    "bad-role": ([activity()], [participation(role="队长")], {(P, 2, "角色")}),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_rule_reports_its_row_and_column_and_nothing_is_written(personas, team, case):
    activities, participations, expected = CASES[case]
    plan = plan_for(team, activities, participations)
    assert errors(plan) == expected
    assert plan.has_errors
    client = secretary(personas)
    _plan, confirmed = import_file(client, workbook(activities, participations))
    assert confirmed.status_code == 200  # the preview again, with the errors
    assert not Activity.objects.filter(team=team).exists()


def test_membership_dates_are_checked_as_in_the_form(personas, team):
    MemberFactory(
        team=team, volunteer_number="LATE", name="新人", registered_on=datetime.date(2019, 1, 1)
    )
    MemberFactory(
        team=team,
        volunteer_number="GONE",
        name="旧人",
        registered_on=datetime.date(2016, 1, 1),
        left_on=datetime.date(2017, 12, 31),
    )
    plan = plan_for(
        team, [activity()], [participation(number="LATE"), participation(number="GONE")]
    )
    assert errors(plan) == {(P, 2, "志愿者编号"), (P, 3, "志愿者编号")}
    messages = [e.message for row in plan.participations for e in row.errors]
    assert "2019-01-01" in messages[0] and "2017-12-31" in messages[1]


def test_a_name_shared_by_two_members_needs_the_number(personas, team):
    MemberFactory(team=team, volunteer_number="A004", name="扎西")
    plan = plan_for(team, [activity()], [participation(number=None, name="扎西")])
    assert errors(plan) == {(P, 2, "姓名")}


def test_the_messages_are_the_forms_own(personas, team):
    """Hours above 24 a day: the import says exactly what the web form says."""
    plan = plan_for(
        team, [activity(服务时长=30, 结束日期=datetime.date(2018, 5, 10))], [participation()]
    )
    category = team.available_categories().get(name=CATEGORY)
    form = ActivityForm(
        {
            "category": category.pk,
            "title": "x",
            "start_date": "2018-05-10",
            "end_date": "2018-05-10",
            "hours": "30",
            "people_reached": 0,
            "materials_distributed": 0,
            "households_visited": 0,
            "donation_yuan": 0,
            "confirm_duplicate": "on",
        },
        team=team,
    )
    assert not form.is_valid()
    assert [e.message for e in plan.activities[0].errors] == form.errors["hours"]


def test_a_similar_activity_already_logged_is_a_warning_not_an_error(personas, team):
    ActivityFactory(team=team, title="走访慰问困难群众", start_date=datetime.date(2018, 5, 10))
    plan = plan_for(team, [activity(活动名称="走访慰问困难群众（二）")], [participation()])
    assert not plan.has_errors
    assert plan.activities[0].warnings


def test_a_failure_while_saving_writes_nothing(personas, team, monkeypatch):
    calls = []
    original = services.activity_save

    def failing_second(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise services.WorkflowError("simulated")
        return original(**kwargs)

    monkeypatch.setattr(services, "activity_save", failing_second)
    plan = plan_for(
        team, [activity("K1"), activity("K2")], [participation("K1"), participation("K2")]
    )
    with pytest.raises(imports.ImportConflict):
        imports.activity_import_apply(team=team, plan=plan, by=personas.secretary)
    assert not Activity.objects.filter(team=team).exists()


# --- Files and people that are refused ---------------------------------------------------------


def test_a_csv_is_refused_for_activities(personas, team):
    response = upload(secretary(personas), "活动编号,服务类别\n".encode(), name="活动.csv")
    assert response.status_code == 400
    assert ".xlsx" in " ".join(response.context["form"].errors["file"])


def test_a_workbook_without_the_participation_sheet_is_refused(personas, team):
    book = Workbook()
    book.active.title = ACTIVITY_SHEET
    book.active.append(ACTIVITY_HEADERS)
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(secretary(personas), buffer.getvalue())
    assert response.status_code == 400
    assert PARTICIPATION_SHEET in " ".join(response.context["form"].errors["file"])


def test_only_the_secretary_imports(personas, team):
    data = workbook([activity()], [participation()])
    staff = Client()
    staff.force_login(personas.staff)
    assert upload(staff, data).status_code == 403
    admin = Client()
    admin.force_login(personas.region_admin)
    assert upload(admin, data).status_code == 403
    outsider = Client()
    outsider.force_login(personas.other_secretary)
    assert upload(outsider, data).status_code == 404
    assert not Activity.objects.exists()


def test_every_problem_of_a_participant_is_reported_at_once(personas, team):
    MemberFactory(
        team=team, volunteer_number="LATE", name="新人", registered_on=datetime.date(2019, 1, 1)
    )
    plan = plan_for(team, [activity(服务时长=4)], [participation(number="LATE", hours=5)])
    assert errors(plan) == {(P, 2, "服务时长"), (P, 2, "志愿者编号")}
    # The activity's row points to the participation sheet's rows with errors.
    assert plan.activities[0].participation_error_lines == [2]


# --- Numbers that are not hours -----------------------------------------------------------------
# As text, or as number cells: 1e30 and 1e-30 as openpyxl writes them, infinity
# as only a crafted file holds it (1E999). Each is an error on its row and
# column, in Chinese; nothing is imported, and never a 500.

TEXT_NUMBERS = ["NaN", "sNaN", "Infinity", "-Infinity", "1e30", "1e-30"]
NUMBER_CELLS = {"1e30": 1e30, "1e-30": 1e-30, "1E999": "1E999", "-1E999": "-1E999"}


def bad_hours_workbook(sheet: str, value) -> bytes:
    raw = isinstance(value, str) and value in ("1E999", "-1E999")
    cell = PLACEHOLDER if raw else value
    if sheet == A:
        data = workbook([activity(服务时长=cell)], [participation()])
    else:
        data = workbook([activity()], [participation(hours=cell)])
    return with_raw_number(data, value) if raw else data


@pytest.mark.parametrize("sheet", [A, P])
@pytest.mark.parametrize(
    "value",
    [*TEXT_NUMBERS, *NUMBER_CELLS.values()],
    ids=[f"text-{v}" for v in TEXT_NUMBERS] + [f"number-{k}" for k in NUMBER_CELLS],
)
def test_hours_that_are_not_a_number_of_hours_are_a_row_error(personas, team, sheet, value):
    data = bad_hours_workbook(sheet, value)
    plan = activity_import_plan(team=team, data=data, filename="活动.xlsx")
    assert errors(plan) == {(sheet, 2, "服务时长")}
    rows = plan.activities if sheet == A else plan.participations
    assert all(CJK.search(e.message) for e in rows[0].errors), rows[0].errors
    _plan, confirmed = import_file(secretary(personas), data)
    assert confirmed.status_code == 200  # the preview again, with the errors
    assert not Activity.objects.filter(team=team).exists()


def test_the_same_bad_number_gets_the_same_message_on_both_sheets(personas, team):
    on_activity = plan_for(team, [activity(服务时长="NaN")], [participation()])
    on_participation = plan_for(team, [activity()], [participation(hours="NaN")])
    assert [e.message for e in on_activity.activities[0].errors] == [
        e.message for e in on_participation.participations[0].errors
    ]


def test_a_number_cell_no_spreadsheet_writes_in_a_text_column_is_a_row_error(personas, team):
    data = with_raw_number(workbook([activity(活动编号=PLACEHOLDER)], [participation()]), "1E999")
    plan = activity_import_plan(team=team, data=data, filename="活动.xlsx")
    assert (A, 2, "活动编号") in errors(plan)
    data = with_raw_number(workbook([activity()], [participation(number=PLACEHOLDER)]), "1E999")
    plan = activity_import_plan(team=team, data=data, filename="活动.xlsx")
    assert errors(plan) == {(P, 2, "志愿者编号")}


def test_a_number_cell_openpyxl_cannot_read_is_a_damaged_file(personas, team):
    data = with_raw_number(workbook([activity(服务时长=PLACEHOLDER)], [participation()]), "NaN")
    response = upload(secretary(personas), data)
    assert response.status_code == 400
    assert CJK.search(" ".join(response.context["form"].errors["file"]))
