"""What the activities' tests share: the hand-worked team of test_stats.py (its figures
worked out by hand there), used by the figures' tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from activities.tests.factories import ActivityFactory, ParticipationFactory
from members.models import Member
from members.tests.factories import MemberFactory
from teams.tests.factories import ServiceCategoryFactory, TeamFactory

D = Decimal


@dataclass
class HandWorked:
    team: object
    members: dict[str, Member]
    activities: dict[str, Activity]


@pytest.fixture
def category():
    """A service category for the activity form's tests."""
    return ServiceCategoryFactory(name="献爱心送温暖")


def approved(**fields) -> Activity:
    return ActivityFactory(status=ActivityStatus.APPROVED, approved_at=timezone.now(), **fields)


@pytest.fixture
def hand_worked() -> HandWorked:
    team = TeamFactory(founded_on=datetime.date(2018, 1, 1))
    category = ServiceCategoryFactory(name="献爱心送温暖")
    jan_1 = datetime.date(2018, 1, 1)
    members = {
        "A": MemberFactory(team=team, name="甲", registered_on=jan_1),
        "B": MemberFactory(team=team, name="乙", registered_on=jan_1),
        "C": MemberFactory(team=team, name="丙", registered_on=datetime.date(2018, 7, 10)),
        "D": MemberFactory(
            team=team, name="丁", registered_on=jan_1, left_on=datetime.date(2018, 3, 15)
        ),
    }

    def activity(key, start, hours, participants, end=None, status=None, **outcomes):
        fields = {
            "team": team,
            "category": category,
            "title": key,
            "start_date": start,
            "end_date": end or start,
            "hours": D(hours),
            **outcomes,
        }
        made = approved(**fields) if status is None else ActivityFactory(status=status, **fields)
        for member_key, member_hours in participants.items():
            ParticipationFactory(activity=made, member=members[member_key], hours=D(member_hours))
        return made

    activities = {
        "a1": activity(
            "a1",
            datetime.date(2018, 3, 5),
            "4.0",
            {"A": "4.0", "B": "2.5", "D": "4.0"},
            people_reached=30,
            materials_distributed=100,
            households_visited=5,
        ),
        "a2": activity(
            "a2",
            datetime.date(2018, 3, 20),
            "3.5",
            {"A": "3.5", "B": "3.5"},
            people_reached=12,
            donation_yuan=D("500.00"),
        ),
        "a3": activity(
            "a3",
            datetime.date(2018, 7, 30),
            "12.0",
            {"A": "12.0", "B": "8.0", "C": "10.5"},
            end=datetime.date(2018, 8, 1),
            people_reached=50,
            materials_distributed=200,
            households_visited=16,
            donation_yuan=D("2500.00"),
        ),
        "a4": activity(
            "a4",
            datetime.date(2018, 3, 10),
            "2.0",
            {"A": "2.0"},
            status=ActivityStatus.DRAFT,
            people_reached=100,
        ),
        "a5": activity(
            "a5", datetime.date(2018, 7, 15), "3.0", {"C": "3.0"}, status=ActivityStatus.SUBMITTED
        ),
        "a6": activity(
            "a6", datetime.date(2018, 8, 5), "5.0", {"B": "5.0"}, status=ActivityStatus.RETURNED
        ),
        "a7": activity(
            "a7",
            datetime.date(2019, 5, 12),
            "2.0",
            {"A": "2.0", "C": "1.5"},
            people_reached=8,
            materials_distributed=40,
            donation_yuan=D("100.50"),
        ),
    }
    # Another team, same month: must not be counted.
    other = approved(
        team=TeamFactory(), category=category, start_date=datetime.date(2018, 3, 5), hours=D("6")
    )
    ParticipationFactory(activity=other, hours=D("6"))
    return HandWorked(team=team, members=members, activities=activities)
