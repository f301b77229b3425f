"""Pages of maintenance: the due list and its calendar, regimes, work orders, technical days, usage
and faults. All through the generic views of ``core`` (scoping, audit, locking, export)."""

import calendar
import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kythuat.core.export import xlsx_response
from kythuat.core.forms import UnitChoiceField
from kythuat.core.roles import Perm
from kythuat.core.scoping import can, scope_for
from kythuat.core.views import (
    DocumentFromItemsView,
    ImportTemplateView,
    ImportView,
    ObjectActionView,
    ObjectDeleteView,
    ObjectEditView,
    ObjectListView,
    ObjectView,
    ScopedView,
    model_url,
    show_service_error,
)
from kythuat.equipment.choices import Condition, Grade
from kythuat.equipment.models import Item
from kythuat.org.models import Unit

from . import filtersets, forms, selectors, services, tables
from .choices import FaultStatus, Level, WorkStatus
from .exports import figures_xlsx
from .figures import COLUMNS, OPEN_STATUSES, PLACES, REPAIRS, cells, figures
from .importers import MaintenanceRuleImporter, WorkLogImporter
from .models import METER_FIELDS, Fault, MaintenanceRule, Schedule, TechnicalDay, UsageLog, WorkOrder


class MaintenanceRuleListView(ObjectListView):
    template_name = "maintenance/list.html"
    model = MaintenanceRule
    queryset = MaintenanceRule.objects.select_related("branch", "type")
    table = tables.MaintenanceRuleTable
    filterset = filtersets.MaintenanceRuleFilterSet

    def extra_context(self, rows):
        return {"import_url": _import_url(self.request.user, MaintenanceRuleImporter)}


def _import_url(user, importer) -> str | None:
    """The link to a list's import page, for those whose role allows the import."""
    return model_url(importer.model, "import") if scope_for(user).has_perm(importer.perm) else None


class MaintenanceRuleImportView(ImportView):
    model = MaintenanceRule
    importer = MaintenanceRuleImporter


class MaintenanceRuleImportTemplateView(ImportTemplateView):
    model = MaintenanceRule
    importer = MaintenanceRuleImporter


class MaintenanceRuleView(ObjectView):
    model = MaintenanceRule
    queryset = MaintenanceRule.objects.select_related("branch", "type").prefetch_related("tasks")

    def extra_context(self, obj):
        followed = Schedule.objects.filter(rule=obj, active=True)
        return {"followed": followed.count(), "covered": [label for value, label in obj._meta.get_field(
            "level").choices if value in obj.covered]}


class MaintenanceRuleDeleteView(ObjectDeleteView):
    """The types the rule applied to fall back on the rules left (``services.delete_rule``)."""

    model = MaintenanceRule

    def perform_delete(self, obj) -> None:
        services.delete_rule(user=self.request.user, rule=obj)


class ScheduleListView(ObjectListView):
    """The due list (danh sách đến hạn): overdue, due this week and this month, by date or by meter."""

    model = Schedule
    # The units of a page in a second small query, as on the register.
    queryset = Schedule.objects.select_related("item__type", "rule").prefetch_related("unit")
    table = tables.ScheduleTable
    filterset = filtersets.ScheduleFilterSet
    template_name = "maintenance/schedule_list.html"

    def get_queryset(self):
        return super().get_queryset().filter(active=True)

    def extra_context(self, rows):
        base = getattr(self.filterset_instance, "unbucketed", rows)
        query = self.request.GET.copy()
        for name in ("bucket", "page"):
            query.pop(name, None)
        bucket_urls = {}
        for bucket in ("overdue", "week", "month", "meter"):
            query["bucket"] = bucket
            bucket_urls[bucket] = f"?{query.urlencode()}"  # the same filters, one bucket
        may_log = scope_for(self.request.user).has_perm(Perm.LOG_WORK)
        actions = [(reverse("maintenance:workorder_add"), _("Plan work for the ticked items"))] if may_log else []
        counts = selectors.due_counts(base)
        # The list's own count, when it is one of the counts just taken (the default list or a bucket).
        row_count = counts.get(getattr(self.filterset_instance, "count_key", None))
        return {"counts": counts, "row_count": row_count, "bucket_urls": bucket_urls, "bulk_actions": actions,
                "bucket": self.request.GET.get("bucket", ""), "calendar_url": reverse("maintenance:calendar"),
                "technical_day_url": reverse("maintenance:technicalday_add")}


