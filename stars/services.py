"""Writing star levels and their notices (docs/domain.md § Figures, Star volunteers).

``team_stars_recompute`` runs inside the figures' recompute (the ``figures_written``
signal, in its transaction), so a level always matches the hours stored beside it,
and after a region's thresholds change (``stars.tasks.recompute_region_stars``).
It is idempotent: it reads the stored member-year figures, writes only the levels
that differ, and records a notice only for a level higher than any the member was
ever notified of (one row per member and level), so re-running it, or hours that
dip below a threshold and come back, never notify twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max, Sum
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from activities.models import MemberYearFigures
from members.models import Member
from stars.levels import level_for, next_threshold, thresholds_for_regions
from stars.models import LEVEL_NAMES, MemberStar, StarNotification, StarThresholds
from teams.models import Region, Team, TeamRole

logger = logging.getLogger(__name__)

CHUNK = 500


def team_stars_recompute(*, team_ids: Iterable[int], mail: bool = True) -> int:
    """Store the level of every member of the teams; returns the members whose level
    changed. Notices of new levels are recorded here and mailed once this commits;
    with ``mail=False`` they are recorded as done without a mail (the first run after
    the levels were introduced: nobody is told of levels reached long ago)."""
    team_ids = sorted(set(team_ids))
    changed = 0
    for start in range(0, len(team_ids), CHUNK):
        changed += _recompute_chunk(team_ids[start : start + CHUNK], mail=mail)
    return changed


@transaction.atomic
def _recompute_chunk(team_ids: list[int], *, mail: bool = True) -> int:
    team_regions = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "region_id"))
    thresholds = thresholds_for_regions(set(team_regions.values()))
    hours = dict(
        MemberYearFigures.objects.filter(team_id__in=team_ids)
        .values("member_id")
        .annotate(total=Sum("hours"))
        .order_by()
        .values_list("member_id", "total")
    )
    stored = {
        row[0]: row[1:]
        for row in MemberStar.objects.filter(team_id__in=team_ids).values_list(
            "member_id", "team_id", "hours", "level", "next_at"
        )
    }
    notified = dict(
        StarNotification.objects.filter(member__team_id__in=team_ids)
        .values("member_id")
        .annotate(top=Max("level"))
        .order_by()
        .values_list("member_id", "top")
    )
    rows, notices, level_changed_teams, level_changes = [], [], set(), 0
    for member_id, team_id in Member.objects.filter(team_id__in=team_ids).values_list(
        "pk", "team_id"
    ):
        team_thresholds = thresholds[team_regions[team_id]]
        total = hours.get(member_id) or Decimal("0")
        level = level_for(total, team_thresholds)
        values = (team_id, total, level, next_threshold(level, team_thresholds))
        before = stored.get(member_id)
        if before != values:
            rows.append(
                MemberStar(
                    member_id=member_id,
                    team_id=team_id,
                    hours=total,
                    level=level,
                    next_at=values[3],
                )
            )
            if (before[2] if before else 0) != level:
                level_changed_teams.add(team_id)
                level_changes += 1
        if level > notified.get(member_id, 0):
            # A level found at a member's first computation was reached before levels
            # were computed for them (levels introduced on a live site, or a history
            # import): it is recorded as notified, not announced.
            announce = mail and before is not None
            notices.append(StarNotification(member_id=member_id, level=level, pending=announce))
    if rows:
        MemberStar.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["member"],
            update_fields=["team", "hours", "level", "next_at"],
        )
    if notices:
        StarNotification.objects.bulk_create(notices, ignore_conflicts=True)
    if level_changed_teams:
        # The public profile shows the counts per level, and its cache key reads
        # Team.updated_at (profiles/cache.py): move it, as a category rename does.
        Team.objects.filter(pk__in=level_changed_teams).update(updated_at=timezone.now())
    if mail:
        transaction.on_commit(lambda: star_notices_send(team_ids=team_ids), robust=True)
    return level_changes


def star_notices_send(*, team_ids: Iterable[int]) -> int:
    """Mail the notices of the teams not yet sent; returns the mails sent. Never raises:
    a mail that cannot go is logged and left pending for the next run."""
    sent = 0
    pending = (
        StarNotification.objects.filter(pending=True, member__team_id__in=list(team_ids))
        .select_related("member__team")
        .order_by("pk")
    )
    secretaries: dict[int, list[str]] = {}
    for notice in pending:
        member = notice.member
        team = member.team
        if team.pk not in secretaries:
            secretaries[team.pk] = sorted(
                TeamRole.objects.filter(team=team, role=TeamRole.Role.SECRETARY)
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        done: dict = {}
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "member": member,
                "team": team,
                "level": LEVEL_NAMES[notice.level],
                "stars": "★" * notice.level,
            }
            if (
                notice.volunteer_mailed_at is None
                and member.email
                and _send(
                    _("[Volunteer service] You are now a %(level)s volunteer")
                    % {"level": context["level"]},
                    render_to_string("emails/star_member.txt", context),
                    [member.email],
                )
            ):
                done["volunteer_mailed_at"] = timezone.now()
                sent += 1
            if (
                notice.secretary_mailed_at is None
                and secretaries[team.pk]
                and _send(
                    _("[Volunteer service] %(name)s is now a %(level)s volunteer")
                    % {"name": member.name, "level": context["level"]},
                    render_to_string("emails/star_secretary.txt", context),
                    secretaries[team.pk],
                )
            ):
                done["secretary_mailed_at"] = timezone.now()
                sent += 1
        volunteer_done = (
            not member.email
            or "volunteer_mailed_at" in done
            or (notice.volunteer_mailed_at is not None)
        )
        secretary_done = (
            not secretaries[team.pk]
            or "secretary_mailed_at" in done
            or (notice.secretary_mailed_at is not None)
        )
        if volunteer_done and secretary_done:
            done["pending"] = False
        if done:
            StarNotification.objects.filter(pk=notice.pk).update(**done)
    return sent


def _send(subject: str, body: str, to: list[str]) -> bool:
    try:
        EmailMessage(subject=subject, body=body, to=to).send()
    except Exception:
        logger.warning("star notice to %s not sent; left for the next run", to, exc_info=True)
        return False
    return True


# Sent once new thresholds are committed; stars.signals queues the recompute of the
# region's teams (stars.tasks), so that these writes do not import the task queue.
thresholds_changed = Signal()


def _thresholds_changed_on_commit(region: Region) -> None:
    transaction.on_commit(
        lambda: thresholds_changed.send(sender=StarThresholds, region_id=region.pk), robust=True
    )


@transaction.atomic
def thresholds_set(*, region: Region, values: tuple[Decimal, ...], user) -> StarThresholds:
    """Set a region's own thresholds (five increasing positive hours; the form checks
    them, the database holds them) and recompute the levels of its subtree's teams
    once this commits."""
    thresholds, _created = StarThresholds.objects.get_or_create(
        region=region,
        defaults={f"level_{i}": value for i, value in enumerate(values, start=1)}
        | {"updated_by": user},
    )
    if not _created:
        for i, value in enumerate(values, start=1):
            setattr(thresholds, f"level_{i}", value)
        thresholds.updated_by = user
        thresholds.save()
    _thresholds_changed_on_commit(region)
    return thresholds


@transaction.atomic
def thresholds_clear(*, region: Region) -> None:
    """Drop a region's own thresholds: its teams use the nearest ancestor's again."""
    deleted, _rows = StarThresholds.objects.filter(region=region).delete()
    if deleted:
        _thresholds_changed_on_commit(region)
