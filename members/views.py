import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from members import services
from members.forms import MemberFilterForm, MemberForm, MemberLeaveForm
from members.models import Member
from members.services import EDITABLE_FIELDS
from teams.access import roles_for, team_for_reader, team_for_secretary
from teams.models import Team, TeamRole

ROSTER_PAGE_SIZE = 50


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
    members = (
        filter_form.filter(Member.objects.filter(team=team))
        .select_related("star")
        .order_by("volunteer_number", "pk")
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
