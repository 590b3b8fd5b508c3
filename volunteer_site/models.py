"""The audit log: who did what, when, from where, with what outcome."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("logged in")
    LOGIN_FAILED = "login_failed", _("failed login")
    LOCKED_OUT = "locked_out", _("locked out")
    LOGOUT = "logout", _("logged out")
    REFUSED = "refused", _("permission refused")
    APPROVE = "approve", _("approved an activity")
    RETURN = "return", _("returned an activity")
    REOPEN = "reopen", _("reopened an activity")
    SIGN_OFF = "sign_off", _("signed a month off")
    EXPORT = "export", _("exported data")
    IMPORT = "import", _("imported a spreadsheet")
    ROLE_CHANGE = "role_change", _("changed a role")
    PASSWORD_CHANGE = "password_change", _("changed their password")
    PASSWORD_RESET = "password_reset", _("reset their password by e-mail")
    LOGIN_CREATE = "login_create", _("created a member's login")
    LOGIN_RESET = "login_reset", _("reset a member's login")
    LOGIN_DISABLE = "login_disable", _("disabled a member's login")
    LOGIN_ENABLE = "login_enable", _("enabled a member's login")
    APPLICATION_APPROVE = "application_approve", _("approved an application to join")
    APPLICATION_REJECT = "application_reject", _("rejected an application to join")
    PROFILE_EDIT = "profile_edit", _("edited the team's profile")
    CERTIFICATE_ISSUE = "certificate_issue", _("issued a service-record certificate")
    CERTIFICATE_REVOKE = "certificate_revoke", _("revoked a service-record certificate")
    PLANNED_EDIT = "planned_edit", _("edited a planned activity")
    PLANNED_STOP = "planned_stop", _("stopped a planned activity")
    PLANNED_PUBLISH = "planned_publish", _("published a planned activity again")
    OCCURRENCE_CANCEL = "occurrence_cancel", _("cancelled an occurrence")
    ATTENDANCE_MARK = "attendance_mark", _("marked attendance by hand")
    ATTENDANCE_UNMARK = "attendance_unmark", _("took back an attendance")
    CHECKIN_CODE_RENEW = "checkin_code_renew", _("renewed a check-in code")
    SWAP_APPROVE = "swap_approve", _("approved a duty swap")
    SWAP_REJECT = "swap_reject", _("rejected a duty swap")


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", _("success")
    FAILURE = "failure", _("failure")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as typed, also for failed logins of names that do not exist.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS
    )
    target = models.CharField(_("object"), max_length=300, blank=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["action", "at"], name="audit_action_time_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"


class PasswordChangeRequired(models.Model):
    """A user whose password others know, who must choose a new one before anything else.

    Set for the demo logins (their passwords are in the README) and, later, for a
    one-time password a secretary prints for a member; removed when the user changes
    their password. Read at login (volunteer_site/accounts.py), not on every request.
    """

    class Reason(models.TextChoices):
        DEMO = "demo", _("demo login with a public password")
        ONE_TIME = "one_time", _("one-time password given by the secretary")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="password_change_required",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("password change required")
        verbose_name_plural = _("password changes required")

    def __str__(self) -> str:
        return f"{self.user} ({self.reason})"

    def is_enforced(self) -> bool:
        """The demo's public passwords are let be with debug on (``make run``); any
        other reason is enforced always."""
        return self.reason != self.Reason.DEMO or not settings.DEBUG
