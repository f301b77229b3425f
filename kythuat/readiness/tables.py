import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from kythuat.core.tables import BaseTable

from .models import CoefficientRule


class CoefficientRuleTable(BaseTable):
    rule = tables.Column(accessor="branch", empty_values=(), verbose_name=_("Applies to"),
                         linkify=lambda record: record.get_absolute_url(), order_by=("branch__sort_order",))

    class Meta(BaseTable.Meta):
        model = CoefficientRule
        fields = ("rule", "good_grades", "good_conditions", "notes")
        order_by = ("rule",)

    def render_rule(self, record):
        return str(record)
