"""Members' logins: made by their team's secretary (or when an application to join is
approved), with an e-mailed one-time link to set the first password
(docs/domain.md § Accounts, input and faults, "Logins").

A member's login is a Django user whose user name is the member's volunteer number,
linked through ``Member.user``. It starts with an unusable password: nobody knows a
password until the member sets one through the link (or types the printed one-time
code, accounts/services.py).

The link is Django's password-reset token (``default_token_generator``): it is valid
for PASSWORD_RESET_TIMEOUT and only until the password changes, so it works once.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from members.models import Member

logger = logging.getLogger(__name__)


class LoginRefused(ValidationError):
    """A login action that the member's state does not allow; the message says why."""


def login_address(user: AbstractBaseUser) -> str:
    """Where mail for ``user`` goes: their member record's e-mail (kept current by the
    secretary), else the user's own."""
    try:
        member_email = user.member.email
    except ObjectDoesNotExist:
        member_email = ""
    return member_email or getattr(user, "email", "") or ""


@transaction.atomic
def login_create(*, member: Member, by: AbstractBaseUser | None) -> AbstractBaseUser:
    """Make a login for ``member``: user name = volunteer number, no usable password yet.

    Refused (LoginRefused) for a member who already has a login, who has left the
    team, or whose volunteer number is already another login's user name.
    """
    # Locked, so that two secretaries clicking at once make one login.
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.user_id is not None:
        raise LoginRefused(
            _("%(name)s already has a login (user name %(username)s).")
            % {"name": member.name, "username": member.user.get_username()},
            code="has_login",
        )
    if not member.is_active:
        raise LoginRefused(
            _("%(name)s has left the team: a member who has left cannot get a login.")
            % {"name": member.name},
            code="left",
        )
    user_model = get_user_model()
    username = member.volunteer_number
    if user_model.objects.filter(username__iexact=username).exists():
        raise LoginRefused(
            _(
                "The user name %(username)s is already used by another login. "
                "Please ask the site administrator."
            )
            % {"username": username},
            code="username_taken",
        )
    user = user_model(username=username, email=member.email)
    user.set_unusable_password()
    user.save()
    member.user = user
    member._history_user = by
    member._change_reason = "login created"
    member.save(update_fields=["user"])
    return user


def invitation_link(user: AbstractBaseUser) -> str:
    """The one-time address that opens the set-password page for ``user``."""
    path = reverse(
        "accounts:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def link_expiry_text() -> str:
    """When a link made now stops working, local time to the minute: 2026-12-06 18:15."""
    expires = timezone.localtime() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    return f"{expires:%Y-%m-%d %H:%M}"


def invitation_send(*, user: AbstractBaseUser, request=None) -> bool:
    """E-mail ``user`` a one-time link to set their password; True if the mail went.

    Call it after the transaction that made or reset the login has committed (from
    the view, once the service returned): the link must name a saved login, and a
    mail server that is slow or down must not hold a transaction open. Never raises:
    no address or a failing mail backend is logged and gives False, so the caller
    can tell the secretary the mail was not sent.
    """
    address = login_address(user)
    if not address:
        logger.info("no invitation for user %s: no e-mail address", user.pk)
        return False
    try:
        # In Chinese, the site's language, whatever the sender's page is in.
        with translation.override(settings.LANGUAGE_CODE):
            try:
                name = user.member.name
                team = user.member.team.name
            except ObjectDoesNotExist:
                name, team = user.get_username(), ""
            context = {
                "name": name,
                "team": team,
                "username": user.get_username(),
                "link": invitation_link(user),
                "login_url": settings.SITE_URL.rstrip("/") + reverse("login"),
                "expires": link_expiry_text(),
            }
            subject = render_to_string("emails/invitation_subject.txt", context).strip()
            body = render_to_string("emails/invitation.txt", context)
        EmailMessage(subject=" ".join(subject.split()), body=body, to=[address]).send()
    except Exception:
        logger.exception("invitation to user %s could not be sent", user.pk)
        return False
    return True
