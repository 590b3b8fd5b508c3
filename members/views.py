import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Sum
from django.forms import BaseForm
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from activities.models import MemberYearFigures
from compliance.standing import MemberStatus, StandingWindow, member_standing
from members import records, services
from members.forms import MemberFilterForm, MemberForm, MemberLeaveForm
from members.models import Member
from members.services import EDITABLE_FIELDS
from teams.access import roles_for, team_for_reader, team_for_secretary
from teams.models import Team, TeamRole

ROSTER_PAGE_SIZE = 50


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
    return render(request, "members/my_record.html", context)


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


def _is_secretary(user, team: Team) -> bool:
    return roles_for(user).role_on(team) == TeamRole.Role.SECRETARY


def _roster_url(request: HttpRequest, team: Team) -> str:
    """The list, with the filters and page the user came from when they are safe."""
    list_url = reverse("members:list", kwargs={"slug": team.slug})
    back = request.POST.get("next") or request.GET.get("next") or ""
    on_the_list = back == list_url or back.startswith(list_url + "?")
    if on_the_list and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return list_url


def _add_service_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, by field where the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_safe
def member_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The roster: staff, the secretary and region admins read it; phones masked but
    for the secretary."""
    team = team_for_reader(request.user, slug)
    is_secretary = _is_secretary(request.user, team)
    filter_form = MemberFilterForm(request.GET, search_phone=is_secretary)
    members = filter_form.filter(Member.objects.filter(team=team)).order_by(
        "volunteer_number", "pk"
    )
    page = Paginator(members, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/member_list.html",
        {
            "team": team,
            "filter_form": filter_form,
            "page_obj": page,
            "is_secretary": is_secretary,
        },
    )


@login_required
def member_create(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    form = MemberForm(
        request.POST if request.method == "POST" else None, instance=Member(team=team)
    )
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in EDITABLE_FIELDS}
        try:
            member = services.member_create(team=team, by=request.user, **data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s (%(number)s) has been added to the roster.")
                % {"name": member.name, "number": member.volunteer_number},
            )
            return HttpResponseRedirect(_roster_url(request, team))
    return render(
        request,
        "members/member_form.html",
        {"team": team, "form": form, "member": None, "next": _roster_url(request, team)},
    )


@login_required
def member_update(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    member = get_object_or_404(Member, pk=pk, team=team)
    # Validating a ModelForm writes the typed values onto its instance; the page
    # heading shows the member as saved, so it gets a copy taken before.
    as_saved = copy.copy(member)
    form = MemberForm(request.POST if request.method == "POST" else None, instance=member)
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in EDITABLE_FIELDS}
        try:
            services.member_update(member=member, by=request.user, **data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The details of %(name)s (%(number)s) have been saved.")
                % {"name": member.name, "number": member.volunteer_number},
            )
            return HttpResponseRedirect(_roster_url(request, team))
    return render(
        request,
        "members/member_form.html",
        {"team": team, "form": form, "member": as_saved, "next": _roster_url(request, team)},
    )


@login_required
def member_leave(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET: the confirmation page with the leaving date; POST: mark as left."""
    team = team_for_secretary(request.user, slug)
    member = get_object_or_404(Member, pk=pk, team=team)
    if not member.is_active:
        messages.info(
            request,
            _("%(name)s was already marked as left on %(left_on)s.")
            % {"name": member.name, "left_on": member.left_on.isoformat()},
        )
        return HttpResponseRedirect(_roster_url(request, team))
    form = MemberLeaveForm(request.POST if request.method == "POST" else None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_mark_left(
                member=member,
                left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s (%(number)s) has been marked as left on %(left_on)s.")
                % {
                    "name": member.name,
                    "number": member.volunteer_number,
                    "left_on": member.left_on.isoformat(),
                },
            )
            return HttpResponseRedirect(_roster_url(request, team))
    return render(
        request,
        "members/member_leave.html",
        {
            "team": team,
            "form": form,
            "member": member,
            "service_count": member.participations.count(),
            "next": _roster_url(request, team),
        },
    )


@login_required
def member_rejoin(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """POST only: undo leaving. The role is checked first, so that a GET by someone
    who may not do this is refused (403/404) rather than told the method is wrong."""
    team = team_for_secretary(request.user, slug)
    member = get_object_or_404(Member, pk=pk, team=team)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.member_rejoin(member=member, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s (%(number)s) is in the team again.")
            % {"name": member.name, "number": member.volunteer_number},
        )
    return redirect(_roster_url(request, team))
