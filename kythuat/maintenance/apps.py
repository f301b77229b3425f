from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "kythuat.maintenance"
    label = "maintenance"
    verbose_name = _("Maintenance")

    def ready(self):
        from kythuat.equipment import history

        from . import schedules

        def follow(sender, item_ids, **kwargs):
            # Items registered, or whose usage state, type or unit changed: under the regimes that now apply.
            schedules.sync(item_ids, since=history.effective_date())

        history.items_changed.connect(follow, dispatch_uid="maintenance_follow_items", weak=False)
