"""A database connection lost mid-request: a clear "try again" page, never a 500 or a 400.

PostgreSQL connections are kept between requests and checked before reuse
(``CONN_HEALTH_CHECKS``), but one can still drop between two queries of a request:
the server restarted or was failed over, its process for this connection was
terminated, the network dropped. Where it happens decides the answer:

* in the view (or the template it renders): the view's transaction is rolled
  back, so nothing was half-saved; the answer is a 503 page in the site's layout
  saying to try again, with ``Retry-After``, and for a page (GET) a reload after
  that many seconds, which is the retry. A POST is never repeated by itself: the
  page says what was submitted may not have been saved.
* at the session's save, after the view: the view's work is already committed,
  so its answer (the redirect after a save, the page) stands and only the
  session's renewal is lost. Django would answer 400 "the session was deleted",
  and a user told that their save failed would save it twice.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
DATABASE_FAULTS = (OperationalError, InterfaceError)


def is_database_fault(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an error it was raised from or while handling, is a lost
    or refused database connection (Django's ``SessionInterrupted`` hides it that way)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, DATABASE_FAULTS):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return False


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The "try again" page. Rendered without the request (no user, no session, no
    context processors), so it makes no query of the database it reports as lost."""
    html = render_to_string(
        "503.html",
        {"retry_after": RETRY_AFTER_SECONDS, "reload": request.method in ("GET", "HEAD")},
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseFaultMiddleware:
    """A lost connection in the view: the "try again" page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not is_database_fault(exception):
            return None
        logger.warning(
            "database connection lost during %s %s", request.method, request.path, exc_info=True
        )
        return database_unavailable(request)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that a connection lost at the session's save leaves the
    view's answer as it was (its work is committed); only the renewal is lost."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except Exception as exc:
            if not is_database_fault(exc):
                raise  # e.g. the session really was deleted meanwhile (logged out elsewhere)
            logger.warning(
                "database connection lost saving the session after %s %s; the answer stands",
                request.method,
                request.path,
                exc_info=True,
            )
            return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500 for the site: a lost database connection raised outside a
    view (a middleware reading the session, say) is the "try again" page too, like one
    raised in a view (DatabaseFaultMiddleware); anything else is the plain 500 page.

    Django calls it while handling the exception, so ``sys.exc_info()`` holds it."""
    import sys

    from django.views.defaults import server_error as django_server_error

    if is_database_fault(sys.exc_info()[1]):
        logger.warning("database connection lost during %s %s", request.method, request.path)
        return database_unavailable(request)
    return django_server_error(request)
