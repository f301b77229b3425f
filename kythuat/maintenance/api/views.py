"""The maintenance API: the same FilterSets, scoping and services as the pages (docs/api.md)."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from kythuat.core.api.serializers import DatedStepSerializer, StepSerializer
from kythuat.core.api.viewsets import DocumentViewSet, ScopedModelViewSet
from kythuat.maintenance import filtersets, selectors, services
from kythuat.maintenance.choices import WorkStatus
from kythuat.maintenance.models import (
    Fault,
    MaintenanceRule,
    Schedule,
    TechnicalDay,
    UsageLog,
    WorkOrder,
    WorkOrderItem,
)

from . import serializers


class MaintenanceRuleViewSet(ScopedModelViewSet):
    """Regimes (chế độ) with their checklists; written by those who keep the catalogues. Every write
    moves the schedules of the types the rule touches (``services.save_rule`` / ``delete_rule``)."""

    queryset = MaintenanceRule.objects.prefetch_related("tasks")
    serializer_class = serializers.MaintenanceRuleSerializer
    filterset_class = filtersets.MaintenanceRuleFilterSet
    ordering_fields = ["name", "level", "interval_days"]

    def perform_destroy(self, instance):
        services.delete_rule(user=self.request.user, rule=instance)


class ScheduleViewSet(ScopedModelViewSet):
    """The due list: schedules in force of items of your units, by default those due within 30 days
    or by a meter; ``bucket`` (overdue, week, month, meter, all), ``unit`` (subtree), ``branch``,
    ``type``, ``level``, ``due_from``/``due_until`` as on the page. Read-only: schedules move when work
    is done (``work-orders``, ``technical-days``) and when meters move (``usage``)."""

    queryset = Schedule.objects.select_related("item__type", "rule")
    serializer_class = serializers.ScheduleSerializer
    filterset_class = filtersets.ScheduleFilterSet
    ordering_fields = ["next_due_on", "id"]
    http_method_names = ["get", "head", "options"]

    def filter_queryset(self, queryset):
        # A schedule's own address finds it whenever it is due (the list's default is 30 days).
        return queryset if self.action == "retrieve" else super().filter_queryset(queryset)

    @extend_schema(responses=serializers.DueCountsSerializer)
    @action(detail=False)
    def counts(self, request):
        """Overdue, due this week, due this month and due by meter under the same filters (all buckets,
        whatever ``bucket`` says): the figures above the page's list."""
        filterset = self.filterset_class(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        filterset.qs  # noqa: B018  (the filtered rows before the bucket: ``unbucketed``)
        return Response(selectors.due_counts(filterset.unbucketed))


class WorkOrderViewSet(DocumentViewSet):
    """Work orders: planned (``POST`` with ``items``) → ``start`` → (``wait`` for parts → ``start``) →
    ``complete`` (results per item, parts, findings) → ``verify``; or ``cancel`` while open. Each step
    takes the ``version`` you read (409 if stale). Only a planned order may be deleted."""

    queryset = WorkOrder.objects.select_related("unit").prefetch_related(
        Prefetch("lines", queryset=WorkOrderItem.objects.select_related("item__type")),
        "parts", "technicians", Prefetch("faults", queryset=Fault.objects.only("id", "work_order_id")))
    serializer_class = serializers.WorkOrderSerializer
    filterset_class = filtersets.WorkOrderFilterSet
    ordering_fields = ["planned_start", "number", "status", "finished_on"]
    document_kwarg = "work_order"

    def perform_destroy(self, instance):
        if instance.status != WorkStatus.PLANNED:
            raise PermissionDenied(instance.locked_reason
                                   or _("Only a planned work order can be deleted; cancel it instead."))
        super().perform_destroy(instance)

    def step(self, request, action, service, body=DatedStepSerializer, **kwargs):
        return self.act(request, action, service, body=body, **kwargs)

    @extend_schema(request=DatedStepSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Work begins on ``on`` (or goes on once the parts have come)."""
        return self.step(request, "start", services.start_work)

    @extend_schema(request=StepSerializer)
    @action(detail=True, methods=["post"])
    def wait(self, request, pk=None):
        """Work in progress waits for parts."""
        return self.step(request, "wait", services.wait_for_parts, body=StepSerializer)

    @extend_schema(request=serializers.CompleteWorkSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The work is done on ``on``, with a result per item (grade after, meter readings, checklist,
        in order, note), the parts used, labour hours, other cost and findings."""
        return self.step(request, "complete", services.complete_work, body=serializers.CompleteWorkSerializer)

    @extend_schema(request=StepSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Done work checked by an officer."""
        return self.step(request, "verify", services.verify_work, body=StepSerializer)

    @extend_schema(request=StepSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Open work that will not be done."""
        return self.step(request, "cancel", services.cancel_work, body=StepSerializer)


class TechnicalDayViewSet(ScopedModelViewSet):
    """Technical days: ``POST`` records one in a step (``services.record_technical_day``); only the
    notes change afterwards; none is deleted."""

    queryset = TechnicalDay.objects.select_related("unit").prefetch_related("branches")
    serializer_class = serializers.TechnicalDaySerializer
    filterset_class = filtersets.TechnicalDayFilterSet
    ordering_fields = ["date", "item_count", "problem_count"]

    def get_serializer_class(self):
        return serializers.TechnicalDayDetailSerializer if self.action == "retrieve" else self.serializer_class


class UsageLogViewSet(ScopedModelViewSet):
    """Usage (khai thác): ``POST`` logs a use (``services.log_usage``); the item's meters move on and
    its schedules due by meter are flagged. Only the operator, purpose and route change afterwards."""

    queryset = UsageLog.objects.select_related("item__type")
    serializer_class = serializers.UsageLogSerializer
    filterset_class = filtersets.UsageLogFilterSet
    ordering_fields = ["date", "km", "engine_hours", "rounds"]


class FaultViewSet(DocumentViewSet):
    """Faults: ``POST`` reports one (``services.report_fault``); ``repair`` opens its repair work order
    (the answer is the work order), ``cancel`` closes one reported by mistake."""

    queryset = Fault.objects.select_related("item__type")
    serializer_class = serializers.FaultSerializer
    filterset_class = filtersets.FaultFilterSet
    ordering_fields = ["reported_on", "severity", "status"]
    document_kwarg = "fault"

    @extend_schema(request=serializers.RepairSerializer, responses={201: serializers.WorkOrderSerializer})
    @action(detail=True, methods=["post"])
    def repair(self, request, pk=None):
        """Open the repair work order of an open fault; the fault closes when the repair is done."""
        return self.act(request, "repair", services.open_repair, body=serializers.RepairSerializer,
                        answer=serializers.WorkOrderSerializer, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=StepSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """A fault reported by mistake: closed without a repair; the item's condition follows."""
        return self.act(request, "cancel", services.cancel_fault, body=StepSerializer)
