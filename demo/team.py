"""Loading the demo's reference team (docs/domain.md § Demo data; its design is in
demo/team_data.py), with synthetic people.

The demo reproduces the team of the 2018 public profile so the computed figures can be
checked against what the profile states: 121 registered volunteers, 26 approved
activities in 2018, about 100 activity hours, 500+ participant-times, 10,000+ leaflets
and 10,000+ people reached.

``demo_load`` is safe to run again: every row is found by its natural key and only
written when it differs from the design, so a second run changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from activities.models import Activity, ActivityStatus, Participation
from activities.stats import team_figures_recompute
from demo.team_data import (
    ACTIVITIES_2018,
    ACTIVITIES_CURRENT,
    CHANGE_REASON,
    CITY_NAME,
    COUNTY_COUNT,
    COUNTY_POSITIONS,
    DEMO_LOGINS,
    HAN_FEMALE,
    HAN_MALE,
    HAN_SURNAMES,
    LEAD_TITLE,
    MAIN_DEEDS,
    MEMBER_COUNT,
    PROVINCE_NAME,
    SECTION_COUNT,
    TEAM_NAME,
    TEAM_SLUG,
    TIBETAN_FEMALE,
    TIBETAN_FIRST,
    TIBETAN_MALE,
    UNITS,
    WORKER_POSITIONS,
    D,
    DemoActivity,
    DemoLogin,
)
from members.models import CadreRank, Gender, Member
from teams.models import (
    DEFAULT_CATEGORY_NAMES,
    Region,
    RegionAdmin,
    ServiceCategory,
    Team,
    TeamCategory,
    TeamRole,
)

M = TypeVar("M", bound=models.Model)


# --- Loading -----------------------------------------------------------------------
@dataclass
class DemoResult:
    """What a load did: rows created and updated, and what the team now holds."""

    team: Team
    created: int = 0
    updated: int = 0
    deleted: int = 0
    members: int = 0
    activities: int = 0
    participations: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


@transaction.atomic
def demo_load() -> DemoResult:
    """Create or bring back the reference team, its people, activities and logins.

    Atomic so an interrupted load leaves nothing half-made. Rows are matched on their
    natural keys (region parent and name, category name, team slug, volunteer number,
    activity team/title/start, participation activity/member, username) and only
    written where they differ, so running it again changes nothing.
    """
    tally = _Tally()
    province = _sync(Region, tally=tally, lookup={"parent": None, "name": PROVINCE_NAME})
    city = _sync(Region, tally=tally, lookup={"parent": province, "name": CITY_NAME})
    categories = [
        _sync(ServiceCategory, tally=tally, lookup={"team": None, "name": name})
        for name in DEFAULT_CATEGORY_NAMES
    ]
    team = _team_load(tally=tally, region=city, categories=categories)
    members = _members_load(tally=tally, team=team)
    team = _sync(
        Team,
        tally=tally,
        lookup={"slug": TEAM_SLUG},
        values={"lead_member": members[0], "lead_name": "", "lead_title": LEAD_TITLE},
    )
    users = _users_load(tally=tally, team=team, city=city, members=members)
    _activities_load(tally=tally, team=team, categories=categories, members=members, users=users)
    logins = [
        login._replace(
            last_name=users[login.username].last_name, first_name=users[login.username].first_name
        )
        for login in DEMO_LOGINS
    ]
    # The loader writes in bulk, past the signals that notice changes: compute
    # the figures here, in this process (no worker needed for a demo), and only
    # when something changed or none exist yet.
    if tally.created or tally.updated or tally.deleted or not team.figures.exists():
        team_figures_recompute(team_id=team.pk)
    return DemoResult(
        team=team,
        created=tally.created,
        updated=tally.updated,
        deleted=tally.deleted,
        members=team.members.count(),
        activities=team.activities.count(),
        participations=Participation.objects.filter(activity__team=team).count(),
        logins=logins,
    )


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    deleted: int = 0


def _sync(
    model: type[M], *, tally: _Tally, lookup: dict[str, Any], values: dict[str, Any] | None = None
) -> M:
    """Get the row by its natural key, then write only the fields that differ.

    Not ``update_or_create``: that saves on every call, bumping ``auto_now`` fields,
    so a second run would look like a change.
    """
    values = values or {}
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        tally.created += 1
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if not _same(obj, name, value)]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
        tally.updated += 1
    return obj


def _same(obj: models.Model, name: str, value: Any) -> bool:
    """Compare a field with a wanted value; foreign keys by id, to avoid a query each."""
    model_field = obj._meta.get_field(name)
    if model_field.is_relation:
        return getattr(obj, model_field.attname) == (value.pk if value is not None else None)
    return getattr(obj, name) == value


def _team_load(*, tally: _Tally, region: Region, categories: list[ServiceCategory]) -> Team:
    """The team's profile as the reference publishes it; the lead is set after members."""
    team = _sync(
        Team,
        tally=tally,
        lookup={"slug": TEAM_SLUG},
        values={
            "name": TEAM_NAME,
            "region": region,
            "host_unit": "日喀则市人民政府办公室",
            "founded_on": D(2016, 3, 1),
            "lead_title": LEAD_TITLE,
            "lead_consents_to_publication": True,
            "recommending_unit": "西藏自治区文明办",
            "main_deeds": MAIN_DEEDS,
            "is_published": True,
            "published_on": D(2018, 11, 28),
            "publication_source": "中国文明网",
            "responsible_editor": "钟启明",
            "min_activities_per_month": 1,
            "min_participations_per_member_year": 10,
        },
    )
    for position, category in enumerate(categories):
        _sync(
            TeamCategory,
            tally=tally,
            lookup={"team": team, "category": category},
            values={"position": position},
        )
    return team


