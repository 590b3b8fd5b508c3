from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteerSiteConfig(AppConfig):
    name = "volunteer_site"
    verbose_name = _("Site and audit log")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connect the receivers: the audit log's (logins, roles) and the
        # must-change-password check at login.
        from volunteer_site import accounts, audit  # noqa: F401
