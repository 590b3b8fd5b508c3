"""Volunteers with logins, for sign-up tests."""

from __future__ import annotations

from members.tests.factories import MemberFactory
from teams.tests.factories import UserFactory


def volunteer_of(team, **fields):
    """A current member of ``team`` with a login; returns the user."""
    user = UserFactory()
    MemberFactory(team=team, user=user, **fields)
    return user
