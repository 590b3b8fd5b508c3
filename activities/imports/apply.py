"""Saving and submitting a plan's new activities, all in one transaction or none."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from activities import services
from activities.imports.plan import activity_import_plan
from activities.imports.rows import (
    ActivityImportPlan,
    ActivityImportResult,
    ImportConflict,
    RowStatus,
)
from activities.models import Activity
from activities.services import ParticipantInput
from teams.models import Team


def activity_import_apply(*, team: Team, plan: ActivityImportPlan, by) -> ActivityImportResult:
    """Save and submit every new activity of a plan without errors, all or none."""
    if plan.has_errors:
        raise ValueError("a plan with errors cannot be written")
    now = timezone.now()
    created: list[Activity] = []
    count = 0
    try:
        with transaction.atomic():
            for row in plan.activities:
                if row.status != RowStatus.NEW:
                    continue
                participants = [
                    ParticipantInput(member=p.member, hours=p.hours, role=p.role)
                    for p in row.participations
                ]
                created.append(
                    services.activity_save(
                        team=team,
                        by=by,
                        fields=row.form.model_fields(),
                        participants=participants,
                        submit=True,
                        now=now,
                    )
                )
                count += len(participants)
    except services.WorkflowError as error:
        raise ImportConflict(" ".join(error.messages)) from error
    return ActivityImportResult(activities=created, participations=count)


def activity_import_confirm(
    *, team: Team, data: bytes, filename: str, previewed: str, by
) -> tuple[ActivityImportPlan, ActivityImportResult | None]:
    """Re-check the staged workbook; write it only if it is still what was previewed."""
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=team.pk).first()
        plan = activity_import_plan(team=team, data=data, filename=filename)
        if plan.has_errors or plan.digest != previewed:
            return plan, None
        return plan, activity_import_apply(team=team, plan=plan, by=by)
