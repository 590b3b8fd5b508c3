"""The hand-worked service of one volunteer (docs/domain.md § Entities,
Service-record certificates), used by the service, PDF and view tests.

志愿者甲 of our-team, period 2026-01-01..2026-06-30:
  counts   2026-03-05 入户走访慰问   扶贫帮困   approved   4.0 h of 4.0
  counts   2026-05-10..12 下乡义诊  科教文卫   approved   7.5 h of 12.0
  no       2026-04-01 草稿的活动                 draft      3.0 h
  no       2026-04-15 退回的活动                 returned   2.0 h
  no       2025-12-20 before the period          approved   5.0 h
  no       2026-07-01 after the period           approved   6.0 h
= 2 activities, 11.5 hours.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import ActivityStatus
from activities.tests.factories import ParticipationFactory
from teams.tests.factories import ServiceCategoryFactory

PERIOD = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))


def _took_part(member, day, title, category, status, hours, member_hours=None, end=None):
    return ParticipationFactory(
        member=member,
        activity__team=member.team,
        activity__title=title,
        activity__category=category,
        activity__status=status,
        activity__approved_at=timezone.now() if status == ActivityStatus.APPROVED else None,
        activity__start_date=day,
        activity__end_date=end or day,
        activity__hours=Decimal(hours),
        hours=Decimal(member_hours or hours),
    )


@pytest.fixture
def service(personas):
    member = personas.volunteer_member
    poverty = ServiceCategoryFactory(name="扶贫帮困")
    health = ServiceCategoryFactory(name="科教文卫")
    approved = ActivityStatus.APPROVED
    d = datetime.date
    _took_part(member, d(2026, 3, 5), "入户走访慰问", poverty, approved, "4.0")
    _took_part(
        member, d(2026, 5, 10), "下乡义诊", health, approved, "12.0", "7.5", end=d(2026, 5, 12)
    )
    _took_part(member, d(2026, 4, 1), "草稿的活动", poverty, ActivityStatus.DRAFT, "3.0")
    _took_part(member, d(2026, 4, 15), "退回的活动", poverty, ActivityStatus.RETURNED, "2.0")
    _took_part(member, d(2025, 12, 20), "期前的活动", poverty, approved, "5.0")
    _took_part(member, d(2026, 7, 1), "期后的活动", poverty, approved, "6.0")
    return member
