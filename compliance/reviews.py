"""Writes on monthly reviews: the secretary's sign-off, and noting later changes.

Signing freezes the review's figures (``review_data.ReviewData.to_snapshot``) into
the ``MonthlyReview``; signing again replaces them (simple-history keeps the
previous signature and snapshot). When an approved activity of a signed month
changes afterwards, or a member's registration changes its figures,
``compliance/signals.py`` calls ``review_note_*`` here, which marks the review
"changed after sign-off" and says what happened.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Activity, ActivityStatus, MonthlyReview
from activities.stats import team_figures_recompute
from compliance import review_data
from compliance.months import before_founding
from compliance.standing import registered_month_span

# Changes to one activity of the same kind within this window are one change
# (the admin saves each participation of an activity separately).
REPEAT_WINDOW = datetime.timedelta(seconds=10)
# An activity's fields that change the figures (docs/domain.md § Figures).
ACTIVITY_FIGURE_FIELDS = [
    "team_id",
    "start_date",
    "hours",
    "status",
    "people_reached",
    "materials_distributed",
    "households_visited",
    "donation_yuan",
]


class ReviewError(ValidationError):
    """A sign-off that cannot be done, with a message the secretary can act on."""


class ChangeKind(models.TextChoices):
    APPROVED = "approved", gettext_lazy('Activity "%(title)s" was approved')
    REOPENED = "reopened", gettext_lazy('Activity "%(title)s" was reopened')
    CHANGED = "changed", gettext_lazy('Activity "%(title)s" was changed')
    PARTICIPANTS = "participants", gettext_lazy('Participants of activity "%(title)s" changed')
    DELETED = "deleted", gettext_lazy('Activity "%(title)s" was deleted')
    MEMBER = "member", gettext_lazy('The registration dates of member "%(title)s" changed')
    MEMBERS = "members", gettext_lazy("The registration dates of %(title)s members changed")


def change_text(kind: str, title: str) -> str:
    return str(ChangeKind(kind).label) % {"title": title}


# --- Sign-off ---------------------------------------------------------------------------


def review_sign(
    *,
    team,
    year: int,
    month: int,
    by,
    comment: str,
    fingerprint: str,
    today: datetime.date | None = None,
) -> MonthlyReview:
    """Sign a month off, freezing the figures the secretary saw.

    ``fingerprint`` is that of the figures on the page the secretary signed
    from; if the figures have changed since, nothing is signed and the
    secretary is asked to look again. Figures waiting to be recomputed are
    recomputed first, so a sign-off never freezes figures known to be old.
    Signing a signed month again replaces its snapshot and clears "changed
    after sign-off"; the history keeps the earlier signature.
    """
    today = today or timezone.localdate()
    if (year, month) >= (today.year, today.month):
        raise ReviewError(_("A month can be signed off only once it is over."))
    if before_founding(year, month, team.founded_on):
        raise ReviewError(_("A month before the team was founded cannot be signed off."))
    data = review_data.review_load(team, year, month, today=today)
    if data.stale:
        team_figures_recompute(team_id=team.pk)
        data = review_data.review_load(team, year, month, today=today)
    snapshot = data.to_snapshot()
    if snapshot["fingerprint"] != fingerprint:
        raise ReviewError(
            _(
                "The figures have changed since you opened the page. Nothing was signed: "
                "please check the figures below and sign again."
            )
        )
    values = {
        "signed_by": by,
        "signed_at": timezone.now(),
        "comment": comment.strip(),
        "snapshot": snapshot,
        "changed_after_signoff": False,
        "changes": [],
    }
    with transaction.atomic():
        review = (
            MonthlyReview.objects.select_for_update()
            .filter(team=team, year=year, month=month)
            .first()
        )
        if review is None:
            try:
                with transaction.atomic():
                    review = MonthlyReview(team=team, year=year, month=month, **values)
                    review._history_user = by
                    review.save()
                    return review
            except IntegrityError:  # signed at the same moment by someone else
                review = MonthlyReview.objects.select_for_update().get(
                    team=team, year=year, month=month
                )
        for name, value in values.items():
            setattr(review, name, value)
        review._history_user = by
        review.save()
    return review


# --- Changes after sign-off -------------------------------------------------------------


def figure_values(activity_id: int) -> dict | None:
    """The activity's figure fields as stored, read before a save changes them."""
    return Activity.objects.filter(pk=activity_id).values(*ACTIVITY_FIGURE_FIELDS).first()


def review_note_activity_saved(activity: Activity, *, before: dict | None) -> None:
    """Note a saved activity on the signed reviews of the months it was or is in.

    ``before`` is ``figure_values`` read just before the save (None for a new
    activity or one not approved before).
    """
    was_status = before["status"] if before else getattr(activity, "_loaded_status", None)
    was_counted = was_status == ActivityStatus.APPROVED
    counted = activity.status == ActivityStatus.APPROVED
    old_place = (before["team_id"], before["start_date"]) if before else None
    new_place = (activity.team_id, activity.start_date)
    if counted and not was_counted:
        kind, places = ChangeKind.APPROVED, [new_place]
    elif was_counted and not counted:
        kind, places = ChangeKind.REOPENED, [old_place or new_place]
    elif counted and was_counted:
        now = {name: getattr(activity, name) for name in ACTIVITY_FIGURE_FIELDS}
        if before is not None and all(before[name] == now[name] for name in ACTIVITY_FIGURE_FIELDS):
            return  # saved, but nothing that counts has changed
        kind, places = ChangeKind.CHANGED, [new_place] + ([old_place] if old_place else [])
    else:
        return
    _record(places, kind=kind, activity_id=activity.pk, title=activity.title)


