"""Where the levels show: 我的服务记录, the roster (column and filter), the public
profile's counts and the region overview's summary, against hand-worked data.

The team (personas.team, 日喀则市, default thresholds) after one recompute:

| member | approved hours | level | registered today |
|---|---|---|---|
| 五星甲 | 1500 | 五星 | yes |
| 四星乙 | 1000 | 四星 | no: left on 2019-12-31 |
| 二星丙 | 300 | 二星 | yes |
| 一星丁 | 299.5 | 一星 | yes |
| 一星戊 | 100 | 一星 | yes |
| 无星己 | 99.5 | none | yes |
| 志愿者甲 (personas' volunteer) | 250 | 一星, 50 h to 二星 | yes |

So the profile and the overview count 五星 1, 四星 0, 三星 0, 二星 1, 一星 3. The other
team (拉萨市) has one 一星 member, outside the region admin's regions.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import ActivityStatus
from activities.stats import team_figures_recompute
from activities.tests.factories import ActivityFactory, ParticipationFactory
from conftest import client_for, text_of
from members.tests.factories import MemberFactory

D = datetime.date
COUNTS = "五星 1人 四星 0人 三星 0人 二星 1人 一星 3人"


def served(member, hours: str) -> None:
    activity = ActivityFactory(
        team=member.team,
        start_date=D(2018, 1, 1),
        end_date=D(2018, 3, 11),  # 70 days: up to 1,680 hours
        hours=Decimal(hours),
        status=ActivityStatus.APPROVED,
        approved_at=timezone.now(),
    )
    ParticipationFactory(activity=activity, member=member, hours=Decimal(hours))


@pytest.fixture
def levels(personas):
    team = personas.team
    team.is_published = True
    team.published_on = D(2026, 3, 1)
    team.save()
    for name, hours, left_on in [
        ("五星甲", "1500", None),
        ("四星乙", "1000", D(2019, 12, 31)),
        ("二星丙", "300", None),
        ("一星丁", "299.5", None),
        ("一星戊", "100", None),
        ("无星己", "99.5", None),
    ]:
        member = MemberFactory(team=team, name=name, registered_on=D(2016, 3, 1))
        served(member, hours)
        if left_on:
            member.left_on = left_on
            member.save()
    served(personas.volunteer_member, "250")
    outsider = MemberFactory(team=personas.other_team, name="外队庚", registered_on=D(2016, 3, 1))
    served(outsider, "100")
    team_figures_recompute(team_id=team.pk)
    team_figures_recompute(team_id=personas.other_team.pk)
    return personas


def test_my_record_shows_the_level_and_the_hours_to_the_next(levels):
    response = client_for(levels.volunteer).get(reverse("records:mine"))
    text = text_of(response)
    assert "星级志愿者：★ 一星" in text
    assert "距下一星级还需 50.0 小时（累计审核通过 250.0 小时）" in text


def roster_names(personas, query: str) -> list[str]:
    url = reverse("members:list", kwargs={"slug": personas.team.slug}) + query
    response = client_for(personas.secretary).get(url)
    assert response.status_code == 200
    return sorted(member.name for member in response.context["page_obj"])


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("?star=5", ["五星甲"]),
        ("?star=4", []),  # 四星乙 has left: not among the current members
        ("?star=4&status=all", ["四星乙"]),
        ("?star=2", ["二星丙"]),
        ("?star=1", ["一星丁", "一星戊", "志愿者甲"]),
        ("?star=0", ["无星己"]),
        ("?star=NaN", ["一星丁", "一星戊", "二星丙", "五星甲", "志愿者甲", "无星己"]),
    ],
)
def test_the_roster_filters_by_level(levels, query, names):
    assert roster_names(levels, query) == names


def test_the_roster_shows_each_members_level(levels):
    url = reverse("members:list", kwargs={"slug": levels.team.slug}) + "?status=all"
    text = text_of(client_for(levels.staff).get(url))
    assert "五星甲" in text and "★★★★★ 五星" in text
    assert "★★★★ 四星" in text


def test_the_public_profile_counts_the_current_members_per_level(levels):
    response = client_for().get(reverse("profiles:profile", args=[levels.team.slug]))
    assert f"星级志愿者：{COUNTS}" in text_of(response)


def test_a_new_level_shows_on_the_cached_profile(levels):
    url = reverse("profiles:profile", args=[levels.team.slug])
    assert f"星级志愿者：{COUNTS}" in text_of(client_for().get(url))
    served(levels.volunteer_member, "50")  # 300 h: 二星
    team_figures_recompute(team_id=levels.team.pk)
    assert "二星 2人 一星 2人" in text_of(client_for().get(url))


def test_new_thresholds_show_on_the_cached_profile(levels, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the levels' task body, here
    from django.test import TestCase

    from stars.services import thresholds_set

    url = reverse("profiles:profile", args=[levels.team.slug])
    assert f"星级志愿者：{COUNTS}" in text_of(client_for().get(url))
    with TestCase.captureOnCommitCallbacks(execute=True):
        thresholds_set(
            region=levels.region,
            values=tuple(Decimal(v) for v in ("99.5", "250", "600", "1000", "1500")),
            user=levels.region_admin,
        )
    # 一星: 无星己 99.5, 一星戊 100; 二星: 志愿者甲 250, 一星丁 299.5, 二星丙 300.
    assert "五星 1人 四星 0人 三星 0人 二星 3人 一星 2人" in text_of(client_for().get(url))


def test_the_overview_sums_the_admins_regions(levels):
    response = client_for(levels.region_admin).get(reverse("regions:overview"))
    assert f"本辖区现有星级志愿者：{COUNTS}" in text_of(response)
    response = client_for(levels.other_region_admin).get(reverse("regions:overview"))
    assert "本辖区现有星级志愿者：五星 0人 四星 0人 三星 0人 二星 0人 一星 1人" in text_of(response)
