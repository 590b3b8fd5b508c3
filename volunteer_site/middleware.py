"""The site's own middleware: the language rule, and what a request may carry.

``RefuseNulMiddleware`` comes first in MIDDLEWARE (after the static files),
before anything reads the session, the user or the body: a request it
refuses never reaches the database.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _


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
    """Mark a view that receives an import's spreadsheet: nothing reads its body before
    the view has set its file size limit."""
    view.accepts_spreadsheet_upload = True
    return view


def _accepts_spreadsheet_upload(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return getattr(match.func, "accepts_spreadsheet_upload", False)
