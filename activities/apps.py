from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from activities import db_triggers, signals  # noqa: F401  (connects the receivers)

        post_migrate.connect(
            db_triggers.install_after_migrate,
            sender=self,
            dispatch_uid="activities-install-triggers",
        )
