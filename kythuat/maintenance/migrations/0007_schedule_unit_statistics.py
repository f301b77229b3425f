"""PostgreSQL: statistics of every holding unit's share of the schedules.

With the default (100 most common values of a sample of 30,000 rows) PostgreSQL knows the share of a
hundred units and takes any other for an average one: asked for the due list of a few units that
hold nothing due (a provincial staff section), it walked all 3 million schedules in date order for
the 50 it expected early — 5 to 10 s at a million items. With 1,000 values (a province's units) it
knows them, and reads the few units' schedules by ``schedule_unit_due_idx`` (under a millisecond).
"""

from django.db import migrations

TARGET = 1000


def set_target(apps, schema_editor, target=TARGET):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("maintenance", "Schedule")._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN unit_id SET STATISTICS {int(target)}")
    schema_editor.execute(f"ANALYZE {table}")


def reset_target(apps, schema_editor):
    set_target(apps, schema_editor, target=-1)


class Migration(migrations.Migration):

    dependencies = [
        ("maintenance", "0006_schedule_unit_required"),
    ]

    operations = [
        migrations.RunPython(set_target, reset_target),
    ]