def review_note_activity_deleted(activity: Activity) -> None:
    if ActivityStatus.APPROVED in (activity.status, getattr(activity, "_loaded_status", None)):
        _record(
            [(activity.team_id, activity.start_date)],
            kind=ChangeKind.DELETED,
            activity_id=activity.pk,
            title=activity.title,
        )


def review_note_participants(activity: Activity) -> None:
    """A participation of an approved activity was added, changed or removed."""
    _record(
        [(activity.team_id, activity.start_date)],
        kind=ChangeKind.PARTICIPANTS,
        activity_id=activity.pk,
        title=activity.title,
    )


def review_note_members_changed(*, team_id: int, changes: list[tuple]) -> None:
    """Members joined, left, were deleted or had their registration dates edited.

    ``changes`` are (member id, name, before, after), where ``before`` and ``after`` are
    (registered_on, left_on), None where the member did not exist. In each year whose
    registered months changed, the member's target and listing and the months'
    registered volunteers may change, from the first month of that year in which the
    member is registered (before or after) on: the signed reviews of those months are
    marked, one entry per review (naming the member, or counting them for an import).
    """
    signed = list(MonthlyReview.objects.filter(team_id=team_id).values_list("pk", "year", "month"))
    if not signed:
        return
    members: dict[int, list[tuple[int, str]]] = {}
    for member_id, name, before, after in changes:
        first_changed = _first_changed_months(before, after)
        for pk, year, month in signed:
            if year in first_changed and month >= first_changed[year]:
                members.setdefault(pk, []).append((member_id, name))
    for pk, found in members.items():
        if len(found) == 1:
            ((member_id, name),) = found
            kind, subject, title = ChangeKind.MEMBER, {"member_id": member_id}, name
        else:
            kind, subject, title = ChangeKind.MEMBERS, {}, str(len(found))
        _record_reviews(
            MonthlyReview.objects.filter(pk=pk), kind=kind, subject=subject, title=title
        )


def _first_changed_months(before: tuple | None, after: tuple | None) -> dict[int, int]:
    """For each year whose registered months differ between the two (registered_on,
    left_on), the first month of it in which the member is registered either way."""
    bounds = []
    for dates in (before, after):
        if dates:  # registered from … to the last day, or to this day while active
            bounds += [dates[0].year, (dates[1] or timezone.localdate()).year]
    first_changed = {}
    for year in range(min(bounds), max(bounds) + 1) if bounds else []:
        spans = [
            registered_month_span(*dates, year) if dates else None for dates in (before, after)
        ]
        if spans[0] != spans[1]:
            first_changed[year] = min(span[0] for span in spans if span)
    return first_changed


def _is_repeat(last: dict | None, entry: dict, at: datetime.datetime) -> bool:
    if not last or last.get("kind") != entry["kind"]:
        return False
    if any(last.get(key) != entry.get(key) for key in ("activity_id", "member_id")):
        return False
    when = parse_datetime(last.get("at") or "")
    return when is not None and abs(at - when) <= REPEAT_WINDOW


def _record(places, *, kind: str, activity_id: int, title: str) -> None:
    """Append the change to each signed review of the places' months."""
    months = {(team_id, day.year, day.month) for team_id, day in places if day is not None}
    if not months:
        return
    condition = Q()
    for team_id, year, month in months:
        condition |= Q(team_id=team_id, year=year, month=month)
    _record_reviews(
        MonthlyReview.objects.filter(condition),
        kind=kind,
        subject={"activity_id": activity_id},
        title=title,
    )


def _record_reviews(reviews, *, kind: str, subject: dict, title: str) -> None:
    """Append the change to each of the signed ``reviews`` (one UPDATE each)."""
    at = timezone.localtime()
    with translation.override("zh-hans"):
        what = change_text(kind, title)
    entry = {
        "at": at.isoformat(timespec="seconds"),
        "kind": str(kind),
        "what": what,
        **subject,
        "title": title,
    }
    with transaction.atomic():
        for review in reviews.select_for_update().only("pk", "changes"):
            changes = list(review.changes or [])
            if _is_repeat(changes[-1] if changes else None, entry, at):
                continue
            MonthlyReview.objects.filter(pk=review.pk).update(
                changes=[*changes, entry], changed_after_signoff=True
            )


def change_lines(review: MonthlyReview) -> list[dict]:
    """The review's changes for display, in the reader's language, newest last."""
    lines = []
    for change in review.changes or []:
        at = parse_datetime(change.get("at") or "")
        kind = change.get("kind")
        if kind in ChangeKind.values and change.get("title") is not None:
            what = change_text(kind, change["title"])
        else:
            what = change.get("what", "")
        lines.append(
            {
                "at": timezone.localtime(at) if at else None,
                "what": what,
                "activity_id": change.get("activity_id"),
            }
        )
    return lines
