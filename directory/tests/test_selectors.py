"""The directory's reads: search, each filter, each sort and the paging, against the
hand-made teams of conftest.py, with the expected order written out."""

from __future__ import annotations

import datetime

import pytest

from directory.selectors import (
    DirectoryQuery,
    RegionTree,
    category_options,
    clean_id,
    directory_page,
    name_sort_key,
)
from teams.tests.factories import RegionFactory, TeamFactory

pytestmark = pytest.mark.django_db


def query_of(**params) -> DirectoryQuery:
    return DirectoryQuery.from_query(
        {key: str(value) for key, value in params.items()},
        tree=RegionTree.load(),
        categories=category_options(),
    )


def slugs(page_number=None, **params) -> list[str]:
    query = query_of(**params)
    page = directory_page(query, tree=RegionTree.load(), page_number=page_number)
    return [team.slug for team in page.object_list]


# --- Published teams only, in the default order -------------------------------------------


def test_only_published_teams_most_hours_first_the_uncomputed_last(directory):
    # D 120.0, A 101.5, B 80.0, C not computed; E (9999.0) is not published.
    assert slugs() == ["d", "a", "b", "c"]


# --- Sorts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("hours", ["d", "a", "b", "c"]),
        # B and D both held 40: by name, 拉 (U+62C9) before 日 (U+65E5); C has none.
        ("activities", ["b", "d", "a", "c"]),
        ("newest", ["c", "b", "a", "d"]),  # 2020-01, 2018-07, 2016-03, 2012-05
        ("oldest", ["d", "a", "b", "c"]),
        # Pinyin: alpha, la(sa), ri(kaze), zha(xi). By code point it would be C A B D.
        ("name", ["c", "b", "d", "a"]),
        ("no-such-sort", ["d", "a", "b", "c"]),  # unknown: the default
    ],
)
def test_each_sort(directory, sort, expected):
    assert slugs(sort=sort) == expected


def test_name_sort_key_is_pinyin():
    names = ["扎西", "拉萨", "日喀则", "阿里", "Alpha", "bravo"]
    assert sorted(names, key=name_sort_key) == ["阿里", "Alpha", "bravo", "拉萨", "日喀则", "扎西"]


# --- Search --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("扎西", ["a"]),
        ("教育局", ["b"]),  # in B's name and host unit: listed once
        ("国家税务总局", ["d"]),  # D's host unit only
        ("日喀则市", ["d", "a", "c"]),  # D's name; A's, C's host units; never E
        ("alpha", ["c"]),  # case folded
        ("ＡＬＰＨＡ", ["c"]),  # full-width letters folded (NFKC)
        (" 扎\u200b西 ", ["a"]),  # surrounding spaces and zero-width characters dropped
        ("隐藏", []),  # unpublished
        ("%", []),  # a LIKE wildcard is a plain character
        ("_", []),
    ],
)
def test_search_by_name_and_host_unit(directory, q, expected):
    assert slugs(q=q) == expected


def test_a_search_longer_than_any_name_is_cut_with_a_notice(directory):
    query = query_of(q="日喀则市" + "x" * 5000)
    assert query.q == "日喀则市" + "x" * 96
    assert query.notices == ("搜索内容过长，只按前100个字搜索。",)


# --- Region filter -------------------------------------------------------------------------


def test_the_region_tree_lists_regions_with_published_teams_indented(directory):
    options = RegionTree.load().options
    # 四川省 has no published team; 日喀则市 counts C and D and A below it, not E.
    assert [(o.label, o.teams) for o in options] == [
        ("西藏自治区", 4),
        ("\u3000拉萨市", 1),
        ("\u3000日喀则市", 3),
        ("\u3000\u3000桑珠孜区", 1),
    ]
    assert options[3].path == "西藏自治区 > 日喀则市 > 桑珠孜区"


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("tibet", ["d", "a", "b", "c"]),
        ("shigatse", ["d", "a", "c"]),  # its sub-region 桑珠孜区's A included
        ("samzhubze", ["a"]),
        ("lhasa", ["b"]),
    ],
)
def test_a_region_includes_its_sub_regions(directory, region, expected):
    assert slugs(region=getattr(directory, region).pk) == expected


def test_a_region_in_full_width_digits_is_the_same_region(directory):
    digits = str.maketrans("0123456789", "０１２３４５６７８９")
    full_width = str(directory.lhasa.pk).translate(digits)
    assert slugs(region=full_width) == ["b"]


