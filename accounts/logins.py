"""Members' logins: made by their team's secretary (or when an application to join is
approved), with an e-mailed one-time link to set the first password
(docs/domain.md § Accounts, input and faults, "Logins").

A member's login is a Django user whose user name is the member's volunteer number,
linked through ``Member.user``. It starts with an unusable password: nobody knows a
password until the member sets one through the link (or types the printed one-time
code, ``one_time_code_set`` below).

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
from django.utils.crypto import get_random_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from members.models import Member
from volunteer_site.accounts import ONE_TIME_ALPHABET
from volunteer_site.models import PasswordChangeRequired

logger = logging.getLogger(__name__)


class LoginRefused(ValidationError):
    """A login action that the member's state does not allow; the message says why."""


def user_display_name(user: AbstractBaseUser) -> str:
    """The member's name for a member's login, else the user name."""
    try:
        return user.member.name
    except ObjectDoesNotExist:
        return user.get_username()


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
    # No e-mail of its own: mail goes to the member's (login_address), which the
    # secretary keeps; the user's own is the site administrator's to set.
    user = user_model(username=username)
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
    can tell the secretary the mail was not sent. ``request`` (the one that caused
    the mail, if any) is not needed: links use SITE_URL, as mail is read elsewhere.
    """
    address = login_address(user)
    if not address:
        logger.info("no invitation for user %s: no e-mail address", user.pk)
        return False
    try:
        # In Chinese, the site's language, whatever the sender's page is in.
        with translation.override(settings.LANGUAGE_CODE):
            try:
                team = user.member.team.name
            except ObjectDoesNotExist:
                team = ""
            context = {
                "name": user_display_name(user),
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


# --- The secretary's actions on a member's login ----------------------------------------

# A printed one-time password: ONE_TIME_ALPHABET (volunteer_site/accounts.py, where the
# login and the password change read it back) in three groups of four: about 59 bits.


def one_time_code_new() -> str:
    code = get_random_string(12, ONE_TIME_ALPHABET)
    return "-".join(code[i : i + 4] for i in range(0, 12, 4))


def login_of(member: Member) -> AbstractBaseUser:
    """The member's login, if their team's secretary may manage it.

    A login that also holds a role (staff, secretary, region admin) or is a Django
    staff or superuser is the site administrator's: a secretary who could reset it
    would learn a password with more rights than their own.
    """
    user = member.user
    if user is None:
        raise LoginRefused(_("%(name)s has no login yet.") % {"name": member.name}, code="no_login")
    if user.is_staff or user.is_superuser or login_has_roles(user):
        raise LoginRefused(
            _(
                "The login of %(name)s also has other rights (a role on a team or a region); "
                "only the site administrator can change it."
            )
            % {"name": member.name},
            code="has_roles",
        )
    return user


def login_has_roles(user: AbstractBaseUser) -> bool:
    from teams.models import RegionAdmin, TeamRole

    return (
        TeamRole.objects.filter(user=user).exists()
        or RegionAdmin.objects.filter(user=user).exists()
    )


def _refuse_if_left(member: Member) -> None:
    if not member.is_active:
        raise LoginRefused(
            _("%(name)s has left the team: their login cannot be reset or enabled.")
            % {"name": member.name},
            code="left",
        )


def _locked(member: Member) -> Member:
    # Only the member's row: PostgreSQL cannot lock the outer-joined (nullable) user.
    return Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)


@transaction.atomic
def one_time_code_set(*, user: AbstractBaseUser) -> str:
    """Give ``user`` a new random password, to be printed once, that they must change at
    their first login (PasswordChangeRequired, reason ``one_time``). The old password and
    the user's sessions stop working. Returns the code; it is stored only hashed."""
    code = one_time_code_new()
    user.set_password(code)
    user.save(update_fields=["password"])
    PasswordChangeRequired.objects.update_or_create(
        user=user, defaults={"reason": PasswordChangeRequired.Reason.ONE_TIME}
    )
    return code


@transaction.atomic
def login_create_with_code(
    *, member: Member, by: AbstractBaseUser | None
) -> tuple[AbstractBaseUser, str]:
    """``login_create`` for a member without e-mail: the login and its printed code."""
    user = login_create(member=member, by=by)
    return user, one_time_code_set(user=user)


@transaction.atomic
def login_reset(*, member: Member, by: AbstractBaseUser | None) -> AbstractBaseUser:
    """The member forgot their password: it stops working (and so do their sessions and
    any link sent before); they choose a new one through a new link (invitation_send)
    or the secretary gives them a one-time code (one_time_code_set)."""
    member = _locked(member)
    _refuse_if_left(member)
    user = login_of(member)
    if not user.is_active:
        raise LoginRefused(
            _("The login of %(name)s is disabled; enable it first.") % {"name": member.name},
            code="disabled",
        )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def login_reset_with_code(
    *, member: Member, by: AbstractBaseUser | None
) -> tuple[AbstractBaseUser, str]:
    user = login_reset(member=member, by=by)
    return user, one_time_code_set(user=user)


@transaction.atomic
def login_disable(*, member: Member, by: AbstractBaseUser | None) -> AbstractBaseUser:
    """The login no longer logs in, and a session it has open ends at its next request
    (Django's backend does not load an inactive user). Its password is kept."""
    member = _locked(member)
    # A secretary's own login holds a role, so login_of refuses it: nobody locks
    # themselves out here.
    user = login_of(member)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def login_enable(*, member: Member, by: AbstractBaseUser | None) -> AbstractBaseUser:
    member = _locked(member)
    _refuse_if_left(member)
    user = login_of(member)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user
