def person_name(user) -> str:
    """A user's name in Chinese order (family name first), else the login name."""
    if user is None:
        return ""
    return name_of(user.last_name, user.first_name, user.get_username())


def name_of(last_name: str, first_name: str, username: str) -> str:
    """``person_name`` from the three columns (for rows read without a model)."""
    return f"{last_name}{first_name}".strip() or username