def _month(text: str | None) -> datetime.date:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


class DueCalendarView(ScopedView):
    """A month of planned work: what falls due each day by regime level, and the work orders planned."""

    model = Schedule
    template_name = "maintenance/calendar.html"

    def get(self, request):
        first = _month(request.GET.get("month"))
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        unit = None
        unit_id = request.GET.get("unit", "")
        if unit_id.isdigit():
            unit = Unit.objects.visible_to(request.user).filter(pk=unit_id).first()
        due = self.get_queryset().filter(active=True, next_due_on__range=(first, last))
        orders = WorkOrder.objects.visible_to(request.user).filter(planned_start__range=(first, last)).exclude(
            status=WorkStatus.CANCELLED)
        if unit is not None:
            ids = selectors.subtree_ids(unit)
            due = due.filter(unit__in=ids)
            orders = orders.filter(unit__in=ids)
        days = {}
        for day, level, count in due.order_by().values_list("next_due_on", "rule__level").annotate(n=Count("id")):
            days.setdefault(day, []).append((level, count))
        planned = {}
        for order in orders.only("id", "number", "kind", "planned_start", "status"):
            planned.setdefault(order.planned_start, []).append(order)
        labels = dict(Level.choices)
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
            weeks.append([{"day": day, "in_month": day.month == first.month,
                           "due": sorted(((labels.get(level, level), level, n) for level, n in days.get(day, [])),
                                         key=lambda row: row[0]),
                           "orders": planned.get(day, []), "today": day == timezone.localdate()} for day in week])
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        following = last + datetime.timedelta(days=1)
        field = UnitChoiceField(queryset=None)
        units = [(u.pk, field.label_from_instance(u)) for u in
                 Unit.objects.visible_to(request.user).active_on().only("id", "name", "depth", "path")]
        context = self.base_context(weeks=weeks, month=first, previous=previous, following=following, unit=unit,
                                    units=units, list_url=reverse("maintenance:schedule_list"),
                                    orders_url=reverse("maintenance:workorder_list"))
        return render(request, self.template_name, context)


class WorkOrderListView(ObjectListView):
    template_name = "maintenance/list.html"
    model = WorkOrder
    queryset = WorkOrder.objects.select_related("unit").annotate(line_count=Count("lines"))
    table = tables.WorkOrderTable
    filterset = filtersets.WorkOrderFilterSet

    def extra_context(self, rows):
        return {"import_url": _import_url(self.request.user, WorkLogImporter)}


class WorkLogImportView(ImportView):
    model = WorkOrder
    importer = WorkLogImporter


class WorkLogImportTemplateView(ImportTemplateView):
    model = WorkOrder
    importer = WorkLogImporter


class WorkOrderView(ObjectView):
    model = WorkOrder
    queryset = WorkOrder.objects.select_related("unit", "done_by", "verified_by").prefetch_related(
        "technicians", "parts")

    def extra_context(self, obj):
        user = self.request.user
        status = obj.status
        lines = list(obj.lines.select_related("item__type", "item__unit", "grade_change"))
        return {
            "lines": lines,
            "faults": obj.faults.select_related("item__type"),
            "can_start": status in (WorkStatus.PLANNED, WorkStatus.WAITING_PARTS) and can(user, "start", obj),
            "can_wait": status == WorkStatus.IN_PROGRESS and can(user, "wait", obj),
            "can_complete": obj.is_open and can(user, "complete", obj),
            "can_verify": status == WorkStatus.DONE and can(user, "verify", obj),
            "can_cancel": obj.is_open and can(user, "cancel", obj),
            "technical_day": TechnicalDay.objects.filter(work_order=obj).first(),
        }


