from django.db import migrations

from activities.db_triggers import install_from_migration


class Migration(migrations.Migration):
    """Triggers for the two rules a CHECK constraint cannot express (db_triggers.py)."""

    dependencies = [
        ("activities", "0002_initial"),
        ("members", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(install_from_migration, migrations.RunPython.noop, elidable=False),
    ]
