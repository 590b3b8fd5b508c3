"""Reads for the roster pages (docs/domain.md § Duty rosters): the ISO week in the
address, a planned activity's week as days × (group, people, free places), and a
volunteer's duties for this and next week."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from members.models import Member
from planning.models import Occurrence, OccurrenceStatus, PlannedActivity
from rosters.models import DutyGroup, DutyGroupMember
from signups.models import SignUp, SignUpStatus
from volunteer_site.names import pinyin_key

ONE_DAY = datetime.timedelta(days=1)
WEEK_TEXT = re.compile(r"([0-9]{4})-W([0-9]{2})", re.ASCII)
ONE_OFF = re.compile(r"(^|;)COUNT=1(;|$)")


def is_recurring(planned: PlannedActivity) -> bool:
    """Whether a planned activity repeats (a roster is for those)."""
    return bool(planned.rule) and not ONE_OFF.search(planned.rule.upper())


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def week_parse(text: str | None) -> datetime.date | None:
    """The Monday of an ISO week written ``2026-W49`` (full-width digits are read as
    digits); None for anything else (NaN, 2026-W99, a 5,000-digit year)."""
    if not text or len(text) > 20:
        return None
    match = WEEK_TEXT.fullmatch(unicodedata.normalize("NFKC", text).strip().upper())
    if match is None:
        return None
    try:
        return datetime.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None


def week_label(monday: datetime.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class RosterPerson:
    user_id: int
    name: str
    member_pk: int | None
    group_name: str
    signup: SignUp
    is_me: bool = False


@dataclass
class RosterDay:
    date: datetime.date
    occurrence: Occurrence | None = None
    group: DutyGroup | None = None
    confirmed: list[RosterPerson] = field(default_factory=list)
    waiting: list[RosterPerson] = field(default_factory=list)
    capacity: int | None = None

    @property
    def free_places(self) -> int | None:
        """Capacity − confirmed (never below 0: the team may assign beyond it); None
        when the planned activity has no limit."""
        if self.capacity is None or self.occurrence is None:
            return None
        return max(self.capacity - len(self.confirmed), 0)

    @property
    def is_open(self) -> bool:
        """Whether the team may still change the list (scheduled, not ended)."""
        occurrence = self.occurrence
        return (
            occurrence is not None
            and occurrence.status == OccurrenceStatus.SCHEDULED
            and occurrence.ends_at > timezone.now()
        )


def _people(signups, *, me_user_id: int | None) -> tuple[list, list]:
    confirmed, waiting = [], []
    for signup in signups:
        member = getattr(signup.user, "member", None)
        membership = getattr(member, "duty_group_membership", None) if member else None
        person = RosterPerson(
            user_id=signup.user_id,
            name=member.name if member else signup.user.get_username(),
            member_pk=member.pk if member else None,
            group_name=membership.group.name if membership else "",
            signup=signup,
            is_me=signup.user_id == me_user_id,
        )
        (confirmed if signup.status == SignUpStatus.CONFIRMED else waiting).append(person)
    return confirmed, waiting


def _with_lists(occurrences):
    on_list = (
        SignUp.objects.filter(status__in=[SignUpStatus.CONFIRMED, SignUpStatus.WAITING])
        .select_related("user__member__duty_group_membership__group")
        .order_by("requested_at", "pk")
    )
    return occurrences.select_related("duty_shift__group", "planned_activity").prefetch_related(
        Prefetch("signups", queryset=on_list, to_attr="on_list")
    )


def _day(occurrence: Occurrence, *, me_user_id: int | None = None) -> RosterDay:
    confirmed, waiting = _people(occurrence.on_list, me_user_id=me_user_id)
    shift = getattr(occurrence, "duty_shift", None)
    return RosterDay(
        date=occurrence.date,
        occurrence=occurrence,
        group=shift.group if shift else None,
        confirmed=confirmed,
        waiting=waiting,
        capacity=occurrence.planned_activity.capacity,
    )


def roster_week(planned: PlannedActivity, monday: datetime.date) -> list[RosterDay]:
    """The seven days from ``monday``: each with its occurrence (if the activity falls
    on it), the group on duty, who is confirmed and waiting, and the free places. A
    fixed number of queries, whatever the number of people."""
    occurrences = _with_lists(
        Occurrence.objects.filter(
            planned_activity=planned, date__gte=monday, date__lt=monday + 7 * ONE_DAY
        )
    )
    by_date = {occurrence.date: occurrence for occurrence in occurrences}
    days = []
    for offset in range(7):
        day = monday + offset * ONE_DAY
        if day in by_date:
            days.append(_day(by_date[day]))
        else:
            days.append(RosterDay(date=day))
    return days


def my_duties(member: Member, *, now: datetime.datetime | None = None) -> list[RosterDay]:
    """The volunteer's team's recurring duties that have not ended, from today to the
    end of next week (published planned activities, occurrences not cancelled), each
    with its list; the volunteer's own marked."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    until = monday_of(today) + 13 * ONE_DAY
    occurrences = _with_lists(
        Occurrence.objects.filter(
            planned_activity__team_id=member.team_id,
            planned_activity__is_published=True,
            date__lte=until,
            ends_at__gt=now,
        )
        .exclude(status=OccurrenceStatus.CANCELLED)
        .exclude(Q(planned_activity__rule="") | Q(planned_activity__rule__iregex=ONE_OFF.pattern))
        .order_by("starts_at", "pk")
    )
    return [_day(occurrence, me_user_id=member.user_id) for occurrence in occurrences]


def team_groups(team) -> list[DutyGroup]:
    """The team's groups in rotation order, each with its members in pinyin order
    (``rows``)."""
    rows = DutyGroupMember.objects.select_related("member")
    groups = list(
        DutyGroup.objects.filter(team=team).prefetch_related(
            Prefetch("members", queryset=rows, to_attr="rows")
        )
    )
    for group in groups:
        group.rows.sort(key=lambda row: (pinyin_key(row.member.name), row.member_id))
    return groups
