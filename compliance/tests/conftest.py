"""A team's year for the review tests, with figures worked out by hand.

Ten approved activities, one on the 5th of each month January–October 2026, two
hours each. Of the members (all registered since 2016, target 10):

* 县级甲 (county) took part in all ten → 10, 已达标;
* 科级乙 (section) in January–August → 8; October's due is floor(10 × 10 / 12) = 8 → 进度正常;
* 一般丙 (general) in January–March → 3 → 落后;
* 志愿者甲 (the volunteer persona, general) in none → 未参加.

October itself: 1 activity, 2.0 activity hours, 1 participant-time (县级甲), 2.0
person-hours. Share on track or met: 2 of 4 = 50.0%; months met so far: 10 / 10.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from activities.stats import team_figures_recompute
from activities.tests.factories import ActivityFactory, ParticipationFactory
from members.models import CadreRank, Member
from members.tests.factories import MemberFactory

YEAR, MONTH = 2026, 10


@dataclass
class ReviewYear:
    team: object
    county: Member
    section: Member
    behind: Member
    none: Member
    activities: list[Activity]


@pytest.fixture
def review_year(personas) -> ReviewYear:
    team = personas.team
    since = datetime.date(2016, 3, 1)
    county = MemberFactory(
        team=team,
        name="县级甲",
        volunteer_number="R001",
        cadre_rank=CadreRank.COUNTY,
        registered_on=since,
        email="county@example.cn",
    )
    section = MemberFactory(
        team=team,
        name="科级乙",
        volunteer_number="R002",
        cadre_rank=CadreRank.SECTION,
        registered_on=since,
        email="section@example.cn",
    )
    behind = MemberFactory(
        team=team,
        name="一般丙",
        volunteer_number="R003",
        cadre_rank=CadreRank.GENERAL,
        registered_on=since,
        email="behind@example.cn",
    )
    activities = []
    for month in range(1, 11):
        activity = ActivityFactory(
            team=team,
            title=f"{month}月志愿服务",
            start_date=datetime.date(YEAR, month, 5),
            hours=Decimal("2.0"),
            status=ActivityStatus.APPROVED,
            approved_at=timezone.now(),
        )
        activities.append(activity)
        ParticipationFactory(activity=activity, member=county)
        if month <= 8:
            ParticipationFactory(activity=activity, member=section)
        if month <= 3:
            ParticipationFactory(activity=activity, member=behind)
    team_figures_recompute(team_id=team.pk)
    return ReviewYear(
        team=team,
        county=county,
        section=section,
        behind=behind,
        none=personas.volunteer_member,
        activities=activities,
    )
