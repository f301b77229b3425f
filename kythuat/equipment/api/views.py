from kythuat.core.api.viewsets import ScopedModelViewSet
from kythuat.equipment import filtersets
from kythuat.equipment.models import Branch, EquipmentType, GradeDefinition, Item

from . import serializers


class BranchViewSet(ScopedModelViewSet):
    queryset = Branch.objects.all()
    serializer_class = serializers.BranchSerializer
    filterset_class = filtersets.BranchFilterSet
    ordering_fields = ["code", "name", "sort_order"]


class GradeDefinitionViewSet(ScopedModelViewSet):
    queryset = GradeDefinition.objects.select_related("branch")
    serializer_class = serializers.GradeDefinitionSerializer
    filterset_class = filtersets.GradeDefinitionFilterSet
    ordering_fields = ["grade", "name"]


class EquipmentTypeViewSet(ScopedModelViewSet):
    queryset = EquipmentType.objects.select_related("branch").prefetch_related("kit")
    serializer_class = serializers.EquipmentTypeSerializer
    filterset_class = filtersets.EquipmentTypeFilterSet
    ordering_fields = ["code", "name", "group", "service_life_years"]


class ItemViewSet(ScopedModelViewSet):
    queryset = Item.objects.select_related("type", "unit")
    serializer_class = serializers.ItemSerializer
    filterset_class = filtersets.ItemFilterSet
    ordering_fields = ["serial", "type__name", "unit__name", "grade", "year_in_service", "quantity"]
