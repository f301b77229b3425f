"""Serializers of the maintenance API. Rows whose facts the services guard (work orders, technical
days, usage, faults) are made only through ``maintenance.services``; afterwards only their free text
changes here, as on the pages."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kythuat.core.api.serializers import DatedStepSerializer, DomainModelSerializer
from kythuat.equipment.models import Branch
from kythuat.maintenance import services
from kythuat.maintenance.choices import CALENDAR_LEVEL_CHOICES, REPAIR_KINDS, Level, Place, WorkKind
from kythuat.maintenance.models import (
    Fault,
    MaintenanceRule,
    RuleTask,
    Schedule,
    TechnicalDay,
    UsageLog,
    WorkOrder,
    WorkOrderItem,
    WorkOrderPart,
)
from kythuat.org.models import Person


def _user(serializer):
    return serializer.context["request"].user


def through(service, renamed: dict | None = None, **kwargs):
    """Call ``service``; the fields its ValidationError names are given the API's names (``renamed``)."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        if renamed and hasattr(error, "error_dict"):
            raise DjangoValidationError({renamed.get(name, name): errors
                                         for name, errors in error.error_dict.items()}) from error
        raise


class ServiceMadeSerializer(DomainModelSerializer):
    """A row made by its service: on create the service checks the whole row (scope, dates, meters) and
    its ValidationError is a 400 naming the field (``core.api.exceptions``); an update changes only the
    fields named in ``Meta.changeable`` (the free text), the version checked."""

    def get_fields(self):
        fields = super().get_fields()
        if isinstance(self.instance, self.Meta.model):
            changeable = {*self.Meta.changeable, "version"}
            for name, field in list(fields.items()):
                if name in changeable or field.read_only:
                    continue
                if field.write_only:
                    del fields[name]
                else:
                    field.read_only = True
        return fields

    def validate(self, attrs):
        if self.instance is None:
            attrs.pop("version", None)
            return attrs  # the service checks the row it makes
        return super().validate(attrs)


# Rules -----------------------------------------------------------------------------------------------

class RuleTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = RuleTask
        fields = ("id", "text")
        read_only_fields = ("id",)


class MaintenanceRuleSerializer(DomainModelSerializer):
    """A regime with its checklist. ``tasks`` (texts, in order) replace the checklist when given; the
    schedules of the types the rule touches follow at once (``services.save_rule``)."""

    tasks = RuleTaskSerializer(many=True, required=False,
                               help_text=_("The checklist in order; the id of a task is what a work order's "
                                           "checklist results name"))

    class Meta:
        model = MaintenanceRule
        fields = DomainModelSerializer.base_fields + (
            "name", "branch", "group", "type", "level", "interval_days", "interval_km", "interval_hours",
            "interval_rounds", "tolerance_percent", "usage_states", "covers_levels", "active", "notes", "tasks")

    def validate(self, attrs):
        tasks = attrs.pop("tasks", None)
        attrs = super().validate(attrs)
        if tasks is not None:
            attrs["tasks"] = [task["text"].strip() for task in tasks if task["text"].strip()]
        return attrs

    def _save(self, rule, validated_data):
        tasks = validated_data.pop("tasks", None)
        for name, value in validated_data.items():
            setattr(rule, name, value)
        return services.save_rule(user=_user(self), rule=rule, tasks=tasks)

    def create(self, validated_data):
        return self._save(MaintenanceRule(), validated_data)

    def update(self, instance, validated_data):
        instance.version = self._expected_version
        return self._save(instance, validated_data)


# The due list ----------------------------------------------------------------------------------------

