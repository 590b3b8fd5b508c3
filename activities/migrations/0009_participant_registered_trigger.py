import logging

from django.db import migrations
from django.db.models import F, Q

from activities.db_triggers import install_from_migration

logger = logging.getLogger("activities.migrations")


def report_participants_not_registered(apps, schema_editor) -> None:
    """The new trigger checks rows as they are written; say which stored ones break the rule.

    They are left as they are (only a person can tell which date is wrong); the
    activity form names them when the activity is next edited.
    """
    Participation = apps.get_model("activities", "Participation")
    stored = Participation.objects.filter(
        Q(member__registered_on__gt=F("activity__start_date"))
        | Q(member__left_on__lt=F("activity__start_date"))
    ).values_list("activity_id", "member_id")
    for activity_id, member_id in stored:
        logger.warning(
            "Activity %s: member %s was not registered on the activity's start date",
            activity_id,
            member_id,
        )


class Migration(migrations.Migration):
    """Re-install the triggers with participation_member_registered (db_triggers.py)."""

    dependencies = [
        ("activities", "0008_repair_organiser_units"),
    ]

    operations = [
        migrations.RunPython(install_from_migration, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(
            report_participants_not_registered, migrations.RunPython.noop, elidable=True
        ),
    ]
