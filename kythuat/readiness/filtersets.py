from kythuat.core.filtersets import BaseFilterSet

from .models import CoefficientRule


class CoefficientRuleFilterSet(BaseFilterSet):
    class Meta:
        model = CoefficientRule
        fields = ["q"]
