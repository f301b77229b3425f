from kythuat.core.api.serializers import DomainModelSerializer
from kythuat.readiness.models import CoefficientRule


class CoefficientRuleSerializer(DomainModelSerializer):
    class Meta:
        model = CoefficientRule
        fields = DomainModelSerializer.base_fields + ("branch", "good_grades", "good_conditions", "notes")
