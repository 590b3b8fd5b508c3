"""Pages for logging activities and approving them.

Access (teams/access.py): the team's staff and secretary may log and edit;
only the secretary approves, returns and reopens; an admin of the team's
region reads; everybody else gets 404 for the team's activities.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from activities import services
from activities.forms import ActivityFilterForm, ActivityForm, ParticipantSelection, ReasonForm
from activities.history import activity_timeline
from activities.models import Activity, ActivityStatus, Participation
from members.models import CadreRank, Member
from teams.access import roles_for, team_for_reader, team_for_secretary, team_for_staff
from teams.models import Team, TeamRole
from volunteer_site.audit import audit
from volunteer_site.drafts import form_data, login_required_keeping_drafts
from volunteer_site.ids import posted_ids
from volunteer_site.models import AuditAction

PAGE_SIZE = 25


def _activity_of(team, pk: int) -> Activity:
    return get_object_or_404(Activity.objects.select_related("category", "team"), pk=pk, team=team)


@login_required
def activity_list(request: HttpRequest, slug: str, awaiting: bool = False) -> HttpResponse:
    team = team_for_reader(request.user, slug)
    role = roles_for(request.user).role_on(team)
    if awaiting and role != TeamRole.Role.SECRETARY:
        raise PermissionDenied
    return render(
        request,
        "activities/activity_list.html",
        _activity_list_context(request, team, role, awaiting),
    )


def _activity_list_context(request: HttpRequest, team: Team, role, awaiting: bool) -> dict:
    filters = ActivityFilterForm(request.GET or None, team=team)
    # The count as a subquery: evaluated for the page's rows only, and the paginator's
    # COUNT(*) stays a plain count (a join and GROUP BY over every participation else).
    participants = (
        Participation.objects.filter(activity=OuterRef("pk"))
        .order_by()
        .values("activity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    activities = (
        Activity.objects.filter(team=team)
        .select_related("category")
        .annotate(participant_count=Coalesce(Subquery(participants), 0))
        .order_by("-start_date", "-pk")
    )
    if awaiting:
        activities = activities.filter(status=ActivityStatus.SUBMITTED)
    activities = filters.apply(activities)
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    if awaiting:
        # Each ticked row sends the version the secretary sees, so approving refuses
        # an activity changed since (services.activity_approve).
        for activity in page.object_list:
            activity.version = services.activity_version(activity)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "team": team,
        "role": role,
        "awaiting": awaiting,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "awaiting_count": Activity.objects.filter(
            team=team, status=ActivityStatus.SUBMITTED
        ).count()
        if role == TeamRole.Role.SECRETARY
        else None,
        "reason_form": ReasonForm(),
    }


def _picker_members(team, activity: Activity | None) -> list[Member]:
    """Active members, plus anyone already on this activity who has since left."""
    members = Member.objects.filter(team=team)
    if activity is not None and activity.pk:
        members = members.filter(left_on__isnull=True) | members.filter(
            participations__activity=activity
        )
    else:
        members = members.filter(left_on__isnull=True)
    return list(members.distinct().order_by("volunteer_number"))


@login_required_keeping_drafts
def activity_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Log a new activity, or change one that is not approved yet.

    A form saved after the session expired is kept and shown again, unsaved, once
    the user has logged in (volunteer_site/drafts.py).
    """
    team = team_for_staff(request.user, slug)
    activity = _activity_of(team, pk) if pk else None
    if activity is not None and activity.status not in services.EDITABLE_STATUSES:
        messages.error(
            request,
            _("An approved activity is read-only. The secretary can reopen it for changes."),
        )
        return redirect(activity)
    members = _picker_members(team, activity)
    initial = list(activity.participations.all()) if activity else []
    data = form_data(request)  # the POST, a draft kept when the session expired, or None
    form = ActivityForm(data, instance=activity, team=team)
    selection = ParticipantSelection(data, members=members, initial=initial)
    if activity is not None:
        selection.start = activity.start_date
    problems: list[str] = []
    if data is not None:
        submit = request.method == "POST" and "submit" in data
        form_ok = form.is_valid()
        cleaned = form.cleaned_data if form_ok else {}
        selection_ok = selection.validate(
            activity_hours=cleaned.get("hours"),
            start=cleaned.get("start_date"),
            end=cleaned.get("end_date"),
        )
        if request.method == "POST" and form_ok and selection_ok:
            try:
                saved = services.activity_save(
                    team=team,
                    by=request.user,
                    fields=form.model_fields(),
                    participants=selection.cleaned,
                    activity=activity,
                    submit=submit,
                )
            except services.WorkflowError as error:
                problems = error.messages
            else:
                if submit:
                    messages.success(request, _("The activity was submitted for approval."))
                else:
                    messages.success(request, _("The activity was saved as a draft."))
                return redirect(saved)
    return render(
        request,
        "activities/activity_form.html",
        {
            "team": team,
            "activity": activity,
            "form": form,
            "selection": selection,
            "problems": problems,
            "ranks": CadreRank.choices,
        },
    )


