"""The volunteer's own page: a year against the target (this year by default, any year
with records, or all of them), and their activities.

"Today" is fixed at 15 July 2026 (Shanghai); the review month is the current one,
so the year to date includes July.
"""

import datetime
import pathlib
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import ActivityStatus, Participation
from activities.stats import team_figures_recompute
from activities.tests.factories import ActivityFactory, ParticipationFactory
from compliance.standing import MemberStatus
from conftest import PASSWORD
from teams.models import Team
from teams.tests.factories import ServiceCategoryFactory

pytestmark = pytest.mark.django_db

ARTIFACTS = pathlib.Path("test-artifacts")

D = datetime.date


@pytest.fixture
def july_2026(monkeypatch):
    instant = datetime.datetime(2026, 7, 15, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Shanghai
    monkeypatch.setattr(timezone, "now", lambda: instant)


def took_part(member, day, hours="2.5", *, status=ActivityStatus.APPROVED, title=None):
    activity = ActivityFactory(
        team=member.team,
        start_date=day,
        hours=Decimal(hours),
        status=status,
        approved_at=timezone.now() if status == ActivityStatus.APPROVED else None,
        title=title or f"{day:%m%d}活动",
    )
    ParticipationFactory(activity=activity, member=member, hours=Decimal(hours))
    return activity


def my_page(personas):
    client = Client()
    client.force_login(personas.volunteer)
    response = client.get(reverse("records:mine"))
    assert response.status_code == 200
    return response


def test_a_member_all_year_who_is_behind(personas, july_2026):
    member = personas.volunteer_member  # registered since 2016: target 10
    took_part(member, D(2025, 12, 20), title="去年的活动")
    took_part(member, D(2026, 1, 10))
    took_part(member, D(2026, 3, 10))
    took_part(member, D(2026, 7, 14), hours="4")
    took_part(member, D(2026, 7, 1), status=ActivityStatus.SUBMITTED, title="待审核活动")
    team_figures_recompute(team_id=member.team_id)

    response = my_page(personas)
    standing = response.context["standing"]
    # 3 approved in 2026 (January, March, July), 2.5 + 2.5 + 4 = 9.0 hours.
    # July: floor(10 × 7 / 12) = floor(5.83) = 5 due; 3 < 5 → 落后.
    assert (standing.ytd_count, standing.ytd_hours) == (3, Decimal("9.0"))
    assert (standing.target, standing.expected, standing.status) == (10, 5, MemberStatus.BEHIND)
    html = response.content.decode()
    assert 'id="my-status">落后<' in html
    assert 'id="my-target">10<' in html
    # The list: this year's approved activities, not the one awaiting approval; last
    # year's under 2025.
    titles = [record.activity.title for record in response.context["records"]]
    assert titles == ["0714活动", "0310活动", "0110活动"]
    assert "待审核活动" not in html
    assert page_for(personas, year="2025")[1] == ["去年的活动"]


def test_a_member_who_joined_in_july(personas, july_2026):
    member = personas.volunteer_member
    member.registered_on = D(2026, 7, 1)
    member.save()
    took_part(member, D(2026, 7, 14))
    team_figures_recompute(team_id=member.team_id)

    standing = my_page(personas).context["standing"]
    # July–December: 6 months → ceil(10 × 6 / 12) = 5; by July 1 of 6 months has
    # passed: floor(5 × 1 / 6) = 0 due; 1 done → 进度正常.
    assert (standing.months_in_year, standing.target, standing.expected) == (6, 5, 0)
    assert (standing.ytd_count, standing.status) == (1, MemberStatus.ON_TRACK)
    assert "按注册6个月折算" in my_page(personas).content.decode()


def test_a_member_who_has_met_the_target(personas, july_2026):
    member = personas.volunteer_member
    for month in range(1, 7):
        took_part(member, D(2026, month, 3))
        took_part(member, D(2026, month, 17))
    team_figures_recompute(team_id=member.team_id)
    standing = my_page(personas).context["standing"]
    assert (standing.ytd_count, standing.status) == (12, MemberStatus.MET)


def test_no_figures_yet_means_none_so_far(personas, july_2026):
    response = my_page(personas)
    standing = response.context["standing"]
    assert (standing.ytd_count, standing.target, standing.status) == (0, 10, MemberStatus.NONE)
    assert "未参加" in response.content.decode()


def test_a_member_not_registered_this_year_has_no_target(personas, july_2026):
    member = personas.volunteer_member
    member.left_on = D(2025, 12, 31)
    member.save()
    response = my_page(personas)
    assert response.context["standing"] is None
    assert "本年没有目标" in response.content.decode()


# --- The year switch, the columns and the link to the profile -----------------------------


def took_part_as(member, day, hours, *, title, role=Participation.Role.PARTICIPANT, **fields):
    activity = ActivityFactory(
        team=member.team,
        start_date=day,
        hours=Decimal(hours),
        status=ActivityStatus.APPROVED,
        approved_at=timezone.now(),
        title=title,
        **fields,
    )
    ParticipationFactory(activity=activity, member=member, hours=Decimal(hours), role=role)
    return activity


@pytest.fixture
def three_years(personas, july_2026):
    """Records in 2024, 2025 and 2026 (worked out by hand in each test)."""
    member = personas.volunteer_member  # registered since 2016: a target of 10 every year
    category = ServiceCategoryFactory(name="扶贫帮困")
    took_part_as(
        member,
        D(2024, 5, 10),
        "2.5",
        title="2024年结对帮扶",
        role=Participation.Role.ORGANISER,
        category=category,
        organiser="市政府办公室驻村工作队",
        content="入户了解结对户的困难。",
    )
    took_part_as(member, D(2024, 11, 2), "3", title="2024年文明交通劝导", organiser="")
    took_part_as(member, D(2025, 3, 15), "4", title="2025年植树")
    took_part(member, D(2025, 6, 1), status=ActivityStatus.SUBMITTED, title="2025年待审核活动")
    took_part_as(member, D(2026, 1, 10), "2.5", title="2026年走访慰问")
    took_part_as(member, D(2026, 7, 14), "1.5", title="2026年火车站服务")
    team_figures_recompute(team_id=member.team_id)
    return member


def page_for(personas, **query) -> tuple:
    client = Client()
    client.force_login(personas.volunteer)
    response = client.get(reverse("records:mine"), query)
    assert response.status_code == 200
    titles = [record.activity.title for record in response.context["records"]]
    return response, titles


def test_the_switch_offers_the_years_with_records_and_all(personas, three_years):
    response, _titles = page_for(personas)
    assert response.context["years"] == [2026, 2025, 2024]
    html = response.content.decode()
    for year in (2024, 2025, 2026):
        assert f'href="?year={year}"' in html
    assert 'href="?year=all"' in html and ">全部<" in html
    # This year is the one shown, marked as such in the switch.
    assert response.context["selected"] == 2026
    assert 'aria-current="page" href="?year=2026"' in html


def test_this_year_by_default(personas, three_years):
    response, titles = page_for(personas)
    standing = response.context["standing"]
    # 2026: 2.5 + 1.5 = 4.0 hours in 2 activities; July: floor(10 × 6 / 12) = 5 due by
    # the end of June (floor(10 × 7 / 12) = 5 counting July too): 2 < 5 → 落后.
    assert (standing.ytd_count, standing.ytd_hours, standing.target) == (2, Decimal("4.0"), 10)
    assert (standing.expected, standing.status) == (5, MemberStatus.BEHIND)
    assert titles == ["2026年火车站服务", "2026年走访慰问"]
    html = response.content.decode()
    assert 'id="my-count">2 <' in html and 'id="my-hours">4.0<' in html
    assert 'id="my-status">落后<' in html
    # All years together, below this year's figures: 2 + 1 + 2 = 5 activities,
    # 4.0 + 4.0 + 5.5 = 13.5 hours.
    assert "累计：5次活动，13.5小时。" in html


def test_a_past_year(personas, three_years):
    response, titles = page_for(personas, year="2024")
    standing = response.context["standing"]
    # 2024: 2.5 + 3 = 5.5 hours in 2 activities; the year is over: 2 < 10 → 未达标.
    assert (standing.ytd_count, standing.ytd_hours, standing.target) == (2, Decimal("5.5"), 10)
    assert titles == ["2024年文明交通劝导", "2024年结对帮扶"]
    html = response.content.decode()
    assert "我的2024年" in html
    assert 'id="my-count">2 <' in html and 'id="my-hours">5.5<' in html
    assert 'id="my-status">未达标<' in html
    assert "当前应达" not in html  # no pace for a year that is over


def test_a_past_year_leaves_out_what_is_not_approved(personas, three_years):
    response, titles = page_for(personas, year="2025")
    standing = response.context["standing"]
    assert (standing.ytd_count, standing.ytd_hours) == (1, Decimal("4.0"))
    assert titles == ["2025年植树"]
    html = response.content.decode()
    assert "2025年待审核活动" not in html
    # Hours with their one decimal, as everywhere (not "4").
    assert 'id="my-hours">4.0<' in html


def test_all_years(personas, three_years):
    response, titles = page_for(personas, year="all")
    assert response.context["selected"] is None
    assert response.context["standing"] is None
    # 5 approved activities: 2.5 + 3 + 4 + 2.5 + 1.5 = 13.5 hours.
    assert titles == [
        "2026年火车站服务",
        "2026年走访慰问",
        "2025年植树",
        "2024年文明交通劝导",
        "2024年结对帮扶",
    ]
    html = response.content.decode()
    assert 'id="my-count">5<' in html and 'id="my-hours">13.5<' in html
    assert 'aria-current="page" href="?year=all"' in html


def test_a_past_year_of_a_member_who_joined_in_july(personas, july_2026):
    member = personas.volunteer_member
    member.registered_on = D(2025, 7, 1)
    member.save()
    took_part_as(member, D(2025, 9, 9), "3", title="2025年秋季活动")
    for month in (8, 9, 10, 11, 12):
        took_part_as(member, D(2025, month, 20), "2", title=f"2025年{month}月活动")
    team_figures_recompute(team_id=member.team_id)

    response, _titles = page_for(personas, year="2025")
    standing = response.context["standing"]
    # July–December 2025: 6 months → ceil(10 × 6 / 12) = 5; 6 done ≥ 5 → 已达标.
    assert (standing.months_in_year, standing.target) == (6, 5)
    assert (standing.ytd_count, standing.ytd_hours) == (6, Decimal("13.0"))
    html = response.content.decode()
    assert 'id="my-status">已达标<' in html
    assert "按注册6个月折算" in html


def test_the_columns_say_what_they_show(personas, three_years):
    response, _titles = page_for(personas, year="2024")
    html = response.content.decode()
    headers = [
        cell.split(">", 1)[1].split("<", 1)[0]
        for cell in html.split("<thead>", 1)[1].split("</thead>", 1)[0].split("<th")[1:]
    ]
    assert headers == [
        "日期",
        "活动名称",
        "服务类别",
        "地点",
        "角色",
        "服务时长（小时）",
        "组织单位",
    ]
    rows = response.context["rows"]
    by_title = {row.title: row for row in rows}
    poverty = by_title["2024年结对帮扶"]
    assert (poverty.category, poverty.role, poverty.hours) == ("扶贫帮困", "组织者", Decimal("2.5"))
    assert poverty.organising_unit == "市政府办公室驻村工作队"
    # No unit named: the team organised it.
    traffic = by_title["2024年文明交通劝导"]
    assert (traffic.role, traffic.organising_unit) == ("参与者", personas.team.name)
    assert "<td>扶贫帮困</td>" in html and "<td>组织者</td>" in html


def test_a_link_to_the_teams_profile_only_when_published(personas, three_years):
    url = reverse("profiles:profile", kwargs={"slug": personas.team.slug})
    Team.objects.filter(pk=personas.team.pk).update(is_published=False)
    assert f'href="{url}"' not in page_for(personas)[0].content.decode()

    Team.objects.filter(pk=personas.team.pk).update(is_published=True)
    html = page_for(personas)[0].content.decode()
    assert f'href="{url}"' in html and "服务队简介" in html


@pytest.mark.parametrize(
    "value",
    ["2019", "2027", "abc", "NaN", "9" * 5000, "２０２５", "²⁰²⁵", "2025\u200b", ""],
)
def test_a_year_that_cannot_be_shown_shows_this_year_and_says_so(personas, three_years, value):
    response, titles = page_for(personas, year=value)
    assert response.context["selected"] == 2026
    assert titles == ["2026年火车站服务", "2026年走访慰问"]
    if value:
        assert "没有所选年份的服务记录，下面是今年的。" in response.content.decode()


def test_a_nul_in_the_year_is_refused_before_the_page(personas, three_years):
    """The one middleware refuses it (volunteer_site.middleware.RefuseNulMiddleware)."""
    client = Client()
    client.force_login(personas.volunteer)
    response = client.get(reverse("records:mine"), {"year": "\x00"})
    assert response.status_code == 400
    assert "请求包含无效字符" in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_volunteer_switches_years_and_opens_the_profile(live_server, page, personas):
    # Today's real date: the browser keeps cookies by its own clock.
    this_year = timezone.localdate().year
    member = personas.volunteer_member
    Team.objects.filter(pk=personas.team.pk).update(is_published=True)
    took_part_as(member, D(this_year, 1, 8), "2.5", title="今年的走访慰问")
    took_part_as(
        member,
        D(this_year - 2, 6, 3),
        "4",
        title="前年的结对帮扶",
        role=Participation.Role.ORGANISER,
        organiser="市政府办公室驻村工作队",
    )
    team_figures_recompute(team_id=member.team_id)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "volunteer")
    page.fill("#id_password", PASSWORD)
    page.click("#content button[type=submit]")
    page.get_by_role("link", name="我的服务记录").first.click()
    switch = page.get_by_role("navigation", name="年份")
    assert switch.inner_text().split() == [f"{this_year}年", f"{this_year - 2}年", "全部"]
    assert "今年的走访慰问" in page.inner_text("table")

    switch.get_by_role("link", name=f"{this_year - 2}年").click()
    page.wait_for_url(f"**/me/?year={this_year - 2}")
    assert page.inner_text("#my-year-heading") == f"我的{this_year - 2}年"
    assert page.inner_text("#my-status") == "未达标"
    row = page.get_by_role("row", name=re.compile("前年的结对帮扶"))
    assert "组织者" in row.inner_text() and "市政府办公室驻村工作队" in row.inner_text()
    assert "今年的走访慰问" not in page.inner_text("table")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "my-record-past-year.png"), full_page=True)

    switch.get_by_role("link", name="全部").click()
    page.wait_for_url("**/me/?year=all")
    assert (page.inner_text("#my-count"), page.inner_text("#my-hours")) == ("2", "6.5")
    page.screenshot(path=str(ARTIFACTS / "my-record-all-years.png"), full_page=True)

    page.get_by_role("link", name="服务队简介").click()
    page.wait_for_url(f"**/p/{personas.team.slug}/")
    assert page.inner_text("h1") == personas.team.name


def test_the_page_costs_the_same_queries_for_many_records(personas, three_years):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(**query) -> int:
        client = Client()
        client.force_login(personas.volunteer)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("records:mine"), query).status_code == 200
        return len(captured)

    few = (queries(), queries(year="all"))
    for day in range(1, 21):
        took_part_as(personas.volunteer_member, D(2026, 2, day), "1", title=f"二月活动{day}")
    assert (queries(), queries(year="all")) == few
