from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Teams and regions")

    def ready(self) -> None:
        from teams import page_versions, signals  # noqa: F401 - connects the receivers

        post_migrate.connect(
            page_versions.install_after_migrate,
            sender=self,
            dispatch_uid="teams-install-page-version-triggers",
        )