@login_required
def activity_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_reader(request.user, slug)
    activity = _activity_of(team, pk)
    role = roles_for(request.user).role_on(team)
    participations = activity.participations.select_related("member").order_by(
        "member__volunteer_number"
    )
    return render(
        request,
        "activities/activity_detail.html",
        {
            "team": team,
            "activity": activity,
            "role": role,
            "can_edit": role is not None and activity.status in services.EDITABLE_STATUSES,
            "can_submit": role is not None
            and activity.status in {ActivityStatus.DRAFT, ActivityStatus.RETURNED},
            "is_secretary": role == TeamRole.Role.SECRETARY,
            "participations": participations,
            "total_hours": sum(p.hours for p in participations),
            "timeline": activity_timeline(activity),
            "reason_form": ReasonForm(),
            "version": services.activity_version(activity),
        },
    )


@login_required
@require_POST
def activity_submit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_staff(request.user, slug)
    activity = _activity_of(team, pk)
    try:
        services.activity_submit(activity=activity, by=request.user)
    except services.WorkflowError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The activity was submitted for approval."))
    return redirect(activity)


@login_required
@require_POST
def activity_approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    activity = _activity_of(team, pk)
    try:
        services.activity_approve(
            activity=activity, by=request.user, version=request.POST.get("version", "")
        )
    except services.WorkflowError as error:
        messages.error(request, error.messages[0])
    else:
        audit(request, AuditAction.APPROVE, target=activity, activity_id=activity.pk)
        messages.success(request, _("The activity was approved and now counts in the figures."))
    return redirect(activity)


def _form_errors_as_messages(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _reason_action(request, slug, pk, action, audit_action: str, success: str) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    activity = _activity_of(team, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _form_errors_as_messages(request, form)
        return redirect(activity)
    try:
        action(activity=activity, by=request.user, reason=form.cleaned_data["reason"])
    except services.WorkflowError as error:
        messages.error(request, error.messages[0])
    else:
        audit(
            request,
            audit_action,
            target=activity,
            activity_id=activity.pk,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, success)
    return redirect(activity)


@login_required
@require_POST
def activity_return(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _reason_action(
        request,
        slug,
        pk,
        services.activity_return,
        AuditAction.RETURN,
        _("The activity was returned to the office staff with your reason."),
    )


@login_required
@require_POST
def activity_reopen(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _reason_action(
        request,
        slug,
        pk,
        services.activity_reopen,
        AuditAction.REOPEN,
        _("The activity was reopened: it no longer counts until it is approved again."),
    )


@login_required
@require_POST
def activities_bulk(request: HttpRequest, slug: str) -> HttpResponse:
    """Approve or return several activities awaiting approval at once."""
    team = team_for_secretary(request.user, slug)
    ids, unreadable = posted_ids(request.POST.getlist("activity"))
    back = redirect("activities:awaiting", slug=team.slug)
    if unreadable:
        messages.error(
            request, _("Some ticked activities could not be read; please tick them again.")
        )
        return back
    chosen = list(Activity.objects.filter(team=team, pk__in=ids))
    if not chosen:
        messages.error(request, _("Tick at least one activity first."))
        return back
    try:
        if request.POST.get("action") == "return":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                _form_errors_as_messages(request, form)
                return back
            count = services.activities_return(
                activities=chosen, by=request.user, reason=form.cleaned_data["reason"]
            )
            for activity in chosen:
                audit(request, AuditAction.RETURN, target=activity, activity_id=activity.pk)
            messages.success(
                request,
                ngettext(
                    "%(count)d activity was returned.", "%(count)d activities were returned.", count
                )
                % {"count": count},
            )
        else:
            versions = {pk: request.POST.get(f"version_{pk}", "") for pk in ids}
            count = services.activities_approve(
                activities=chosen, by=request.user, versions=versions
            )
            for activity in chosen:
                audit(request, AuditAction.APPROVE, target=activity, activity_id=activity.pk)
            messages.success(
                request,
                ngettext(
                    "%(count)d activity was approved.", "%(count)d activities were approved.", count
                )
                % {"count": count},
            )
    except services.WorkflowError as error:
        messages.error(request, error.messages[0])
    return back
