"""Small hand-made data for the directory's tests: five teams in a little region tree,
with all-time figures written out so every order and count below can be checked by eye.

    西藏自治区
    ├── 日喀则市           C Alpha志愿服务队 (not computed yet), D 日喀则市税务局志愿服务队
    │   └── 桑珠孜区       A 扎西党员志愿服务队
    └── 拉萨市             B 拉萨市教育局党员志愿服务队
    四川省                 (no published team: E is in 日喀则市 and unpublished)

| team | host unit | founded | activities | hours | volunteers now | projects |
|---|---|---|---|---|---|---|
| A | 日喀则市人民政府办公室 | 2016-03 | 26 | 101.5 | 121 | 扶贫帮困 (shared) |
| B | 拉萨市教育局 | 2018-07 | 40 | 80.0 | 30 | 扶贫帮困 (shared), 献爱心送温暖 |
| C | 日喀则市卫健委 | 2020-01 | — | — | — | none |
| D | 国家税务总局日喀则市税务局 | 2012-05 | 40 | 120.0 | 12 | its own 扶贫帮困 |
| E, unpublished | 日喀则市某局 | 2010-01 | 999 | 9999.0 | 500 | 科教文卫 |
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from activities.models import PeriodKind, TeamFigures
from teams.models import Region, ServiceCategory, Team, TeamCategory
from teams.tests.factories import RegionFactory, ServiceCategoryFactory, TeamFactory


@dataclass
class Directory:
    tibet: Region
    shigatse: Region
    samzhubze: Region
    lhasa: Region
    sichuan: Region
    a: Team
    b: Team
    c: Team
    d: Team
    e: Team
    poverty: ServiceCategory  # the shared 扶贫帮困
    d_poverty: ServiceCategory  # D's own 扶贫帮困
    kindness: ServiceCategory  # 献爱心送温暖
    science: ServiceCategory  # 科教文卫: only the unpublished E lists it


def all_time(team: Team, activities: int, hours: str, volunteers: int) -> None:
    TeamFigures.objects.create(
        team=team,
        kind=PeriodKind.ALL,
        activities=activities,
        activity_hours=Decimal(hours),
        volunteers_at_end=volunteers,
        registered_volunteers=volunteers,
    )


def team(name: str, slug: str, region: Region, host_unit: str, founded: tuple[int, int], **kw):
    return TeamFactory(
        name=name,
        slug=slug,
        region=region,
        host_unit=host_unit,
        founded_on=datetime.date(*founded, 1),
        is_published=kw.pop("is_published", True),
        **kw,
    )


@pytest.fixture
def directory(db) -> Directory:
    tibet = RegionFactory(name="西藏自治区")
    shigatse = RegionFactory(name="日喀则市", parent=tibet)
    samzhubze = RegionFactory(name="桑珠孜区", parent=shigatse)
    lhasa = RegionFactory(name="拉萨市", parent=tibet)
    sichuan = RegionFactory(name="四川省")
    a = team("扎西党员志愿服务队", "a", samzhubze, "日喀则市人民政府办公室", (2016, 3))
    b = team("拉萨市教育局党员志愿服务队", "b", lhasa, "拉萨市教育局", (2018, 7))
    c = team("Alpha志愿服务队", "c", shigatse, "日喀则市卫健委", (2020, 1))
    d = team("日喀则市税务局志愿服务队", "d", shigatse, "国家税务总局日喀则市税务局", (2012, 5))
    e = team("隐藏志愿服务队", "e", shigatse, "日喀则市某局", (2010, 1), is_published=False)
    all_time(a, 26, "101.5", 121)
    all_time(b, 40, "80.0", 30)
    all_time(d, 40, "120.0", 12)
    all_time(e, 999, "9999.0", 500)
    poverty = ServiceCategoryFactory(name="扶贫帮困")
    kindness = ServiceCategoryFactory(name="献爱心送温暖")
    science = ServiceCategoryFactory(name="科教文卫")
    d_poverty = ServiceCategoryFactory(name="扶贫帮困", team=d)
    for position, (owner, category) in enumerate(
        [(a, poverty), (b, poverty), (b, kindness), (d, d_poverty), (e, science)]
    ):
        TeamCategory.objects.create(team=owner, category=category, position=position)
    return Directory(
        tibet, shigatse, samzhubze, lhasa, sichuan, a, b, c, d, e, poverty, d_poverty,
        kindness, science,
    )  # fmt: skip
