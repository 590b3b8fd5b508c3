"""The activity's change history as a readable timeline.

django-simple-history stores one record per row change; a single save of an
activity with 44 participants writes 45 of them. The timeline groups records
made by the same person within a few seconds into one entry and describes it
in words: "提交审核", "添加参与者 44 人：…", "服务时长 4.0 → 3.0".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from activities.models import Activity, ActivityStatus, Participation
from members.models import Member
from volunteer_site.names import person_name

GROUP_WINDOW = datetime.timedelta(seconds=5)
# Fields that the workflow sets; their changes are told as status steps.
WORKFLOW_FIELDS = {
    "status",
    "submitted_at",
    "approved_at",
    "approved_by",
    "is_late",
    "return_reason",
}
NAMES_SHOWN = 10


@dataclass
class TimelineEntry:
    when: datetime.datetime
    who: str
    user_id: int | None
    headline: str = ""
    reason: str = ""
    lines: list[str] = field(default_factory=list)


def activity_timeline(activity: Activity) -> list[TimelineEntry]:
    """Newest first. A constant number of queries whatever the history's length."""
    activity_records = list(activity.history.all().order_by("history_date", "history_id"))
    participation_records = list(
        Participation.history.filter(activity_id=activity.pk).order_by("history_date", "history_id")
    )
    member_ids = {r.member_id for r in participation_records}
    names = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "name"))
    user_ids = {r.history_user_id for r in activity_records + participation_records}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids - {None})}

    events = sorted(
        [("activity", r) for r in activity_records]
        + [("participation", r) for r in participation_records],
        key=lambda pair: (pair[1].history_date, pair[0] != "activity"),
    )
    entries: list[TimelineEntry] = []
    previous_activity = None
    previous_participation: dict[int, object] = {}
    pending: dict[str, list[str]] = {}
    for kind, record in events:
        entry = entries[-1] if entries else None
        if (
            entry is None
            or entry.user_id != record.history_user_id
            or record.history_date - entry.when > GROUP_WINDOW
        ):
            _flush(entries, pending)
            user = users.get(record.history_user_id)
            entry = TimelineEntry(
                when=record.history_date,
                who=person_name(user) if user else _("the system"),
                user_id=record.history_user_id,
            )
            entries.append(entry)
        if kind == "activity":
            _describe_activity(entry, record, previous_activity)
            previous_activity = record
        else:
            before = previous_participation.get(record.member_id)
            _describe_participation(pending, record, before, names)
            previous_participation[record.member_id] = record
    _flush(entries, pending)
    for entry in entries:
        if not entry.headline:
            entry.headline = _("Changed the participants")
    return list(reversed(entries))


def _flush(entries: list[TimelineEntry], pending: dict[str, list[str]]) -> None:
    if not entries or not pending:
        pending.clear()
        return
    entry = entries[-1]
    for label, items in (
        (_("Added participants"), pending.get("added", [])),
        (_("Removed participants"), pending.get("removed", [])),
        (_("Changed hours"), pending.get("changed", [])),
    ):
        if not items:
            continue
        shown = "、".join(items[:NAMES_SHOWN])
        more = len(items) - NAMES_SHOWN
        suffix = _("… and %(count)d more") % {"count": more} if more > 0 else ""
        entry.lines.append(
            _("%(label)s (%(count)d): %(names)s%(more)s")
            % {"label": label, "count": len(items), "names": shown, "more": suffix}
        )
    pending.clear()


def _describe_activity(entry: TimelineEntry, record, previous) -> None:
    if record.history_change_reason:
        entry.reason = _full_reason(record)
    if record.history_type == "+":
        entry.headline = _("Logged the activity (%(status)s)") % {
            "status": ActivityStatus(record.status).label
        }
        return
    if previous is None:
        return
    delta = record.diff_against(previous)
    changed = {change.field: change for change in delta.changes}
    if "status" in changed:
        step = _status_step(previous.status, record.status)
        if entry.headline and record.status == ActivityStatus.SUBMITTED:
            # Logged and submitted in one go: one entry, both steps named.
            step = _("Logged the activity and submitted it for approval")
        entry.headline = step
    for name, change in changed.items():
        if name in WORKFLOW_FIELDS:
            continue
        field_object = Activity._meta.get_field(name)
        old, new = change.old, change.new
        if field_object.is_relation:
            old = _related_label(field_object, old)
            new = _related_label(field_object, new)
        entry.lines.append(
            _("%(field)s: %(old)s → %(new)s")
            % {
                "field": field_object.verbose_name,
                "old": _shown(old),
                "new": _shown(new),
            }
        )
    if not entry.headline and entry.lines:
        entry.headline = _("Edited the activity")


def _full_reason(record) -> str:
    """The change reason, or the whole return reason it was shortened from (services)."""
    reason = record.history_change_reason
    full = getattr(record, "return_reason", "") or ""
    if reason.endswith("…") and full.startswith(reason[:-1]) and len(full) > len(reason):
        return full
    return reason


def _status_step(old: str, new: str) -> str:
    if new == ActivityStatus.SUBMITTED:
        return _("Submitted for approval")
    if new == ActivityStatus.APPROVED:
        return _("Approved")
    if new == ActivityStatus.RETURNED and old == ActivityStatus.APPROVED:
        return _("Reopened for correction")
    if new == ActivityStatus.RETURNED:
        return _("Returned to the office staff")
    return _("Status changed to %(status)s") % {"status": ActivityStatus(new).label}


def _describe_participation(pending, record, before, names) -> None:
    name = names.get(record.member_id, f"#{record.member_id}")
    if record.history_type == "+":
        pending.setdefault("added", []).append(
            _("%(name)s (%(hours)s h)") % {"name": name, "hours": record.hours}
        )
    elif record.history_type == "-":
        pending.setdefault("removed", []).append(name)
    elif before is not None and before.hours != record.hours:
        pending.setdefault("changed", []).append(
            _("%(name)s %(old)s → %(new)s h")
            % {"name": name, "old": before.hours, "new": record.hours}
        )


def _related_label(field_object, pk) -> str:
    if pk is None:
        return ""
    obj = field_object.related_model._default_manager.filter(pk=pk).first()
    return str(obj) if obj else str(pk)


def _shown(value) -> str:
    if value in (None, ""):
        return _("(empty)")
    return str(value)