def member_rows() -> Iterator[dict[str, Any]]:
    """The 121 synthetic members, in volunteer-number order, as Member field values.

    The first 15 are county-level cadres (the first is the team's lead), the next 29
    section-level: together the 44 cadres of the January 2018 village trip.
    """
    used: set[str] = set()
    for i in range(MEMBER_COUNT):
        tibetan = i % 5 not in (1, 3)
        female = i % 3 == 2
        if i < COUNTY_COUNT:
            rank, position = CadreRank.COUNTY, COUNTY_POSITIONS[i]
        elif i < COUNTY_COUNT + SECTION_COUNT:
            j = i - COUNTY_COUNT
            title = "科长" if j < 12 else "副科长" if j < 24 else "主任科员"
            rank, position = CadreRank.SECTION, UNITS[j % len(UNITS)] + title
        elif i % 7 == 0:
            rank, position = CadreRank.WORKER, WORKER_POSITIONS[i % len(WORKER_POSITIONS)]
        else:
            rank, position = CadreRank.GENERAL, UNITS[i % len(UNITS)] + "科员"
        yield {
            "volunteer_number": f"54020118{i + 1:04d}",
            "name": _member_name(index=i, tibetan=tibetan, female=female, used=used),
            "gender": Gender.FEMALE if female else Gender.MALE,
            "ethnicity": "藏族" if tibetan else "汉族",
            "is_party_member": True,
            "party_joined_on": D(1988 + (i * 7) % 27, 1 + i % 12, 1 + (i * 11) % 28),
            "cadre_rank": rank,
            "position": position,
            # 7919 is coprime with 100000, so the 121 numbers are all different.
            "phone": f"139089{(10007 + i * 7919) % 100000:05d}",
            # Spread over 2016-03-01 .. 2017-12-31 (670 days); the lead joined first.
            "registered_on": D(2016, 3, 1) + datetime.timedelta(days=(i * 37) % 671),
            "left_on": None,
        }


