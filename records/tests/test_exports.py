"""A member's yearly service record exported by the team (records/exports.py)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from activities.models import ActivityStatus, Participation
from activities.tests.factories import ActivityFactory, ParticipationFactory
from conftest import client_for
from members.models import Member
from members.tests.factories import MemberFactory
from members.tests.test_exports import SLUG, sheet_rows
from records.exports import RECORD_SHEET
from teams.tests.factories import ServiceCategoryFactory
from volunteer_site.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

# --- A member's service record -----------------------------------------------------------------


@pytest.fixture
def record(personas):
    """The volunteer persona's 2018: two approved activities, one pending, one in 2017."""
    member = personas.volunteer_member
    team = personas.team
    lead = MemberFactory(team=team, volunteer_number="L01", name="组织者甲")
    trip = ActivityFactory(
        team=team,
        category=ServiceCategoryFactory(name="特殊日大型志愿活动"),
        title="吉隆县乡村宣讲",
        start_date=datetime.date(2018, 5, 10),
        end_date=datetime.date(2018, 5, 12),
        hours=Decimal("12"),
        place="吉隆县",
        organiser="市政府办公室",
        status=ActivityStatus.APPROVED,
        approved_at=datetime.datetime(2018, 5, 20, tzinfo=datetime.UTC),
    )
    ParticipationFactory(activity=trip, member=member, hours=Decimal("8"))
    ParticipationFactory(activity=trip, member=lead, role=Participation.Role.ORGANISER)
    station = ActivityFactory(
        team=team,
        category=ServiceCategoryFactory(name="火车站志愿服务类别"),
        title="火车站志愿服务",
        start_date=datetime.date(2018, 2, 1),
        hours=Decimal("3.5"),
        organiser="",
        status=ActivityStatus.APPROVED,
        approved_at=datetime.datetime(2018, 2, 2, tzinfo=datetime.UTC),
    )
    ParticipationFactory(activity=station, member=member)
    pending = ActivityFactory(team=team, title="待审核的活动", start_date=datetime.date(2018, 7, 1))
    ParticipationFactory(activity=pending, member=member)
    old = ActivityFactory(
        team=team,
        title="2017年的活动",
        start_date=datetime.date(2017, 7, 1),
        status=ActivityStatus.APPROVED,
        approved_at=datetime.datetime(2017, 7, 2, tzinfo=datetime.UTC),
    )
    ParticipationFactory(activity=old, member=member)
    return member


def record_url(member, year=2018) -> str:
    url = reverse("records:export", kwargs={"slug": SLUG, "pk": member.pk})
    return f"{url}?year={year}"


def test_the_service_record_has_the_national_columns(personas, record):
    response = client_for(personas.staff).get(record_url(record))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[RECORD_SHEET]
    assert sheet.freeze_panes == "A5"
    assert sheet["A1"].value == "2018年志愿服务记录"
    assert record.name in sheet["A2"].value and record.volunteer_number in sheet["A2"].value
    assert "2 次" in sheet["A3"].value and "11.5 小时" in sheet["A3"].value
    rows = sheet_rows(response, RECORD_SHEET, header_line=4)
    # Each column says what it holds: the activity's category (not its content), the
    # member's own role, and the unit that organised the activity.
    assert list(rows[0]) == [
        "活动名称",
        "日期",
        "地点",
        "服务类别",
        "角色",
        "服务时间（小时）",
        "活动组织单位",
        "活动负责人",
    ]
    station, trip = (tuple(r.values()) for r in rows)
    # The team organised the station service itself (no unit named), without a lead.
    assert station == (
        "火车站志愿服务",
        "2018-02-01",
        "日喀则市",
        "火车站志愿服务类别",
        "参与者",
        3.5,
        personas.team.name,
        None,
    )
    assert trip == (
        "吉隆县乡村宣讲",
        "2018-05-10 至 2018-05-12",
        "吉隆县",
        "特殊日大型志愿活动",
        "参与者",
        8,
        "市政府办公室",
        "组织者甲",
    )


def test_an_organiser_is_marked_as_such_in_their_own_record(personas, record):
    lead = Member.objects.get(volunteer_number="L01")
    rows = sheet_rows(client_for(personas.staff).get(record_url(lead)), RECORD_SHEET, header_line=4)
    assert [(r["活动名称"], r["角色"], r["活动负责人"]) for r in rows] == [
        ("吉隆县乡村宣讲", "组织者", "组织者甲")
    ]


def test_the_service_record_equals_the_volunteers_own_page(personas, record):
    page = client_for(personas.volunteer).get(reverse("records:mine"), {"year": 2018})
    shown = sorted(
        (row.title, row.place, row.category, row.role, row.hours, row.organising_unit)
        for row in page.context["rows"]
    )
    rows = sheet_rows(
        client_for(personas.secretary).get(record_url(record)), RECORD_SHEET, header_line=4
    )
    exported = sorted(
        (
            r["活动名称"],
            r["地点"],
            r["服务类别"],
            r["角色"],
            Decimal(str(r["服务时间（小时）"])),
            r["活动组织单位"],
        )
        for r in rows
    )
    assert exported == shown
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.detail == {
        "export": "service_record",
        "member_id": record.pk,
        "year": 2018,
        "path": reverse("records:export", kwargs={"slug": SLUG, "pk": record.pk}),
    }


def test_another_teams_member_is_not_found(personas, record):
    stranger = MemberFactory(team=personas.other_team)
    assert client_for(personas.staff).get(record_url(stranger)).status_code == 404


def test_the_record_box_finds_a_member_by_number_or_name(personas, record):
    client = client_for(personas.staff)
    url = reverse("records:find", kwargs={"slug": SLUG})
    by_number = client.get(url, {"member": record.volunteer_number, "year": 2018})
    assert by_number["Location"] == record_url(record)
    by_name = client.get(url, {"member": record.name, "year": "2018"})
    assert by_name["Location"] == record_url(record)
    unknown = client.get(url, {"member": "没有这个人"}, follow=True)
    assert unknown.redirect_chain[-1][0] == reverse("members:list", kwargs={"slug": SLUG})
    assert "没有这个人" in unknown.content.decode()


def test_an_unreadable_year_means_this_year():
    from django.test import RequestFactory
    from django.utils import timezone

    from records.exports import requested_year

    this_year = timezone.localdate().year
    for value in ["abc", "1900", str(this_year + 5), ""]:
        assert requested_year(RequestFactory().get("/", {"year": value})) == this_year
    assert requested_year(RequestFactory().get("/", {"year": "2018"})) == 2018
