"""A volunteer's own service record (我的服务记录): one year against the target, then the
approved activities they took part in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from activities.models import MemberYearFigures
from compliance.standing import MemberStatus, StandingWindow, member_standing
from members.models import Member
from records import service_records as records
from teams.access import roles_for

ALL_YEARS = "all"


@login_required
def my_record(request: HttpRequest) -> HttpResponse:
    """A volunteer's own service record: one year against the target (this year unless
    ``?year=`` names another year with records, or ``all``), then the approved
    activities they took part in that year (or in every year).

    A year's figures come from the summary table (``MemberYearFigures``) and the
    rules from ``compliance.standing``: for this year with the current month as
    the review month (year to date, this month included), for an earlier year at its
    end (met or not met). All years together are counted from the records.
    """
    member = roles_for(request.user).member
    if member is None:
        raise Http404
    team = member.team
    today = timezone.localdate()
    years = records.record_years(member, this_year=today.year)
    asked = request.GET.get("year", "")
    selected: int | None = today.year
    if asked == ALL_YEARS:
        selected = None
    elif asked in {str(year) for year in years}:
        selected = int(asked)
    elif asked:
        # A year without records, or not a year at all: this year, and say so.
        messages.warning(
            request,
            _("There is no service record for the year you asked for; here is this year's."),
        )
    approved = records.approved_records(member)
    shown = records.approved_records(member, year=selected).order_by(
        "-activity__start_date", "-activity__pk"
    )
    rows = [
        records.record_row(record, team_name=team.name, role=record.get_role_display())
        for record in shown
    ]
    context = {
        "member": member,
        "team": team,
        "years": years,
        "selected": selected,
        "rows": rows,
        "records": shown,
        "standing": None,
        "all_time": approved.aggregate(count=Count("pk"), hours=Sum("hours")),
    }
    if selected is not None:
        context.update(_year_figures(member, selected, today))
    return render(request, "records/my_record.html", context)


def _year_figures(member: Member, year: int, today) -> dict:
    """The member's standing in ``year``: so far for this year, at its end for another."""
    # The time shown is the team's last recompute: the rows carry no time of their own.
    figures = (
        MemberYearFigures.objects.filter(member=member, year=year)
        .annotate(team_computed_at=F("team__figures_state__computed_at"))
        .first()
    )
    year_over = year < today.year
    month = 12 if year_over else today.month
    standing = member_standing(member, StandingWindow.at(year, month, today=today))
    status_label = MemberStatus(standing.status).label if standing else None
    if year_over and standing and standing.status == MemberStatus.BEHIND:
        # Not "behind" in a year that is over: the target was simply not met.
        status_label = pgettext("a year's target", "not met")
    return {
        "year": year,
        "year_over": year_over,
        "standing": standing,
        "status_label": status_label,
        "computed_at": figures.team_computed_at if figures else None,
    }
