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
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
        filled = cursor.fetchone()[0]
    # At once where there are schedules. Not on an empty table (a new database, the tests'): its
    # statistics would then say "no rows" and the first large write in one transaction (a demo's)
    # would be planned as nested loops over "empty" tables; never analysed, the planner reads its size.
    if filled:
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
