"""Compile the translation catalogues (.po → .mo) in Python.

Django's own ``compilemessages`` needs GNU gettext's ``msgfmt``, which a fresh
machine may not have; polib writes the same binary format, so ``make`` can
compile the catalogues anywhere Python runs.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile every .po catalogue under LOCALE_PATHS into its .mo file (no gettext needed)."

    def handle(self, *args, **options):
        catalogues = [
            path for folder in settings.LOCALE_PATHS for path in Path(folder).rglob("*.po")
        ]
        if not catalogues:
            raise CommandError(f"No .po catalogues found under {settings.LOCALE_PATHS}")
        for po_path in catalogues:
            catalogue = polib.pofile(str(po_path))
            mo_path = po_path.with_suffix(".mo")
            catalogue.save_as_mofile(str(mo_path))
            self.stdout.write(
                f"{po_path.relative_to(settings.BASE_DIR)}: "
                f"{len(catalogue.translated_entries())} translated, "
                f"{len(catalogue.untranslated_entries())} untranslated"
            )
