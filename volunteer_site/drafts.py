"""A form typed into a session that expired is kept, and given back after logging in.

After SESSION_IDLE_MINUTES without a request the session ends. Saving a form
then reaches its view without a user: ``login_required`` would send the browser
to the login page and drop what was typed. ``login_required_keeping_drafts``
instead keeps the posted fields (not the CSRF token, not files) in the new
session under a random token, and sends the browser to log in with ``next`` set
to the form's address and that token. Django's ``login()`` keeps the data of an
anonymous session, so after logging in the form view finds the draft and shows
it as a bound, unsaved form (``form_data``); nothing is saved until the user
saves again.

A draft goes back only to the user who typed it. Their id comes from a signed
cookie that logging in sets (``LoginView``), as the expired session cannot
tell. Without that cookie the draft goes to whoever logs in next in the same
browser, within UNOWNED_MINUTES. A draft is given back once, on the page it
was typed on, and dropped when another user logs in.
"""

from __future__ import annotations

import secrets
import time
from functools import wraps
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

SESSION_KEY = "form_drafts"
DRAFT_PARAMETER = "draft"
OWNER_COOKIE = "last_user"
OWNER_SALT = "volunteer_site.drafts.owner"
OWNER_MAX_AGE = 24 * 60 * 60  # a working day and night: longer than any idle timeout
UNOWNED_MINUTES = 10
MOST_DRAFTS = 3  # per session, newest kept
# A 3,000-member activity form is about 150 KB; more is not a form typed by a person.
MOST_BYTES = 1_000_000
NOT_KEPT = {"csrfmiddlewaretoken"}


def login_required_keeping_drafts(view):
    """``login_required`` for form views, keeping a form posted after the session expired.

    The view reads its form's data with ``form_data(request)`` and saves only on POST.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.user.is_authenticated:
            request.restored_draft = _take(request)
            if request.restored_draft is not None:
                messages.info(
                    request,
                    _(
                        "What you typed before your session expired has been restored; "
                        "please check it and save."
                    ),
                )
            return view(request, *args, **kwargs)
        if request.method == "POST":
            token = _keep(request)
            if token:
                return redirect_to_login(f"{request.path}?{DRAFT_PARAMETER}={token}")
        return redirect_to_login(request.get_full_path())

    return wrapper


def form_data(request: HttpRequest) -> QueryDict | None:
    """What a form view binds its form to: the POST, a restored draft, or None."""
    if request.method == "POST":
        return request.POST
    return getattr(request, "restored_draft", None)


def _owner(request: HttpRequest) -> int | None:
    value = request.get_signed_cookie(
        OWNER_COOKIE, default=None, salt=OWNER_SALT, max_age=OWNER_MAX_AGE
    )
    return int(value) if value and value.isascii() and value.isdigit() else None


def _keep(request: HttpRequest) -> str | None:
    """Keep the posted fields in the session; the token, or None if they are too big."""
    fields = [[name, values] for name, values in request.POST.lists() if name not in NOT_KEPT]
    if len(DjangoJSONEncoder().encode(fields)) > MOST_BYTES:
        return None
    token = secrets.token_urlsafe(16)
    drafts = request.session.get(SESSION_KEY, {})
    drafts[token] = {
        "path": request.path,
        "fields": fields,
        "owner": _owner(request),
        "at": time.time(),
    }
    newest = sorted(drafts.items(), key=lambda item: item[1]["at"])[-MOST_DRAFTS:]
    request.session[SESSION_KEY] = dict(newest)
    return token


def _take(request: HttpRequest) -> QueryDict | None:
    """The draft named in the address, if it is this user's and this page's (then dropped)."""
    drafts = request.session.get(SESSION_KEY)
    if not drafts:
        return None
    user_id = request.user.pk
    # Drafts typed by someone else never reach this user: they go as soon as they log in.
    mine = {
        token: draft
        for token, draft in drafts.items()
        if draft.get("owner") in (None, user_id)
        and (draft.get("owner") is not None or time.time() - draft["at"] < UNOWNED_MINUTES * 60)
    }
    token = request.GET.get(DRAFT_PARAMETER, "")
    draft = mine.pop(token, None) if request.method == "GET" else None
    if mine != drafts:
        if mine:
            request.session[SESSION_KEY] = mine
        else:
            del request.session[SESSION_KEY]
    if draft is None or draft["path"] != request.path:
        return None
    data = QueryDict(mutable=True)
    for name, values in draft["fields"]:
        data.setlist(name, values)
    data._mutable = False
    return data


def token_in(url: str) -> str | None:
    """The draft token in a ``next`` address, if there is one."""
    values = parse_qs(urlsplit(url).query).get(DRAFT_PARAMETER)
    return values[0] if values else None


class LoginView(auth_views.LoginView):
    """Django's login, remembering who logged in (for drafts) and saying why a form was kept."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        redirect_to = self.get_redirect_url() or self.request.GET.get(REDIRECT_FIELD_NAME, "")
        context["session_expired"] = token_in(redirect_to) is not None
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        response.set_signed_cookie(
            OWNER_COOKIE,
            str(form.get_user().pk),
            salt=OWNER_SALT,
            max_age=OWNER_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response
