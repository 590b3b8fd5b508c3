"""The activity list exported with the list page's filters."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from activities.list_export import SHEET, STATUS_TEXT
from activities.models import ActivityStatus
from activities.tests.factories import ActivityFactory, ParticipationFactory
from conftest import client_for
from teams.tests.factories import ServiceCategoryFactory
from volunteer_site.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

SLUG = "our-team"


@pytest.fixture
def activities(personas):
    team = personas.team
    poverty = ServiceCategoryFactory(name="扶贫帮困")
    station = ServiceCategoryFactory(name="火车站志愿服务")
    made = []
    for index in range(30):  # more than one page of the list (25)
        activity = ActivityFactory(
            team=team,
            category=poverty if index % 3 else station,
            title=f"活动{index:02d}",
            start_date=datetime.date(2018, 1 + index % 6, 1 + index),
            hours=Decimal("2.5") if index % 2 else Decimal("4"),
            status=ActivityStatus.SUBMITTED if index % 4 == 0 else ActivityStatus.DRAFT,
            is_late=index % 5 == 0,
            donation_yuan=Decimal("500") if index == 7 else Decimal("0"),
        )
        for _ in range(index % 3):
            ParticipationFactory(activity=activity, member__team=team)
        made.append(activity)
    ActivityFactory(team=personas.other_team, title="别队的活动")
    return made, poverty


def exported(response) -> list[dict]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book[SHEET].iter_rows(values_only=True))
    return [dict(zip(rows[0], values, strict=True)) for values in rows[1:]]


def page_rows(client, query: dict) -> list[tuple]:
    """Every row the list shows for ``query``, page after page."""
    url = reverse("activities:list", kwargs={"slug": SLUG})
    rows, number = [], 1
    while True:
        page = client.get(url, {**query, "page": number}).context["page"]
        rows += [
            (
                a.start_date,
                a.end_date,
                a.category.name,
                a.title,
                a.hours,
                a.participant_count,
                # The workbook writes the status as the Chinese interface shows it.
                STATUS_TEXT[a.status],
            )
            for a in page
        ]
        if not page.has_next():
            return rows
        number += 1


@pytest.mark.parametrize("persona", ["staff", "secretary", "region_admin"])
@pytest.mark.parametrize(
    "query",
    [{}, {"month": "2018-03"}, {"status": "submitted"}, {"late": "yes"}, {"q": "活动1"}],
    ids=["all", "month", "status", "late", "search"],
)
def test_the_export_equals_the_list_page(personas, activities, persona, query):
    client = client_for(getattr(personas, persona) if persona else None)
    shown = page_rows(client, query)
    url = reverse("activity_io:export", kwargs={"slug": SLUG})
    rows = exported(client.get(url, {**query, "page": 2}))
    as_shown = [
        (
            r["开始日期"].date(),
            r["结束日期"].date(),
            r["服务类别"],
            r["活动名称"],
            Decimal(str(r["服务时长（小时）"])),
            r["参与人数"],
            r["状态"],
        )
        for r in rows
    ]
    assert as_shown == shown
    assert len(shown) > 0


def test_the_category_filter_and_the_outcomes(personas, activities):
    _made, poverty = activities
    client = client_for(personas.staff)
    url = reverse("activity_io:export", kwargs={"slug": SLUG})
    rows = exported(client.get(url, {"category": poverty.pk}))
    assert {r["服务类别"] for r in rows} == {"扶贫帮困"}
    donated = next(r for r in rows if r["活动名称"] == "活动07")
    assert donated["捐赠资金（元）"] == 500
    assert {r["逾期录入"] for r in rows} == {"是", None}


def test_the_export_is_audited_with_its_filters(personas, activities):
    client = client_for(personas.region_admin)
    client.get(reverse("activity_io:export", kwargs={"slug": SLUG}), {"status": "submitted"})
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.user == personas.region_admin
    assert entry.detail["export"] == "activities"
    assert entry.detail["filters"] == {"status": "submitted"}
    assert entry.detail["rows"] == 8


def test_headers_frozen_widths_set_and_formulas_neutralised(personas):
    ActivityFactory(team=personas.team, title="=cmd|' /C calc'!A0", place="@risk")
    response = client_for(personas.staff).get(reverse("activity_io:export", kwargs={"slug": SLUG}))
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))[SHEET]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width == 32
    assert sheet["D2"].value == "'=cmd|' /C calc'!A0"
    assert sheet["E2"].value == "'@risk"
    assert sheet["D2"].data_type == "s"


def test_the_list_links_to_the_export_with_its_filters(personas, activities):
    client = client_for(personas.secretary)
    listing = client.get(reverse("activities:list", kwargs={"slug": SLUG}), {"late": "yes"})
    export = reverse("activity_io:export", kwargs={"slug": SLUG})
    assert f'href="{export}?late=yes"' in listing.content.decode()
    awaiting = client.get(reverse("activities:awaiting", kwargs={"slug": SLUG}))
    assert f"{export}?&amp;status=submitted" in awaiting.content.decode()


def test_the_status_words_are_the_interfaces():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert {value: str(label) for value, label in ActivityStatus.choices} == STATUS_TEXT
