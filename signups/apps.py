from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "signups"
    verbose_name = _("Sign-ups")

    def ready(self) -> None:
        from planning import signals
        from signups import receivers

        signals.occurrences_cancelled.connect(
            receivers.on_occurrences_cancelled, dispatch_uid="signups.occurrences_cancelled"
        )
        signals.planned_changed.connect(
            receivers.on_planned_changed, dispatch_uid="signups.planned_changed"
        )
