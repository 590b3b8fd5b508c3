"""The directory page at /: who gets it, what a card shows, the empty state, the paging
links, the top bar's login link, the profile's links back, and its query count."""

from __future__ import annotations

import datetime
import html as html_module
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from activities.models import ActivityStatus, TeamFiguresState
from activities.stats import team_figures_recompute
from activities.tests.factories import ActivityFactory, ParticipationFactory
from conftest import client_for, text_of
from members.tests.factories import MemberFactory
from teams.models import Team
from teams.tests.factories import RegionFactory, TeamFactory

pytestmark = pytest.mark.django_db


def cards(response) -> list[str]:
    """Each card's visible text, in the page's order."""
    html = response.content.decode()
    found = re.findall(r'<article class="card h-100 team-card".*?</article>', html, flags=re.S)
    return [
        html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card)).strip())
        for card in found
    ]


def card_slugs(response) -> list[str]:
    return re.findall(r'data-team="([^"]+)"', response.content.decode())


# --- Who gets the directory ----------------------------------------------------------------


def test_a_visitor_gets_the_directory_of_published_teams(directory):
    response = client_for().get("/")
    assert response.status_code == 200
    assert card_slugs(response) == ["d", "a", "b", "c"]
    text = text_of(response)
    assert "共4支队伍" in text
    assert "隐藏志愿服务队" not in text


def test_a_signed_in_user_still_goes_to_their_work(personas):
    response = client_for(personas.secretary).get("/")
    assert response.status_code == 302
    assert response["Location"] == personas.team.get_absolute_url()


def test_a_signed_in_user_gets_the_directory_when_the_address_asks_for_it(personas):
    personas.team.is_published = True
    personas.team.save()
    region = personas.team.region_id
    for query in (f"region={region}", "sort=hours", "q=我们", "page=1"):
        response = client_for(personas.secretary).get(f"/?{query}")
        assert response.status_code == 200, query
        assert card_slugs(response) == ["our-team"], query


def test_only_get_and_head(directory):
    assert client_for().post("/").status_code == 405
    assert client_for().head("/").status_code == 200


# --- What a card shows ---------------------------------------------------------------------


def test_each_card_shows_the_team_and_its_all_time_figures(directory):
    d, a, b, c = cards(client_for().get("/"))
    assert a == (
        "扎西党员志愿服务队 地区 西藏自治区 > 日喀则市 > 桑珠孜区 主管单位 日喀则市人民政府办公室 "
        "成立时间 2016年3月 现有注册志愿者 121人 开展活动次数 26次 累计服务时长 101.5小时"
    )
    assert d.endswith("现有注册志愿者 12人 开展活动次数 40次 累计服务时长 120.0小时")
    assert "地区 西藏自治区 > 拉萨市" in b
    # Not computed yet: dashes, never a misleading 0.
    assert c.endswith("现有注册志愿者 — 开展活动次数 — 累计服务时长 —")


def test_a_card_says_when_its_figures_are_being_updated(directory):
    TeamFiguresState.objects.create(team=directory.a, stale=True)
    TeamFiguresState.objects.create(team=directory.b, stale=False)
    TeamFiguresState.objects.create(team=directory.c, stale=True)  # no figures yet: dashes
    d, a, b, c = cards(client_for().get("/"))
    assert a.endswith("累计服务时长 101.5小时 数据正在更新")
    assert "数据正在更新" not in b + c + d


def test_the_card_links_to_the_profile(directory):
    html = client_for().get("/").content.decode()
    assert f'<a href="{reverse("profiles:profile", args=["a"])}">扎西党员志愿服务队</a>' in html


