"""The demo team's public profile reads like the reference: its figures by hand, its lines
in order (docs/domain.md § The public team profile), no member's personal data.

The demo is loaded once for the module (conftest.demo_once).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import ActivityStatus, PeriodKind, TeamFigures
from conftest import client_for, text_of
from demo.team_data import ACTIVITIES_CURRENT, LEAD_TITLE, TEAM_SLUG
from members.models import Member
from profiles.tests.test_profile import profile_url
from teams.models import Team
from volunteer_site.charts import last_months

pytestmark = pytest.mark.django_db

# The demo's all-time figures, by hand from demo/team.py. Approved activities only:
# the 26 of 2018 (101.5 hours, 527 participations, 2276.5 person-hours, as
# test_seed_demo checks) and three of 2026 — 9-15 (3.0 h, 12 people, the 8th left an
# hour early: 35.0), 10-20 (3.5 h, 20 people, the 8th and 16th an hour early: 68.0) and
# 11-10 (2.5 h, 15 people, under 3 h so nobody leaves early: 37.5). The 11-20 activity
# is only submitted and the 11-25 one a draft: neither counts.
DEMO_ALL_TIME = {
    "activities": 26 + 3,  # 29
    "activity_hours": Decimal("101.5") + Decimal("3.0") + Decimal("3.5") + Decimal("2.5"),
    "participant_times": 527 + 12 + 20 + 15,  # 574
    "person_hours": Decimal("2276.5") + Decimal("35.0") + Decimal("68.0") + Decimal("37.5"),
    "registered_volunteers": 121,
    "volunteers_at_end": 121,
}
# 2417.0 / 121 = 19.98 → 20.0; 574 / 121 = 4.74 → 4.7; 110.5 / 29 = 3.81 → 3.8;
# 574 / 29 = 19.79 → 19.8.
DEMO_PER_VOLUNTEER = (
    "人均服务时数 20.0 小时，人均参与次数 4.7 次；"
    "平均每次活动时长 3.8 小时，平均每次参与人数 19.8 人"
)


@pytest.fixture
def demo_team(demo_once) -> Team:
    """The reference team of the demo (loaded once for the module)."""
    return Team.objects.get(slug=TEAM_SLUG)


def test_demo_figures_match_the_hand_worked_numbers(demo_team):
    all_time = TeamFigures.objects.get(team=demo_team, kind=PeriodKind.ALL)
    for name, expected in DEMO_ALL_TIME.items():
        assert getattr(all_time, name) == expected, name
    assert all_time.activity_hours == Decimal("110.5")
    assert all_time.person_hours == Decimal("2417.0")
    assert all_time.hours_per_volunteer == Decimal("20.0")
    assert all_time.activities_per_volunteer == Decimal("4.7")
    assert all_time.hours_per_activity == Decimal("3.8")
    assert all_time.people_per_activity == Decimal("19.8")
    # The year of the reference profile: 26 activities, 101.5 hours, 527 participant-times.
    year_2018 = TeamFigures.objects.get(team=demo_team, kind=PeriodKind.YEAR, year=2018)
    assert (year_2018.activities, year_2018.activity_hours, year_2018.participant_times) == (
        26,
        Decimal("101.5"),
        527,
    )


def test_demo_profile_reads_like_the_reference(demo_team):
    response = client_for().get(profile_url(demo_team))
    assert response.status_code == 200
    text = text_of(response)
    lead = demo_team.lead_member.name
    lines = [
        "日喀则市人民政府办公室党员志愿服务队",
        "发表时间：2018-11-28",
        "来源：中国文明网",
        "组织名称：日喀则市人民政府办公室党员志愿服务队",
        "成立时间：2016年3月",
        "注册志愿者人数：121人",
        "累计开展志愿服务时数：累计开展志愿服务活动 29 次，总时长 110.5 小时",
        "人均开展志愿服务时数：" + DEMO_PER_VOLUNTEER,
        f"项目负责人：{lead}（{LEAD_TITLE}）",
        "经常开展的志愿服务项目：一是开展献爱心送温暖活动。二是开展特殊日大型志愿活动。"
        "三是开展创建文明城市志愿公益服务活动。",
        "七是开展维稳志愿服务活动。",
        "主要事迹：",
        "推荐单位：西藏自治区文明办",
        "责任编辑：钟启明",
        "数据更新于",
    ]
    positions = [text.find(line) for line in lines]
    missing = [line for line, at in zip(lines, positions, strict=True) if at < 0]
    assert not missing, missing
    assert positions == sorted(positions), "the lines are not in docs/domain.md's order"
    # The page tools of the reference.
    for tool in ["字号加大", "字号减小", "打印", "纠错"]:
        assert tool in text
    assert "数据尚未计算" not in text and "数据正在更新" not in text
    assert "未公开（预览）" not in text


def test_demo_profile_shows_no_member_data_but_the_consenting_lead(demo_team):
    html = client_for().get(profile_url(demo_team)).content.decode()
    members = list(Member.objects.filter(team=demo_team).exclude(pk=demo_team.lead_member_id))
    assert len(members) == 120
    for member in members:
        assert member.name not in html
        assert member.phone not in html
        assert member.volunteer_number not in html
    assert demo_team.lead_member.phone not in html


def test_without_consent_the_lead_line_is_left_out(demo_team):
    demo_team.lead_consents_to_publication = False
    demo_team.save()
    text = text_of(client_for().get(profile_url(demo_team)))
    assert demo_team.lead_member.name not in text
    assert LEAD_TITLE not in text
    assert "项目负责人" not in text


def test_demo_chart_has_a_bar_for_each_month_with_activities(demo_team):
    html = client_for().get(profile_url(demo_team)).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    window = set(last_months(timezone.localdate(), 12))
    expected = [
        a
        for a in ACTIVITIES_CURRENT
        if a.status == ActivityStatus.APPROVED and (a.start.year, a.start.month) in window
    ]
    bars = re.findall(r"<rect [^>]*><title>([^<]*)</title>", svg)
    assert len(bars) == len(expected)
    for activity in expected:
        label = f"{activity.start.year}年{activity.start.month}月：1次，{activity.hours}小时"
        assert label in bars
    assert 'role="img"' in svg and "<desc" in svg
    # The data table under the chart: one row per month.
    table = html[html.index('id="chart-data"') :]
    assert table.count('<tr><th scope="row" class="fw-normal">') == 12


def test_the_profile_in_english(demo_team, settings):
    client = client_for()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = text_of(client.get(profile_url(demo_team)))
    assert "Organisation name: 日喀则市人民政府办公室党员志愿服务队" in text
    assert "29 volunteer service activities in all, 110.5 hours in total" in text
    assert "hours per volunteer 20.0 hours" in text
    assert "(1) 献爱心送温暖; (2) 特殊日大型志愿活动" in text
