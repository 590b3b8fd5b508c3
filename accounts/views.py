"""Members' own accounts: the set-password page of the invitation link, password reset
by e-mail, and the secretary's login pages (docs/domain.md § Accounts, input and faults)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.forms import LoginWayForm, PasswordResetForm, SetPasswordForm
from accounts.logins import (
    LoginRefused,
    invitation_send,
    login_create,
    login_create_with_code,
    login_disable,
    login_enable,
    login_of,
    login_reset,
    login_reset_with_code,
)
from accounts.services import RESET_WINDOW, password_reset_request_record
from members.models import Member
from teams.access import team_for_secretary
from teams.models import Team
from volunteer_site.audit import audit, client_ip
from volunteer_site.models import AuditAction, PasswordChangeRequired
from volunteer_site.views import too_many_requests


class SetPasswordFromLinkView(auth_views.PasswordResetConfirmView):
    """Django's page behind a one-time link: a disabled login's link does not work, and a
    password set here is audited and lifts any "must change" flag (the user chose it)."""

    form_class = SetPasswordForm
    template_name = "registration/password_reset_confirm.html"

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        # Before Django logs the user in: the flag is read at login.
        PasswordChangeRequired.objects.filter(user=form.user).delete()
        response = super().form_valid(form)
        audit(
            self.request,
            AuditAction.PASSWORD_RESET,
            target=form.user.get_username(),
            user=form.user,
            link=self.link_kind,
        )
        return response


class InvitationConfirmView(SetPasswordFromLinkView):
    """The invitation's link: the member chooses a first password and is logged in."""

    extra_context = {"heading": gettext_lazy("Set your password")}
    link_kind = "invitation"
    post_reset_login = True
    # Two backends are configured (django-axes's and Django's); the user proved who
    # they are with the token, so Django's own logs them in.
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. You are logged in."))
        return response


# --- Password reset by e-mail (Django's views in the site's layout) ----------------------


@method_decorator(never_cache, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an e-mail address and mails a one-time link to each active login there.

    The next page says the same whatever was typed, so that nobody learns who has a
    login; a mail server that fails is logged and changes nothing on the page.
    """

    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    subject_template_name = "emails/password_reset_subject.txt"
    email_template_name = "emails/password_reset.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if not password_reset_request_record(email=email, ip=client_ip(self.request)):
            minutes = round(RESET_WINDOW.total_seconds() / 60)
            message = _(
                "Too many requests for a password reset from this computer or for this "
                "address. Please try again in %(minutes)d minutes, or ask your team's "
                "secretary."
            ) % {"minutes": minutes}
            return too_many_requests(self.request, message)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(SetPasswordFromLinkView):
    extra_context = {"heading": gettext_lazy("Choose a new password")}
    link_kind = "reset"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


# --- The secretary manages the logins of their team's members ----------------------------

CODE_SESSION_KEY = "accounts_one_time_code"


def _member_for_secretary(request: HttpRequest, slug: str, pk: int) -> tuple[Team, Member]:
    """The member of the secretary's team (403 for staff and region admins, 404 for
    other teams). Called before the method is checked, so that a wrong GET by someone
    who may not act is refused as such rather than told the method is wrong."""
    team = team_for_secretary(request.user, slug)
    return team, get_object_or_404(Member.objects.select_related("user"), pk=pk, team=team)


@login_required
@require_safe
def member_login(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A member's login: its state and what the secretary can do with it."""
    team, member = _member_for_secretary(request, slug, pk)
    user = member.user
    problem = None
    must_change = False
    if user is not None:
        try:
            login_of(member)
        except LoginRefused as refused:
            problem = refused.messages[0]
        must_change = PasswordChangeRequired.objects.filter(
            user=user, reason=PasswordChangeRequired.Reason.ONE_TIME
        ).exists()
    return render(
        request,
        "accounts/member_login.html",
        {
            "team": team,
            "member": member,
            "login": user,
            "problem": problem,
            "must_change": must_change,
            "address": member.email,
        },
    )


