from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kythuat.core.api.serializers import DomainModelSerializer
from kythuat.equipment.models import Branch, EquipmentType, GradeDefinition, Item, KitComponent


class BranchSerializer(DomainModelSerializer):
    class Meta:
        model = Branch
        fields = DomainModelSerializer.base_fields + ("code", "name", "sort_order", "notes")


class GradeDefinitionSerializer(DomainModelSerializer):
    class Meta:
        model = GradeDefinition
        fields = DomainModelSerializer.base_fields + ("branch", "grade", "name", "description", "typical_action")


class KitComponentSerializer(serializers.ModelSerializer):
    class Meta:
        model = KitComponent
        fields = ("name", "quantity")


class EquipmentTypeSerializer(DomainModelSerializer):
    kit = KitComponentSerializer(many=True, read_only=True)

    class Meta:
        model = EquipmentType
        fields = DomainModelSerializer.base_fields + (
            "branch", "group", "code", "name", "unit_of_measure", "tracked_by", "has_km", "has_engine_hours",
            "has_rounds", "service_life_years", "original_price", "country", "maker", "notes", "kit")


class ItemSerializer(DomainModelSerializer):
    """The grade and the holding unit are set when an item is registered; afterwards they change only
    through their documents (grade change, transfer), so an update that sends new values is refused."""

    FIXED_AFTER_CREATE = ("grade", "unit", "type")

    class Meta:
        model = Item
        fields = DomainModelSerializer.base_fields + (
            "type", "unit", "serial", "quantity", "year_made", "year_in_service", "original_price", "km",
            "engine_hours", "rounds", "grade", "condition", "usage_state", "location_class", "completeness",
            "missing_parts", "notes")

    def validate(self, attrs):
        if self.instance is not None:
            errors = {
                name: [_("This changes only through its document (grade change, transfer).")]
                for name in self.FIXED_AFTER_CREATE
                if name in attrs and getattr(self.instance, name) != attrs[name]
            }
            if errors:
                raise serializers.ValidationError(errors)
        if attrs.get("usage_state") == "struck_off" and getattr(self.instance, "usage_state", None) != "struck_off":
            raise serializers.ValidationError({"usage_state": [_("Items are struck off only by a strike-off.")]})
        return super().validate(attrs)
