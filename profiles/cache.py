"""The public profile kept whole in the cache: the product's only page cache.

Anonymous traffic to published profiles is the one load that can spike (a profile
shared on social media), and the page is the same for every anonymous visitor. A
visitor without a session gets the stored page; signed-in users (whose navigation
bar is their own), previews and requests with a query string are always rendered.

The key is made of what the database says about the team, read in one query before
the page is rendered, at most once a second per process and team
(``PROFILE_STATE_SECONDS``: under a spike of visitors, one query a second):

* ``Team.updated_at``, moved by every save of the team (the profile edit, the
  admin, publishing), including its regular service projects (saved with it) and a
  rename of a service category it lists (``ServiceCategory.save``);
* the figures' fill state (``TeamFiguresState``): ``computed_at`` moves with every
  recompute, in the transaction that writes the figures, and ``stale`` is set in
  the transaction of every change that affects them (the "being updated" notice);
* the language and the day (the chart ends with the current month).

So nothing is ever invalidated by hand, every process agrees with or without a
shared cache, and a database restored from a backup needs no flush: a key names
exactly one state of the data. A cache that is down (Redis stopped) only means the
page is rendered from the database; it never fails a request.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from teams.models import Team

logger = logging.getLogger(__name__)

# A stored page is rendered again after this even if its key still holds: a bound on
# anything shown that the key does not follow.
PROFILE_SECONDS = 10 * 60


def profile_cacheable(request: HttpRequest) -> bool:
    """An anonymous visitor's plain GET: no session, no pending messages, no query string."""
    return (
        request.method in ("GET", "HEAD")
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


# The team's state, read at most once in this many seconds per process and team: under a
# spike of visitors one query a second, and a change shows within it.
_states: dict[str, tuple[float, tuple]] = {}


def _team_state(slug: str) -> tuple | None:
    """(team id, updated_at, computed_at, stale) of a published team, or None."""
    now = time.monotonic()
    seen = _states.get(slug)
    if seen is not None and now - seen[0] < settings.PROFILE_STATE_SECONDS:
        return seen[1]
    found = (
        Team.objects.filter(slug=slug, is_published=True)
        .order_by()
        .values_list("pk", "updated_at", "figures_state__computed_at", "figures_state__stale")
        .first()
    )
    if found is not None:  # only teams that exist: a flood of made-up slugs adds nothing
        _states[slug] = (now, found)
    return found


def forget_states() -> None:
    """Read every team's state afresh (tests)."""
    _states.clear()


def profile_key(slug: str, language: str, today: datetime.date) -> str | None:
    """The stored page's key, or None when the profile is not public (rendered: a 404)."""
    found = _team_state(slug)
    if found is None:
        return None
    team_id, updated_at, computed_at, stale = found
    computed = computed_at.timestamp() if computed_at else "never"
    return (
        f"profile:{team_id}:{language}:{today.isoformat()}:"
        f"{updated_at.timestamp()}:{computed}:{stale}"
    )


def profile_cached(
    slug: str,
    language: str,
    today: datetime.date,
    render: Callable[[], HttpResponse],
) -> HttpResponse:
    """The stored page if there is one under the team's current key, else the page
    ``render`` makes, stored. The key is read before rendering, so a page stored under
    it shows that state of the data or a newer one, never an older one."""
    key = profile_key(slug, language, today)
    if key is None:
        return render()
    try:
        stored = cache.get(key)
    except Exception:  # the cache is down: serve from the database
        logger.warning("cache unavailable: profile %s rendered", slug, exc_info=True)
        return render()
    if stored is not None:
        content, content_type = stored
        response = HttpResponse(content, content_type=content_type)
        response["X-Page-Cache"] = "hit"
        return response
    response = render()
    if response.status_code == 200:
        try:
            cache.set(key, (response.content, response["Content-Type"]), PROFILE_SECONDS)
        except Exception:
            logger.warning("cache unavailable: profile %s not stored", slug, exc_info=True)
        response["X-Page-Cache"] = "miss"
    return response
