"""A member's service record (志愿服务记录): the approved activities they took part in.

Read by the volunteer's own page (我的服务记录, ``members.views.my_record``) and by the
per-person export (``members.exports``), which list the same rows with the same
columns: the date, the activity's name, its service category, the place, the
member's own role and hours, and the unit that organised it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.db.models.functions import ExtractYear

from activities.models import Activity, Participation
from members.models import Member


def approved_records(member: Member, *, year: int | None = None) -> QuerySet[Participation]:
    """The member's participations in approved activities, of ``year`` (by the
    activity's start date) or of every year when ``year`` is None."""
    records = (
        Participation.objects.approved()
        .filter(member=member)
        .select_related("activity", "activity__category")
    )
    if year is not None:
        records = records.filter(activity__start_date__year=year)
    return records


def record_years(member: Member, *, this_year: int) -> list[int]:
    """The years the member has approved records in, and this year, latest first."""
    years = set(
        approved_records(member)
        .values_list(ExtractYear("activity__start_date"), flat=True)
        .order_by()
        .distinct()
    )
    return sorted(years | {this_year}, reverse=True)


def organising_unit(activity: Activity, team_name: str) -> str:
    """The unit that organised the activity (组织单位): the team itself when none is named."""
    return activity.organiser or team_name


@dataclass(frozen=True)
class RecordRow:
    """One line of a service record, as the page and the export show it."""

    start_date: datetime.date
    end_date: datetime.date
    title: str
    category: str
    place: str
    role: str  # the member's own role, in words (组织者 / 参与者)
    hours: Decimal  # the member's own hours
    organising_unit: str


def record_row(participation: Participation, *, team_name: str, role: str) -> RecordRow:
    activity = participation.activity
    return RecordRow(
        start_date=activity.start_date,
        end_date=activity.end_date,
        title=activity.title,
        category=activity.category.name,
        place=activity.place,
        role=role,
        hours=participation.hours,
        organising_unit=organising_unit(activity, team_name),
    )