class ScheduleSerializer(serializers.ModelSerializer):
    """One item under one rule: when it was last done and when it is next due, by date and by meter."""

    item_display = serializers.CharField(source="item.__str__", read_only=True)
    unit = serializers.IntegerField(source="item.unit_id", read_only=True, help_text=_("The unit holding the item"))
    type = serializers.IntegerField(source="item.type_id", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    level = serializers.CharField(source="rule.level", read_only=True)

    class Meta:
        model = Schedule
        fields = ("id", "item", "item_display", "unit", "type", "rule", "rule_name", "level", "active", "since",
                  "last_done_on", "last_km", "last_engine_hours", "last_rounds", "next_due_on", "next_km",
                  "next_engine_hours", "next_rounds", "meter_due")
        read_only_fields = fields


class DueCountsSerializer(serializers.Serializer):
    overdue = serializers.IntegerField()
    due_week = serializers.IntegerField(help_text=_("Due from today to 7 days on"))
    due_month = serializers.IntegerField(help_text=_("Due from 8 to 30 days on"))
    meter_due = serializers.IntegerField()


# Work orders -----------------------------------------------------------------------------------------

class WorkOrderItemSerializer(serializers.ModelSerializer):
    item_display = serializers.CharField(source="item.__str__", read_only=True)

    class Meta:
        model = WorkOrderItem
        fields = ("item", "item_display", "grade_before", "grade_after", "usage_before", "km", "engine_hours",
                  "rounds", "checklist", "ok", "note", "due_on", "on_time", "grade_change")
        read_only_fields = fields


class WorkOrderPartSerializer(serializers.ModelSerializer):
    total = serializers.DecimalField(max_digits=20, decimal_places=0, read_only=True)

    class Meta:
        model = WorkOrderPart
        fields = ("name", "quantity", "unit_of_measure", "unit_price", "total")


class WorkOrderSerializer(ServiceMadeSerializer):
    """A work order, planned through ``services.plan_work`` with ``items`` (ids, in the unit's subtree)
    and the open ``faults`` it is to fix; its ``lines`` and ``parts`` are written by its steps. While it
    is open its header (number, level, place, dates, technicians, description) may change."""

    items = serializers.ListField(child=serializers.IntegerField(), write_only=True, required=False,
                                  help_text=_("Ids of the items, when the order is planned"))
    faults = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Fault.objects.all(),
                                                help_text=_("Open faults of these items the work is to fix"))
    technicians = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Person.objects.all())
    lines = WorkOrderItemSerializer(many=True, read_only=True)
    parts = WorkOrderPartSerializer(many=True, read_only=True)
    parts_cost = serializers.DecimalField(max_digits=20, decimal_places=0, read_only=True)
    total_cost = serializers.DecimalField(max_digits=20, decimal_places=0, read_only=True)

    class Meta:
        model = WorkOrder
        fields = DomainModelSerializer.base_fields + (
            "unit", "number", "kind", "level", "place", "status", "planned_start", "planned_end", "started_on",
            "finished_on", "technicians", "labour_hours", "other_cost", "description", "findings", "done_by",
            "verified_by", "verified_at", "items", "faults", "lines", "parts", "parts_cost", "total_cost")
        read_only_fields = ("status", "started_on", "finished_on", "labour_hours", "other_cost", "findings",
                            "done_by", "verified_by", "verified_at")
        changeable = ("number", "level", "place", "planned_start", "planned_end", "technicians", "description")
        extra_kwargs = {"number": {"required": False, "allow_blank": True,
                                   "help_text": _("Empty: numbered automatically")}}
        validators = []  # the number's uniqueness is checked with the row (service, model probe)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and "faults" in fields and not fields["faults"].read_only:
            fields["faults"].child_relation.queryset = Fault.objects.visible_to(request.user)
        if request is not None and not fields["technicians"].read_only:
            fields["technicians"].child_relation.queryset = Person.objects.visible_to(request.user)
        return fields

    def validate(self, attrs):
        if self.instance is None and not attrs.get("items"):
            raise serializers.ValidationError({"items": [_("Choose at least one item.")]})
        technicians = attrs.pop("technicians", None)  # a many-to-many: not on the model probe
        attrs = super().validate(attrs)
        if technicians is not None:
            attrs["technicians"] = technicians
        return attrs

    def create(self, validated_data):
        data = {name: value for name, value in validated_data.items() if value not in (None, "")}
        return services.plan_work(user=_user(self), **data)


class ResultSerializer(serializers.Serializer):
    """What the work found on one item of the order."""

    item = serializers.IntegerField(help_text=_("Id of an item of the order"))
    grade_after = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    km = serializers.DecimalField(max_digits=12, decimal_places=1, min_value=0, required=False, allow_null=True)
    engine_hours = serializers.DecimalField(max_digits=10, decimal_places=1, min_value=0, required=False,
                                            allow_null=True)
    rounds = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    checklist = serializers.DictField(child=serializers.BooleanField(), required=False,
                                      help_text=_("{task id: done?} of the checklist of the order's regime"))
    ok = serializers.BooleanField(default=True, help_text=_("False: something is wrong (say it in the note)"))
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class PartSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"), default=1)
    unit_of_measure = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=0, min_value=0, default=0)


