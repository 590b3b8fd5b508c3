"""Recompute every member's star level from the stored figures.

A member's first computed level is never mailed (stars/services.py), so the levels
can be introduced on a site with records without this command. ``--without-mail``
records every current level as notified without mailing anyone (say, after
thresholds that were set wrongly are corrected).
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from stars.services import team_stars_recompute
from teams.models import Team


class Command(BaseCommand):
    help = "Recompute every member's star level from the stored figures."

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-mail",
            action="store_true",
            help="record the levels reached as notified without mailing anyone",
        )

    def handle(self, *args, without_mail: bool = False, **options):
        team_ids = list(Team.objects.order_by("pk").values_list("pk", flat=True))
        changed = team_stars_recompute(team_ids=team_ids, mail=not without_mail)
        self.stdout.write(
            _("%(teams)d team(s): %(changed)d member(s) changed level.")
            % {"teams": len(team_ids), "changed": changed}
        )