def _plan_work(*, user, lines, **header):
    """``services.plan_work`` as ``DocumentFromItemsView`` calls a service (the lines are the items)."""
    return services.plan_work(user=user, items=[line["item"] for line in lines], **header)


class WorkOrderCreateView(DocumentFromItemsView):
    """A new work order for the items ticked in the register or the due list (``?items=``)."""

    model = WorkOrder
    template_name = "maintenance/workorder_add.html"
    form_class = forms.WorkOrderForm
    service = _plan_work
    done = gettext_lazy("Work order %(number)s planned.")

    def items_queryset(self):
        return Item.objects.visible_to(self.request.user).active().select_related("type", "unit")

    def cancel_url(self):
        return reverse("maintenance:workorder_list")

    def page_context(self):
        kind = self.request.GET.get("kind", "")
        return {"initial_kind": kind}


class WorkOrderActionView(ObjectActionView):
    model = WorkOrder
    service = None
    done = ""

    def perform(self, obj):
        version = self.request.POST.get("version")
        kwargs = {"version": int(version)} if version and version.isdigit() and self.action != "cancel" else {}
        type(self).service(work_order=obj, user=self.request.user, **kwargs)
        return self.done % {"number": obj.number}


class WorkOrderStartView(WorkOrderActionView):
    action = "start"
    service = services.start_work
    done = gettext_lazy("Work order %(number)s is in progress.")


class WorkOrderWaitView(WorkOrderActionView):
    action = "wait"
    service = services.wait_for_parts
    done = gettext_lazy("Work order %(number)s is waiting for parts.")


class WorkOrderVerifyView(WorkOrderActionView):
    action = "verify"
    service = services.verify_work
    done = gettext_lazy("Work order %(number)s verified.")


class WorkOrderCancelView(WorkOrderActionView):
    action = "cancel"
    service = services.cancel_work
    done = gettext_lazy("Work order %(number)s cancelled.")


def _decimal(text: str):
    text = (text or "").strip()
    if not text:
        return None
    return Decimal(text.replace(" ", "").replace(".", "").replace(",", ".")) if "," in text else Decimal(text)


