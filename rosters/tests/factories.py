"""A nightly patrol over whole weeks, and duty groups of members with logins."""

from __future__ import annotations

import datetime

from django.utils import timezone

from members.tests.factories import MemberFactory
from planning.models import Occurrence, PlannedActivity
from planning.tests.factories import planned_of
from rosters.models import DutyGroup, DutyGroupMember
from teams.tests.factories import UserFactory


def next_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


def patrol(team, *, first: datetime.date, days: int = 7, **fields) -> PlannedActivity:
    """A daily 20:00–24:00 patrol with an occurrence on each of ``days`` days from ``first``."""
    planned = planned_of(team, first_date=first, **fields)
    for offset in range(days):
        day = first + datetime.timedelta(days=offset)
        starts_at, ends_at = planned.bounds(day)
        Occurrence.objects.create(
            planned_activity=planned, date=day, starts_at=starts_at, ends_at=ends_at
        )
    return planned


def member_with_login(team, **fields):
    return MemberFactory(team=team, user=UserFactory(), **fields)


def group_of(team, name: str, size: int, *, position: int = 0) -> DutyGroup:
    """A group of ``size`` new members with logins, named 1号…"""
    group = DutyGroup.objects.create(team=team, name=name, position=position)
    for n in range(size):
        member = member_with_login(team, name=f"{name}{n + 1}号")
        DutyGroupMember.objects.create(group=group, member=member)
    return group


def four_groups(team, size: int = 2) -> list[DutyGroup]:
    names = ["第一组", "第二组", "第三组", "第四组"]
    return [group_of(team, name, size, position=i) for i, name in enumerate(names)]


def object_for_permissions(name: str, kind: str, personas) -> dict:
    """The address arguments of a rosters URL for the permission matrix: a group, a
    recurring planned activity, the volunteer's own duty, or a swap asked of them."""
    from rosters.models import SwapRequest
    from signups.services import assign

    team = personas.team
    if kind == "duty_group":
        return {"slug": team.slug, "pk": group_of(team, "第一组", 1).pk}
    planned = patrol(team, first=next_monday(), days=2)
    if kind == "roster_planned":
        return {"slug": team.slug, "pk": planned.pk}
    first, second = planned.occurrences.order_by("date")
    assign(first, personas.volunteer, by=None)
    if kind == "my_duty":
        return {"pk": first.pk}
    asking = member_with_login(team, name="请求者")
    assign(second, asking.user, by=None)
    swap = SwapRequest.objects.create(
        occurrence=second, requester=asking, partner=personas.volunteer_member
    )
    if name == "rosters:swap_agree":
        return {"pk": swap.pk}
    return {"slug": team.slug, "pk": swap.pk}
