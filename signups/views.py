"""Sign-up pages (docs/domain.md § Entities, Sign-ups).

The volunteer's phone page (/me/activities/): every signed-in user sees the coming
occurrences they may see (``selectors.visible_occurrences``); another's or a hidden
occurrence is 404. The staff list of an occurrence: the team's staff and secretary;
an admin of the team's region 403; everybody else 404 (``team_for_staff``). The
calendar feed answers its secret link only, without a login. Every change goes
through ``signups.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from planning.models import Occurrence
from signups import calendar, selectors, services
from signups.forms import AssignForm
from signups.models import CalendarFeed, SignUp, SignUpStatus
from teams.access import team_for_staff


def _feed_url(request: HttpRequest, feed: CalendarFeed | None) -> str:
    if feed is None:
        return ""
    return request.build_absolute_uri(reverse("signups:calendar", kwargs={"token": feed.token}))


@login_required
def upcoming(request: HttpRequest) -> HttpResponse:
    """The coming occurrences the user may see, by day, with their own state."""
    cards = selectors.cards_for(request.user, selectors.visible_occurrences(request.user))
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return render(
        request,
        "signups/upcoming.html",
        {
            "days": selectors.cards_by_day(cards),
            "days_ahead": selectors.DAYS_AHEAD,
            "feed_url": _feed_url(request, feed),
        },
    )


def _visible(request: HttpRequest, pk: int) -> Occurrence:
    return get_object_or_404(selectors.visible_occurrences(request.user), pk=pk)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = _visible(request, pk)
    (card,) = selectors.cards_for(request.user, [occurrence])
    return render(request, "signups/detail.html", {"card": card})


def _back(request: HttpRequest, occurrence: Occurrence):
    if request.POST.get("back") == "detail":
        return redirect("signups:detail", pk=occurrence.pk)
    return redirect(reverse("signups:upcoming") + f"#occurrence-{occurrence.pk}")


@login_required
@require_POST
def sign_up(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = _visible(request, pk)
    try:
        signup = services.sign_up(occurrence, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request, occurrence)
    title = occurrence.planned_activity.title
    if signup.status == SignUpStatus.WAITING:
        messages.warning(
            request,
            _("“%(title)s” is full: you are on the waiting list, number %(n)s.")
            % {"title": title, "n": selectors.waiting_position(signup)},
        )
    else:
        messages.success(request, _("You are signed up for “%(title)s”.") % {"title": title})
    return _back(request, occurrence)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = _visible(request, pk)
    signup = services.own_signup(occurrence, request.user)
    if signup is None:
        messages.error(request, _("You are not signed up for this activity."))
        return _back(request, occurrence)
    try:
        services.cancel(signup, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your sign-up was cancelled."))
    return _back(request, occurrence)


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    """A first calendar link, or a new one: the old link stops working."""
    had_one = CalendarFeed.objects.filter(user=request.user).exists()
    services.calendar_feed_reset(user=request.user)
    if had_one:
        messages.success(request, _("Your calendar link was reset; the old link no longer works."))
    else:
        messages.success(request, _("Your calendar link is ready."))
    return redirect(reverse("signups:upcoming") + "#calendar")


# A token is 43 characters (32 random bytes, base64); anything much longer is not one.
TOKEN_MAX_LENGTH = 64


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The .ics of the link's owner (no login: calendar apps cannot log in)."""
    if len(token) > TOKEN_MAX_LENGTH or not token.isascii():
        raise Http404
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    if not feed.user.is_active:
        raise Http404
    response = HttpResponse(
        calendar.feed_ics(feed.user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="activities.ics"'
    response["Cache-Control"] = "private, no-cache"
    return response


def _staff_occurrence(request: HttpRequest, slug: str, pk: int):
    team = team_for_staff(request.user, slug)
    occurrence = get_object_or_404(
        Occurrence.objects.select_related("planned_activity__team", "planned_activity__category"),
        pk=pk,
        planned_activity__team=team,
    )
    return team, occurrence


def _staff_page(request, team, occurrence, form, status=200) -> HttpResponse:
    lists = selectors.occurrence_lists(occurrence)
    return render(
        request,
        "signups/staff_list.html",
        {
            "team": team,
            "occurrence": occurrence,
            "planned": occurrence.planned_activity,
            "lists": lists,
            "cutoff": services.cutoff(occurrence),
            "form": form,
            # Over or cancelled: the page says so instead of offering the forms.
            "closed": services.why_not_assign(occurrence),
        },
        status=status,
    )


@login_required
def staff_list(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An occurrence's lists for its team's staff, with the form to add a member."""
    team, occurrence = _staff_occurrence(request, slug, pk)
    return _staff_page(request, team, occurrence, AssignForm(occurrence=occurrence))


@login_required
@require_POST
def staff_assign(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team, occurrence = _staff_occurrence(request, slug, pk)
    form = AssignForm(request.POST, occurrence=occurrence)
    if not form.is_valid():
        return _staff_page(request, team, occurrence, form)
    member = form.cleaned_data["member"]
    try:
        services.assign(occurrence, member.user, by=request.user)
    except ValidationError as error:
        form.add_error(None, error)
        return _staff_page(request, team, occurrence, form)
    messages.success(request, _("%(name)s was signed up.") % {"name": member.name})
    return redirect("signups:staff_list", slug=team.slug, pk=occurrence.pk)


@login_required
@require_POST
def staff_remove(request: HttpRequest, slug: str, pk: int, signup_pk: int) -> HttpResponse:
    team, occurrence = _staff_occurrence(request, slug, pk)
    signup = get_object_or_404(SignUp, pk=signup_pk, occurrence=occurrence)
    try:
        services.cancel(signup, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The sign-up was cancelled."))
    return redirect("signups:staff_list", slug=team.slug, pk=occurrence.pk)
