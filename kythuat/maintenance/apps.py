from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "kythuat.maintenance"
    label = "maintenance"
    verbose_name = _("Maintenance")

    def ready(self):
        from kythuat.equipment import history

        from . import importers, schedules  # noqa: F401  (importers: registers the rules' and the log's importers)

        def follow(sender, item_ids, **kwargs):
            # Items registered, or whose usage state, type or unit changed: under the regimes that now apply.
            schedules.sync(item_ids, since=history.effective_date())

        history.items_changed.connect(follow, dispatch_uid="maintenance_follow_items", weak=False)

        from kythuat.core import demo
        from kythuat.core import panels as core_panels

        from . import panels
        from .selectors import summarise_due

        core_panels.register("equipment.item", "maintenance/item_panel.html", panels.item_panel, order=10)
        core_panels.register("home", "maintenance/home_panel.html", panels.home_panel, order=10)
        from django.utils.translation import gettext_lazy

        from kythuat.core.roles import Perm

        core_panels.register_action("equipment.item_list", label=gettext_lazy("Plan work for the ticked items"),
                                    url_name="maintenance:workorder_add", perm=Perm.LOG_WORK)
        # Last of the demo: the day's reminders, as the nightly task makes them.
        demo.register(90, "maintenance-reminders",
                      lambda options: [f"Nhắc việc / reminders: {summarise_due()} đơn vị / units."])
