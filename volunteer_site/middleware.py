"""The site's own middleware: the language rule, and what a request may carry.

``RequestSizeLimitMiddleware`` and ``RefuseNulMiddleware`` come first in
MIDDLEWARE (after the static files), before anything reads the session, the
user or the body: a request they refuse never reaches the database.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from volunteer_site.xlsx.uploads import file_size_text, too_large_message

# What a multipart upload carries besides the file itself: boundaries, part
# headers (the file's name), the CSRF token. Under 1 KB; kept wide.
MULTIPART_ALLOWANCE = 64 * 1024


def chosen_language(request: HttpRequest) -> str:
    """Chinese unless the user chose otherwise with the language switch (its cookie)."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose otherwise with the language switch.

    Django's own middleware follows the browser's Accept-Language; office
    computers often run English-language browsers, and the product speaks
    Chinese first, so only the explicit choice (the language cookie) counts.
    """

    def process_request(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()


def refusal(request: HttpRequest, *, status: int, title: str, message: str) -> HttpResponse:
    """A page saying why the request was refused (call it in ``refusing_language``).

    Rendered before the session and the user are known (the page shows the
    anonymous top bar), so it reads nothing from the database.
    """
    return render(
        request, "request_refused.html", {"title": title, "message": message}, status=status
    )


def refusing_language(request: HttpRequest):
    """The user's language for a refusal made before the locale middleware ran."""
    return translation.override(chosen_language(request))


def content_length(request: HttpRequest) -> int:
    """The body's declared length (0 when absent or not a number, as Django reads it)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def upload_limit() -> int:
    """The largest request body an import upload view accepts."""
    return settings.IMPORT_MAX_BYTES + MULTIPART_ALLOWANCE


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than its view takes (413), by its Content-Length,
    before a byte of it is read.

    Without it, a 300 MB POST to any page, even by an anonymous visitor, was
    read whole (a multipart file streamed to a temporary file) before the CSRF
    check or the login refused it. Ordinary forms are held to Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB; the activity form of a 2,000-member
    team posts about 0.1 MB); the import uploads (``spreadsheet_upload``) to
    IMPORT_MAX_BYTES plus the multipart overhead. Django does not read a body
    sent without a Content-Length (chunked) at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = content_length(request)
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            upload = _accepts_spreadsheet_upload(request)
            if not upload or length > upload_limit():
                with refusing_language(request):
                    return refusal(
                        request,
                        status=413,
                        title=_("Too much data sent"),
                        message=too_large_message(length) if upload else _form_too_large(length),
                    )
        return self.get_response(request)


def _form_too_large(length: int) -> str:
    return _(
        "What was sent is %(size)s, more than the %(limit)s a form takes, so nothing was saved."
    ) % {
        "size": file_size_text(length),
        "limit": file_size_text(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
    }


class RefuseNulMiddleware:
    """Refuse (400) a request carrying a NUL character in its path, its query string,
    its cookies or its form fields.

    PostgreSQL cannot store NUL in text and refuses it in a query ("A string
    literal cannot contain NUL"), so one that reached a filter or the audit log
    was a 500. No person types it: it comes from crafted links and tools, and
    a refusal that says so is more honest than quietly changing what was asked
    (stripping it). Other control characters are not refused: they come with
    pasted text (Word's line break is a vertical tab), PostgreSQL stores them,
    and refusing them would lose a form's typing; the exports drop what a
    workbook cannot hold (``volunteer_site.xlsx.safe_cell``).

    Form fields are checked in every POST but the import uploads
    (``spreadsheet_upload``), whose view must set its file size limit before
    the body is read; their only text field is the CSRF token.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_nul(request):
            with refusing_language(request):
                return refusal(
                    request,
                    status=400,
                    title=_("Invalid characters"),
                    message=_(
                        "The request contains invalid characters (a NUL character), so it "
                        "was not carried out. Check the link, or go back and type the text "
                        "again."
                    ),
                )
        return self.get_response(request)


def _carries_nul(request: HttpRequest) -> bool:
    def any_nul(pairs) -> bool:
        return any("\x00" in key or "\x00" in value for key, value in pairs)

    if "\x00" in request.path:
        return True
    if any_nul((key, value) for key, values in request.GET.lists() for value in values):
        return True
    if any_nul(request.COOKIES.items()):
        return True
    if request.method == "POST" and not _accepts_spreadsheet_upload(request):
        return any_nul((key, value) for key, values in request.POST.lists() for value in values)
    return False


def spreadsheet_upload(view):
    """Mark a view that receives an import's spreadsheet: its body may be as large as
    ``upload_limit()``, and nothing reads it before the view has set its file size
    limit (``volunteer_site.xlsx.limit_upload_size``)."""
    view.accepts_spreadsheet_upload = True
    return view


def _accepts_spreadsheet_upload(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return getattr(match.func, "accepts_spreadsheet_upload", False)