def _member_name(*, index: int, tibetan: bool, female: bool, used: set[str]) -> str:
    """A name from the fixed lists; the first combination not yet taken."""
    k = index
    while True:
        if tibetan:
            first = TIBETAN_FIRST[k % len(TIBETAN_FIRST)]
            pool = TIBETAN_FEMALE if female else TIBETAN_MALE
            name = first + pool[(k * 5 + k // len(TIBETAN_FIRST)) % len(pool)]
        else:
            pool = HAN_FEMALE if female else HAN_MALE
            surname = HAN_SURNAMES[k % len(HAN_SURNAMES)]
            name = surname + pool[(k * 3 + k // len(HAN_SURNAMES)) % len(pool)]
        if name not in used:
            used.add(name)
            return name
        k += 1


def _members_load(*, tally: _Tally, team: Team) -> list[Member]:
    members = []
    for row in member_rows():
        number = row.pop("volunteer_number")
        members.append(
            _sync(
                Member,
                tally=tally,
                lookup={"volunteer_number": number},
                values={"team": team, **row},
            )
        )
    return members


def volunteer_member_index() -> int:
    """The member behind the ``volunteer`` login: the first ordinary Han cadre."""
    for i, row in enumerate(member_rows()):
        if row["cadre_rank"] == CadreRank.GENERAL and row["ethnicity"] == "汉族":
            return i
    raise AssertionError("the demo has no ordinary Han member")  # pragma: no cover


def _users_load(
    *, tally: _Tally, team: Team, city: Region, members: list[Member]
) -> dict[str, Any]:
    """The demo logins and their roles. Passwords are reset only when they no longer match."""
    volunteer_member = members[volunteer_member_index()]
    users = {}
    for login in DEMO_LOGINS:
        last_name, first_name = login.last_name, login.first_name
        if login.username == "volunteer":
            last_name, first_name = volunteer_member.name[0], volunteer_member.name[1:]
        superuser = login.username == "admin"
        user = _sync(
            get_user_model(),
            tally=tally,
            lookup={"username": login.username},
            values={
                "last_name": last_name,
                "first_name": first_name,
                "is_active": True,
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        if not user.check_password(login.password):
            user.set_password(login.password)
            user.save(update_fields=["password"])
            tally.updated += 1
        users[login.username] = user
    for username, role in [
        ("secretary", TeamRole.Role.SECRETARY),
        ("staff", TeamRole.Role.STAFF),
    ]:
        _sync(
            TeamRole,
            tally=tally,
            lookup={"user": users[username], "team": team},
            values={"role": role},
        )
    _sync(RegionAdmin, tally=tally, lookup={"user": users["regionadmin"], "region": city})
    # Member.user is one-to-one: free the login from any other member first.
    for other in Member.objects.filter(user=users["volunteer"]).exclude(pk=volunteer_member.pk):
        other.user = None
        other.save(update_fields=["user"])
        tally.updated += 1
    _sync(
        Member, tally=tally, lookup={"pk": volunteer_member.pk}, values={"user": users["volunteer"]}
    )
    return users


def participant_plan(
    *, activities: list[DemoActivity], members: list[Any]
) -> list[list[tuple[Any, Decimal, str]]]:
    """For each activity, its participants as (member, hours, role).

    Ordinary activities take the next members in turn, so over the year everyone
    takes part. Where an activity lasts 3 hours or more, every eighth participant
    left an hour early: a participation's hours may be below the activity's, never
    above (db_triggers.py). The village trip takes the 44 county and section cadres,
    its 3 group leaders as organisers; the railway day takes all members but the
    last (on duty at the office), its 4 group leaders as organisers.
    """
    cadres = members[: COUNTY_COUNT + SECTION_COUNT]
    cursor = 0
    plan = []
    for activity in activities:
        hours = Decimal(activity.hours)
        if activity.people == "cadres":
            chosen, organisers, shorten = cadres, 3, False
        elif activity.people == "railway":
            chosen, organisers, shorten = members[:-1], 4, False
        else:
            count = int(activity.people)
            chosen = [members[(cursor + n) % len(members)] for n in range(count)]
            cursor += count
            organisers, shorten = 1, hours >= 3
        plan.append(
            [
                (
                    member,
                    hours - 1 if shorten and n % 8 == 7 else hours,
                    Participation.Role.ORGANISER
                    if n < organisers
                    else Participation.Role.PARTICIPANT,
                )
                for n, member in enumerate(chosen)
            ]
        )
    return plan


def _activities_load(
    *,
    tally: _Tally,
    team: Team,
    categories: list[ServiceCategory],
    members: list[Member],
    users: dict[str, Any],
) -> None:
    """Activities first, then their participations in three bulk statements."""
    designed = ACTIVITIES_2018 + ACTIVITIES_CURRENT
    tz = timezone.get_default_timezone()
    activities = []
    for item in designed:
        end = item.start + datetime.timedelta(days=item.days - 1)
        hours = Decimal(item.hours)
        submitted = approved = None
        if item.status != ActivityStatus.DRAFT:
            # Logged the day after it ended, approved the next morning: never late.
            submitted = datetime.datetime.combine(
                end + datetime.timedelta(days=1), datetime.time(18, 0), tzinfo=tz
            )
        if item.status == ActivityStatus.APPROVED:
            approved = datetime.datetime.combine(
                end + datetime.timedelta(days=2), datetime.time(10, 0), tzinfo=tz
            )
        lookup = {"team": team, "title": item.title, "start_date": item.start}
        # If someone raised a participant's hours above the designed activity hours,
        # lower them first, or the database refuses the activity's update
        # (participation hours <= activity hours). Saved one by one to keep history.
        for too_long in Participation.objects.filter(
            activity__team=team,
            activity__title=item.title,
            activity__start_date=item.start,
            hours__gt=hours,
        ):
            too_long.hours = hours
            too_long.save(update_fields=["hours"])
        values = {
            "category": categories[item.category],
            "end_date": end,
            "hours": hours,
            "place": item.place,
            "content": item.content,
            "organiser": item.organiser,
            "people_reached": item.reached,
            "materials_distributed": item.materials,
            "households_visited": item.households,
            "donation_yuan": Decimal(item.donation),
            "other_outcomes": "",
            "status": item.status,
            "return_reason": "",
            "is_late": False,
            "created_by": users["staff"],
            "submitted_at": submitted,
            "approved_by": users["secretary"] if approved else None,
            "approved_at": approved,
        }
        activities.append(_sync(Activity, tally=tally, lookup=lookup, values=values))

    plan = participant_plan(activities=designed, members=members)
    wanted = {
        (activity.pk, member.pk): (hours, role)
        for activity, rows in zip(activities, plan, strict=True)
        for member, hours, role in rows
    }
    participations_sync(tally=tally, activities=activities, wanted=wanted)


def participations_sync(*, tally: _Tally, activities, wanted: dict) -> None:
    """Make the activities' participations exactly ``wanted``.

    ``wanted`` maps (activity id, member id) to (hours, role). Rows are only
    written where they differ, in bulk, with the history save() would write.
    """
    existing = {
        (p.activity_id, p.member_id): p
        for p in Participation.objects.filter(activity__in=activities)
    }
    extra = [p.pk for key, p in existing.items() if key not in wanted]
    if extra:
        tally.deleted += Participation.objects.filter(pk__in=extra).delete()[0]
    stale = []
    for key, participation in existing.items():
        if key in wanted and (participation.hours, participation.role) != wanted[key]:
            participation.hours, participation.role = wanted[key]
            stale.append(participation)
    # The *_with_history helpers write the change history that save() would have.
    bulk_update_with_history(
        stale, Participation, ["hours", "role"], default_change_reason=CHANGE_REASON
    )
    missing = [
        Participation(activity_id=activity_id, member_id=member_id, hours=hours, role=role)
        for (activity_id, member_id), (hours, role) in wanted.items()
        if (activity_id, member_id) not in existing
    ]
    bulk_create_with_history(
        missing, Participation, batch_size=500, default_change_reason=CHANGE_REASON
    )
    tally.updated += len(stale)
    tally.created += len(missing)
