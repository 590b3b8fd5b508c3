"""The public profile served whole from the cache.

The profile (/p/<slug>/) is the same page for every anonymous visitor and changes
only when the team's figures are recomputed, when the team or its service
categories are edited, or at midnight (its chart ends with the current month). A
visitor without a session gets the stored page, with no query at all; signed-in
users (whose navigation bar is their own) and previews are always rendered.

Freshness works by generations rather than by deleting pages:

* each team has a generation, moved on when its figures are recomputed or
  marked for recomputing (``profile_cache_forget(team_id)``);
* one global generation moves on when anything that many pages show changes (a
  team or a service category saved, a recompute of every team:
  ``profile_cache_forget_all()``).

A stored page carries the generations read *before* it was rendered, so a page
rendered from figures that were replaced while it rendered is never served. With a
process-local cache (no ``CACHE_URL``) a change made in another process (a Celery
worker, another gunicorn worker) is not seen there: pages then live at most
``LOCAL_TIMEOUT`` seconds; with the shared Redis cache a change is seen at once.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

SHARED_TIMEOUT = 10 * 60
LOCAL_TIMEOUT = 60
GLOBAL_KEY = "profile-page:generation"


def _page_key(slug: str, language: str) -> str:
    return f"profile-page:{slug}:{language}"


def _team_key(team_id: int) -> str:
    return f"profile-page:team:{team_id}"


def _timeout() -> int:
    backend = settings.CACHES["default"]["BACKEND"]
    return LOCAL_TIMEOUT if backend.endswith("LocMemCache") else SHARED_TIMEOUT


@dataclass(frozen=True)
class StoredPage:
    team_id: int
    global_generation: int
    team_generation: int
    day: datetime.date
    content: bytes
    content_type: str


def profile_cacheable(request: HttpRequest) -> bool:
    """An anonymous visitor's plain GET: no session, no pending messages, no query string."""
    return (
        request.method in ("GET", "HEAD")
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def profile_cached(
    slug: str,
    language: str,
    today: datetime.date,
    render: Callable[[Callable[[int], None]], HttpResponse],
) -> HttpResponse:
    """The stored page if it is current, else the page ``render`` makes, stored.

    ``render`` is called with a function it must call with the team's id after
    loading the team and before reading its figures: the team's generation is
    read there, so figures replaced during the render leave the page unserved.
    """
    page_key = _page_key(slug, language)
    found = cache.get_many([page_key, GLOBAL_KEY])
    global_generation = found.get(GLOBAL_KEY, 0)
    stored: StoredPage | None = found.get(page_key)
    if (
        stored is not None
        and stored.day == today
        and stored.global_generation == global_generation
        and stored.team_generation == cache.get(_team_key(stored.team_id), 0)
    ):
        response = HttpResponse(stored.content, content_type=stored.content_type)
        response["X-Page-Cache"] = "hit"
        return response
    seen: dict[str, int] = {}

    def team_loaded(team_id: int) -> None:
        seen["team_id"] = team_id
        seen["generation"] = cache.get(_team_key(team_id), 0)

    response = render(team_loaded)
    if response.status_code == 200 and "team_id" in seen:
        cache.set(
            page_key,
            StoredPage(
                team_id=seen["team_id"],
                global_generation=global_generation,
                team_generation=seen["generation"],
                day=today,
                content=response.content,
                content_type=response["Content-Type"],
            ),
            _timeout(),
        )
        response["X-Page-Cache"] = "miss"
    return response


def teams_generation() -> int:
    """Moves on whenever a team or a service category is saved (and after a recompute of
    every team): other cached lists of teams key on it too."""
    return cache.get(GLOBAL_KEY, 0)


def _bump(key: str) -> None:
    # add (set if absent) then incr: two processes bumping a new key get 1 and 2.
    cache.add(key, 0, None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between the two: any new value differs from 0
        cache.set(key, 1, None)


def _bump_now_and_at_commit(key: str) -> None:
    # Now, for this transaction's own later reads; at commit, because a page
    # rendered meanwhile by another request read the data before the change.
    _bump(key)
    transaction.on_commit(lambda: _bump(key))


def profile_cache_forget(team_id: int) -> None:
    """The team's profile is out of date (now, and again when the transaction commits)."""
    _bump_now_and_at_commit(_team_key(team_id))


def profile_cache_forget_now(team_id: int) -> None:
    """The team's profile is out of date; for callers that also call this at commit."""
    _bump(_team_key(team_id))


def profile_cache_forget_all() -> None:
    """Every profile is out of date."""
    _bump_now_and_at_commit(GLOBAL_KEY)