def test_card_figures_equal_hand_worked_numbers_from_a_recompute(db):
    """From records, through the real recompute, to the card and to the profile.

    Three members registered 2026-01-05; the third left on 2026-03-31, so two are in the
    team today (现有注册志愿者 2). Approved: 2026-02-10, 2.5 hours, and 2026-03-15 to
    2026-03-16, 3.0 hours; a submitted one of 9.0 hours and a draft do not count.
    So 2 activities and 2.5 + 3.0 = 5.5 hours.
    """
    region = RegionFactory(name="日喀则市")
    team = TeamFactory(name="手算队", slug="by-hand", region=region, is_published=True)
    members = [MemberFactory(team=team, registered_on=datetime.date(2026, 1, 5)) for _ in range(3)]
    members[2].left_on = datetime.date(2026, 3, 31)
    members[2].save()
    for start, end, hours, status in [
        ((2026, 2, 10), (2026, 2, 10), "2.5", ActivityStatus.APPROVED),
        ((2026, 3, 15), (2026, 3, 16), "3.0", ActivityStatus.APPROVED),
        ((2026, 4, 1), (2026, 4, 1), "9.0", ActivityStatus.SUBMITTED),
        ((2026, 4, 2), (2026, 4, 2), "1.0", ActivityStatus.DRAFT),
    ]:
        activity = ActivityFactory(
            team=team,
            start_date=datetime.date(*start),
            end_date=datetime.date(*end),
            hours=Decimal(hours),
            status=status,
            approved_at=timezone.now() if status == ActivityStatus.APPROVED else None,
        )
        ParticipationFactory(activity=activity, member=members[0], hours=Decimal(hours))
    team_figures_recompute(team_id=team.pk)

    (card,) = cards(client_for().get("/"))
    assert card.endswith("现有注册志愿者 2人 开展活动次数 2次 累计服务时长 5.5小时")
    profile = text_of(client_for().get(reverse("profiles:profile", args=[team.slug])))
    assert "现有注册志愿者人数：2人" in profile
    assert "累计开展志愿服务活动 2 次，总时长 5.5 小时" in profile


# --- Empty states --------------------------------------------------------------------------


def test_no_match_says_so_and_offers_to_clear_the_filters(directory):
    response = client_for().get("/?" + urlencode({"q": "不存在的队", "sort": "name"}))
    assert card_slugs(response) == []
    text = text_of(response)
    assert "共0支队伍 （已筛选）" in text
    assert "没有符合条件的已公开队伍。" in text
    html = response.content.decode()
    assert '<a class="btn btn-party" href="/">清除搜索和筛选条件</a>' in html


def test_no_published_team_at_all(db):
    TeamFactory(is_published=False)
    text = text_of(client_for().get("/"))
    assert "还没有队伍公开简介。" in text
    assert "清除搜索和筛选条件" not in text


# --- Paging links keep the filters ---------------------------------------------------------


def test_page_links_keep_the_search_filters_and_sort(db):
    region = RegionFactory(name="日喀则市")
    for n in range(1, 46):
        TeamFactory(name=f"队{n:02d}", region=region, is_published=True)
    params = {"q": "队", "region": region.pk, "sort": "name"}
    response = client_for().get("/?" + urlencode(params))
    assert len(card_slugs(response)) == 20
    html = response.content.decode()
    kept = urlencode(params).replace("&", "&amp;")
    assert f'href="?{kept}&amp;page=2"' in html
    assert f'href="?{kept}&amp;page=3"' in html
    last = client_for().get("/?" + urlencode(params | {"page": 3}))
    assert "队45" in text_of(last) and len(card_slugs(last)) == 5


# --- The controls --------------------------------------------------------------------------


