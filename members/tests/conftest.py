"""What the members' tests share: a small roster."""

from __future__ import annotations

import datetime

import pytest

from members.models import CadreRank, Gender
from members.tests.factories import MemberFactory


@pytest.fixture
def roster(personas):
    """Three members of our team besides the volunteer, one of another team."""
    team = personas.team
    return {
        "county": MemberFactory(
            team=team,
            volunteer_number="A001",
            name="扎西顿珠",
            is_party_member=True,
            cadre_rank=CadreRank.COUNTY,
            phone="13900000001",
        ),
        "worker": MemberFactory(
            team=team,
            volunteer_number="A002",
            name="李红",
            gender=Gender.FEMALE,
            is_party_member=False,
            cadre_rank=CadreRank.WORKER,
            phone="13900000002",
        ),
        "left": MemberFactory(
            team=team,
            volunteer_number="A003",
            name="王离开",
            cadre_rank=CadreRank.SECTION,
            phone="13900000003",
            left_on=datetime.date(2018, 6, 30),
        ),
        "elsewhere": MemberFactory(
            team=personas.other_team, volunteer_number="B001", name="别队队员"
        ),
    }
