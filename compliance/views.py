"""The monthly compliance review (月度审核): list, review page, sign-off, workbook, print.

Access (teams/access.py): the team's staff and secretary and an admin of its
region read; only the secretary signs off. The figures come from the summary
tables through ``review_data.review_load``, so every page here makes the same
number of queries whatever the team's size.
"""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from activities.models import Activity, ActivityStatus, MonthlyReview
from attendance.selectors import turnout_by_member
from compliance import months, review_data, reviews, standing
from compliance.export import review_workbook
from compliance.forms import ReviewFilterForm, ReviewSignForm
from teams.access import roles_for, team_for_reader, team_for_secretary
from teams.models import Team, TeamRole
from volunteer_site.audit import audit
from volunteer_site.models import AuditAction

RECENT_MONTHS = 12


def _check_month(team: Team, year: int, month: int, today: datetime.date) -> None:
    """404 for a month that cannot be reviewed: not a month, in the future, or before
    the team was founded."""
    if not 1 <= month <= 12 or (year, month) > (today.year, today.month):
        raise Http404
    if months.before_founding(year, month, team.founded_on):
        raise Http404


def _tabs(user, team: Team) -> dict:
    role = roles_for(user).role_on(team)
    awaiting = None
    if role == TeamRole.Role.SECRETARY:
        awaiting = Activity.objects.filter(team=team, status=ActivityStatus.SUBMITTED).count()
    return {"team": team, "role": role, "awaiting_count": awaiting, "tab": "reviews"}


def _ended_months(team: Team, today: datetime.date, count: int) -> list[tuple[int, int]]:
    """The last ``count`` months that are over, newest first, none before founding."""
    ended = []
    year, month = months.default_review_month(today)
    while len(ended) < count and not months.before_founding(year, month, team.founded_on):
        ended.append((year, month))
        year, month = months.previous_month(year, month)
    return ended


