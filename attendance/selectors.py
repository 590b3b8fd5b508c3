"""Reads for attendance: an occurrence's sheet, and sign-ups against attendance per member
for the monthly review (docs/domain.md § Attendance)."""

from __future__ import annotations

import datetime
from calendar import monthrange
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from attendance.models import Attendance
from attendance.services import PersonHours, hours_of, occurrence_hours
from members.models import Member
from planning.models import Occurrence, OccurrenceStatus
from signups.models import SignUp, SignUpStatus
from volunteer_site.names import person_name


@dataclass
class SheetRow:
    user: object
    name: str
    member: Member | None
    signed_up: bool
    attendance: Attendance | None
    hours: PersonHours | None

    @property
    def no_show(self) -> bool:
        return self.signed_up and self.attendance is None


def sheet_rows(occurrence: Occurrence) -> list[SheetRow]:
    """Everyone signed up (confirmed) and everyone present, by name; three queries."""
    signed = {
        s.user_id: s.user
        for s in SignUp.objects.filter(
            occurrence=occurrence, status=SignUpStatus.CONFIRMED
        ).select_related("user")
    }
    present = {
        a.user_id: a
        for a in Attendance.objects.filter(occurrence=occurrence).select_related(
            "user", "marked_by"
        )
    }
    users = signed | {user_id: a.user for user_id, a in present.items()}
    members = {
        m.user_id: m
        for m in Member.objects.filter(
            team_id=occurrence.planned_activity.team_id, user_id__in=list(users)
        )
    }
    cap = occurrence_hours(occurrence)
    rows = []
    for user_id, user in users.items():
        member = members.get(user_id)
        attendance = present.get(user_id)
        rows.append(
            SheetRow(
                user=user,
                name=member.name if member else person_name(user),
                member=member,
                signed_up=user_id in signed,
                attendance=attendance,
                hours=hours_of(attendance, cap=cap) if attendance else None,
            )
        )
    rows.sort(key=lambda row: (row.attendance is None, row.name))
    return rows


@dataclass(frozen=True)
class Turnout:
    signed_up: int = 0
    attended: int = 0
    no_shows: int = 0


def _count(queryset) -> Coalesce:
    counted = queryset.order_by().values("user_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def turnout_by_member(team, year: int, month: int, *, now: datetime.datetime) -> dict[int, Turnout]:
    """Per member of ``team`` with a login: confirmed sign-ups, attendances and no-shows
    at the team's occurrences of the month that took place (not cancelled, ended by
    ``now``). A no-show is a confirmed sign-up without attendance. One query."""
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, monthrange(year, month)[1])
    took_place = Occurrence.objects.filter(
        planned_activity__team=team, date__range=(first, last), ends_at__lte=now
    ).exclude(status=OccurrenceStatus.CANCELLED)
    signups = SignUp.objects.filter(
        user_id=OuterRef("user_id"),
        status=SignUpStatus.CONFIRMED,
        occurrence__in=took_place,
    )
    attendances = Attendance.objects.filter(user_id=OuterRef("user_id"), occurrence__in=took_place)
    absent = signups.exclude(
        Exists(
            Attendance.objects.filter(
                occurrence_id=OuterRef("occurrence_id"), user_id=OuterRef("user_id")
            )
        )
    )
    rows = (
        Member.objects.filter(team=team, user__isnull=False)
        .annotate(signed_n=_count(signups), attended_n=_count(attendances), absent_n=_count(absent))
        .values_list("pk", "signed_n", "attended_n", "absent_n")
    )
    return {pk: Turnout(signed, attended, absent) for pk, signed, attended, absent in rows}