class CompleteWorkSerializer(DatedStepSerializer):
    """The body of ``complete``: ``services.complete_work`` with a result per item."""

    results = ResultSerializer(many=True, required=False)
    labour_hours = serializers.DecimalField(max_digits=8, decimal_places=1, min_value=0, required=False,
                                            allow_null=True)
    other_cost = serializers.DecimalField(max_digits=14, decimal_places=0, min_value=0, required=False,
                                          allow_null=True)
    findings = serializers.CharField(required=False, allow_blank=True)
    parts = PartSerializer(many=True, required=False)

    def validate_results(self, results):
        items = [result["item"] for result in results]
        if len(set(items)) != len(items):
            raise serializers.ValidationError(_("An item is listed twice."))
        return results

    def validate(self, attrs):
        attrs["results"] = {result.pop("item"): {k: v for k, v in result.items() if v is not None}
                            for result in attrs.pop("results", [])}
        attrs["parts"] = [dict(part) for part in attrs.get("parts", [])]
        return attrs


class RepairSerializer(serializers.Serializer):
    """The body of a fault's ``repair``: the repair work order to open."""

    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in REPAIR_KINDS], default=WorkKind.REPAIR_MINOR)
    place = serializers.ChoiceField(choices=Place.choices, default=Place.UNIT)
    planned_start = serializers.DateField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)


# Technical days --------------------------------------------------------------------------------------

class TechnicalDayLineSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text=_("Id of an item ticked"))
    ok = serializers.BooleanField(required=False, help_text=_("Default: in order unless a note is given"))
    note = serializers.CharField(max_length=255, required=False, allow_blank=True,
                                 help_text=_("What was wrong with it"))


class TechnicalDaySerializer(ServiceMadeSerializer):
    """A technical day recorded in one step (``services.record_technical_day``): the unit, the date, the
    regime level, the branches gone through and the ``lines`` ticked. The work is one done work order.
    Only the notes change afterwards."""

    level = serializers.ChoiceField(choices=CALENDAR_LEVEL_CHOICES,
                                    default=Level.TECH_DAY)
    branches = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Branch.objects.all())
    lines = TechnicalDayLineSerializer(many=True, write_only=True, required=False)

    class Meta:
        model = TechnicalDay
        fields = DomainModelSerializer.base_fields + (
            "unit", "date", "level", "branches", "work_order", "item_count", "problem_count", "notes", "lines")
        read_only_fields = ("work_order", "item_count", "problem_count")
        changeable = ("notes",)

    def create(self, validated_data):
        lines = [(line["item"], line.get("ok", not line.get("note")), line.get("note", ""))
                 for line in validated_data.pop("lines", [])]
        return through(services.record_technical_day, {"items": "lines"}, user=_user(self), lines=lines,
                       **validated_data)


class TechnicalDayDetailSerializer(TechnicalDaySerializer):
    """A technical day with each item ticked (the lines of its work order)."""

    items = serializers.SerializerMethodField()

    class Meta(TechnicalDaySerializer.Meta):
        fields = TechnicalDaySerializer.Meta.fields + ("items",)

    def get_items(self, obj) -> list[dict]:
        lines = obj.work_order.lines.select_related("item__type")
        return WorkOrderItemSerializer(lines, many=True).data


# Usage and faults ------------------------------------------------------------------------------------

class UsageLogSerializer(ServiceMadeSerializer):
    """A use of an item (``services.log_usage``): what it ran, or the readings after it (either gives
    the other); a meter going backwards is refused naming the field. Only the operator, purpose and
    route change afterwards."""

    class Meta:
        model = UsageLog
        scope_field = "item"
        fields = DomainModelSerializer.base_fields + (
            "item", "unit", "date", "km", "engine_hours", "rounds", "km_after", "engine_hours_after",
            "rounds_after", "operator", "purpose", "route")
        read_only_fields = ("unit",)
        changeable = ("operator", "purpose", "route")

    def create(self, validated_data):
        return through(services.log_usage, {"items": "item"}, user=_user(self), **validated_data)


class FaultSerializer(ServiceMadeSerializer):
    """A fault reported on an item (``services.report_fault``); the item's condition follows. Closed by
    the repair that fixes it (``repair``) or cancelled (``cancel``); while open its description may
    change."""

    class Meta:
        model = Fault
        scope_field = "item"
        fields = DomainModelSerializer.base_fields + (
            "item", "unit", "reported_on", "reported_by", "severity", "description", "status", "fixed_on",
            "work_order")
        read_only_fields = ("unit", "reported_by", "status", "fixed_on", "work_order")
        changeable = ("description",)

    def create(self, validated_data):
        return through(services.report_fault, {"items": "item"}, user=_user(self), **validated_data)