@pytest.mark.parametrize("value", ["NaN", "-1", "1e3", "9" * 30, "sichuan", "99999999"])
def test_a_region_that_is_not_offered_shows_every_region_with_a_notice(directory, value):
    value = str(directory.sichuan.pk) if value == "sichuan" else value
    query = query_of(region=value)
    assert query.region is None
    assert query.notices == ("所选地区没有已公开的队伍，现显示全部地区的队伍。",)
    assert slugs(region=value) == ["d", "a", "b", "c"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), ("１２", 12), (" 7 ", 7), ("", None), ("NaN", None), ("-3", None),
     ("1.0", None), ("9" * 19, None), ("٣", None),
     ("²", 2)],  # NFKC folds a superscript two, as it folds full-width digits
)  # fmt: skip
def test_clean_id(value, expected):
    assert clean_id(value) == expected


# --- Category filter -----------------------------------------------------------------------


def test_the_categories_offered_are_published_teams_projects_one_per_name(directory):
    # 扶贫帮困 twice (shared and D's own) offered once; 科教文卫 only by the unpublished E.
    assert [(c.pk, c.name) for c in category_options()] == [
        (directory.poverty.pk, "扶贫帮困"),
        (directory.kindness.pk, "献爱心送温暖"),
    ]


def test_a_category_filter_matches_every_category_of_that_name(directory):
    assert slugs(category=directory.poverty.pk) == ["d", "a", "b"]
    assert slugs(category=directory.kindness.pk) == ["b"]


@pytest.mark.parametrize("value", ["science", "abc", "0"])
def test_a_category_not_offered_shows_every_service_with_a_notice(directory, value):
    value = str(directory.science.pk) if value == "science" else value
    query = query_of(category=value)
    assert query.category is None
    assert query.notices == ("没有已公开的队伍开展所选的服务项目，现显示全部服务项目的队伍。",)


def test_filters_and_search_combine(directory):
    assert slugs(q="日喀则", region=directory.shigatse.pk, category=directory.poverty.pk) == [
        "d",
        "a",
    ]
    assert slugs(q="教育", region=directory.shigatse.pk) == []


# --- Paging --------------------------------------------------------------------------------


@pytest.fixture
def many_teams(db):
    """45 published teams, 队01 to 队45, founded a month apart (队45 the newest)."""
    region = RegionFactory(name="日喀则市")
    for n in range(1, 46):
        TeamFactory(
            name=f"队{n:02d}",
            region=region,
            is_published=True,
            founded_on=datetime.date(2000 + n // 12, n % 12 + 1, 1),
        )


@pytest.mark.parametrize(
    ("page", "first", "count"),
    [
        (None, "队45", 20),
        ("1", "队45", 20),
        ("2", "队25", 20),
        ("3", "队05", 5),
        ("abc", "队45", 20),  # no number: the first page
        (str(10**30), "队05", 5),  # past the end: the last page
        ("9" * 5000, "队45", 20),  # too many digits for a number: the first page
        ("0", "队05", 5),
        ("-1", "队05", 5),
        ("３", "队05", 5),  # full-width 3
    ],
)
def test_paging_20_a_page(many_teams, page, first, count):
    found = slugs(page, sort="newest")
    names = _names(found)
    assert (names[0], len(names)) == (first, count)


def test_paging_by_name_follows_the_pinyin_order(many_teams):
    # All names are 队 + two digits: pinyin "dui" then the digits, so 队01 … 队45.
    assert _names(slugs("3", sort="name")) == [f"队{n}" for n in range(41, 46)]


def _names(found: list[str]) -> list[str]:
    from teams.models import Team

    by_slug = dict(Team.objects.filter(slug__in=found).values_list("slug", "name"))
    return [by_slug[slug] for slug in found]


def test_sibling_regions_are_in_pinyin_order(db):
    tibet = RegionFactory(name="西藏自治区")
    # By code point 林 (U+6797) 那 (U+90A3) 阿 (U+963F); by pinyin a, lin, na.
    for name in ["林芝市", "那曲市", "阿里地区"]:
        TeamFactory(region=RegionFactory(name=name, parent=tibet), is_published=True)
    assert [o.label for o in RegionTree.load().options] == [
        "西藏自治区",
        "\u3000阿里地区",
        "\u3000林芝市",
        "\u3000那曲市",
    ]
