"""Typed reading of environment variables.

Every setting the deployment can change is read here, once, at start-up. A value
that cannot be parsed stops the process with a message naming the variable, so a
typo in production fails loudly instead of silently falling back to a default.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use one of: {', '.join(sorted(_TRUE | _FALSE))}"
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(name: str, default: str, *, conn_max_age: int, connect_timeout: int = 2) -> dict:
    """Parse a database URL such as ``postgres://user@host:5432/db``.

    ``connect_timeout`` (seconds) bounds connecting to PostgreSQL, unless the URL
    sets its own (``?connect_timeout=10``).
    """
    import dj_database_url

    url = env_str(name, default)
    try:
        config = dj_database_url.parse(
            url, conn_max_age=conn_max_age, conn_health_checks=conn_max_age > 0
        )
    except Exception as exc:  # dj_database_url raises several types
        raise ImproperlyConfigured(f"{name}={url!r} is not a valid database URL: {exc}") from None
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured(
            f"{name}={url!r}: only postgres:// and sqlite:// URLs are supported"
        )
    if engine == "django.db.backends.postgresql":
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", connect_timeout)
    if engine == "django.db.backends.sqlite3":
        # SQLite is the embedded default: keep one connection per request.
        config["CONN_MAX_AGE"] = 0
        config["CONN_HEALTH_CHECKS"] = False
    return config


def env_url(name: str, schemes: tuple[str, ...], default: str | None = None) -> str | None:
    value = env_str(name, default)
    if value is None:
        return None
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name}={value!r} must be a URL starting with one of: "
            + ", ".join(f"{s}://" for s in schemes)
        )
    return value
