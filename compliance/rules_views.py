"""The secretary edits the team's rules; everyone who reads the team sees them and their history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from compliance.forms import TeamRulesForm
from teams.access import roles_for, team_for_reader
from teams.models import Team, TeamRole
from volunteer_site.names import person_name

RULE_FIELDS = ["min_activities_per_month", "min_participations_per_member_year"]


def rules_history(team: Team) -> list[dict]:
    """Each change of the rules, newest first: when, who, and old → new per rule."""
    records = list(
        team.history.select_related("history_user").order_by("history_date", "history_id")
    )
    changes = []
    for before, after in zip(records, records[1:], strict=False):
        changed = [
            (Team._meta.get_field(name).verbose_name, getattr(before, name), getattr(after, name))
            for name in RULE_FIELDS
            if getattr(before, name) != getattr(after, name)
        ]
        if changed:
            changes.append(
                {
                    "when": after.history_date,
                    "who": person_name(after.history_user)
                    if after.history_user
                    else _("the system"),
                    "changes": changed,
                }
            )
    return list(reversed(changes))


@login_required
def team_rules(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_reader(request.user, slug)
    is_secretary = roles_for(request.user).role_on(team) == TeamRole.Role.SECRETARY
    form = None
    if is_secretary:
        form = TeamRulesForm(request.POST or None, instance=team)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                team._history_user = request.user
                form.save()
            messages.success(request, _("The team's rules were saved."))
            return redirect("compliance:rules", slug=team.slug)
    elif request.method == "POST":
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return render(
        request,
        "compliance/rules.html",
        {
            "team": team,
            "form": form,
            "history": rules_history(team),
            "role": roles_for(request.user).role_on(team),
        },
    )
