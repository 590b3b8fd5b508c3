"""Mail to applicants, sent by the views after the decision has committed.

Neither function raises: a mail server that is down or slow is logged and reported
as False, and the view tells the secretary the mail was not sent; the decision
stands either way (docs/domain.md § Accounts, input and faults).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from applications.models import Application

logger = logging.getLogger(__name__)


def rejection_send(*, application: Application, request) -> bool:
    """Tell the applicant their application was not approved, and why. False if not sent."""
    if not application.email:
        return False
    try:
        # In Chinese, the site's language, whatever the secretary's page is in.
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "name": application.name,
                "team": application.team.name,
                "reason": application.reject_reason,
                "status_url": request.build_absolute_uri(
                    reverse("applications:status", args=[application.status_token])
                ),
            }
            subject = render_to_string("applications/email_rejected_subject.txt", context)
            body = render_to_string("applications/email_rejected.txt", context)
        EmailMessage(subject=" ".join(subject.split()), body=body, to=[application.email]).send()
    except Exception:
        logger.exception("rejection mail for application %s could not be sent", application.pk)
        return False
    return True


def invitation_send(*, user, request) -> bool:
    """The new member's invitation to set a password (accounts.logins). False if not sent."""
    from accounts.logins import invitation_send as send

    try:
        return send(user=user, request=request)
    except Exception:  # it promises not to raise; a mail outage must not become a 500
        logger.exception("invitation to user %s could not be sent", user.pk)
        return False