def _way(request: HttpRequest, member: Member) -> str | None:
    form = LoginWayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how the member gets their password: a link or a code."))
        return None
    if form.cleaned_data["way"] == "link" and not member.email:
        messages.error(
            request,
            _("%(name)s has no e-mail address: print a one-time password instead.")
            % {"name": member.name},
        )
        return None
    return form.cleaned_data["way"]


def _after_link(request: HttpRequest, member: Member, user) -> bool:
    """Send the link (after the commit) and say whether it went."""
    sent = invitation_send(user=user, request=request)
    if sent:
        messages.success(
            request,
            _("A link to set the password was sent to %(address)s. It works once.")
            % {"address": member.email},
        )
    else:
        messages.warning(
            request,
            _(
                "The login is ready, but the e-mail to %(address)s could not be sent. "
                "Send the link again later, or print a one-time password."
            )
            % {"address": member.email},
        )
    return sent


def _show_code_once(request: HttpRequest, team: Team, member: Member, code: str):
    # Kept in the session only until the next page shows it: reloading that page,
    # or going back to it, does not show the code again.
    request.session[CODE_SESSION_KEY] = {"member": member.pk, "code": code}
    return redirect("accounts:login_code", slug=team.slug, pk=member.pk)


def _give_login(request: HttpRequest, slug: str, pk: int, *, action: str) -> HttpResponse:
    """Create (``action`` LOGIN_CREATE) or reset (LOGIN_RESET) a member's login, the way
    the secretary chose: an e-mailed link, or a one-time code shown once."""
    team, member = _member_for_secretary(request, slug, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    way = _way(request, member)
    if way is None:
        return redirect("accounts:member_login", slug=team.slug, pk=member.pk)
    creating = action == AuditAction.LOGIN_CREATE
    try:
        if way == "code":
            with_code = login_create_with_code if creating else login_reset_with_code
            user, code = with_code(member=member, by=request.user)
        else:
            user = (login_create if creating else login_reset)(member=member, by=request.user)
    except LoginRefused as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("accounts:member_login", slug=team.slug, pk=member.pk)
    if way == "code":
        audit(request, action, target=member, way=way)
        return _show_code_once(request, team, member, code)
    sent = _after_link(request, member, user)
    audit(request, action, target=member, way=way, mail_sent=sent)
    return redirect("accounts:member_login", slug=team.slug, pk=member.pk)


@login_required
def login_create_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _give_login(request, slug, pk, action=AuditAction.LOGIN_CREATE)


@login_required
def login_reset_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _give_login(request, slug, pk, action=AuditAction.LOGIN_RESET)


@login_required
def login_disable_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team, member = _member_for_secretary(request, slug, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        login_disable(member=member, by=request.user)
    except LoginRefused as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        audit(request, AuditAction.LOGIN_DISABLE, target=member)
        messages.success(
            request,
            _("The login of %(name)s is disabled: it cannot log in any more.")
            % {"name": member.name},
        )
    return redirect("accounts:member_login", slug=team.slug, pk=member.pk)


@login_required
def login_enable_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team, member = _member_for_secretary(request, slug, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        login_enable(member=member, by=request.user)
    except LoginRefused as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        audit(request, AuditAction.LOGIN_ENABLE, target=member)
        messages.success(
            request, _("The login of %(name)s is enabled again.") % {"name": member.name}
        )
    return redirect("accounts:member_login", slug=team.slug, pk=member.pk)


@login_required
@require_safe
@never_cache
def login_code(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The printable sheet with a one-time password, shown once: the code leaves the
    session as this page is made."""
    team, member = _member_for_secretary(request, slug, pk)
    kept = request.session.get(CODE_SESSION_KEY)
    code = None
    if kept and kept.get("member") == member.pk:
        code = kept["code"]
        del request.session[CODE_SESSION_KEY]
    return render(
        request,
        "accounts/login_code.html",
        {
            "team": team,
            "member": member,
            "code": code,
            "login_url": settings.SITE_URL.rstrip("/") + reverse("login"),
            "today": timezone.localdate(),
        },
    )
