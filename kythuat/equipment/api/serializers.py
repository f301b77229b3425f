from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kythuat.core.api.serializers import DomainModelSerializer
from kythuat.equipment.choices import StrikeOffReason
from kythuat.equipment.models import (
    Branch,
    EquipmentType,
    GradeChange,
    GradeDefinition,
    Item,
    KitComponent,
    StrikeOff,
    Transfer,
)
from kythuat.org.models import Unit


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

    FIXED_AFTER_CREATE = ("grade", "unit", "type", "registered_on")

    class Meta:
        model = Item
        fields = DomainModelSerializer.base_fields + (
            "type", "unit", "serial", "quantity", "year_made", "year_in_service", "original_price", "km",
            "engine_hours", "rounds", "grade", "condition", "usage_state", "location_class", "completeness",
            "missing_parts", "registered_on", "notes")

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


class GradeChangeLineSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text=_("Id of the item"))
    grade_after = serializers.IntegerField(min_value=1, max_value=5)
    grade_before = serializers.IntegerField(read_only=True)


class GradeChangeSerializer(DomainModelSerializer):
    """A grade change record; ``lines`` are given when it is made and fixed afterwards."""

    lines = GradeChangeLineSerializer(many=True, required=False, write_only=True,
                                      help_text=_("Given when the record is made: item and new grade"))

    class Meta:
        model = GradeChange
        fields = DomainModelSerializer.base_fields + (
            "unit", "number", "date", "reason", "basis", "assessors", "status", "approved_by", "approved_at",
            "lines")
        read_only_fields = ("status", "approved_by", "approved_at")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["lines"] = [{"item": line.item_id, "grade_before": line.grade_before, "grade_after": line.grade_after}
                         for line in instance.lines.all()]
        return data

    def validate(self, attrs):
        lines = attrs.pop("lines", None)
        if self.instance is not None:
            if lines is not None:
                raise serializers.ValidationError({"lines": [_("The lines are fixed once the record is made.")]})
            if self.instance.locked_reason:
                raise serializers.ValidationError({"status": [self.instance.locked_reason]})
            if "unit" in attrs and attrs["unit"] != self.instance.unit:
                raise serializers.ValidationError({"unit": [_("The unit of a record does not change.")]})
        attrs = super().validate(attrs)
        if lines is not None:
            attrs["lines"] = lines
        return attrs

    def create(self, validated_data):
        from django.core.exceptions import ValidationError as DjangoValidationError

        from kythuat.equipment import services

        lines = [(line["item"], line["grade_after"]) for line in validated_data.pop("lines", [])]
        try:
            return services.draft_grade_change(user=self.context["request"].user, lines=lines, **validated_data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from error


class TransferLineSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text=_("Id of the item"))
    quantity = serializers.IntegerField(min_value=1, required=False,
                                        help_text=_("Part of a lot; empty: the whole line"))


class TransferSerializer(DomainModelSerializer):
    """A transfer order; ``lines`` are given when it is made and fixed afterwards."""

    lines = TransferLineSerializer(many=True, required=False, write_only=True)

    class Meta:
        model = Transfer
        scope_field = "from_unit"
        fields = DomainModelSerializer.base_fields + (
            "number", "date", "from_unit", "to_unit", "reason", "status", "approved_by", "approved_at",
            "completed_at", "lines")
        read_only_fields = ("status", "approved_by", "approved_at", "completed_at")

    def get_fields(self):
        fields = super().get_fields()
        fields["to_unit"].queryset = Unit.objects.all()  # any existing unit may receive
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["lines"] = [{"item": line.item_id, "quantity": line.quantity, "moved_item": line.moved_item_id}
                         for line in instance.lines.all()]
        return data

    def validate(self, attrs):
        lines = attrs.pop("lines", None)
        if self.instance is not None:
            if lines is not None:
                raise serializers.ValidationError({"lines": [_("The lines are fixed once the order is made.")]})
            if self.instance.locked_reason:
                raise serializers.ValidationError({"status": [self.instance.locked_reason]})
            if "from_unit" in attrs and attrs["from_unit"] != self.instance.from_unit:
                raise serializers.ValidationError({"from_unit": [_("The sending unit of an order does not change.")]})
        attrs = super().validate(attrs)
        if lines is not None:
            attrs["lines"] = lines
        return attrs

    def create(self, validated_data):
        from django.core.exceptions import ValidationError as DjangoValidationError

        from kythuat.equipment import services

        lines = [(line["item"], line.get("quantity")) for line in validated_data.pop("lines", [])]
        try:
            return services.draft_transfer(user=self.context["request"].user, lines=lines, **validated_data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from error


class StrikeOffLineSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text=_("Id of the item"))
    quantity = serializers.IntegerField(min_value=1, required=False,
                                        help_text=_("Part of a lot; empty: the whole line"))
    reason = serializers.ChoiceField(choices=StrikeOffReason.choices)
    repair_cost = serializers.DecimalField(max_digits=16, decimal_places=0, min_value=0, required=False,
                                           allow_null=True)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class StrikeOffSerializer(DomainModelSerializer):
    """A unit's yearly strike-off plan; ``lines`` are given when it is made and fixed afterwards."""

    lines = StrikeOffLineSerializer(many=True, required=False, write_only=True)

    class Meta:
        model = StrikeOff
        fields = DomainModelSerializer.base_fields + (
            "unit", "year", "number", "date", "notes", "status", "consolidated_by", "consolidated_at",
            "approved_by", "approved_at", "done_on", "done_by", "lines")
        read_only_fields = ("status", "consolidated_by", "consolidated_at", "approved_by", "approved_at",
                            "done_on", "done_by")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["lines"] = [{"item": line.item_id, "quantity": line.quantity, "reason": line.reason,
                          "repair_cost": None if line.repair_cost is None else str(line.repair_cost),
                          "note": line.note, "struck_item": line.struck_item_id} for line in instance.lines.all()]
        return data

    def validate(self, attrs):
        lines = attrs.pop("lines", None)
        if self.instance is not None:
            if lines is not None:
                raise serializers.ValidationError({"lines": [_("The lines are fixed once the plan is made.")]})
            if self.instance.locked_reason:
                raise serializers.ValidationError({"status": [self.instance.locked_reason]})
            if "unit" in attrs and attrs["unit"] != self.instance.unit:
                raise serializers.ValidationError({"unit": [_("The unit of a plan does not change.")]})
        attrs = super().validate(attrs)
        if lines is not None:
            attrs["lines"] = lines
        return attrs

    def create(self, validated_data):
        from django.core.exceptions import ValidationError as DjangoValidationError

        from kythuat.equipment import services

        lines = [dict(line) for line in validated_data.pop("lines", [])]
        try:
            return services.draft_strike_off(user=self.context["request"].user, lines=lines, **validated_data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from error

