"""Schedules carry their item's holding unit (``Schedule.unit``), so that a unit's due list reads the
index (unit, due date) of the schedules in force instead of joining the register. The column
is made required in 0006: on PostgreSQL a table cannot be altered in the transaction that filled a
deferred foreign key."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_units(apps, schema_editor):
    Item = apps.get_model("equipment", "Item")
    Schedule = apps.get_model("maintenance", "Schedule")
    Schedule.objects.update(unit=Subquery(Item.objects.filter(pk=OuterRef("item_id")).values("unit_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("equipment", "0007_register_indexes"),
        ("maintenance", "0004_schedule_active_due_idx"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="schedule",
            name="unit",
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="org.unit", verbose_name="holding unit"),
        ),
        migrations.RunPython(copy_units, migrations.RunPython.noop, elidable=True),
    ]
