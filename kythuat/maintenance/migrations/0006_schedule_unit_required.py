import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("maintenance", "0005_schedule_unit"),
    ]

    operations = [
        migrations.AlterField(
            model_name="schedule",
            name="unit",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="org.unit", verbose_name="holding unit"),
        ),
        migrations.AddIndex(
            model_name="schedule",
            index=models.Index(condition=models.Q(("active", True)), fields=["unit", "next_due_on"],
                               name="schedule_unit_due_idx"),
        ),
    ]
