"""Template context: the signed-in user's roles, for the navigation bar."""

from django.http import HttpRequest

from teams.access import roles_for


def user_roles(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_roles": roles_for(user)}
