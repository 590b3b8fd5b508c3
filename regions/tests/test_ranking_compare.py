"""The ranking and the comparison: when their figures were computed, their workbooks and
print buttons; a past year's overview; the team page's months (issue 13).

Figures are written by hand into the summary tables, as the background job would.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import MonthlyReview, TeamFigures, TeamFiguresState
from activities.stats import team_figures_recompute
from conftest import client_for
from members.tests.factories import MemberFactory
from regions.rows import RANKING_FIGURES, OverviewRow, rank
from regions.tests.conftest import TODAY, YEAR, approved, month_row, year_row
from teams.models import Team
from teams.tests.factories import TeamFactory
from volunteer_site.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

COMPUTED = datetime.datetime(2026, 11, 30, 2, 30, tzinfo=datetime.UTC)  # 10:30 in Shanghai


@pytest.fixture
def three(personas):
    """Three teams of the admin's city with this year's figures, computed at COMPUTED.

    Hours per volunteer: 甲 100.0 / 10 = 10.0, 乙 60.0 / 4 = 15.0, 丙 50.0 / 5 = 10.0;
    丁 has no volunteers (not ranked)."""
    teams = {}
    for slug, name, volunteers, hours, activities in [
        ("jia", "甲队", 10, "100.0", 8),
        ("yi", "乙队", 4, "60.0", 5),
        ("bing", "丙队", 5, "50.0", 6),
        ("ding", "丁队", 0, "0.0", 0),
    ]:
        team = TeamFactory(
            slug=slug, name=name, region=personas.region, founded_on=datetime.date(2016, 3, 1)
        )
        year_row(
            team,
            registered_volunteers=volunteers,
            person_hours=Decimal(hours),
            activities=activities,
        )
        TeamFiguresState.objects.create(team=team, stale=False, computed_at=COMPUTED)
        teams[slug] = team
    return teams


def workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_the_ranking_says_when_its_figures_were_computed_and_can_be_printed(personas, three):
    response = client_for(personas.region_admin).get(
        reverse("regions:ranking"), {"year": YEAR, "figure": "hours_per_volunteer"}
    )
    html = response.content.decode()
    assert "最近计算于2026-11-30 10:30。" in html
    assert "data-print" in html
    assert reverse("regions:ranking_export") in html
    # 乙 15.0 first; 甲 and 丙 share 10.0, so both are 2nd (then 4th would follow).
    ranks = [(entry.rank, entry.row.team.slug) for entry, _cells in response.context["entries"]]
    assert [(rank, slug) for rank, slug in ranks if slug in {"jia", "yi", "bing"}] == [
        (1, "yi"),
        (2, "bing"),
        (2, "jia"),
    ]


def test_the_ranking_workbook_has_every_team_with_its_rank(personas, three):
    response = client_for(personas.region_admin).get(
        reverse("regions:ranking_export"), {"year": YEAR, "figure": "hours_per_volunteer"}
    )
    book = workbook(response)
    sheet = book.worksheets[0]
    assert sheet["A1"].value == f"{YEAR}年人均服务时数排名"
    header = [cell.value for cell in sheet[2]]
    assert header[:4] == ["名次", "志愿服务队", "地区", "主管单位"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    hours_column = header.index("人均服务时数")
    assert rows["乙队"][0] == 1 and rows["乙队"][hours_column] == 15
    assert rows["甲队"][0] == 2 and rows["丙队"][0] == 2
    assert rows["甲队"][hours_column] == 10
    assert rows["丁队"][0] == "—"  # no volunteers: not ranked, listed after the ranked
    assert list(rows)[-1] in {"丁队", personas.team.name}
    notes = {row[0]: row[1] for row in book.worksheets[1].iter_rows(values_only=True)}
    assert notes["数据计算时间"] == "2026-11-30 10:30"
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_comparison_workbook_and_its_computed_time(personas, three):
    client = client_for(personas.region_admin)
    params = {"year": YEAR, "team": ["jia", "yi"]}
    page = client.get(reverse("regions:compare"), params)
    html = page.content.decode()
    assert "最近计算于2026-11-30 10:30。" in html
    assert "data-print" in html
    book = workbook(client.get(reverse("regions:compare_export"), params))
    figures = book.worksheets[0]
    assert [cell.value for cell in figures[2]] == ["指标", "甲队", "乙队"]
    lines = {row[0]: row[1:] for row in figures.iter_rows(min_row=3, values_only=True)}
    assert lines["人均服务时数"] == ("10.0", "15.0")
    assert lines["志愿服务总时数（小时）"] == ("100.0", "60.0")
    notes = {row[0]: row[1] for row in book.worksheets[2].iter_rows(values_only=True)}
    assert notes["对比的服务队"] == "甲队、乙队"


def test_nothing_to_compare_is_not_found(personas):
    assert client_for(personas.region_admin).get(reverse("regions:compare_export")).status_code == (
        404
    )


def test_a_past_years_overview_shows_that_years_last_activity_and_sign_off(personas):
    """Activities and sign-offs in 2024 and this year: the 2024 overview shows 2024's."""
    team = TeamFactory(
        slug="past", name="往年队", region=personas.region, founded_on=datetime.date(2016, 3, 1)
    )
    member = MemberFactory(team=team, registered_on=datetime.date(2016, 3, 1))
    approved(team, datetime.date(2024, 6, 10), "2.0", [member])
    approved(team, datetime.date(YEAR, 1, 15), "2.0", [member])
    for year, month in [(2024, 11), (YEAR - 1 if YEAR > 2025 else 2025, 3)]:
        MonthlyReview.objects.create(team=team, year=year, month=month, signed_at=timezone.now())
    team_figures_recompute(team_id=team.pk)
    client = client_for(personas.region_admin)
    response = client.get(reverse("regions:overview"), {"year": 2024})
    row = next(row for row in response.context["rows"] if row.team.slug == "past")
    assert row.text("last_activity") == "2024-06-10"
    assert row.text("last_review") == "2024年11月"
    html = response.content.decode()
    assert "该年最近一次活动" in html
    this_year = client.get(reverse("regions:overview"), {"year": YEAR})
    row = next(row for row in this_year.context["rows"] if row.team.slug == "past")
    assert row.text("last_activity") == f"{YEAR}-01-15"