@login_required
@require_safe
def review_list(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_reader(request.user, slug)
    today = timezone.localdate()
    signed = list(
        MonthlyReview.objects.filter(team=team)
        .select_related("signed_by")
        .order_by("-year", "-month")
    )
    signed_months = {(review.year, review.month) for review in signed}
    unsigned = [
        {"year": year, "month": month, "title": months.month_title(year, month)}
        for year, month in _ended_months(team, today, RECENT_MONTHS)
        if (year, month) not in signed_months
    ]
    for review in signed:
        month_figures = (review.snapshot.get("months") or [{}] * 12)[review.month - 1]
        review.title = months.month_title(review.year, review.month)
        review.activities = month_figures.get("activities")
        review.month_met = month_figures.get("state") == months.MonthState.MET
    return render(
        request,
        "compliance/review_list.html",
        {**_tabs(request.user, team), "reviews": signed, "unsigned": unsigned},
    )


@login_required
@require_safe
def review_default(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_reader(request.user, slug)
    year, month = months.default_review_month(timezone.localdate())
    return redirect("compliance:review", slug=team.slug, year=year, month=month)


def _review_context(team: Team, year: int, month: int, today: datetime.date) -> dict:
    """The figures to show (frozen when signed) and, when they differ, the current ones."""
    _check_month(team, year, month, today)
    review = (
        MonthlyReview.objects.filter(team=team, year=year, month=month)
        .select_related("signed_by")
        .first()
    )
    live = review_data.review_load(team, year, month, today=today)
    shown = review_data.ReviewData.from_snapshot(review.snapshot) if review else live
    changed_since = review is not None and (
        review.changed_after_signoff
        or review.snapshot.get("fingerprint") != live.to_snapshot()["fingerprint"]
    )
    return {
        "year": year,
        "month": month,
        "review": review,
        "changes": reviews.change_lines(review) if review else [],
        "live": live,
        "shown": shown,
        "changed_since": changed_since,
        "differences": _differences(shown, live) if changed_since else None,
        "month_over": (year, month) < (today.year, today.month),
        "title": months.month_title(year, month),
        "month_labels": [(m, months.month_label(m)) for m in range(1, month + 1)],
    }


def _differences(frozen: review_data.ReviewData, live: review_data.ReviewData) -> dict:
    """What the current figures say differently from the signed ones."""
    fields = [
        ("activities", _("Activities held")),
        ("activity_hours", _("Activity hours")),
        ("participant_times", _("Participant-times")),
        ("person_hours", _("Person-hours")),
    ]
    month = [
        (label, getattr(frozen.review_month, name), getattr(live.review_month, name))
        for name, label in fields
    ]
    month.append(
        (_("Members on track"), frozen.share_on_track_display, live.share_on_track_display)
    )
    month.append((_("Months met so far"), frozen.months_met_display, live.months_met_display))
    before = {row.member_id: row for row in frozen.members}
    now = {row.member_id: row for row in live.members}
    members = []
    for member_id in sorted(before.keys() | now.keys()):
        old, new = before.get(member_id), now.get(member_id)
        same = (
            old is not None
            and new is not None
            and (old.ytd_count, old.ytd_hours, old.target, old.status)
            == (new.ytd_count, new.ytd_hours, new.target, new.status)
        )
        if not same:
            members.append({"row": new or old, "before": old, "now": new})
    members.sort(key=lambda item: item["row"].number)
    return {"month": [line for line in month if line[1] != line[2]], "members": members}


def _neighbours(team: Team, year: int, month: int, today: datetime.date) -> dict:
    previous = months.previous_month(year, month)
    following = months.next_month(year, month)
    return {
        "previous": None if months.before_founding(*previous, team.founded_on) else previous,
        "next": following if following <= (today.year, today.month) else None,
    }


@login_required
@require_safe
def review_detail(request: HttpRequest, slug: str, year: int, month: int) -> HttpResponse:
    team = team_for_reader(request.user, slug)
    today = timezone.localdate()
    _check_month(team, year, month, today)
    return render(
        request,
        "compliance/review_detail.html",
        _review_detail_context(request, team, year, month, today),
    )


def _review_detail_context(
    request: HttpRequest, team: Team, year: int, month: int, today: datetime.date
) -> dict:
    context = _review_context(team, year, month, today)
    tabs = _tabs(request.user, team)
    filters = ReviewFilterForm(request.GET or None)
    rows = _with_turnout(team, year, month, filters.apply(context["shown"].members))
    may_sign = tabs["role"] == TeamRole.Role.SECRETARY and context["month_over"]
    sign_form = None
    if may_sign and (context["review"] is None or context["changed_since"]):
        sign_form = ReviewSignForm(initial={"fingerprint": context["live"].fingerprint})
    return {
        **tabs,
        **context,
        **_neighbours(team, year, month, today),
        "filters": filters,
        "rows": rows,
        "show_turnout": True,
        "sign_form": sign_form,
        "status_links": _status_links(context["shown"]),
    }


def _with_turnout(team: Team, year: int, month: int, rows: list) -> list:
    """Each row with its sign-ups against attendance (docs/domain.md § Attendance): shown
    live beside the review, never part of what is signed; None for a member without a
    login, who cannot sign up."""
    turnout = turnout_by_member(team, year, month, now=timezone.now())
    for row in rows:
        row.turnout = turnout.get(row.member_id)
    return rows


def _status_links(data: review_data.ReviewData) -> list[tuple[str, dict]]:
    """One filter link per status, behind first, with how many members have it."""
    counts = data.status_counts
    return [
        (status.value, {"label": status.label, "count": counts[status.value]})
        for status in sorted(standing.MemberStatus, key=standing.STATUS_ORDER.get)
    ]


@login_required
@require_POST
def review_sign(request: HttpRequest, slug: str, year: int, month: int) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    today = timezone.localdate()
    _check_month(team, year, month, today)
    back = redirect("compliance:review", slug=team.slug, year=year, month=month)
    form = ReviewSignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The sign-off form was incomplete; please sign again."))
        return back
    try:
        review = reviews.review_sign(
            team=team,
            year=year,
            month=month,
            by=request.user,
            comment=form.cleaned_data["comment"],
            fingerprint=form.cleaned_data["fingerprint"],
            today=today,
        )
    except reviews.ReviewError as error:
        messages.error(request, error.messages[0])
    else:
        audit(
            request,
            AuditAction.SIGN_OFF,
            target=review,
            team=team.slug,
            year=year,
            month=month,
            fingerprint=review.snapshot.get("fingerprint"),
        )
        messages.success(
            request,
            _("%(month)s is signed off; its figures are kept as you saw them.")
            % {"month": months.month_title(year, month)},
        )
    return back


def _attachment(filename: str, fallback: str) -> str:
    """Content-Disposition with an ASCII name for old clients and the Chinese one
    (RFC 5987 ``filename*``) for the others."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@login_required
@require_safe
def review_export(request: HttpRequest, slug: str, year: int, month: int) -> HttpResponse:
    team = team_for_reader(request.user, slug)
    context = _review_context(team, year, month, timezone.localdate())
    turnout = turnout_by_member(team, year, month, now=timezone.now())
    content = review_workbook(
        team=team, data=context["shown"], review=context["review"], turnout=turnout
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    audit(
        request,
        AuditAction.EXPORT,
        target=team,
        export="monthly_review",
        year=year,
        month=month,
        signed=context["review"] is not None,
    )
    stem = f"{team.slug}-{year}-{month:02d}.xlsx"
    response["Content-Disposition"] = _attachment(f"月度审核-{stem}", f"review-{stem}")
    return response


@login_required
@require_safe
def review_print(request: HttpRequest, slug: str, year: int, month: int) -> HttpResponse:
    team = team_for_reader(request.user, slug)
    context = _review_context(team, year, month, timezone.localdate())
    return render(
        request,
        "compliance/review_print.html",
        {
            "team": team,
            **context,
            "rows": _with_turnout(team, year, month, context["shown"].members),
            "show_turnout": True,
            "printed_at": timezone.localtime(),
            "review_url": reverse(
                "compliance:review", kwargs={"slug": team.slug, "year": year, "month": month}
            ),
        },
    )
