from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from kythuat.core.api.serializers import DatedStepSerializer, StepSerializer
from kythuat.core.api.viewsets import DocumentViewSet, ScopedModelViewSet, version_of
from kythuat.equipment import filtersets, services
from kythuat.equipment.models import Branch, EquipmentType, GradeChange, GradeDefinition, Item, StrikeOff, Transfer

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
    # Not the unit: the answer gives its id only, and a join with the units makes the database read
    # every line of a post before sorting (bench/api_load.py).
    queryset = Item.objects.select_related("type")
    serializer_class = serializers.ItemSerializer
    filterset_class = filtersets.ItemFilterSet
    ordering_fields = ["serial", "type__name", "unit__name", "grade", "year_in_service", "quantity"]


def _on(request):
    """The ``on`` date of a step that changes the register (default today)."""
    from kythuat.equipment.forms import ActionDateForm

    form = ActionDateForm(request.data if hasattr(request.data, "get") else {})
    if not form.is_valid():
        raise ValidationError({"on": form.errors["on"]})
    return form.cleaned_data["on"]


class GradeChangeViewSet(DocumentViewSet):
    """Grade change records. ``POST …/approve/`` (commanders; send ``version``) gives the items their
    new grades; ``POST …/cancel/`` cancels a draft. Approved and cancelled records cannot change."""

    queryset = GradeChange.objects.select_related("unit").prefetch_related("lines")
    serializer_class = serializers.GradeChangeSerializer
    filterset_class = filtersets.GradeChangeFilterSet
    ordering_fields = ["date", "number", "status"]
    document_kwarg = "grade_change"

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.act(request, "approve", services.approve_grade_change, version=version_of(request))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.act(request, "cancel", services.cancel_grade_change)


STEP_BODY = StepSerializer
DATED_STEP_BODY = DatedStepSerializer


class TransferViewSet(DocumentViewSet):
    """Transfer orders: draft → ``approve`` (commanders of the sending unit) → ``complete`` (handed
    over: the items move; part of a lot splits) or ``cancel``."""

    queryset = Transfer.objects.select_related("from_unit", "to_unit").prefetch_related("lines")
    serializer_class = serializers.TransferSerializer
    filterset_class = filtersets.TransferFilterSet
    ordering_fields = ["date", "number", "status"]
    document_kwarg = "transfer"

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.act(request, "approve", services.approve_transfer, version=version_of(request))

    @extend_schema(request=DATED_STEP_BODY)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self.act(request, "complete", services.complete_transfer, version=version_of(request), on=_on(request))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.act(request, "cancel", services.cancel_transfer)


class StrikeOffViewSet(DocumentViewSet):
    """Yearly strike-off plans: a unit's plan → ``consolidate`` and ``approve`` (by the level above) →
    ``complete`` (carried out on ``on``: the items leave the active register) or ``cancel``."""

    queryset = StrikeOff.objects.select_related("unit").prefetch_related("lines")
    serializer_class = serializers.StrikeOffSerializer
    filterset_class = filtersets.StrikeOffFilterSet
    ordering_fields = ["year", "date", "number", "status"]
    document_kwarg = "strike_off"

    @extend_schema(request=STEP_BODY)
    @action(detail=True, methods=["post"])
    def consolidate(self, request, pk=None):
        return self.act(request, "consolidate", services.consolidate_strike_off, version=version_of(request))

    @extend_schema(request=STEP_BODY)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.act(request, "approve", services.approve_strike_off, version=version_of(request))

    @extend_schema(request=DATED_STEP_BODY)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self.act(request, "complete", services.complete_strike_off, version=version_of(request),
                        on=_on(request))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.act(request, "cancel", services.cancel_strike_off)
