"""Repair organising units (组织单位) overwritten by a 组织者 tick box's member id.

The participant table's tick boxes posted as ``organiser``, like the unit's text
box, so ticking one stored a member id ("1", "48") as the unit. A unit that is a
bare number equal to the member id of one of the activity's participants gets
back the last value in the activity's history that was not a bare number, or
blank if there is none; each repair is logged. Anything else is left alone (a
bare number that is nobody's id on that activity may be a real unit's code).
"""

import logging
import re

from django.db import migrations

logger = logging.getLogger("activities.migrations")

BARE_NUMBER = re.compile(r"[0-9]+")


def repair_organiser_units(apps, schema_editor) -> None:
    Activity = apps.get_model("activities", "Activity")
    Participation = apps.get_model("activities", "Participation")
    HistoricalActivity = apps.get_model("activities", "HistoricalActivity")
    # Few rows: read them all before writing any.
    suspects = list(
        Activity.objects.filter(organiser__regex=r"^[0-9]+$").values_list("pk", "organiser")
    )
    for pk, unit in suspects:
        if not BARE_NUMBER.fullmatch(unit):
            continue
        is_a_participant = Participation.objects.filter(
            activity_id=pk, member_id=int(unit)
        ).exists()
        if not is_a_participant:
            continue
        earlier = HistoricalActivity.objects.filter(id=pk).order_by(
            "-history_date", "-history_id"
        )
        restored = next(
            (
                value
                for value in earlier.values_list("organiser", flat=True)
                if not BARE_NUMBER.fullmatch(value)
            ),
            "",
        )
        Activity.objects.filter(pk=pk).update(organiser=restored)
        logger.warning(
            "Activity %s: organising unit %r was a participant's member id; restored to %r",
            pk,
            unit,
            restored,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0007_figures_rows_digests"),
    ]

    operations = [
        migrations.RunPython(repair_organiser_units, migrations.RunPython.noop, elidable=True),
    ]
