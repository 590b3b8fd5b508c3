"""``manage.py seed_demo`` run once for the module: each demo login works and has its
role, and the command prints the logins table. (Tests that change the demo, reset it
or need an empty database are in test_seed_demo.py.)"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from conftest import kept_for_the_module
from demo.team_data import DEMO_LOGINS, TEAM_SLUG
from demo.tests.test_seed_demo import PASSWORDS, log_in, seed
from members.models import CadreRank
from teams.access import roles_for
from teams.models import Region, Team, TeamRole


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> str:
    """The command's output; what it made stays for the module's tests (each in a
    savepoint, so nothing one changes reaches the next)."""
    with kept_for_the_module(django_db_blocker):
        yield seed()


@pytest.mark.django_db
@pytest.mark.parametrize("username", list(PASSWORDS))
def test_each_demo_login_works_and_has_its_role(seeded, client, username):
    team = Team.objects.get(slug=TEAM_SLUG)
    user = get_user_model().objects.get(username=username)
    roles = roles_for(user)

    assert log_in(client, username, PASSWORDS[username])
    assert user.first_name and user.last_name
    assert user.is_superuser == (username == "admin")
    assert user.is_staff == (username == "admin")
    expected_team_role = {"secretary": TeamRole.Role.SECRETARY, "staff": TeamRole.Role.STAFF}
    assert roles.role_on(team) == expected_team_role.get(username)
    assert len(roles.team_roles) == (1 if username in expected_team_role else 0)
    if username == "regionadmin":
        assert [region.name for region in roles.admin_regions] == ["日喀则市"]
        assert Region.objects.get(name="日喀则市").pk in roles.admin_region_ids()
    else:
        assert not roles.is_region_admin
    if username == "volunteer":
        assert roles.member.team == team
        assert roles.member != team.lead_member
        assert roles.member.cadre_rank == CadreRank.GENERAL
        assert roles.member.name == user.last_name + user.first_name
        assert roles.member.participations.exists()
    else:
        assert roles.member is None


@pytest.mark.django_db
def test_command_prints_the_logins_table(seeded):
    output = seeded

    assert [login.username for login in DEMO_LOGINS] == list(PASSWORDS)
    for username, password in PASSWORDS.items():
        assert re.search(rf"^{username}\s+{password}\s", output, re.MULTILINE), username
    for role in [
        "秘书 / team secretary",
        "录入员 / office staff",
        "文明办管理员 / civilization-office admin",
        "志愿者 / volunteer",
        "超级管理员 / superuser",
    ]:
        assert role in output
    assert "members 121" in output
