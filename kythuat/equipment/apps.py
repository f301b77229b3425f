from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EquipmentConfig(AppConfig):
    name = "kythuat.equipment"
    label = "equipment"
    verbose_name = _("Equipment")

    def ready(self):
        from kythuat.core import demo

        from . import demo as equipment_demo
        from . import importers  # noqa: F401  (registers the register's importer)

        demo.register(20, "equipment", equipment_demo.run)
