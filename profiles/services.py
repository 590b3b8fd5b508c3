"""The writes behind the profile pages: the secretary's edits and publication, and 纠错.

Each is atomic and keyword-only; the forms have validated (and sanitised) what they get.
Team keeps its history (django-simple-history), so every save of the profile is also a
historical row; ``team_profile_update`` records the edit in the audit log as well.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from teams.models import ErrorReport, Team, TeamCategory
from volunteer_site.audit import audit
from volunteer_site.models import AuditAction


@transaction.atomic
def team_profile_update(
    *,
    team: Team,
    fields: dict,
    founded_on: datetime.date,
    category_ids: list[int],
    request=None,
) -> Team:
    """Save what the secretary edited: the team's columns in ``fields``, the founding
    month (the 1st of the month) and the regular projects in the given order
    (positions 0..n-1). The address (slug) never changes with the name."""
    team = Team.objects.select_for_update().get(pk=team.pk)
    before = [tc.category_id for tc in team.team_categories.all()]
    changed = [name for name, value in fields.items() if getattr(team, name) != value]
    for name, value in fields.items():
        setattr(team, name, value)
    if team.founded_on != founded_on:
        changed.append("founded_on")
        team.founded_on = founded_on
    if before != category_ids:
        changed.append("categories")
        team.team_categories.all().delete()
        TeamCategory.objects.bulk_create(
            TeamCategory(team=team, category_id=pk, position=position)
            for position, pk in enumerate(category_ids)
        )
    # Saved even when only the projects changed: it moves updated_at, which keys the
    # stored public page (profiles/cache.py), and writes a historical row.
    team.save(update_fields=[*fields, "founded_on"])
    audit(request, AuditAction.PROFILE_EDIT, target=team, changed=changed)
    return team


@transaction.atomic
def team_profile_publish(*, team: Team, publish: bool, today: datetime.date) -> None:
    """Publish or withdraw the profile; the first publication dates it if no date is set."""
    team = Team.objects.select_for_update().get(pk=team.pk)
    team.is_published = publish
    if publish and team.published_on is None:
        team.published_on = today
    team.save(update_fields=["is_published", "published_on"])


def error_report_create(
    *, team: Team, description: str, contact: str, hashed_ip: str, field: str = ""
) -> ErrorReport:
    return ErrorReport.objects.create(
        team=team, field=field, description=description, contact=contact, ip_hash=hashed_ip
    )


@transaction.atomic
def error_report_resolve(*, report: ErrorReport, user, note: str) -> bool:
    """Mark a report resolved. False if somebody resolved it already."""
    return bool(
        ErrorReport.objects.filter(pk=report.pk, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=user, resolution_note=note
        )
    )
