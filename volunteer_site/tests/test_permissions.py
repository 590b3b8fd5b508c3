"""Every URL of the site, tried by every persona.

The URLs are enumerated from the resolver, so a new page without an entry in
EXPECTED fails ``test_every_url_has_expectations``: nobody can add a page and
forget to decide who may open it.

Statuses: 200 page, 302 done-and-redirected (or login redirect for anonymous),
403 seen but not allowed, 404 not yours (the object's existence is hidden),
405 wrong method.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from activities.models import ActivityStatus
from activities.tests.factories import ParticipationFactory
from compliance.months import default_review_month
from teams.models import ErrorReport

PERSONAS = [
    "staff",
    "secretary",
    "other_staff",
    "other_secretary",
    "volunteer",
    "region_admin",
    "other_region_admin",
    "no_role",
]

# Not the project's own pages: Django's admin guards itself (staff flag),
# the language switch is for everyone, the static/media handlers are not views.
EXCLUDED_NAMESPACES = {"admin"}
EXCLUDED_NAMES = {"set_language"}

TEAM_READERS = {"staff": 200, "secretary": 200, "region_admin": 200}
TEAM_WRITERS = {"staff": 200, "secretary": 200, "region_admin": 403}
SECRETARY_ONLY = {"staff": 403, "secretary": 200, "region_admin": 403}
# The certificate register: the secretary, and an admin of the region (read only).
REGISTER_READERS = {"staff": 403, "secretary": 200, "region_admin": 200}


def post_action(ok_for: set[str]) -> dict[str, int]:
    return {name: (302 if name in ok_for else 403) for name in TEAM_WRITERS}


# name: (method, args kind, {persona: status}); personas not listed expect 404.
EXPECTED: dict[str, tuple[str, str, dict[str, int]]] = {
    "home": ("get", "", dict.fromkeys(PERSONAS, 302) | {"no_role": 200}),
    "login": ("get", "", dict.fromkeys(PERSONAS, 302)),
    "logout": ("get", "", dict.fromkeys(PERSONAS, 405)),
    # Every signed-in user changes their own password.
    "password_change": ("get", "", dict.fromkeys(PERSONAS, 200)),
    "password_change_done": ("get", "", dict.fromkeys(PERSONAS, 200)),
    "healthz": ("get", "", dict.fromkeys(PERSONAS, 200)),
    # The civilization office's pages: region admins only; a team outside their regions 404.
    **dict.fromkeys(
        [
            "regions:overview",
            "regions:export",
            "regions:compare",
            "regions:ranking",
            "regions:ranking_export",
        ],
        (
            "get",
            "",
            dict.fromkeys(PERSONAS, 403) | {"region_admin": 200, "other_region_admin": 200},
        ),
    ),
    # Without teams chosen there is nothing to export (the page explains that).
    "regions:compare_export": (
        "get",
        "",
        dict.fromkeys(PERSONAS, 403) | {"region_admin": 404, "other_region_admin": 404},
    ),
    "regions:team": (
        "get",
        "team",
        dict.fromkeys(PERSONAS, 403) | {"region_admin": 200, "other_region_admin": 404},
    ),
    # Star thresholds: region admins, for the regions of their subtrees (stars/views.py).
    "regions:stars": (
        "get",
        "",
        dict.fromkeys(PERSONAS, 403) | {"region_admin": 200, "other_region_admin": 200},
    ),
    "regions:stars_edit": (
        "get",
        "region",
        dict.fromkeys(PERSONAS, 403) | {"region_admin": 200, "other_region_admin": 404},
    ),
    "dashboard:team": ("get", "team", TEAM_READERS),
    "compliance:rules": ("get", "team", TEAM_READERS),
    "records:mine": ("get", "", {"volunteer": 200}),
    "members:list": ("get", "team", TEAM_READERS),
    "members:create": ("get", "team", SECRETARY_ONLY),
    "members:update": ("get", "member", SECRETARY_ONLY),
    "members:leave": ("get", "member", SECRETARY_ONLY),
    "members:rejoin": ("post", "member", post_action({"secretary"})),
    # Spreadsheet import (secretary only; without a pending import the preview and the
    # confirmation send the secretary back to the upload page) and exports (readers).
    "member_io:import": ("get", "team", SECRETARY_ONLY),
    "member_io:template": ("get", "team", SECRETARY_ONLY),
    "member_io:preview": ("get", "team", SECRETARY_ONLY | {"secretary": 302}),
    "member_io:confirm": ("post", "team", post_action({"secretary"})),
    "member_io:export": ("get", "team", TEAM_READERS),
    "records:export": ("get", "member", TEAM_READERS),
    "records:find": ("get", "team", dict.fromkeys(TEAM_READERS, 302)),
    "activities:list": ("get", "team", TEAM_READERS),
    "activities:awaiting": ("get", "team", SECRETARY_ONLY),
    "activities:create": ("get", "team", TEAM_WRITERS),
    "activities:detail": ("get", "activity", TEAM_READERS),
    "activities:update": ("get", "activity", TEAM_WRITERS),
    "activities:submit": ("post", "activity", post_action({"staff", "secretary"})),
    "activities:approve": ("post", "activity", post_action({"secretary"})),
    "activities:return": ("post", "activity", post_action({"secretary"})),
    "activities:reopen": ("post", "activity", post_action({"secretary"})),
    "activities:bulk": ("post", "team", post_action({"secretary"})),
    "activity_io:import": ("get", "team", SECRETARY_ONLY),
    "activity_io:template": ("get", "team", SECRETARY_ONLY),
    "activity_io:preview": ("get", "team", SECRETARY_ONLY | {"secretary": 302}),
    "activity_io:confirm": ("post", "team", post_action({"secretary"})),
    "activity_io:export": ("get", "team", TEAM_READERS),
    "compliance:reviews": ("get", "team", TEAM_READERS),
    "compliance:review_default": ("get", "team", dict.fromkeys(TEAM_READERS, 302)),
    "compliance:review": ("get", "month", TEAM_READERS),
    "compliance:review_sign": ("post", "month", post_action({"secretary"})),
    "compliance:review_export": ("get", "month", TEAM_READERS),
    "compliance:review_print": ("get", "month", TEAM_READERS),
    # The public profile of "our-team", which is not published: only the people who
    # may preview it see it (published profiles are public: profiles/tests/test_profile.py).
    "profiles:profile": ("get", "team", TEAM_READERS),
    "profiles:report": ("get", "team", TEAM_READERS),
    "profiles:report_thanks": ("get", "team", TEAM_READERS),
    "profiles:edit": ("get", "team", SECRETARY_ONLY),
    "profiles:preview": ("get", "team", SECRETARY_ONLY),
    "profiles:publish": ("post", "team", post_action({"secretary"})),
    "profiles:reports": ("get", "team", SECRETARY_ONLY),
    "profiles:report_resolve": ("post", "error_report", post_action({"secretary"})),
    # A one-time link's page answers everyone (here a link that does not work: the
    # page says so); the token, not the session, says whose password it sets.
    "accounts:invitation": ("get", "link", dict.fromkeys(PERSONAS, 200)),
    # Applications to join: the form and its thanks page exist only for a published team
    # (our-team is not: 404 for everybody; published: applications/tests/test_views.py);
    # the status page is for whoever holds its link; the queue is the secretary's, whose
    # empty approve or reject comes back as the queue with the form's messages (200).
    "applications:apply": ("get", "team", {}),
    "applications:thanks": ("get", "team", {}),
    "applications:status": ("get", "application_status", dict.fromkeys(PERSONAS, 200)),
    "applications:queue": ("get", "team", SECRETARY_ONLY),
    "applications:approve": ("post", "application", SECRETARY_ONLY),
    "applications:reject": ("post", "application", SECRETARY_ONLY),
    # Password reset by e-mail: for anyone who can type an address.
    "accounts:password_reset": ("get", "", dict.fromkeys(PERSONAS, 200)),
    "accounts:password_reset_done": ("get", "", dict.fromkeys(PERSONAS, 200)),
    "accounts:password_reset_confirm": ("get", "link", dict.fromkeys(PERSONAS, 200)),
    "accounts:password_reset_complete": ("get", "", dict.fromkeys(PERSONAS, 200)),
    # A member's login: their team's secretary only. (Without a code kept for it, the
    # one-time password page says it was shown already.)
    "accounts:member_login": ("get", "member", SECRETARY_ONLY),
    "accounts:login_code": ("get", "member", SECRETARY_ONLY),
    "accounts:login_create": ("post", "member", post_action({"secretary"})),
    "accounts:login_reset": ("post", "member", post_action({"secretary"})),
    "accounts:login_disable": ("post", "member", post_action({"secretary"})),
    "accounts:login_enable": ("post", "member", post_action({"secretary"})),
    # Service-record certificates: the volunteer's own (an issued one of theirs here); the
    # team's register; the public verification of an issued certificate's code.
    "certificates:mine": ("get", "", {"volunteer": 200}),
    "certificates:my_pdf": ("get", "my_certificate", {"volunteer": 200}),
    "certificates:register": ("get", "team", REGISTER_READERS),
    "certificates:export": ("get", "team", REGISTER_READERS),
    "certificates:pdf": ("get", "certificate", REGISTER_READERS),
    "certificates:issue": ("get", "team", SECRETARY_ONLY),
    "certificates:approve": ("post", "certificate", post_action({"secretary"})),
    "certificates:refuse": ("post", "certificate", post_action({"secretary"})),
    "certificates:revoke": ("post", "certificate", post_action({"secretary"})),
    "certificates:verify_form": ("get", "", dict.fromkeys(PERSONAS, 200)),
    "certificates:verify": ("get", "verify_code", dict.fromkeys(PERSONAS, 200)),
    # Planned activities (planning/): the team's staff and secretary; the region's admin 403.
    "planning:list": ("get", "team", TEAM_WRITERS),
    "planning:create": ("get", "team", TEAM_WRITERS),
    "planning:cancel": ("post", "occurrence", post_action({"staff", "secretary"})),
    "planning:edit": ("get", "planned", TEAM_WRITERS),
    "planning:stop": ("post", "planned", post_action({"staff", "secretary"})),
    "planning:republish": ("post", "planned", post_action({"staff", "secretary"})),
    # Attendance (attendance/): anyone signed in opens the check-in page (the service says
    # who may check in where); an occurrence's sheet and its actions are the team's staff
    # and secretary's; the region's admin 403. (An empty mark or unmark, and a draft of an
    # occurrence not begun, come back to the sheet with a message.)
    "attendance:check_in": ("get", "", dict.fromkeys(PERSONAS, 200)),
    "attendance:sheet": ("get", "occurrence", TEAM_WRITERS),
    "attendance:print": ("get", "occurrence", TEAM_WRITERS),
    "attendance:new_code": ("post", "occurrence", post_action({"staff", "secretary"})),
    "attendance:mark": ("post", "occurrence", post_action({"staff", "secretary"})),
    "attendance:unmark": ("post", "occurrence", post_action({"staff", "secretary"})),
    "attendance:draft": ("post", "occurrence", post_action({"staff", "secretary"})),
    # Duty rosters (rosters/): groups and the weekly roster are the team's staff's and
    # secretary's (the region's admin 403); swaps are decided by the secretary; the
    # volunteer's own roster, swap requests and agreeing are the volunteer's.
    "rosters:groups": ("get", "team", TEAM_WRITERS),
    "rosters:group_edit": ("get", "duty_group", TEAM_WRITERS),
    "rosters:group_delete": ("post", "duty_group", post_action({"staff", "secretary"})),
    "rosters:week": ("get", "roster_planned", TEAM_WRITERS),
    "rosters:put_group": ("post", "roster_planned", post_action({"staff", "secretary"})),
    "rosters:put_member": ("post", "roster_planned", post_action({"staff", "secretary"})),
    "rosters:take_off": ("post", "roster_planned", post_action({"staff", "secretary"})),
    "rosters:rotate": ("post", "roster_planned", post_action({"staff", "secretary"})),
    "rosters:swaps": ("get", "team", SECRETARY_ONLY),
    "rosters:swap_approve": ("post", "swap", post_action({"secretary"})),
    "rosters:swap_reject": ("post", "swap", post_action({"secretary"})),
    "rosters:mine": ("get", "", {"volunteer": 200}),
    "rosters:swap_create": ("get", "my_duty", {"volunteer": 200}),
    "rosters:swap_agree": ("post", "swap", {"volunteer": 302}),
    # Sign-ups (signups/): every signed-in user has the page of coming activities (a
    # volunteer sees their team's, everybody the ones open to all); an occurrence for
    # the team's members only is the volunteer's (others 404); their calendar link is
    # anyone's who holds it; an occurrence's lists are its team's staff and secretary's
    # (an empty add comes back as the page with the form's message).
    "signups:upcoming": ("get", "", dict.fromkeys(PERSONAS, 200)),
    "signups:detail": ("get", "my_occurrence", {"volunteer": 200}),
    "signups:sign_up": ("post", "my_occurrence", {"volunteer": 302}),
    "signups:cancel": ("post", "my_occurrence", {"volunteer": 302}),
    "signups:calendar_reset": ("post", "", dict.fromkeys(PERSONAS, 302)),
    "signups:calendar": ("get", "calendar_token", dict.fromkeys(PERSONAS, 200)),
    "signups:staff_list": ("get", "occurrence", TEAM_WRITERS),
    "signups:assign": ("post", "occurrence", TEAM_WRITERS),
    "signups:remove": ("post", "signup", post_action({"staff", "secretary"})),
}

# Anonymous visitors: these are public, everything else sends them to log in.
PUBLIC = {"login": 200, "logout": 405, "healthz": 200}
# The home page is the public directory of teams (signed-in users are sent to their work).
PUBLIC["home"] = 200
PUBLIC |= dict.fromkeys(
    [
        "accounts:invitation",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
    ],
    200,
)
# An unpublished profile is hidden from the public, not behind a login.
PUBLIC |= dict.fromkeys(["profiles:profile", "profiles:report", "profiles:report_thanks"], 404)
PUBLIC |= {"applications:apply": 404, "applications:thanks": 404, "applications:status": 200}
PUBLIC |= {"certificates:verify_form": 200, "certificates:verify": 200}
PUBLIC |= {"signups:calendar": 200}


def project_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                if inner in EXCLUDED_NAMESPACES:
                    continue
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                if pattern.name in EXCLUDED_NAMES:
                    continue
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_has_expectations():
    assert project_url_names() == set(EXPECTED)


def url_for(name: str, kind: str, personas) -> str:
    if kind == "":
        return reverse(name)
    if kind == "link":
        return reverse(name, kwargs={"uidb64": "MQ", "token": "no-such-token"})
    if kind == "region":
        return reverse(name, kwargs={"pk": personas.region.pk})
    team = personas.team
    if kind == "team":
        return reverse(name, kwargs={"slug": team.slug})
    if kind == "month":  # a month that is over: last month
        year, month = default_review_month(timezone.localdate())
        return reverse(name, kwargs={"slug": team.slug, "year": year, "month": month})
    if kind in ("application", "application_status"):
        from applications.tests.factories import ApplicationFactory

        application = ApplicationFactory(team=team)
        if kind == "application_status":
            return reverse(name, kwargs={"token": application.status_token})
        return reverse(name, kwargs={"slug": team.slug, "pk": application.pk})
    if kind in ("certificate", "my_certificate", "verify_code"):
        from certificates.tests.factories import issued_certificate

        certificate = issued_certificate(personas.volunteer_member)
        if kind == "verify_code":
            return reverse(name, kwargs={"code": certificate.code})
        if kind == "my_certificate":
            return reverse(name, kwargs={"pk": certificate.pk})
        return reverse(name, kwargs={"slug": team.slug, "pk": certificate.pk})
    if kind in ("my_occurrence", "calendar_token", "signup"):
        from planning.tests.factories import occurrence_of
        from signups.services import calendar_feed_reset, sign_up

        if kind == "calendar_token":
            token = calendar_feed_reset(user=personas.volunteer).token
            return reverse(name, kwargs={"token": token})
        occurrence = occurrence_of(team)
        if kind == "my_occurrence":
            return reverse(name, kwargs={"pk": occurrence.pk})
        signup = sign_up(occurrence, personas.volunteer)
        kwargs = {"slug": team.slug, "pk": occurrence.pk, "signup_pk": signup.pk}
        return reverse(name, kwargs=kwargs)
    if kind == "occurrence":
        from planning.tests.factories import occurrence_of

        occurrence = occurrence_of(team)
        return reverse(name, kwargs={"slug": team.slug, "pk": occurrence.pk})
    if kind == "planned":
        from planning.tests.factories import planned_of

        return reverse(name, kwargs={"slug": team.slug, "pk": planned_of(team).pk})
    if kind in ("duty_group", "roster_planned", "my_duty", "swap"):  # rosters/
        from rosters.tests.factories import object_for_permissions

        return reverse(name, kwargs=object_for_permissions(name, kind, personas))
    if kind == "error_report":
        report = ErrorReport.objects.create(team=team, description="错别字", ip_hash="0" * 64)
        return reverse(name, kwargs={"slug": team.slug, "pk": report.pk})
    participation = ParticipationFactory(
        activity__team=team, activity__status=ActivityStatus.DRAFT, member__team=team
    )
    pk = participation.activity.pk if kind == "activity" else participation.member.pk
    return reverse(name, kwargs={"slug": team.slug, "pk": pk})


CASES = [
    pytest.param(name, persona, id=f"{name}-{persona}")
    for name in EXPECTED
    for persona in ["anonymous", *PERSONAS]
]


@pytest.fixture
def personas(personas_kept):
    """Made once for the module: most of its many short tests' time was making them."""
    return personas_kept


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "persona"), CASES)
def test_permission_matrix(request, settings, personas, name, persona):
    if name == "healthz" and not settings.CELERY_TASK_ALWAYS_EAGER:
        # /healthz answers 200 only when a worker answers its ping: on the services one
        # of this process must run (it did only when an earlier test had started it).
        request.getfixturevalue("celery_worker")
    method, kind, statuses = EXPECTED[name]
    url = url_for(name, kind, personas)
    client = Client()
    if persona == "anonymous":
        expected = PUBLIC.get(name, 302)
    else:
        client.force_login(getattr(personas, persona))
        expected = statuses.get(persona, 404)
    response = getattr(client, method)(url)
    assert response.status_code == expected, f"{method.upper()} {url} as {persona}"
    if persona == "anonymous" and expected == 302:
        assert response["Location"].startswith(reverse("login"))
