"""The demo's teams in the directory: the reference team's card carries the figures worked
out by hand for its profile (profiles/tests/test_profile_demo.py, DEMO_ALL_TIME).

The demo is loaded once for the module (conftest.demo_once).
"""

from __future__ import annotations

import pytest

from conftest import client_for
from demo.team_data import TEAM_NAME, TEAM_SLUG
from directory.tests.test_views import card_slugs, cards
from profiles.tests.test_profile_demo import DEMO_ALL_TIME

pytestmark = pytest.mark.django_db


def test_the_demo_teams_in_the_directory(demo_once):
    response = client_for().get("/")
    # The four published demo teams (the housing and statistics bureaus' profiles are
    # not published). Their order, most hours first, depends on the other teams' months
    # up to today (demo/region.py); the reference team's card is checked by hand.
    slugs = card_slugs(response)
    assert sorted(slugs) == sorted(
        ["shigatse-finance", "lhasa-gov-office", TEAM_SLUG, "lhasa-education"]
    )
    reference = cards(response)[slugs.index(TEAM_SLUG)]
    assert reference.startswith(f"{TEAM_NAME} 地区 西藏自治区 > 日喀则市 ")
    assert DEMO_ALL_TIME["volunteers_at_end"] == 121
    assert DEMO_ALL_TIME["activities"] == 29
    assert str(DEMO_ALL_TIME["activity_hours"]) == "110.5"
    assert reference.endswith(
        "成立时间 2016年3月 现有注册志愿者 121人 开展活动次数 29次 累计服务时长 110.5小时"
    )


def test_the_demo_team_is_found_by_part_of_its_name(demo_once):
    assert card_slugs(client_for().get("/?q=日喀则市人民政府")) == [TEAM_SLUG]
