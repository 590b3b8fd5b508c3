"""Writing a plan: every new and changed member in one transaction, or none."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from members.imports.columns import IMPORTED_FIELDS
from members.imports.plan import BATCH_SIZE, member_import_plan
from members.imports.rows import ImportConflict, MemberImportPlan, MemberImportResult, RowStatus
from members.models import Member
from members.signals import members_imported
from teams.models import Team


def _reason(filename: str) -> str:
    # simple_history's change reason holds 100 characters.
    return (_("Imported from %(file)s") % {"file": filename})[:100]


def member_import_apply(
    *, team: Team, plan: MemberImportPlan, by, filename: str
) -> MemberImportResult:
    """Write a plan without errors: all its new and changed rows, or none."""
    if plan.has_errors:
        raise ValueError("a plan with errors cannot be written")
    reason = _reason(filename)
    new = [Member(team=team, **row.merged) for row in plan.rows if row.status == RowStatus.NEW]
    changed: list[Member] = []
    fields: set[str] = set()
    dates_before: dict[int, tuple] = {}
    for row in plan.rows:
        if row.status != RowStatus.UPDATE:
            continue
        dates_before[row.member.pk] = (row.member.registered_on, row.member.left_on)
        for name in IMPORTED_FIELDS:
            if getattr(row.member, name) != row.merged[name]:
                setattr(row.member, name, row.merged[name])
                fields.add(name)
        changed.append(row.member)
    try:
        with transaction.atomic():
            if new:
                bulk_create_with_history(
                    new,
                    Member,
                    batch_size=BATCH_SIZE,
                    default_user=by,
                    default_change_reason=reason,
                )
            if changed:
                bulk_update_with_history(
                    changed,
                    Member,
                    fields=sorted(fields),
                    batch_size=BATCH_SIZE,
                    default_user=by,
                    default_change_reason=reason,
                )
            if new or changed:
                members_imported.send(
                    sender=Member,
                    team_id=team.pk,
                    changes=[
                        (
                            member.pk,
                            member.name,
                            dates_before.get(member.pk),
                            (member.registered_on, member.left_on),
                        )
                        for member in [*new, *changed]
                    ],
                )
    except IntegrityError as error:
        raise ImportConflict(
            _(
                "The roster was changed by someone else while importing (a volunteer number "
                "is now taken). Nothing was imported; upload the file again."
            )
        ) from error
    return MemberImportResult(created=len(new), updated=len(changed))


def member_import_confirm(
    *, team: Team, data: bytes, filename: str, previewed: str, by
) -> tuple[MemberImportPlan, MemberImportResult | None]:
    """Re-validate the staged file and write it if the plan is still the one previewed.

    Returns the plan and, when written, the result; a plan with errors or one
    that differs from the preview (``previewed`` is its digest) is returned
    unwritten for the secretary to check again.
    """
    with transaction.atomic():
        # One import at a time per team: the second waits and then sees the first's rows.
        Team.objects.select_for_update().filter(pk=team.pk).first()
        plan = member_import_plan(team=team, data=data, filename=filename)
        if plan.has_errors or plan.digest != previewed:
            return plan, None
        return plan, member_import_apply(team=team, plan=plan, by=by, filename=filename)
