from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "kythuat.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from kythuat.core import demo

        from . import demo as org_demo

        demo.register(10, "org", org_demo.run)
