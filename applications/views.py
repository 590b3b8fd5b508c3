"""Applying to join a team (public), following an application (by its link), and the
secretary's queue where applications are approved or rejected.

Who sees what: the form is public for a published team and a 404 otherwise, for
everybody (an unpublished team takes no applications). The status page is open to
whoever holds the link. The queue and its actions are the team secretary's
(team_for_secretary: 403 for staff and region admins, 404 for others).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications import services
from applications.forms import APPLICATION_FIELDS, ApplicationForm, ApproveForm, RejectForm
from applications.mail import invitation_send, rejection_send
from applications.models import Application
from applications.selectors import next_volunteer_number
from teams.access import team_for_secretary
from teams.models import Team
from volunteer_site.audit import audit, client_ip
from volunteer_site.models import AuditAction

QUEUE_PAGE_SIZE = 50
# The session remembers the last application sent from this browser, so the thanks
# page can show its status link (and only there: the link is the applicant's key).
SESSION_KEY = "last_application"


def _published_team(slug: str) -> Team:
    team = Team.objects.filter(slug=slug, is_published=True).first()
    if team is None:
        raise Http404
    return team


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


# --- The public form ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    team = _published_team(slug)
    status = 200
    limited = False
    if request.method == "POST":
        form = ApplicationForm(request.POST, team=team)
        if form.is_valid():
            thanks = redirect("applications:thanks", slug=team.slug)
            if form.is_bot:
                return thanks  # pretend it worked; a bot learns nothing
            hashed = services.ip_hash(client_ip(request))
            if services.application_rate_allows(hashed_ip=hashed):
                data = {field: form.cleaned_data[field] for field in APPLICATION_FIELDS}
                try:
                    application = services.application_create(team=team, hashed_ip=hashed, **data)
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    request.session[SESSION_KEY] = application.status_token
                    return thanks
            else:
                limited = True
                status = 429
    else:
        form = ApplicationForm(team=team)
    return render(
        request,
        "applications/apply_form.html",
        {
            "team": team,
            "form": form,
            "limited": limited,
            "retention_days": services.REJECTED_RETENTION_DAYS,
        },
        status=status,
    )


@require_safe
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    team = _published_team(slug)
    token = request.session.get(SESSION_KEY)
    application = None
    if token:
        application = Application.objects.filter(team=team, status_token=token).first()
    return render(
        request, "applications/apply_thanks.html", {"team": team, "application": application}
    )


@require_safe
def status(request: HttpRequest, token: str) -> HttpResponse:
    """What became of an application: pending, approved, or not approved with the reason.
    Nothing else personal: the link may be forwarded or seen over a shoulder."""
    application = get_object_or_404(Application.objects.select_related("team"), status_token=token)
    response = render(request, "applications/status.html", {"application": application})
    # The address is the key: keep it out of other sites' logs and shared caches.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


# --- The secretary's queue --------------------------------------------------------------------


def _queue(
    request: HttpRequest,
    team: Team,
    *,
    bound: dict[int, dict] | None = None,
    form=None,
) -> HttpResponse:
    applications = (
        Application.objects.filter(team=team)
        .for_queue()
        .select_related("decided_by", "member")
        .prefetch_related("categories")
    )
    page = Paginator(applications, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    suggested = next_volunteer_number(team)
    today = timezone.localdate()
    bound = bound or {}
    cards = []
    for application in page:
        forms = bound.get(application.pk, {})
        if application.is_pending:
            forms.setdefault(
                "approve",
                ApproveForm(
                    prefix=f"a{application.pk}",
                    initial={"volunteer_number": suggested, "registered_on": today},
                ),
            )
            forms.setdefault("reject", RejectForm(prefix=f"r{application.pk}"))
        cards.append({"application": application, **forms})
    return render(
        request,
        "applications/queue.html",
        {
            "team": team,
            "role": "secretary",
            "page": page,
            "cards": cards,
            "pending_count": Application.objects.filter(team=team).pending().count(),
            # The form just posted and refused, shown again with its messages in its card.
            "form": form,
        },
    )


@login_required
@require_safe
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    return _queue(request, team)


def _audit_target(application: Application) -> str:
    # Not the applicant's name: the audit log outlives the erasure of a rejected one.
    return _("application %(pk)d to %(team)s") % {"pk": application.pk, "team": application.team}


def _decided_already(request: HttpRequest, application: Application) -> HttpResponse | None:
    if application.is_pending:
        return None
    messages.info(
        request,
        _("This application was already decided (%(status)s).")
        % {"status": application.get_status_display()},
    )
    return redirect("applications:queue", slug=application.team.slug)


@login_required
@require_POST
def approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    application = get_object_or_404(Application, pk=pk, team=team)
    decided = _decided_already(request, application)
    if decided:
        return decided
    form = ApproveForm(request.POST, prefix=f"a{application.pk}")
    if form.is_valid():
        try:
            approval = services.application_approve(
                application=application, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            member = approval.member
            audit(
                request,
                AuditAction.APPLICATION_APPROVE,
                target=_audit_target(application),
                application=application.pk,
                member=member.pk,
            )
            messages.success(
                request,
                _("%(name)s (%(number)s) has been added to the roster.")
                % {"name": member.name, "number": member.volunteer_number},
            )
            _tell_about_login(request, approval)
            return redirect("applications:queue", slug=team.slug)
    return _queue(request, team, bound={application.pk: {"approve": form}}, form=form)


def _tell_about_login(request: HttpRequest, approval: services.Approval) -> None:
    if not approval.member.email:
        messages.info(
            request,
            _("The applicant gave no e-mail address: no login was made for them."),
        )
        return
    if approval.user is None:
        messages.warning(
            request,
            _("No login was made for the new member: %(problem)s")
            % {"problem": approval.login_problem},
        )
        return
    sent = invitation_send(user=approval.user, request=request)
    # As when the secretary makes a login from the roster (accounts/views.py).
    audit(
        request,
        AuditAction.LOGIN_CREATE,
        target=approval.member,
        way="link",
        mail_sent=sent,
        application=approval.application.pk,
    )
    if sent:
        messages.success(
            request,
            _("An invitation to set a password was sent to %(email)s.")
            % {"email": approval.member.email},
        )
    else:
        messages.warning(
            request,
            _(
                "The invitation e-mail could not be sent (the mail server did not answer). "
                "The member is registered; send a new link from the roster later."
            ),
        )


@login_required
@require_POST
def reject(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    application = get_object_or_404(Application, pk=pk, team=team)
    decided = _decided_already(request, application)
    if decided:
        return decided
    form = RejectForm(request.POST, prefix=f"r{application.pk}")
    if form.is_valid():
        try:
            rejected = services.application_reject(
                application=application, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            audit(
                request,
                AuditAction.APPLICATION_REJECT,
                target=_audit_target(rejected),
                application=rejected.pk,
            )
            messages.success(
                request,
                _("The application of %(name)s was not approved; they can see the reason.")
                % {"name": rejected.name},
            )
            if rejected.email and not rejection_send(application=rejected, request=request):
                messages.warning(
                    request,
                    _(
                        "The e-mail telling the applicant could not be sent (the mail server "
                        "did not answer). They still see the reason on their status page."
                    ),
                )
            return redirect("applications:queue", slug=team.slug)
    return _queue(request, team, bound={application.pk: {"reject": form}}, form=form)
