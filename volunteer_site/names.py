def person_name(user) -> str:
    """A user's name in Chinese order (family name first), else the login name."""
    if user is None:
        return ""
    full = f"{user.last_name}{user.first_name}".strip()
    return full or user.get_username()