def test_the_form_shows_the_choices_made(directory):
    params = {"q": "日喀则", "region": directory.shigatse.pk, "category": directory.poverty.pk}
    html = client_for().get("/?" + urlencode(params | {"sort": "oldest"})).content.decode()
    assert 'value="日喀则"' in html
    assert f'<option value="{directory.shigatse.pk}" selected>\u3000日喀则市 (3)</option>' in html
    assert f'<option value="{directory.poverty.pk}" selected>扶贫帮困</option>' in html
    assert '<option value="oldest" selected>成立时间（由远到近）</option>' in html
    assert f'<option value="{directory.samzhubze.pk}">\u3000\u3000桑珠孜区 (1)</option>' in html
    assert "四川省" not in html
    # Clearing keeps the sort, drops the rest.
    assert '<a class="btn btn-outline-secondary" href="/?sort=oldest">清除筛选</a>' in html


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("region=NaN", "所选地区没有已公开的队伍，现显示全部地区的队伍。"),
        ("category=999999", "没有已公开的队伍开展所选的服务项目，现显示全部服务项目的队伍。"),
        ("q=" + "长" * 5000, "搜索内容过长，只按前100个字搜索。"),
    ],
)
def test_a_value_that_cannot_be_used_is_dropped_with_a_notice(directory, query, notice):
    response = client_for().get(f"/?{query}")
    assert response.status_code == 200
    assert notice in text_of(response)


@pytest.mark.parametrize(
    "query",
    ["page=abc", f"page={10**30}", "page=" + "9" * 5000, "sort=%3Cscript%3E", "region=１",
     "category=NaN", "region=1e309", "q=%EF%BC%A1", "q=%F0%9F%98%80", "region=&category=&q="],
)  # fmt: skip
def test_bad_query_values_never_fail(directory, query):
    response = client_for().get(f"/?{query}")
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<footer")[0].split("</nav>", 1)[1]


def test_a_nul_in_the_search_is_refused_in_chinese(directory):
    response = client_for().get("/?q=%00")
    assert response.status_code == 400
    assert "请求包含无效字符" in response.content.decode()


# --- The top bar and the profile's links ---------------------------------------------------


def login_links(response) -> list[str]:
    return re.findall(
        r'<a class="nav-link" href="/accounts/login/">.*?</a>', response.content.decode()
    )


def test_visitors_get_one_login_link_except_on_the_login_page(directory):
    (link,) = login_links(client_for().get("/"))
    assert "登录" in link
    assert len(login_links(client_for().get(reverse("profiles:profile", args=["a"])))) == 1
    assert login_links(client_for().get(reverse("login"))) == []


def test_signed_in_users_get_no_login_link(personas):
    response = client_for(personas.secretary).get("/?sort=hours")
    assert login_links(response) == []
    assert "退出" in text_of(response)


def test_the_profile_links_back_to_the_directory_and_its_region(directory):
    html = client_for().get(reverse("profiles:profile", args=["a"])).content.decode()
    assert '<a href="/"><i class="bi bi-arrow-left" aria-hidden="true"></i> 全部队伍</a>' in html
    assert f'<a href="/?region={directory.samzhubze.pk}">桑珠孜区的队伍</a>' in html
    # Following it lists the team.
    response = client_for().get(f"/?region={directory.samzhubze.pk}")
    assert card_slugs(response) == ["a"]


def test_signed_in_the_profile_links_to_the_directory_not_to_their_work(personas):
    team = personas.team
    team.is_published = True
    team.save()
    client = client_for(personas.staff)
    html = client.get(reverse("profiles:profile", args=[team.slug])).content.decode()
    assert '<a href="/?sort=hours">' in html
    assert card_slugs(client.get("/?sort=hours")) == [team.slug]


# --- Query count ---------------------------------------------------------------------------


def many(count: int, region) -> None:
    for n in range(count):
        TeamFactory(name=f"批量队{n:03d}", region=region, is_published=True)


@pytest.mark.parametrize("sort", ["hours", "name"])
def test_the_directory_takes_the_same_queries_for_3_or_45_teams(
    directory, django_assert_max_num_queries, sort
):
    """Two for the region tree, one for the categories, two for the page (a count and
    the rows; by name, the names and the page's rows)."""
    client = client_for()
    with django_assert_max_num_queries(5):
        small = client.get(f"/?sort={sort}")
    assert len(card_slugs(small)) == 4
    many(41, directory.lhasa)
    with django_assert_max_num_queries(5):
        large = client.get(f"/?sort={sort}&page=2")
    assert len(card_slugs(large)) == 20
    assert Team.objects.published().count() == 45
