from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadinessConfig(AppConfig):
    name = "kythuat.readiness"
    label = "readiness"
    verbose_name = _("Readiness")

    def ready(self):
        from kythuat.equipment.history import register_changed

        from .selectors import forget_snapshots_after

        register_changed.connect(lambda sender, since, **kwargs: forget_snapshots_after(since),
                                 dispatch_uid="readiness_forget_snapshots", weak=False)