def test_the_team_page_leaves_out_the_months_before_founding(personas):
    team = TeamFactory(
        slug="new", name="新成立队", region=personas.region, founded_on=datetime.date(YEAR, 3, 1)
    )
    for month in range(3, 5):
        month_row(team, month, 1)
    response = client_for(personas.region_admin).get(
        reverse("regions:team", args=["new"]), {"year": YEAR}
    )
    months = [line.month for line in response.context["month_lines"]]
    assert months[0] == 3  # March, the founding month: January and February are not shown
    assert 1 not in months and 2 not in months


def test_the_ranking_in_english_too(personas, three):
    client = Client()
    client.force_login(personas.region_admin)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("regions:ranking"), {"year": YEAR}).content.decode()
    assert "Last computed at 2026-11-30 10:30." in html


# --- Comparison ----------------------------------------------------------------------------------


def test_compare_two_teams_side_by_side(many):
    response = many.get(reverse("regions:compare"), {"team": ["a-finance", "b-housing"]})
    assert response.status_code == 200
    lines = {line.label: line.cells for line in response.context["lines"]}
    assert lines["人均服务时数"] == [("12.5", True), ("2.5", False)]
    assert lines["志愿服务总时数（小时）"] == [("125.0", True), ("20.0", False)]
    assert len(response.context["month_table"]) == TODAY.month  # this year: up to this month


def test_compare_at_most_five(many, personas):
    slugs = ["a-finance", "b-housing", "c-gov", "d-edu", "e-stats", "our-team"]
    response = many.get(reverse("regions:compare"), {"team": slugs})
    assert response.status_code == 200
    assert response.context["too_many"]
    assert not response.context["rows"]
    assert "最多可以同时比较5支队伍" in response.content.decode()
    five = many.get(reverse("regions:compare"), {"team": slugs[:5]})
    assert len(five.context["rows"]) == 5


def test_compare_with_no_team_explains_how(many):
    response = many.get(reverse("regions:compare"))
    assert response.status_code == 200
    assert not response.context["rows"]


def test_compare_an_unknown_team_is_404(many):
    response = many.get(reverse("regions:compare"), {"team": ["a-finance", "nope"]})
    assert response.status_code == 404


# --- Ranking -----------------------------------------------------------------------------------


def test_ranking_ties_share_a_rank(many):
    response = many.get(reverse("regions:ranking"), {"figure": "hours_per_volunteer"})
    entries = [(entry.rank, entry.row.team.slug) for entry, _ in response.context["entries"]]
    # 12.5, 12.5, 12.5 (by name), then 2.5; teams with no volunteers or figures are not ranked.
    assert entries == [(1, "a-finance"), (1, "c-gov"), (1, "d-edu"), (4, "b-housing")]
    unranked = {row.team.slug for row in response.context["unranked"]}
    assert unranked == {"e-stats", "our-team", "other-team"}


def test_ranking_by_person_hours_and_year(many, personas):
    year_row(personas.team, year=2018, person_hours=Decimal("2276.5"), registered_volunteers=121)
    response = many.get(reverse("regions:ranking"), {"figure": "person_hours"})
    ranks = [(entry.rank, entry.row.team.slug) for entry, _ in response.context["entries"]]
    assert ranks[:3] == [(1, "c-gov"), (2, "a-finance"), (3, "d-edu")]
    older = many.get(reverse("regions:ranking"), {"figure": "person_hours", "year": 2018})
    assert [entry.row.team.slug for entry, _ in older.context["entries"]] == ["our-team"]


def test_ranking_figure_must_be_one_of_the_six(many):
    response = many.get(reverse("regions:ranking"), {"figure": "phone"})
    assert response.context["figure"].key == "hours_per_volunteer"
    assert [f.key for f in response.context["figure_choices"]] == RANKING_FIGURES


def test_rank_function_on_equal_and_missing_values():
    def row(name, hours, volunteers):
        team = Team(name=name, pk=hash(name) % 1000)
        figures = None
        if volunteers is not None:
            figures = TeamFigures(person_hours=Decimal(hours), registered_volunteers=volunteers)
        return OverviewRow(team, figures, 0, 0, 0, 0, None, None, False)

    rows = [row("丙", "30", 3), row("甲", "20", 2), row("乙", "5", 1), row("丁", "1", 0)]
    rows += [row("戊", "0", None)]
    ranked, unranked = rank(rows, "hours_per_volunteer")
    assert [(r.rank, r.row.team.name, r.value) for r in ranked] == [
        (1, "丙", Decimal("10.0")),
        (1, "甲", Decimal("10.0")),
        (3, "乙", Decimal("5.0")),
    ]
    assert [r.team.name for r in unranked] == ["丁", "戊"]
