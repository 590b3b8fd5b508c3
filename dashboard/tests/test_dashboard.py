"""The team home as the team's dashboard: figures from the summary tables, the members' year."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import MemberYearFigures, PeriodKind, TeamFigures, TeamFiguresState
from activities.stats import team_figures_recompute
from conftest import client_for
from members.models import Member
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

D = Decimal


def dashboard(user, slug: str = "our-team", **query) -> str:
    response = client_for(user).get(reverse("dashboard:team", args=[slug]), query)
    assert response.status_code == 200
    return response.content.decode()


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section(page: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', page, flags=re.S)
    assert match, f"no section #{section_id}"
    return match.group(0)


def figure_cells(page: str) -> dict[str, tuple[str, str]]:
    """{figure label: (this month's cell, this year's cell)} as plain text."""
    rows = re.findall(
        r"<tr>\s*<th scope=\"row\"[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>",
        section(page, "figures"),
        flags=re.S,
    )
    return {text(label): (text(month), text(year)) for label, month, year in rows}


def member_rows(page: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", section(page, "members-year"), flags=re.S)
    if body is None:
        return []
    return [
        [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), flags=re.S)
    ]


def figures_row(team, kind, year, month, **values) -> TeamFigures:
    return TeamFigures.objects.create(team=team, kind=kind, year=year, month=month, **values)


def year_figures(member, year, participations, hours) -> MemberYearFigures:
    return MemberYearFigures.objects.create(
        team=member.team,
        member=member,
        year=year,
        participations=participations,
        hours=D(hours),
    )


# --- Figures ------------------------------------------------------------------------------


def test_figures_are_shown_exactly_for_this_month_and_this_year(personas):
    today = timezone.localdate()
    figures_row(
        personas.team,
        PeriodKind.MONTH,
        today.year,
        today.month,
        activities=3,
        activity_hours=D("10.5"),
        participant_times=21,
        person_hours=D("101.5"),
        registered_volunteers=7,
        volunteers_at_end=7,
        people_reached=120,
        materials_distributed=10_000,
        households_visited=52,
        donation_yuan=D("2500.00"),
    )
    figures_row(
        personas.team,
        PeriodKind.YEAR,
        today.year,
        0,
        activities=26,
        activity_hours=D("100.5"),
        participant_times=530,
        person_hours=D("2105.5"),
        registered_volunteers=121,
        volunteers_at_end=121,
    )
    cells = figure_cells(dashboard(personas.staff))
    assert cells == {
        "开展志愿服务活动次数": ("3 次", "26 次"),
        "志愿服务总时长": ("10.5 小时", "100.5 小时"),
        "参与人次": ("21 人次", "530 人次"),
        "志愿服务总时数": ("101.5 小时", "2105.5 小时"),
        "期内注册志愿者人数": ("7 人", "121 人"),
        # 101.5 / 7 = 14.5; 2105.5 / 121 = 17.40 → 17.4
        "人均服务时数": ("14.5 小时", "17.4 小时"),
        # 21 / 7 = 3.0; 530 / 121 = 4.38 → 4.4
        "人均参与次数": ("3.0 次", "4.4 次"),
        # 10.5 / 3 = 3.5; 100.5 / 26 = 3.87 → 3.9
        "平均每次活动时长": ("3.5 小时", "3.9 小时"),
        # 21 / 3 = 7.0; 530 / 26 = 20.38 → 20.4
        "平均每次参与人数": ("7.0 人", "20.4 人"),
        "受益/受教育群众人数": ("120 人", "0 人"),
        "发放资料份数": ("10000 份", "0 份"),
        "走访户数": ("52 户", "0 户"),
        "捐赠资金（元）": ("2500.00", "0.00"),
    }


def test_an_empty_team_shows_zeros_and_dashes_for_the_ratios(personas):
    team = personas.other_team  # no members, no activities
    team_figures_recompute(team_id=team.pk)
    page = dashboard(personas.other_staff, "other-team")
    cells = figure_cells(page)
    for label in ("开展志愿服务活动次数", "期内注册志愿者人数", "志愿服务总时数", "捐赠资金（元）"):
        assert cells[label][0].startswith("0") and cells[label][1].startswith("0"), label
    for label in ("人均服务时数", "人均参与次数", "平均每次活动时长", "平均每次参与人数"):
        assert cells[label] == ("—", "—"), label
    computed_at = TeamFiguresState.objects.get(team=team).computed_at  # the team's last run
    when = timezone.localtime(computed_at).strftime("%Y-%m-%d %H:%M")
    assert f"数据更新于 {when}" in page
    assert "正在更新" not in page
    assert "该年度没有注册在队的队员" in section(page, "members-year")


def test_without_rows_every_figure_is_a_dash(personas):
    page = dashboard(personas.secretary)
    cells = figure_cells(page)
    assert len(cells) == 13
    assert set(cells.values()) == {("—", "—")}
    assert "统计数据尚未计算" in page
    assert "数据更新于" not in page


def test_a_stale_team_gets_a_warning_until_recomputed(personas):
    team_figures_recompute(team_id=personas.team.pk)
    assert "正在更新" not in dashboard(personas.staff)
    MemberFactory(team=personas.team)  # a change: the team is marked stale
    assert TeamFiguresState.objects.get(team=personas.team).stale
    page = dashboard(personas.staff)
    assert "统计数据正在更新" in page
    assert "数据更新于" in page  # the last figures are still shown, with their time
    team_figures_recompute(team_id=personas.team.pk)
    assert "正在更新" not in dashboard(personas.staff)


def test_the_region_admin_reads_the_dashboard(personas):
    team_figures_recompute(team_id=personas.team.pk)
    page = dashboard(personas.region_admin)
    assert figure_cells(page)["期内注册志愿者人数"][1] == "1 人"  # 志愿者甲
    assert [row[0] for row in member_rows(page)] == ["志愿者甲"]


@pytest.mark.parametrize("persona", ["volunteer", "other_staff", "other_region_admin", "no_role"])
def test_others_cannot_see_the_dashboard(personas, persona):
    response = client_for(getattr(personas, persona)).get(
        reverse("dashboard:team", args=["our-team"])
    )
    assert response.status_code == 404


def test_no_inline_script_or_style(personas):
    team_figures_recompute(team_id=personas.team.pk)
    page = dashboard(personas.secretary)
    assert "style=" not in page
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert not re.search(r"<[^>]+\son[a-z]+=", page)


# --- The members' year ------------------------------------------------------------------------


@pytest.fixture
def members_this_year(personas):
    """The personas' 志愿者甲 plus members ahead, behind, joined and left this year.

    Names and numbers sort the same in any collation (pinyin or code point:
    李 < 王 < 赵; digits), so the order tests hold on SQLite and PostgreSQL.
    """
    team = personas.team
    team.min_participations_per_member_year = 12
    team.save()
    year = timezone.localdate().year
    jan_1 = datetime.date(year, 1, 1)
    made = {
        "甲": personas.volunteer_member,  # V0000…, no figures row this year: shows 0
        "李": MemberFactory(team=team, name="李", volunteer_number="V90000001"),
        "王": MemberFactory(
            team=team, name="王", volunteer_number="V90000002", registered_on=jan_1
        ),
        "赵": MemberFactory(team=team, name="赵", volunteer_number="V90000003", left_on=jan_1),
        "安": MemberFactory(
            team=team,
            name="安",
            volunteer_number="V90000004",
            left_on=datetime.date(year - 1, 6, 30),
        ),
    }
    year_figures(made["李"], year, 12, "40.5")
    year_figures(made["王"], year, 3, "9.0")
    year_figures(made["赵"], year, 1, "4.0")
    year_figures(made["安"], year - 1, 5, "20.0")
    year_figures(made["李"], 2018, 9, "30.0")
    return made


def names(page: str) -> list[str]:
    return [row[0] for row in member_rows(page)]


def test_members_table_lists_this_years_members_behind_first(personas, members_this_year):
    page = dashboard(personas.staff)
    rows = member_rows(page)
    year = timezone.localdate().year
    # Default: count ascending; 安 left last year and is not listed.
    assert [(row[0], row[3], row[4]) for row in rows] == [
        ("志愿者甲", "0", "0.0"),
        ("赵", "1", "4.0"),
        ("王", "3", "9.0"),
        ("李", "12", "40.5"),
    ]
    assert rows[1][2] == f"{year}-01-01 离队"
    assert rows[2][2] == f"{year}-01-01 入队"
    members = section(page, "members-year")
    assert "每名队员每年至少参加 12 次" in text(members)
    assert f"{year}年队员服务情况" in text(members)
    assert "合计 4 人" in text(members)
    assert re.search(r"<td[^>]*>16</td>\s*<td[^>]*>53.5</td>", members)  # totals
    assert 'aria-sort="ascending"' in members


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("count", ["志愿者甲", "赵", "王", "李"]),
        ("-count", ["李", "王", "赵", "志愿者甲"]),
        ("hours", ["志愿者甲", "赵", "王", "李"]),
        ("-hours", ["李", "王", "赵", "志愿者甲"]),
        ("number", ["志愿者甲", "李", "王", "赵"]),
        ("-number", ["赵", "王", "李", "志愿者甲"]),
        ("volunteer_number; DROP TABLE", ["志愿者甲", "赵", "王", "李"]),  # not whitelisted
        ("user__password", ["志愿者甲", "赵", "王", "李"]),
    ],
)
def test_members_table_sorts_on_the_server(personas, members_this_year, sort, expected):
    assert names(dashboard(personas.staff, sort=sort)) == expected


@pytest.mark.parametrize(
    ("sort", "expected"), [("name", ["李", "王", "赵"]), ("-name", ["赵", "王", "李"])]
)
def test_members_table_sorts_by_name(personas, members_this_year, sort, expected):
    # 志愿者甲 is left out: 志 sorts before 李 by code point but after 王 in pinyin.
    listed = [name for name in names(dashboard(personas.staff, sort=sort)) if name != "志愿者甲"]
    assert listed == expected


def test_sort_headers_link_to_the_reverse_order_and_keep_the_year(personas, members_this_year):
    members = section(dashboard(personas.staff, sort="hours", year="2018"), "members-year")
    assert 'href="?year=2018&amp;sort=-hours#members-year"' in members
    assert 'href="?year=2018&amp;sort=name#members-year"' in members
    assert 'href="?year=2018&amp;sort=count#members-year"' in members
    assert '<input type="hidden" name="sort" value="hours">' in members


def test_year_selector_offers_years_from_the_first_with_figures(personas, members_this_year):
    year = timezone.localdate().year
    page = dashboard(personas.staff)
    options = re.findall(r'<option value="(\d+)"( selected)?>', section(page, "members-year"))
    # The members' figures start in 2018: every year from then to this one, newest first.
    assert options == [(str(y), " selected" if y == year else "") for y in range(year, 2017, -1)]

    page = dashboard(personas.staff, year="2018")
    # In 2018: the members registered then (all since 2016 but 王, who joined this year);
    # ties on 0 are broken by volunteer number.
    assert [(row[0], row[3], row[4]) for row in member_rows(page)] == [
        ("志愿者甲", "0", "0.0"),
        ("赵", "0", "0.0"),
        ("安", "0", "0.0"),
        ("李", "9", "30.0"),
    ]
    assert "2018年队员服务情况" in text(section(page, "members-year"))


@pytest.mark.parametrize("bad", ["1999", "abc", "", "2018.5", "-1"])
def test_an_unknown_year_falls_back_to_the_current_year(personas, members_this_year, bad):
    year = timezone.localdate().year
    page = dashboard(personas.staff, year=bad)
    assert f"{year}年队员服务情况" in text(section(page, "members-year"))


# --- Constant queries ------------------------------------------------------------------------


def queries_for(personas, size: int) -> int:
    team = personas.team
    Member.objects.filter(team=team).exclude(pk=personas.volunteer_member.pk).delete()
    year = timezone.localdate().year
    members = Member.objects.bulk_create(
        [
            Member(
                team=team,
                volunteer_number=f"Q{size:04d}-{i:04d}",
                name=f"队员{i}",
                gender="male",
                registered_on=datetime.date(2016, 3, 1),
                left_on=datetime.date(year, 2, 1) if i % 7 == 0 else None,
            )
            for i in range(size)
        ]
    )
    MemberYearFigures.objects.filter(team=team).delete()
    MemberYearFigures.objects.bulk_create(
        [
            MemberYearFigures(
                team=team,
                member=member,
                year=year,
                participations=i % 13,
                hours=D(i % 13) * 2,
            )
            for i, member in enumerate(members)
            if i % 3
        ]
    )
    team_figures_recompute(team_id=team.pk)
    client = client_for(personas.secretary)
    url = reverse("dashboard:team", args=["our-team"])
    client.get(url)  # warm up: sessions, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"sort": "-hours"})
    assert response.status_code == 200
    assert len(member_rows(response.content.decode())) == size + 1
    return len(queries)


def test_the_dashboard_does_a_constant_number_of_queries(personas):
    small = queries_for(personas, 10)
    large = queries_for(personas, 200)
    assert small == large
    assert small <= 30  # sessions, roles and the page itself; the point is the equality


def test_recent_activities_are_the_ten_newest_newest_first(personas):
    from activities.tests.factories import ActivityFactory

    for day in range(1, 13):  # 1 … 12 March, saved in that order
        ActivityFactory(
            team=personas.team, title=f"三月{day}日", start_date=datetime.date(2026, 3, day)
        )
    page = dashboard(personas.staff)
    titles = re.findall(r"三月(\d+)日", section(page, "recent") if 'id="recent"' in page else page)
    assert [int(day) for day in titles[:10]] == list(range(12, 2, -1))


def test_the_card_counts_the_volunteers_registered_now(personas):
    """The card: members registered today (one left last year is not counted); the
    table's row says it counts those registered in the period."""
    MemberFactory(team=personas.team, registered_on=datetime.date(2020, 1, 1))
    MemberFactory(
        team=personas.team,
        registered_on=datetime.date(2020, 1, 1),
        left_on=timezone.localdate() - datetime.timedelta(days=400),
    )
    page = dashboard(personas.staff)
    assert re.search(r"现有注册志愿者人数\s*</div>\s*<div[^>]*>2</div>", page)  # 志愿者甲 + one
    assert "期内注册志愿者人数" in page
