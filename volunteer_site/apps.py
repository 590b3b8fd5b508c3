from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteerSiteConfig(AppConfig):
    name = "volunteer_site"
    verbose_name = _("Site and audit log")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from volunteer_site import audit  # noqa: F401  (connects the auth and role receivers)