class WorkOrderCompleteView(ObjectEditView):
    """The completion form: the date, hours, parts and findings, and for each item its grade after, its
    meters as read, the checklist of its regime and a note. An edit of the order (its record of the work
    done), through ``services.complete_work``."""

    model = WorkOrder
    template_name = "maintenance/workorder_complete.html"

    def lines(self, order, posted=None):
        """The lines with their regime's checklist, the meters their type counts, and what was posted."""
        posted = posted or {}
        lines = list(order.lines.select_related("item__type", "item__unit"))
        tasks = {}
        if order.level:
            for schedule in (Schedule.objects.filter(item__in=[line.item_id for line in lines], active=True,
                                                     rule__level=order.level)
                             .select_related("rule").prefetch_related("rule__tasks")):
                tasks[schedule.item_id] = list(schedule.rule.tasks.all())
        for line in lines:
            line.tasks = tasks.get(line.item_id, [])
            kind = line.item.type
            key = line.item_id
            line.meters = [(meter, label, posted.get(f"{meter}_{key}", "")) for meter, label, has in (
                ("km", _("km"), kind.has_km), ("engine_hours", _("engine hours"), kind.has_engine_hours),
                ("rounds", _("rounds"), kind.has_rounds)) if has]
            line.posted_grade = posted.get(f"grade_{key}", "")
            line.posted_note = posted.get(f"note_{key}", "")
            line.posted_ok = posted.get(f"ok_{key}") == "on" if posted else True
        return lines

    def render_page(self, order, form, lines, status=200):
        context = self.base_context(object=order, form=form, lines=lines, grades=Grade.choices)
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        order = self.get_object()
        self.require("complete", order)
        if not order.is_open:
            messages.error(request, _("This work order is already closed."))
            return redirect(order)
        return self.render_page(order, forms.CompleteWorkForm(), self.lines(order))

    def post(self, request, pk):
        order = self.get_object()
        self.require("complete", order)
        form = forms.CompleteWorkForm(request.POST)
        lines = self.lines(order, request.POST)
        results = {}
        if form.is_valid():
            for line in lines:
                key = line.item_id
                result = {"ok": request.POST.get(f"ok_{key}") == "on", "note": request.POST.get(f"note_{key}", ""),
                          "grade_after": request.POST.get(f"grade_{key}", ""),
                          "checklist": {str(task.pk): request.POST.get(f"task_{key}_{task.pk}") == "on"
                                        for task in line.tasks}}
                for meter in METER_FIELDS:
                    raw = request.POST.get(f"{meter}_{key}", "")
                    try:
                        value = _decimal(raw)
                    except InvalidOperation:
                        form.add_error(None, _("%(item)s: the reading “%(raw)s” is not a number.")
                                       % {"item": line.item, "raw": raw})
                        continue
                    if value is not None:
                        result[meter] = int(value) if meter == "rounds" else value
                results[key] = result
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.complete_work(work_order=order, user=request.user, version=_int(request.POST.get("version")),
                                       on=data["on"], results=results, labour_hours=data["labour_hours"],
                                       other_cost=data["other_cost"], findings=data["findings"],
                                       parts=data["parts_text"])
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("Work order %(number)s done.") % {"number": order.number})
                return redirect(order)
        return self.render_page(order, form, lines, status=400)


def _int(text):
    return int(text) if text and str(text).isdigit() else None


class TechnicalDayListView(ObjectListView):
    template_name = "maintenance/list.html"
    model = TechnicalDay
    queryset = TechnicalDay.objects.select_related("unit")
    table = tables.TechnicalDayTable
    filterset = filtersets.TechnicalDayFilterSet


class TechnicalDayView(ObjectView):
    model = TechnicalDay
    queryset = TechnicalDay.objects.select_related("unit", "work_order").prefetch_related("branches")

    def extra_context(self, obj):
        return {"lines": obj.work_order.lines.select_related("item__type", "item__unit")}


class TechnicalDayCreateView(ScopedView):
    """One form for a unit and a date: every item with a tick (all ticked to start with) and a note
    where something was wrong; saving records the work in one step. Made for a phone: one line per
    item, large ticks, the save button always in reach."""

    model = TechnicalDay
    template_name = "maintenance/technicalday_add.html"

    def render_page(self, form, items, posted=None, status=200):
        posted = posted or {}
        rows = [(item, posted.get(item.pk, (True, ""))) for item in items]
        context = self.base_context(form=form, rows=rows, cancel_url=reverse("maintenance:technicalday_list"))
        return render(self.request, self.template_name, context, status=status)

    def items_for(self, form):
        if not form.is_valid():
            return []
        return list(services.technical_day_items(form.cleaned_data["unit"], form.cleaned_data["branches"]))

    def get(self, request):
        self.require("add")
        form = forms.TechnicalDayForm(request.GET or None, user=request.user)
        return self.render_page(form, self.items_for(form) if request.GET else [])

    def post(self, request):
        self.require("add")
        form = forms.TechnicalDayForm(request.POST, user=request.user)
        items = self.items_for(form)
        chosen = {int(i) for i in request.POST.getlist("done") if i.isdigit()}
        posted = {item.pk: (item.pk in chosen, request.POST.get(f"note_{item.pk}", "").strip()) for item in items}
        if form.is_valid():
            lines = [(item.pk, not posted[item.pk][1], posted[item.pk][1]) for item in items if item.pk in chosen]
            data = form.cleaned_data
            try:
                day = services.record_technical_day(user=request.user, unit=data["unit"], date=data["date"],
                                                    level=data["level"], branches=list(data["branches"]),
                                                    lines=lines, notes=data["notes"])
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("Technical day recorded: %(n)s items, %(p)s with a problem.")
                                 % {"n": day.item_count, "p": day.problem_count})
                return redirect(day)
        return self.render_page(form, items, posted, status=400)


