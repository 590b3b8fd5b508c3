"""Who may see and do what, scoped to teams and regions.

Views call these helpers instead of checking roles themselves. The rule
(docs/domain.md § Who uses it): a user with no role on a team gets 404 for that
team's objects, so they cannot learn the objects exist; a user who can see the
team but lacks the role for an action gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Value
from django.http import Http404

from teams.models import Region, RegionAdmin, Team, TeamRole


@dataclass
class UserRoles:
    """What the signed-in user is: their team roles (with the teams), the regions they
    administer and their own member record. Every page's navigation needs these, so
    they cost two queries: the roles with their teams, and the region and member ids;
    the regions and the member are loaded only when used."""

    user: object | None = None
    team_roles: list[TeamRole] = field(default_factory=list)
    admin_region_pks: list[int] = field(default_factory=list)
    member_pk: int | None = None
    _admin_regions: list[Region] | None = None
    _member: object | None = None

    @property
    def admin_regions(self) -> list[Region]:
        if self._admin_regions is None:
            regions = Region.objects.in_bulk(self.admin_region_pks)
            self._admin_regions = [regions[pk] for pk in self.admin_region_pks if pk in regions]
        return self._admin_regions

    @property
    def member(self):
        """The user's own member record (members.Member), or None."""
        if self._member is None and self.member_pk is not None and self.user is not None:
            try:
                self._member = self.user.member
            except ObjectDoesNotExist:
                return None
        return self._member

    @property
    def teams(self) -> list[Team]:
        return [role.team for role in self.team_roles]

    @property
    def team_ids(self) -> set[int]:
        return {role.team_id for role in self.team_roles}

    @property
    def secretary_team_ids(self) -> set[int]:
        return {r.team_id for r in self.team_roles if r.role == TeamRole.Role.SECRETARY}

    @property
    def is_region_admin(self) -> bool:
        return bool(self.admin_region_pks)

    @property
    def is_volunteer(self) -> bool:
        return self.member_pk is not None

    def role_on(self, team: Team) -> str | None:
        for role in self.team_roles:
            if role.team_id == team.pk:
                return role.role
        return None

    def admin_region_ids(self) -> set[int]:
        ids: set[int] = set()
        for region in self.admin_regions:
            ids |= region.subtree_ids()
        return ids


def _region_and_member_ids(user_pk: int) -> tuple[list[int], int | None]:
    """The regions the user administers and their member record's id, in one query."""
    regions = (
        RegionAdmin.objects.filter(user_id=user_pk)
        .annotate(kind=Value(0))
        .values_list("kind", "region_id")
    )
    member = (
        get_user_model()
        .objects.filter(pk=user_pk, member__isnull=False)
        .annotate(kind=Value(1))
        .values_list("kind", "member__pk")
    )
    rows = list(regions.union(member, all=True))
    return sorted(pk for kind, pk in rows if kind == 0), next(
        (pk for kind, pk in rows if kind == 1), None
    )


def roles_for(user) -> UserRoles:
    """The user's roles, loaded once per request (cached on the user object)."""
    cached = getattr(user, "_volunteer_roles", None)
    if cached is not None:
        return cached
    roles = UserRoles(user=user)
    if user.is_authenticated:
        roles.team_roles = list(
            TeamRole.objects.filter(user_id=user.pk)
            .select_related("team")
            .order_by("team__name", "team__pk")
        )
        roles.admin_region_pks, roles.member_pk = _region_and_member_ids(user.pk)
    user._volunteer_roles = roles
    return roles


def team_for_staff(user, slug: str) -> Team:
    """The team if the user is its staff or secretary.

    403 for an admin of the team's region (who may read but not write), 404
    for everybody else.
    """
    roles = roles_for(user)
    for role in roles.team_roles:
        if role.team.slug == slug:
            return role.team
    if _admin_can_read(roles, slug):
        raise PermissionDenied
    raise Http404


def _admin_can_read(roles: UserRoles, slug: str) -> bool:
    return (
        roles.is_region_admin
        and Team.objects.filter(slug=slug, region_id__in=roles.admin_region_ids()).exists()
    )


def team_for_secretary(user, slug: str) -> Team:
    """The team if the user is its secretary; 403 for its staff; 404 for others."""
    team = team_for_staff(user, slug)
    if roles_for(user).role_on(team) != TeamRole.Role.SECRETARY:
        raise PermissionDenied
    return team


def team_for_reader(user, slug: str) -> Team:
    """The team for its staff and secretary, or for an admin of its region."""
    roles = roles_for(user)
    for role in roles.team_roles:
        if role.team.slug == slug:
            return role.team
    if roles.is_region_admin:
        team = Team.objects.filter(slug=slug, region_id__in=roles.admin_region_ids()).first()
        if team is not None:
            return team
    raise Http404
