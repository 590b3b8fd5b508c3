"""The overview's Excel export holds exactly what the page shows (regions/export.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.models import PeriodKind, TeamFigures, TeamFiguresState
from regions.export import neutralise
from regions.query import PAGE_SIZE
from regions.rows import COLUMNS
from teams.tests.factories import RegionAdminFactory, TeamFactory
from volunteer_site.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


class TableCells(HTMLParser):
    """The text of each data-column cell of the overview table's body, row by row."""

    def __init__(self):
        super().__init__()
        self.rows: list[dict[str, str]] = []
        self.in_body = False
        self.column: str | None = None
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append({})
        elif self.in_body and tag == "td" and "data-column" in attrs:
            self.column = attrs["data-column"]
            self.rows[-1][self.column] = ""

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_body = False
        elif tag == "td":
            self.column = None

    def handle_data(self, data):
        if self.column is not None:
            self.rows[-1][self.column] += data

    @classmethod
    def of(cls, html: str) -> list[dict[str, str]]:
        parser = cls()
        parser.feed(html)
        return [{k: " ".join(v.split()) for k, v in row.items()} for row in parser.rows if row]


def cell_text(value, kind: str) -> str:
    """A workbook cell as the page writes it."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, str):
        return value
    if kind == "hours":
        return f"{value:.1f}"
    if kind == "percent":
        return f"{value:.1f}%"
    return str(value)


def workbook_rows(content: bytes) -> tuple[list[str], list[dict[str, str]], object]:
    workbook = load_workbook(BytesIO(content))
    sheet = workbook.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header, body = values[0], values[1:]
    rows = [
        {
            column.key: cell_text(value, column.kind)
            for column, value in zip(COLUMNS, row, strict=True)
        }
        for row in body
    ]
    return list(header), rows, workbook


@pytest.fixture
def admin_client(personas):
    client = Client()
    client.force_login(personas.region_admin)
    return client


@pytest.fixture
def teams(personas):
    now = timezone.now()
    specs = [
        ("甲队", "甲单位", True, 12, "150.0", 3),
        ("乙队", "乙单位", False, 7, "15.5", 1),
        ('=HYPERLINK("http://x")队', "+单位", True, 0, "0.0", 0),
    ]
    for n, (name, unit, published, volunteers, hours, activities) in enumerate(specs):
        team = TeamFactory(
            region=personas.region,
            name=name,
            slug=f"x{n}",
            host_unit=unit,
            is_published=published,
            founded_on=datetime.date(2016, 1, 1),
        )
        # The time shown is the team's last recompute.
        TeamFiguresState.objects.create(
            team=team, stale=False, computed_at=now - datetime.timedelta(hours=n)
        )
        TeamFigures.objects.create(
            team=team,
            kind=PeriodKind.YEAR,
            year=YEAR,
            registered_volunteers=volunteers,
            person_hours=Decimal(hours),
            activities=activities,
        )
        for month in range(1, 13):
            TeamFigures.objects.create(
                team=team,
                kind=PeriodKind.MONTH,
                year=YEAR,
                month=month,
                activities=1 if n == 0 else 0,
            )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "-hours_per_volunteer"},
        {"sort": "host_unit", "published": "yes"},
        {"host_unit": "单位", "sort": "-activities"},
    ],
    ids=["default", "by-hours-per-volunteer", "published-by-unit", "unit-filter"],
)
def test_the_export_equals_the_page(admin_client, teams, params):
    page = admin_client.get(reverse("regions:overview"), params)
    export = admin_client.get(reverse("regions:export"), params)
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in export["Content-Disposition"]

    header, rows, _ = workbook_rows(export.content)
    page_rows = TableCells.of(page.content.decode())
    assert header == [str(column.label) for column in COLUMNS]
    assert len(rows) == len(page_rows) == page.context["page"].paginator.count
    for exported, shown in zip(rows, page_rows, strict=True):
        # A formula-like name is written with a leading apostrophe; otherwise identical.
        exported = {key: value.removeprefix("'") for key, value in exported.items()}
        assert exported == shown


def test_headers_are_chinese_frozen_and_sized(admin_client, teams):
    header, _, workbook = workbook_rows(admin_client.get(reverse("regions:export")).content)
    sheet = workbook.worksheets[0]
    assert header[0] == "志愿服务队"
    assert "人均服务时数" in header
    assert sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["A"].width == COLUMNS[0].width
    assert workbook.worksheets[1].title == "导出说明"


def test_formula_like_text_is_neutralised(admin_client, teams):
    _, rows, workbook = workbook_rows(admin_client.get(reverse("regions:export")).content)
    names = [row["name"] for row in rows]
    assert '\'=HYPERLINK("http://x")队' in names
    assert "'+单位" in [row["host_unit"] for row in rows]
    for row in workbook.worksheets[0].iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise(text):
    assert neutralise(text) == "'" + text


def test_numbers_stay_numbers():
    assert neutralise(-1) == -1
    assert neutralise("普通文字") == "普通文字"


def test_every_page_is_exported_in_the_page_order(admin_client, personas):
    for n in range(PAGE_SIZE + 5):
        TeamFactory(region=personas.region, slug=f"p{n:03d}", name=f"队{n:03d}")
    _, rows, _ = workbook_rows(
        admin_client.get(reverse("regions:export"), {"sort": "-name"}).content
    )
    assert len(rows) == PAGE_SIZE + 6
    names = [row["name"] for row in rows]
    assert names == sorted(names, reverse=True)


def test_the_export_is_audited(admin_client, teams, personas):
    admin_client.get(reverse("regions:export"), {"published": "yes"})
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.user == personas.region_admin
    assert entry.detail["teams"] == 2
    assert entry.detail["filters"] == {"published": "yes"}
    assert entry.detail["year"] == YEAR


def test_the_export_keeps_to_the_admins_regions(personas):
    client = Client()
    client.force_login(personas.other_region_admin)
    _, rows, _ = workbook_rows(client.get(reverse("regions:export")).content)
    assert [row["name"] for row in rows] == ["别人的志愿服务队"]


def test_only_region_admins_export(personas):
    for persona in ["staff", "secretary", "volunteer", "no_role"]:
        client = Client()
        client.force_login(getattr(personas, persona))
        assert client.get(reverse("regions:export")).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_notes_sheet_says_what_was_exported(admin_client, teams, personas):
    _, _, workbook = workbook_rows(
        admin_client.get(reverse("regions:export"), {"host_unit": "甲"}).content
    )
    notes = {row[0]: row[1] for row in workbook.worksheets[1].iter_rows(values_only=True)}
    assert notes["年份"] == str(YEAR)
    assert notes["主管单位"] == "甲"
    assert notes["导出人"] == "region_admin"
    assert personas.region.full_name in notes["管辖地区"]
    computed = timezone.localtime(TeamFiguresState.objects.get(team__slug="x0").computed_at)
    assert notes["数据计算时间"] == f"{computed:%Y-%m-%d %H:%M} – {computed:%Y-%m-%d %H:%M}"


def test_a_province_admin_exports_both_cities(personas):
    admin = RegionAdminFactory(region=personas.region.parent).user
    client = Client()
    client.force_login(admin)
    _, rows, _ = workbook_rows(client.get(reverse("regions:export")).content)
    assert sorted(row["name"] for row in rows) == ["别人的志愿服务队", "我们的志愿服务队"]
