"""The members' yearly rule (docs/domain.md § Rules): each member takes part in at least
``min_participations_per_member_year`` approved activities a calendar year.

One definition, in SQL, for every page that judges members: the monthly review (one
team), the region overview (the share of each team's members in good standing, for
thousands of teams in one statement), the reminders and the volunteer's own record.
``members_with_standing`` annotates a queryset of members with their year:

* **listed**: registered at least one day of the year up to the end of the month
  judged (nobody is judged for a year they were never in, or before they joined);
* **target**: the yearly target pro-rated by the months of the year the member is
  registered (at least one day), rounded up: joined in July, 6 months, ceil(10 × 6 /
  12) = 5;
* **expected** (due by now): target × the member's registered months that have
  *ended* by the month judged / their registered months in the year, rounded down. A
  month counts only once it is over: on 3 December a member registered all year is
  judged on floor(10 × 11 / 12) = 9;
* **ytd_count**: their approved participations from January to the month judged;
* **status**: 已达标 (ytd ≥ target), else 未参加 (none yet), else 进度正常 (ytd ≥
  expected), else 落后.

The participations come from the summary table (``MemberYearFigures``: a member's
participations by month), so the rule never reads the activities themselves.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Case, F, FilteredRelation, IntegerField, Q, QuerySet, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, ExtractMonth, Greatest, Least
from django.utils.translation import gettext_lazy as _

from compliance.months import month_end


class MemberStatus(models.TextChoices):
    """A member's standing against the year's target at the month judged."""

    MET = "met", _("target met")  # 已达标
    ON_TRACK = "on_track", _("on track")  # 进度正常
    BEHIND = "behind", _("behind")  # 落后
    NONE = "none", _("none yet")  # 未参加


# "Behind first": the members who need a word from the secretary lead the list.
STATUS_ORDER = {
    MemberStatus.BEHIND: 0,
    MemberStatus.NONE: 1,
    MemberStatus.ON_TRACK: 2,
    MemberStatus.MET: 3,
}
NEEDS_REMINDER = {MemberStatus.BEHIND, MemberStatus.NONE}
IN_GOOD_STANDING = {MemberStatus.MET, MemberStatus.ON_TRACK}


@dataclass(frozen=True)
class StandingWindow:
    """Which part of a year members are judged on.

    ``month``: members registered by its end are listed, and their participations up
    to its end count. ``months_over``: how many months of the year have ended by then
    (the pace counts only those).
    """

    year: int
    month: int
    months_over: int

    @classmethod
    def at(cls, year: int, month: int, *, today: datetime.date) -> StandingWindow:
        """Judged at the end of ``month`` as seen ``today``: a month not yet over (the
        current one) does not count towards the pace."""
        if (year, month) < (today.year, today.month):
            over = month
        elif year == today.year:
            over = today.month - 1
        else:
            over = 0
        return cls(year, month, max(0, min(month, over)))


def registered_month_span(
    registered_on: datetime.date, left_on: datetime.date | None, year: int
) -> tuple[int, int] | None:
    """The first and last month of ``year`` in which the member is registered at least
    one day (``left_on`` is the last day of membership), or None: what
    ``members_with_standing`` computes in SQL as ``first_month`` and ``last_month``,
    for code that must tell in Python whether a change of dates alters a year."""
    if registered_on.year > year or (left_on is not None and left_on.year < year):
        return None
    first = 1 if registered_on.year < year else registered_on.month
    last = 12 if left_on is None or left_on.year > year else left_on.month
    return first, last


def month_of(field_name: str):
    # EXTRACT gives a numeric on PostgreSQL 14+: cast, so the divisions below are
    # integer divisions (rounding down) on both databases.
    return Cast(ExtractMonth(field_name), IntegerField())


def _month_participations(index: int):
    """The member's participations in the month at ``index`` (0 = January) of their
    year's row; 0 without a row."""
    return Coalesce(
        Cast(KeyTextTransform(str(index), "that_year__monthly_participations"), IntegerField()),
        Value(0),
    )


def _participations_to(month: int):
    """The member's participations of January to ``month`` from their year's row (0
    without a row): the first ``month`` entries of its monthly list, or, from July on,
    the year's total less the months after (at most six entries either way: at
    province scale each is read for every member of every team listed)."""
    if month <= 6:
        return sum((_month_participations(index) for index in range(month)), Value(0))
    total = Coalesce(F("that_year__participations"), Value(0))
    return total - sum((_month_participations(index) for index in range(month, 12)), Value(0))


def members_with_standing(
    members: QuerySet, window: StandingWindow, *, annual_target: int | F
) -> QuerySet:
    """The listed ``members`` (a Member queryset) annotated with ``target``,
    ``expected``, ``ytd_count``, ``status`` (a ``MemberStatus`` value) and their
    year's row as ``that_year`` (``that_year__monthly_participations``, …).

    ``annual_target`` is the team's yearly rule: a number for one team, or an
    expression such as ``F("team__min_participations_per_member_year")`` across teams.
    """
    year = window.year
    jan_1, dec_31 = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    first = Case(When(registered_on__lt=jan_1, then=Value(1)), default=month_of("registered_on"))
    last = Case(
        When(Q(left_on__isnull=True) | Q(left_on__gt=dec_31), then=Value(12)),
        default=month_of("left_on"),
    )
    if not isinstance(annual_target, F):
        annual_target = Value(int(annual_target))
    return (
        members.registered_in_period(jan_1, month_end(year, window.month))
        .annotate(
            that_year=FilteredRelation("year_figures", condition=Q(year_figures__year=year)),
            first_month=first,
            last_month=last,
        )
        .annotate(
            months_in_year=F("last_month") - F("first_month") + Value(1),
            months_counted=Greatest(
                Least(F("last_month"), Value(window.months_over)) - F("first_month") + Value(1),
                Value(0),
            ),
            ytd_count=_participations_to(window.month),
        )
        # ceil(yearly target × registered months / 12)
        .annotate(target=(annual_target * F("months_in_year") + Value(11)) / Value(12))
        .annotate(expected=F("target") * F("months_counted") / F("months_in_year"))
        .annotate(
            status=Case(
                When(ytd_count__gte=F("target"), then=Value(MemberStatus.MET.value)),
                When(ytd_count=0, then=Value(MemberStatus.NONE.value)),
                When(ytd_count__gte=F("expected"), then=Value(MemberStatus.ON_TRACK.value)),
                default=Value(MemberStatus.BEHIND.value),
                output_field=models.CharField(),
            )
        )
    )


def member_standing(member, window: StandingWindow):
    """One member's year (the annotated member, with ``ytd_hours`` too), or None when
    they are not listed in the window."""
    from members.models import Member

    found = (
        members_with_standing(
            Member.objects.filter(pk=member.pk),
            window,
            annual_target=member.team.min_participations_per_member_year,
        )
        .annotate(monthly_hours=F("that_year__monthly_hours"))
        .first()
    )
    if found is not None:
        hours = (found.monthly_hours or [])[: window.month]
        found.ytd_hours = sum((Decimal(h) for h in hours), Decimal("0"))
    return found


def share_in_good_standing(good: int, listed: int) -> Decimal | None:
    """Percentage of members 已达标 or 进度正常, one decimal; None (shown "—") if none."""
    if not listed:
        return None
    return (Decimal(100 * good) / listed).quantize(Decimal("0.1"), ROUND_HALF_UP)


def format_share(share: Decimal | None) -> str:
    return "—" if share is None else f"{share}%"
