"""The public team profile (/p/<slug>/), its 纠错 form, and the secretary's profile pages.

The profile reads its figures from the summary tables only (``TeamFigures``),
never from the activities, so it costs the same few queries for a team with
ten activities as for one with ten thousand.

Who sees what (docs/domain.md § Who uses it): a published profile is public; an
unpublished one is a 404 for everybody except the team's staff and secretary
and the admins of its region, who see it as a preview. Only the team's
secretary edits, publishes and reads the error reports (team_for_secretary:
403 for staff and region admins, 404 for others).

The writes are the ``team_profile_*`` and ``error_report_*`` functions of
``profiles.services``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from activities.models import PeriodKind, TeamFigures
from profiles.cache import profile_cacheable, profile_cached
from profiles.forms import (
    PROFILE_FIELDS,
    ErrorReportForm,
    ProfileForm,
    PublishForm,
    ResolveForm,
    sanitise_html,
)
from profiles.services import (
    error_report_create,
    error_report_resolve,
    team_profile_publish,
    team_profile_update,
)
from stars.selectors import level_counts, level_counts_text
from teams.access import team_for_reader, team_for_secretary
from teams.models import ErrorReport, ProfilePart, Team
from volunteer_site.audit import client_ip
from volunteer_site.charts import (
    ChartText,
    MonthValue,
    chart_build,
    chart_svg,
    last_months,
    month_values,
)

CHART_MONTHS = 12
# 纠错 from one address: at most this many reports per window (by hashed IP).
REPORT_LIMIT = 5
REPORT_WINDOW_SECONDS = 60 * 60
REPORTS_PAGE_SIZE = 50

CHINESE_DIGITS = "〇一二三四五六七八九"


# --- Wording -------------------------------------------------------------------------------------


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (1 to 99)."""
    if not 0 < number < 100:
        return str(number)
    tens, units = divmod(number, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十"
    if units:
        text += CHINESE_DIGITS[units]
    return text


def regular_projects_sentence(names: list[str], *, language: str | None = None) -> str:
    """The reference's wording: 一是开展献爱心送温暖活动。二是开展……。

    "活动" is added unless the name already ends with it. In other languages
    the projects are simply numbered.
    """
    language = language or get_language() or settings.LANGUAGE_CODE
    if not language.startswith("zh"):
        return "; ".join(f"({n}) {name}" for n, name in enumerate(names, start=1))
    return "".join(
        f"{chinese_numeral(n)}是开展{name}{'' if name.endswith('活动') else '活动'}。"
        for n, name in enumerate(names, start=1)
    )


def _amount(value: Decimal | int | None, template: str) -> str:
    """A figure with its unit, or "—" when it cannot be computed (a division by zero)."""
    return "—" if value is None else template % {"n": value}


# --- Who may see a profile -----------------------------------------------------------------------


def _team_for_profile(request: HttpRequest, slug: str, *, related=()) -> tuple[Team, bool]:
    """The team and whether this is a preview of an unpublished profile."""
    team = Team.objects.select_related(*related).filter(slug=slug).first()
    if team is None:
        raise Http404
    if team.is_published:
        return team, False
    if not request.user.is_authenticated:
        raise Http404
    team_for_reader(request.user, slug)  # 404 unless the team's people or its region's admins
    return team, True


# --- The public profile --------------------------------------------------------------------------


def _figures(team: Team, months: list[tuple[int, int]]):
    """The all-time row and the chart's month rows, in one query."""
    first_year, last_year = months[0][0], months[-1][0]
    rows = TeamFigures.objects.filter(team=team).filter(
        Q(kind=PeriodKind.ALL) | Q(kind=PeriodKind.MONTH, year__gte=first_year, year__lte=last_year)
    )
    all_time = None
    by_month: dict[tuple[int, int], tuple[int, Decimal]] = {}
    for row in rows:
        if row.kind == PeriodKind.ALL:
            all_time = row
        else:
            by_month[(row.year, row.month)] = (row.activities, row.activity_hours)
    return all_time, month_values(months, by_month)


def _chart_text(values: list[MonthValue]) -> ChartText:
    first, last = values[0], values[-1]
    activities = sum(v.activities for v in values)
    hours = sum((v.hours for v in values), Decimal("0"))
    return ChartText(
        title=_("Volunteer service activities and hours by month, last %(count)d months")
        % {"count": len(values)},
        description=_(
            "From %(first_year)d-%(first_month)d to %(last_year)d-%(last_month)d: "
            "%(activities)d approved activities, %(hours)s activity hours in all. "
            "Bars show the activities of each month, the line their hours."
        )
        % {
            "first_year": first.year,
            "first_month": first.month,
            "last_year": last.year,
            "last_month": last.month,
            "activities": activities,
            "hours": hours,
        },
        activities=_("Number of activities"),
        hours=_("Activity hours"),
        empty=_("No approved activities in these months"),
        month_label=lambda year, month: pgettext("chart month", "%(month)d") % {"month": month},
        year_label=lambda year: pgettext("chart year", "%(year)d") % {"year": year},
        bar_tooltip=lambda v: (
            _("%(year)d-%(month)d: %(activities)d activities, %(hours)s hours")
            % {"year": v.year, "month": v.month, "activities": v.activities, "hours": v.hours}
        ),
    )


@require_safe
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    today = timezone.localdate()
    if profile_cacheable(request):
        # Anonymous visitors share one stored page per team and language (profiles/cache.py).
        return profile_cached(
            slug, get_language(), today, lambda: _profile_render(request, slug, today)
        )
    return _profile_render(request, slug, today)


def _profile_render(request: HttpRequest, slug: str, today: datetime.date) -> HttpResponse:
    team, preview = _team_for_profile(
        request, slug, related=["lead_member", "figures_state", "region"]
    )
    all_time, values = _figures(team, last_months(today, CHART_MONTHS))
    return render(
        request, "profiles/profile.html", profile_context(team, preview, all_time, values)
    )


def profile_context(team: Team, preview: bool, all_time, values: list[MonthValue]) -> dict:
    """The profile page's context from the team, its all-time figures (a TeamFigures
    row, or None before the first recompute) and the chart's months."""
    try:
        stale = team.figures_state.stale
    except ObjectDoesNotExist:
        stale = False
    lead = None
    if team.lead_consents_to_publication and team.lead_display_name:
        lead = {"name": team.lead_display_name, "title": team.lead_title}
    per_volunteer = None
    if all_time is not None:
        per_volunteer = {
            "hours": _amount(all_time.hours_per_volunteer, _("%(n)s hours")),
            "times": _amount(all_time.activities_per_volunteer, _("%(n)s times")),
            "activity_hours": _amount(all_time.hours_per_activity, _("%(n)s hours")),
            "people": _amount(all_time.people_per_activity, _("%(n)s people")),
        }
    return {
        "team": team,
        "preview": preview,
        "figures": all_time,
        "per_volunteer": per_volunteer,
        "stale": stale,
        "lead": lead,
        "projects": regular_projects_sentence([c.name for c in team.categories_in_order()]),
        # Sanitised here as well as on save: the admin can write the field directly.
        "main_deeds": mark_safe(sanitise_html(team.main_deeds)),  # noqa: S308
        # Every text in the SVG is escaped by chart_svg.
        "chart_svg": mark_safe(  # noqa: S308
            chart_svg(chart_build(values), _chart_text(values), element_id="activity-chart")
        ),
        # Star volunteers (stars/): registered today, per level, five stars first.
        "star_counts": level_counts_text(
            level_counts([team.pk], today=timezone.localdate())[team.pk]
        ),
        "chart_values": values,
        "chart_activities": sum(v.activities for v in values),
        "chart_hours": sum((v.hours for v in values), Decimal("0")),
    }


# --- 纠错 (error reports) ------------------------------------------------------------------


def ip_hash(ip: str) -> str:
    """A keyed SHA-256 of the address (salted with SECRET_KEY): countable, not reversible."""
    return salted_hmac("teams.ErrorReport.ip_hash", ip, algorithm="sha256").hexdigest()


def error_report_rate_allows(*, hashed_ip: str) -> bool:
    """False once this address has sent REPORT_LIMIT reports (to any team) this hour.

    Counted from the stored reports, so every process sees the same count, with or
    without a shared cache."""
    since = timezone.now() - datetime.timedelta(seconds=REPORT_WINDOW_SECONDS)
    sent = ErrorReport.objects.filter(ip_hash=hashed_ip, created_at__gte=since)
    return sent.count() < REPORT_LIMIT


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
def report(request: HttpRequest, slug: str) -> HttpResponse:
    team, preview = _team_for_profile(request, slug)
    status = 200
    limited = False
    if request.method == "POST":
        form = ErrorReportForm(request.POST)
        if form.is_valid():
            thanks = redirect("profiles:report_thanks", slug=team.slug)
            if form.is_bot:
                return thanks  # pretend it worked; a bot learns nothing
            hashed = ip_hash(client_ip(request))
            if error_report_rate_allows(hashed_ip=hashed):
                error_report_create(
                    team=team,
                    field=form.cleaned_data["field"],
                    description=form.cleaned_data["description"],
                    contact=form.cleaned_data["contact"],
                    hashed_ip=hashed,
                )
                return thanks
            limited = True
            status = 429
    else:
        form = ErrorReportForm()
    return render(
        request,
        "profiles/report_form.html",
        {"team": team, "preview": preview, "form": form, "limited": limited},
        status=status,
    )


@require_safe
def report_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    team, preview = _team_for_profile(request, slug)
    return render(request, "profiles/report_thanks.html", {"team": team, "preview": preview})


# --- The secretary's pages -----------------------------------------------------------------------


# Where each part of the profile is edited: the element a "去修改" link opens and focuses.
FIELD_ANCHORS = {
    ProfilePart.NAME: "id_name",
    ProfilePart.FOUNDED: "id_founded_year",
    ProfilePart.HOST_UNIT: "id_host_unit",
    ProfilePart.LEAD: "id_lead_member",
    ProfilePart.PROJECTS: "projects",
    ProfilePart.RECOMMENDING_UNIT: "id_recommending_unit",
    ProfilePart.MAIN_DEEDS: "id_main_deeds",
}
# Without JavaScript the edit page still focuses the field: ?focus=<part> marks it autofocus.
FOCUS_FIELDS = {
    ProfilePart.NAME: "name",
    ProfilePart.FOUNDED: "founded_year",
    ProfilePart.HOST_UNIT: "host_unit",
    ProfilePart.LEAD: "lead_member",
    ProfilePart.PROJECTS: "categories",
    ProfilePart.RECOMMENDING_UNIT: "recommending_unit",
    ProfilePart.MAIN_DEEDS: "main_deeds",
}


def _moved(data, move: str):
    """The posted data with the projects list changed by an up/down/remove/add button
    (the page's way of ordering without JavaScript)."""
    data = data.copy()
    ids = data.getlist("categories")
    verb, _sep, pk = move.partition(":")
    if verb == "add":
        pk = data.get("add_category", "")
        if pk and pk not in ids:
            ids.append(pk)
    elif pk in ids:
        index = ids.index(pk)
        if verb == "up" and index > 0:
            ids[index - 1], ids[index] = ids[index], ids[index - 1]
        elif verb == "down" and index < len(ids) - 1:
            ids[index + 1], ids[index] = ids[index], ids[index + 1]
        elif verb == "remove":
            ids.pop(index)
    data.setlist("categories", ids)
    return data


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    if request.method == "POST" and request.POST.get("move"):
        # An up/down/remove/add button without JavaScript: show the new order, save nothing.
        form = ProfileForm(_moved(request.POST, request.POST["move"]), instance=team)
        messages.info(request, _("The list of projects is changed but not saved yet: press Save."))
    elif request.method == "POST":
        form = ProfileForm(request.POST, instance=team)
        if form.is_valid():
            team_profile_update(
                team=team,
                fields={name: form.cleaned_data[name] for name in PROFILE_FIELDS},
                founded_on=form.cleaned_data["founded_on"],
                category_ids=form.cleaned_data["categories"],
                request=request,
            )
            messages.success(request, _("The profile has been saved."))
            return redirect("profiles:edit", slug=team.slug)
    else:
        form = ProfileForm(instance=team)
        focus = FOCUS_FIELDS.get(request.GET.get("focus", ""))
        if focus:
            form.fields[focus].widget.attrs["autofocus"] = True
    return render(
        request,
        "profiles/profile_edit.html",
        {
            "team": team,
            "form": form,
            "unresolved_count": team.error_reports.unresolved().count(),
            "quill_labels": {
                "headings": {"": _("Body text"), "3": _("Heading"), "4": _("Subheading")},
                ".ql-header .ql-picker-label": _("Heading level"),
                "button.ql-bold": _("Bold"),
                "button.ql-italic": _("Italic"),
                "button.ql-underline": _("Underline"),
                'button.ql-list[value="ordered"]': _("Numbered list"),
                'button.ql-list[value="bullet"]': _("Bulleted list"),
                "button.ql-blockquote": _("Quotation"),
                "button.ql-link": _("Link"),
                "button.ql-clean": _("Remove formatting"),
            },
        },
    )


@never_cache
@login_required
@require_safe
def profile_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The profile exactly as the public will see it, with the 公开 button: for the
    secretary only, never stored by a cache, and never indexed."""
    team = team_for_secretary(request.user, slug)
    team = Team.objects.select_related("lead_member", "figures_state").get(pk=team.pk)
    all_time, values = _figures(team, last_months(timezone.localdate(), CHART_MONTHS))
    context = profile_context(team, False, all_time, values)
    response = render(request, "profiles/preview.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_POST
def profile_publish(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to publish or withdraw the profile."))
    else:
        publish = form.cleaned_data["action"] == "publish"
        team_profile_publish(team=team, publish=publish, today=timezone.localdate())
        if publish:
            messages.success(
                request,
                _("The profile is public at %(url)s.")
                % {
                    "url": request.build_absolute_uri(reverse("profiles:profile", args=[team.slug]))
                },
            )
        else:
            messages.success(request, _("The profile is no longer public."))
    return redirect("profiles:edit", slug=team.slug)


@login_required
@require_safe
def report_list(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    reports = ErrorReport.objects.filter(team=team).for_secretary().select_related("resolved_by")
    page = Paginator(reports, REPORTS_PAGE_SIZE).get_page(request.GET.get("page"))
    edit_url = reverse("profiles:edit", args=[team.slug])
    for error_report in page.object_list:
        # "去修改": the edit page, opened at the part the report is about and focused there.
        anchor = FIELD_ANCHORS.get(error_report.field)
        error_report.edit_url = (
            f"{edit_url}?focus={error_report.field}#{anchor}" if anchor else edit_url
        )
    return render(
        request,
        "profiles/report_list.html",
        {
            "team": team,
            "page": page,
            "unresolved_count": team.error_reports.unresolved().count(),
            "resolve_form": ResolveForm(),
        },
    )


@login_required
@require_POST
def report_resolve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = team_for_secretary(request.user, slug)
    error_report = get_object_or_404(ErrorReport, pk=pk, team=team)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The note is too long (at most 1000 characters)."))
    elif error_report_resolve(
        report=error_report, user=request.user, note=form.cleaned_data["note"]
    ):
        messages.success(request, _("The report is marked as resolved."))
    else:
        messages.info(request, _("This report had already been resolved."))
    return redirect("profiles:reports", slug=team.slug)
