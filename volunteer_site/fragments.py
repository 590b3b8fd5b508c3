"""Kept page content: the costly part of a signed-in page, stored in the cache.

A page's content is stored under a key made of everything it shows: the page and
its query, the language, the day, the reader's role, and version counters that the
database moves with the data (``teams/page_versions.py``). A key never names two
different contents, so nothing is ever deleted or "invalidated": a change moves a
counter and the next request renders and stores under the new key. This holds in
every process, with the per-process cache of the embedded default as with Redis.

Content holding a form keeps a marker where the CSRF token goes, replaced by the
reader's own token on every request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

KEPT_SECONDS = 10 * 60
# What {% csrf_token %} writes into stored content; letters only, so escaping leaves it be.
CSRF_MARK = "keptpagecsrftokenmarkzq"


def kept_key(page: str, parts: tuple) -> str:
    """The cache key of a page's content: the page's name and a digest of its parts,
    the language and the day."""
    text = repr((parts, translation.get_language(), timezone.localdate().isoformat()))
    return f"kept:{page}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def kept_content(
    request, page: str, parts: tuple | None, render: Callable[[dict], str]
) -> SafeString:
    """The page's content from the cache, or rendered by ``render(extra_context)`` and
    stored. ``parts`` None renders without storing (data that is being updated).

    ``render`` receives the context entries to add: ``csrf_token`` as a marker.
    """
    key = kept_key(page, parts) if parts is not None else None
    html = cache.get(key) if key else None
    # "hit", "miss" or "off", for the tests and the benchmark.
    request.kept_content = "off" if key is None else "hit" if html is not None else "miss"
    if html is None:
        html = render({"csrf_token": CSRF_MARK})
        if key:
            cache.set(key, html, KEPT_SECONDS)
    if CSRF_MARK in html:
        html = html.replace(CSRF_MARK, get_token(request))
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, escaped there
