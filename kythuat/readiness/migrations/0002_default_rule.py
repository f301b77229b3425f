from django.db import migrations


def load(apps, schema_editor):
    apps.get_model("readiness", "CoefficientRule").objects.create(
        good_grades="1,2", good_conditions="ready",
        notes="Mặc định: trang bị cấp 1–2 và sẵn sàng, chia cho mọi trang bị chưa loại khỏi biên chế, tính theo "
              "số lượng. Cần xác nhận với cơ quan kỹ thuật (DOMAIN.md §1.3).")


def unload(apps, schema_editor):
    apps.get_model("readiness", "CoefficientRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("readiness", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