class UsageLogListView(ObjectListView):
    template_name = "maintenance/list.html"
    model = UsageLog
    queryset = UsageLog.objects.select_related("item__type", "unit")
    table = tables.UsageLogTable
    filterset = filtersets.UsageLogFilterSet


class FaultListView(ObjectListView):
    template_name = "maintenance/list.html"
    model = Fault
    queryset = Fault.objects.select_related("item__type", "unit", "work_order")
    table = tables.FaultTable
    filterset = filtersets.FaultFilterSet


class FaultView(ObjectView):
    model = Fault
    queryset = Fault.objects.select_related("item__type", "unit", "work_order", "reported_by")

    def extra_context(self, obj):
        user = self.request.user
        is_open = obj.status == FaultStatus.OPEN
        has_repair = obj.work_order_id and obj.work_order.is_open
        return {"can_repair": is_open and not has_repair and can(user, "repair", obj),
                "can_cancel": is_open and can(user, "cancel", obj), "repair_form": forms.RepairForm()}


class FaultRepairView(ObjectActionView):
    """Open the repair work order of a fault (kind and place from the fault's page)."""

    model = Fault
    action = "repair"

    def post(self, request, *args, **kwargs):
        fault = self.get_object()
        self.require("repair", fault)
        form = forms.RepairForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for text in errors:
                    messages.error(request, text)
            return redirect(fault)
        try:
            order = services.open_repair(user=request.user, fault=fault, kind=form.cleaned_data["kind"],
                                         place=form.cleaned_data["place"],
                                         planned_start=form.cleaned_data["planned_start"])
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return redirect(fault)
        messages.success(request, _("Repair work order %(number)s opened.") % {"number": order.number})
        return redirect(order)


class FaultCancelView(ObjectActionView):
    model = Fault
    action = "cancel"

    def perform(self, obj):
        services.cancel_fault(fault=obj, user=self.request.user)
        return _("The fault is cancelled.")


class FiguresView(View):
    """Maintenance figures of a unit subtree over a period (docs/maintenance-figures.md): work on time,
    what is due, faults, MTTR, MTBF, downtime and repairs by type, branch and child unit; .xlsx export."""

    def get(self, request):
        user = request.user
        form = forms.FiguresForm(request.GET)
        status = 200 if form.is_valid() else 400  # the errors beside the figures of the default period
        unit = form.unit_for(user)
        start, end = form.period()
        report = figures(user, unit=unit, start=start, end=end)
        if request.GET.get("export") == "xlsx":
            return xlsx_response(figures_xlsx(report), name=f"{_('Maintenance figures')} "
                                 f"{unit.code if unit else ''}")
        field = UnitChoiceField(queryset=None)
        units = [(u.pk, field.label_from_instance(u)) for u in
                 Unit.objects.visible_to(user).active_on().only("id", "name", "depth", "path")]
        total = report.total
        context = {
            "form": form, "report": report, "units": units, "columns": COLUMNS,
            "rows": [(kind, cells(f)) for kind, f in report.types],
            "branch_rows": [(branch, cells(f)) for branch, f in report.branches],
            "child_rows": [(child, cells(f)) for child, f in report.children],
            "total_cells": cells(total),
            "repairs": [(label, [total.repairs[place, kind] for place, _l in PLACES], total.repairs_by_kind[kind])
                        for kind, label in REPAIRS],
            "places": PLACES, "open_statuses": OPEN_STATUSES, "conditions": Condition.choices,
            "query": request.GET.urlencode(),
        }
        return render(request, "maintenance/figures.html", context, status=status)
