"""The volunteer's own page: the year so far against the target, and their activities.

"Today" is fixed at 15 July 2026 (Shanghai); the review month is the current one,
so the year to date includes July.
"""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import ActivityStatus
from activities.stats import team_figures_recompute
from activities.tests.factories import ActivityFactory, ParticipationFactory
from compliance.standing import MemberStatus

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def july_2026(monkeypatch):
    instant = datetime.datetime(2026, 7, 15, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Shanghai
    monkeypatch.setattr(timezone, "now", lambda: instant)


def took_part(member, day, hours="2.5", *, status=ActivityStatus.APPROVED, title=None):
    activity = ActivityFactory(
        team=member.team,
        start_date=day,
        hours=Decimal(hours),
        status=status,
        approved_at=timezone.now() if status == ActivityStatus.APPROVED else None,
        title=title or f"{day:%m%d}活动",
    )
    ParticipationFactory(activity=activity, member=member, hours=Decimal(hours))
    return activity


def my_page(personas):
    client = Client()
    client.force_login(personas.volunteer)
    response = client.get(reverse("members:my_record"))
    assert response.status_code == 200
    return response


def test_a_member_all_year_who_is_behind(personas, july_2026):
    member = personas.volunteer_member  # registered since 2016: target 10
    took_part(member, D(2025, 12, 20), title="去年的活动")
    took_part(member, D(2026, 1, 10))
    took_part(member, D(2026, 3, 10))
    took_part(member, D(2026, 7, 14), hours="4")
    took_part(member, D(2026, 7, 1), status=ActivityStatus.SUBMITTED, title="待审核活动")
    team_figures_recompute(team_id=member.team_id)

    response = my_page(personas)
    standing = response.context["standing"]
    # 3 approved in 2026 (January, March, July), 2.5 + 2.5 + 4 = 9.0 hours.
    # July: floor(10 × 7 / 12) = floor(5.83) = 5 due; 3 < 5 → 落后.
    assert (standing.ytd_count, standing.ytd_hours) == (3, Decimal("9.0"))
    assert (standing.target, standing.expected, standing.status) == (10, 5, MemberStatus.BEHIND)
    html = response.content.decode()
    assert 'id="my-status">落后<' in html
    assert 'id="my-target">10<' in html
    # The list: every approved activity, last year's too, not the one awaiting approval.
    titles = [record.activity.title for record in response.context["records"]]
    assert titles == ["0714活动", "0310活动", "0110活动", "去年的活动"]
    assert "待审核活动" not in html


def test_a_member_who_joined_in_july(personas, july_2026):
    member = personas.volunteer_member
    member.registered_on = D(2026, 7, 1)
    member.save()
    took_part(member, D(2026, 7, 14))
    team_figures_recompute(team_id=member.team_id)

    standing = my_page(personas).context["standing"]
    # July–December: 6 months → ceil(10 × 6 / 12) = 5; by July 1 of 6 months has
    # passed: floor(5 × 1 / 6) = 0 due; 1 done → 进度正常.
    assert (standing.months_in_year, standing.target, standing.expected) == (6, 5, 0)
    assert (standing.ytd_count, standing.status) == (1, MemberStatus.ON_TRACK)
    assert "按注册6个月折算" in my_page(personas).content.decode()


def test_a_member_who_has_met_the_target(personas, july_2026):
    member = personas.volunteer_member
    for month in range(1, 7):
        took_part(member, D(2026, month, 3))
        took_part(member, D(2026, month, 17))
    team_figures_recompute(team_id=member.team_id)
    standing = my_page(personas).context["standing"]
    assert (standing.ytd_count, standing.status) == (12, MemberStatus.MET)


def test_no_figures_yet_means_none_so_far(personas, july_2026):
    response = my_page(personas)
    standing = response.context["standing"]
    assert (standing.ytd_count, standing.target, standing.status) == (0, 10, MemberStatus.NONE)
    assert "未参加" in response.content.decode()


def test_a_member_not_registered_this_year_has_no_target(personas, july_2026):
    member = personas.volunteer_member
    member.left_on = D(2025, 12, 31)
    member.save()
    response = my_page(personas)
    assert response.context["standing"] is None
    assert "本年没有目标" in response.content.decode()
