"""Duty groups, the weekly roster and swap requests (docs/domain.md § Duty rosters).

Access (teams/access.py): groups and the roster are the team's staff's and
secretary's (an admin of the team's region 403, anybody else 404); deciding swaps is
the secretary's (staff 403). The volunteer's pages (/me/roster/) show their own
team's duties and their own swap requests; anything else is 404.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from planning.models import Occurrence, PlannedActivity
from rosters import selectors, services
from rosters.forms import (
    GroupEditForm,
    GroupForm,
    PutGroupOnDutyForm,
    PutMemberOnDutyForm,
    RejectForm,
    RotateForm,
    SwapForm,
    TakeOffDutyForm,
)
from rosters.models import DutyGroup, SwapRequest, SwapStatus
from teams.access import roles_for, team_for_secretary, team_for_staff
from volunteer_site.audit import audit
from volunteer_site.models import AuditAction
from volunteer_site.names import pinyin_key


def _tell_form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


# --- Groups ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def groups(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's duty groups with their members, and a form to add one."""
    team = team_for_staff(request.user, slug)
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(team=team, name=form.cleaned_data["name"])
        except services.RosterError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("The group %(name)s was created.") % {"name": group.name})
            return redirect("rosters:group_edit", slug=team.slug, pk=group.pk)
    return render(
        request,
        "rosters/groups.html",
        {"team": team, "groups": selectors.team_groups(team), "form": form},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def group_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Rename a group and tick its members (ticking one from another group moves them)."""
    team = team_for_staff(request.user, slug)
    group = get_object_or_404(DutyGroup, pk=pk, team=team)
    initial = {"name": group.name, "members": [row.member_id for row in group.members.all()]}
    form = GroupEditForm(request.POST or None, initial=initial, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_rename(group=group, name=form.cleaned_data["name"])
            services.group_set_members(group=group, members=list(form.cleaned_data["members"]))
        except services.RosterError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The group %(name)s was saved.") % {"name": group.name})
            return redirect("rosters:groups", slug=team.slug)
    return render(request, "rosters/group_form.html", {"team": team, "group": group, "form": form})


@login_required
@require_POST
def group_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_staff(request.user, slug)
    group = get_object_or_404(DutyGroup, pk=pk, team=team)
    services.group_delete(group=group)
    messages.success(request, _("The group %(name)s was deleted.") % {"name": group.name})
    return redirect("rosters:groups", slug=team.slug)


# --- The weekly roster ---------------------------------------------------------------------------


def _planned_of(request: HttpRequest, slug: str, pk: int):
    team = team_for_staff(request.user, slug)
    return team, get_object_or_404(PlannedActivity.objects.select_related("team"), pk=pk, team=team)


def _back_to_week(team, planned, day: datetime.date | None) -> HttpResponse:
    url = reverse("rosters:week", kwargs={"slug": team.slug, "pk": planned.pk})
    if day is not None:
        url += "?" + urlencode({"week": selectors.week_label(selectors.monday_of(day))})
    return redirect(url)


@login_required
@require_http_methods(["GET", "HEAD"])
def week(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One ISO week of a planned activity: days × (group on duty, people, free places)."""
    team, planned = _planned_of(request, slug, pk)
    today = timezone.localdate()
    asked = request.GET.get("week")
    monday = selectors.week_parse(asked)
    if monday is None:
        if asked:
            messages.warning(
                request, _("The week in the address could not be read; this week is shown.")
            )
        monday = selectors.monday_of(today)
    days = selectors.roster_week(planned, monday)
    members = PutMemberOnDutyForm(planned=planned).fields["member"].queryset
    groups = list(DutyGroup.objects.filter(team=team).order_by("position", "pk"))
    return render(
        request,
        "rosters/week.html",
        {
            "team": team,
            "planned": planned,
            "days": days,
            "monday": monday,
            "sunday": monday + datetime.timedelta(days=6),
            "week": selectors.week_label(monday),
            "week_year": str(monday.isocalendar().year),
            "week_number": monday.isocalendar().week,
            "previous": selectors.week_label(monday - datetime.timedelta(days=7)),
            "next": selectors.week_label(monday + datetime.timedelta(days=7)),
            "this_week": selectors.week_label(selectors.monday_of(today)),
            "groups": groups,
            "rotation_first": groups[services.rotation_start(planned, monday, groups)]
            if groups
            else None,
            "members": sorted(
                members.filter(user__isnull=False), key=lambda member: pinyin_key(member.name)
            ),
            "today": today,
        },
    )


def _roster_action(request, slug, pk, form_class, act) -> HttpResponse:
    team, planned = _planned_of(request, slug, pk)
    form = form_class(request.POST, planned=planned)
    if not form.is_valid():
        _tell_form_errors(request, form)
        return _back_to_week(team, planned, None)
    try:
        day = act(planned, form.cleaned_data)
    except services.RosterError as error:
        messages.error(request, str(error))
        day = None
    return _back_to_week(team, planned, day)


@login_required
@require_POST
def put_group_on_duty(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    def act(_planned, data):
        occurrence, group = data["occurrence"], data["group"]
        left_out = services.group_put_on_duty(occurrence=occurrence, group=group, by=request.user)
        messages.success(
            request,
            _("%(group)s is on duty on %(day)s.")
            % {"group": group.name, "day": f"{occurrence.date:%Y-%m-%d}"},
        )
        _tell_left_out(request, left_out)
        return occurrence.date

    return _roster_action(request, slug, pk, PutGroupOnDutyForm, act)


def _tell_left_out(request: HttpRequest, left_out) -> None:
    if left_out:
        messages.warning(
            request,
            _("Not put on the roster (no login, or not registered that day): %(names)s")
            % {"names": "、".join(member.name for member in left_out)},
        )


@login_required
@require_POST
def put_member_on_duty(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    def act(_planned, data):
        occurrence, member = data["occurrence"], data["member"]
        services.member_put_on_duty(occurrence=occurrence, member=member, by=request.user)
        messages.success(
            request,
            _("%(name)s is on duty on %(day)s.")
            % {"name": member.name, "day": f"{occurrence.date:%Y-%m-%d}"},
        )
        return occurrence.date

    return _roster_action(request, slug, pk, PutMemberOnDutyForm, act)


@login_required
@require_POST
def take_off_duty(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    def act(_planned, data):
        signup = data["signup"]
        services.member_take_off_duty(signup=signup, by=request.user)
        messages.success(request, _("Taken off the list."))
        return signup.occurrence.date

    return _roster_action(request, slug, pk, TakeOffDutyForm, act)


@login_required
@require_POST
def rotate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """按组轮换 for the posted week, or four weeks from it."""

    def act(planned, data):
        changed = services.groups_rotate(
            planned=planned, monday=data["week"], weeks=data["weeks"], by=request.user
        )
        messages.success(
            request,
            ngettext(
                "The groups take turns: %(count)d day got a group.",
                "The groups take turns: %(count)d days got a group.",
                changed,
            )
            % {"count": changed},
        )
        return data["week"]

    return _roster_action(request, slug, pk, RotateForm, act)


# --- The volunteer's roster and swaps -------------------------------------------------------------


def _own_member(request: HttpRequest):
    member = roles_for(request.user).member
    if member is None:
        raise Http404
    return member


@login_required
@require_http_methods(["GET", "HEAD"])
def mine(request: HttpRequest) -> HttpResponse:
    """The volunteer's team's duties for this and next week, their own marked, and
    their swap requests (asked by them or of them)."""
    member = _own_member(request)
    days = selectors.my_duties(member)
    swaps = (
        SwapRequest.objects.filter(Q(requester=member) | Q(partner=member))
        .select_related("occurrence", "partner_occurrence", "requester", "partner")
        .order_by("-created_at", "-pk")[:20]
    )
    return render(
        request,
        "rosters/mine.html",
        {"member": member, "days": days, "swaps": swaps, "today": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def swap_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask to swap one's duty at occurrence ``pk`` (of one's own team)."""
    member = _own_member(request)
    occurrence = get_object_or_404(
        Occurrence.objects.select_related("planned_activity"),
        pk=pk,
        planned_activity__team_id=member.team_id,
    )
    form = SwapForm(request.POST or None, member=member, occurrence=occurrence)
    if request.method == "POST" and form.is_valid():
        try:
            services.swap_request(
                occurrence=occurrence,
                requester=member,
                partner=form.cleaned_data["partner"],
                partner_occurrence=form.cleaned_data["partner_occurrence"],
            )
        except services.RosterError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your swap request was sent to the team's secretary."))
            return redirect("rosters:mine")
    return render(
        request,
        "rosters/swap_form.html",
        {"member": member, "occurrence": occurrence, "form": form},
    )


@login_required
@require_POST
def swap_agree(request: HttpRequest, pk: int) -> HttpResponse:
    member = _own_member(request)
    swap = get_object_or_404(SwapRequest, pk=pk, partner=member)
    try:
        services.swap_agree(swap=swap, member=member)
    except services.RosterError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You agreed; the secretary decides."))
    return redirect("rosters:mine")


@login_required
@require_http_methods(["GET", "HEAD"])
def swaps(request: HttpRequest, slug: str) -> HttpResponse:
    """The secretary's swap requests: the pending ones (with their count), then the last
    decided."""
    team = team_for_secretary(request.user, slug)
    rows = SwapRequest.objects.filter(occurrence__planned_activity__team=team).select_related(
        "occurrence__planned_activity",
        "partner_occurrence",
        "requester",
        "partner",
        "decided_by",
    )
    pending = list(rows.filter(status=SwapStatus.PENDING).order_by("occurrence__starts_at", "pk"))
    decided = list(rows.exclude(status=SwapStatus.PENDING).order_by("-decided_at", "-pk")[:30])
    return render(
        request,
        "rosters/swaps.html",
        {"team": team, "pending": pending, "decided": decided, "reject_form": RejectForm()},
    )


def _team_swap(request: HttpRequest, slug: str, pk: int):
    team = team_for_secretary(request.user, slug)
    return team, get_object_or_404(SwapRequest, pk=pk, occurrence__planned_activity__team=team)


@login_required
@require_POST
def swap_approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team, swap = _team_swap(request, slug, pk)
    try:
        services.swap_approve(swap=swap, by=request.user)
    except services.RosterError as error:
        messages.error(request, str(error))
    else:
        audit(request, AuditAction.SWAP_APPROVE, target=swap, swap=swap.pk)
        messages.success(request, _("The swap was approved and the roster changed."))
    return redirect("rosters:swaps", slug=team.slug)


@login_required
@require_POST
def swap_reject(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team, swap = _team_swap(request, slug, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        _tell_form_errors(request, form)
        return redirect("rosters:swaps", slug=team.slug)
    try:
        services.swap_reject(swap=swap, by=request.user, reason=form.cleaned_data["reason"])
    except services.RosterError as error:
        messages.error(request, str(error))
    else:
        audit(
            request,
            AuditAction.SWAP_REJECT,
            target=swap,
            swap=swap.pk,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("The swap was rejected."))
    return redirect("rosters:swaps", slug=team.slug)
