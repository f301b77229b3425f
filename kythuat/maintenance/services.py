"""Business actions of maintenance. One function per action, keyword arguments, one transaction,
audited through the models; errors are ValidationError naming the field or the item.

An item's official facts still change only through their documents (DESIGN.md §3.5): a grade found
different after work becomes a draft grade change for a commander; the technical condition follows
the item's open faults; usage state follows repair, sealing and unsealing.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kythuat.core.audit import record_bulk
from kythuat.core.context import acting_as
from kythuat.core.models import AuditAction, locked
from kythuat.core.roles import Perm
from kythuat.core.scoping import scope_for
from kythuat.equipment import history
from kythuat.equipment import services as equipment_services
from kythuat.equipment.choices import Condition, UsageState
from kythuat.equipment.models import Item

from . import schedules
from .choices import (
    KIND_LEVEL,
    REPAIR_KINDS,
    SHOP_REPAIRS,
    FaultStatus,
    Level,
    Severity,
    WorkKind,
    WorkStatus,
)
from .models import (
    METER_FIELDS,
    Fault,
    MaintenanceRule,
    RuleTask,
    TechnicalDay,
    UsageLog,
    WorkOrder,
    WorkOrderItem,
    WorkOrderPart,
)

NUMBER_PREFIX = {WorkKind.PRESERVATION: "BQ", WorkKind.MAINT_1: "BD1", WorkKind.MAINT_2: "BD2",
                 WorkKind.REPAIR_MINOR: "SCN", WorkKind.REPAIR_MEDIUM: "SCV", WorkKind.REPAIR_MAJOR: "SCL",
                 WorkKind.SEAL: "NC", WorkKind.UNSEAL: "MNC"}
METER_LABELS = {"km": _("km"), "engine_hours": _("engine hours"), "rounds": _("rounds")}


def _require(user, perm: str, unit_id) -> None:
    if not scope_for(user).allows(perm, unit_id):
        raise PermissionDenied(_("Your role does not allow this action here."))


def _not_in_future(day, field: str = "date") -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def _visible_items(user, ids, *, unit=None, lock=False) -> dict[int, Item]:
    """The items by id, each checked: visible to the user, held in ``unit``'s subtree, not struck off."""
    query = Item.objects.visible_to(user).select_related("type", "unit")
    if lock:
        query = query.select_for_update(of=("self",))
    items = {item.pk: item for item in query.filter(pk__in=list(ids))}
    errors = []
    for item_id in ids:
        item = items.get(item_id)
        if item is None:
            errors.append(_("Item #%(id)s does not exist or is outside your units.") % {"id": item_id})
        elif unit is not None and not item.unit.path.startswith(unit.path):
            errors.append(_("%(item)s is not held by %(unit)s or its sub-units.") % {"item": item, "unit": unit})
        elif item.usage_state == UsageState.STRUCK_OFF:
            errors.append(_("%(item)s is struck off.") % {"item": item})
    if errors:
        raise ValidationError({"items": errors})
    return items


def check_readings(item: Item, readings: dict) -> dict:
    """The meters of ``item`` after new ``readings`` (missing ones unchanged); a meter the type does not
    count, or one going backwards, is refused naming it."""
    kind = item.type
    counts = {"km": kind.has_km, "engine_hours": kind.has_engine_hours, "rounds": kind.has_rounds}
    after = {}
    for meter in METER_FIELDS:
        value, current = readings.get(meter), getattr(item, meter)
        if value is None:
            after[meter] = current
            continue
        if not counts[meter]:
            raise ValidationError({meter: _("%(item)s does not count %(meter)s.")
                                   % {"item": item, "meter": METER_LABELS[meter]}})
        if value < 0:
            raise ValidationError({meter: _("A meter reading cannot be negative.")})
        if current is not None and value < current:
            raise ValidationError({meter: _("%(item)s: a meter cannot go backwards (%(meter)s now %(value)s).")
                                   % {"item": item, "meter": METER_LABELS[meter], "value": current}})
        after[meter] = value
    return after


def _set_meters(item: Item, after: dict) -> bool:
    if all(getattr(item, meter) == after[meter] for meter in METER_FIELDS):
        return False
    for meter in METER_FIELDS:
        setattr(item, meter, after[meter])
    item.save(update_fields=[*METER_FIELDS, "updated_at"])
    return True


def refresh_condition(items, day: datetime.date) -> list[Item]:
    """Each item's technical condition from its open faults: any unusable → unusable; else any limiting
    → limited; else ready. Changed items are saved, dated ``day`` in the register's history."""
    items = list(items)
    worst = {}
    for item_id, severity in Fault.objects.filter(item__in=items, status=FaultStatus.OPEN).values_list(
            "item_id", "severity"):
        if severity == Severity.UNUSABLE or worst.get(item_id) != Severity.UNUSABLE:
            worst[item_id] = severity
    changed = []
    with history.effective_on(day):
        for item in items:
            severity = worst.get(item.pk)
            condition = (Condition.UNUSABLE if severity == Severity.UNUSABLE
                         else Condition.LIMITED if severity == Severity.LIMITING else Condition.READY)
            if item.condition != condition:
                item.condition = condition
                item.save(update_fields=["condition", "updated_at"])
                changed.append(item)
    return changed


# Rules ----------------------------------------------------------------------------------------------

def _require_catalogues(user) -> None:
    if not scope_for(user).has_perm(Perm.MANAGE_CATALOGUES):
        raise PermissionDenied(_("Your role does not allow this action here."))


def _sync_types(type_ids) -> None:
    schedules.sync(Item.objects.filter(type__in=type_ids).values_list("id", flat=True))


def save_rule(*, user, rule: MaintenanceRule, tasks: list[str] | None = None) -> MaintenanceRule:
    """A rule saved (new or changed, its ``version`` checked) with its checklist (``None``: unchanged);
    the schedules of the types it applied to before and applies to now follow at once."""
    _require_catalogues(user)
    before = set()
    if rule.pk:
        old = MaintenanceRule.objects.get(pk=rule.pk)
        before = schedules.rule_types([old]).get(old.pk, set())
    rule.full_clean()
    with transaction.atomic(), acting_as(user):
        rule.save()
        if tasks is not None:
            rule.tasks.all().delete()
            RuleTask.objects.bulk_create(RuleTask(rule=rule, text=text[:255], sort_order=order)
                                         for order, text in enumerate(tasks, start=1))
        _sync_types(before | schedules.rule_types([rule]).get(rule.pk, set()))
        schedules.reschedule_rule(rule)
    return rule


def delete_rule(*, user, rule: MaintenanceRule) -> None:
    """A rule deleted with its schedules; the types it applied to fall back on the rules left (a
    group's rule gone: the branch's of that level)."""
    _require_catalogues(user)
    with transaction.atomic(), acting_as(user):
        kinds = schedules.rule_types([rule]).get(rule.pk, set())
        rule.delete()
        _sync_types(kinds)


# Faults ---------------------------------------------------------------------------------------------

def report_fault(*, user, item: Item, severity: str, description: str, reported_on=None) -> Fault:
    """A fault found on an item; its condition follows at once."""
    reported_on = reported_on or timezone.localdate()
    _require(user, Perm.LOG_WORK, item.unit_id)
    _not_in_future(reported_on, "reported_on")
    if severity not in Severity.values:
        raise ValidationError({"severity": _("Choose how the fault affects the item.")})
    if not (description or "").strip():
        raise ValidationError({"description": _("Say what is wrong.")})
    with transaction.atomic(), acting_as(user):
        item = _visible_items(user, [item.pk], lock=True)[item.pk]
        fault = Fault(item=item, unit=item.unit, reported_on=reported_on, reported_by=user, severity=severity,
                      description=description.strip())
        fault.full_clean()
        fault.save()
        refresh_condition([item], reported_on)
    return fault


def cancel_fault(*, fault: Fault, user, version: int | None = None) -> Fault:
    """A fault reported by mistake: closed without a repair; the item's condition follows."""
    _require(user, Perm.MANAGE_REGISTER, fault.unit_id)
    with transaction.atomic(), acting_as(user):
        fault = locked(fault, version, related=("item",))
        if fault.status != FaultStatus.OPEN:
            raise ValidationError(_("Only an open fault can be cancelled."))
        fault.status = FaultStatus.CANCELLED
        fault.save()
        refresh_condition([Item.objects.select_for_update(of=("self",)).get(pk=fault.item_id)], timezone.localdate())
    return fault


# Usage ----------------------------------------------------------------------------------------------

def log_usage(*, user, item: Item, date=None, km=None, engine_hours=None, rounds=None, km_after=None,
              engine_hours_after=None, rounds_after=None, operator: str = "", purpose: str = "",
              route: str = "") -> UsageLog:
    """A use of an item: what it ran (or the readings after it: either gives the other). The item's
    meters move on and its schedules due by meter are flagged."""
    date = date or timezone.localdate()
    _require(user, Perm.LOG_WORK, item.unit_id)
    _not_in_future(date)
    with transaction.atomic(), acting_as(user):
        item = _visible_items(user, [item.pk], lock=True)[item.pk]
        used = {"km": km, "engine_hours": engine_hours, "rounds": rounds}
        after_given = {"km": km_after, "engine_hours": engine_hours_after, "rounds": rounds_after}
        readings = {}
        for meter in METER_FIELDS:
            amount, after = used[meter], after_given[meter]
            if amount is not None and amount < 0:
                raise ValidationError({meter: _("What was used cannot be negative.")})
            current = getattr(item, meter) or 0
            if amount is None and after is not None:
                if after < current:
                    raise ValidationError({f"{meter}_after": _("A meter cannot go backwards (it is at %(value)s).")
                                           % {"value": current}})
                used[meter] = after - current
            if used[meter] is not None:
                readings[meter] = current + used[meter]
                if after is not None and after != readings[meter]:
                    raise ValidationError({f"{meter}_after": _("The reading after (%(after)s) is not the reading "
                                                               "before (%(before)s) plus what was used.")
                                           % {"after": after, "before": current}})
        if not readings:
            raise ValidationError(_("Give the km, engine hours or rounds of the use."))
        after = check_readings(item, readings)
        log = UsageLog(item=item, unit=item.unit, date=date, km=used["km"], engine_hours=used["engine_hours"],
                       rounds=used["rounds"], km_after=readings.get("km"),
                       engine_hours_after=readings.get("engine_hours"), rounds_after=readings.get("rounds"),
                       operator=operator, purpose=purpose, route=route)
        log.full_clean()
        log.save()
        _set_meters(item, after)
        schedules.refresh_meters([item.pk])
    return log


# Work orders ----------------------------------------------------------------------------------------

def _number(unit, kind: str, day: datetime.date) -> str:
    prefix = f"{NUMBER_PREFIX[kind]}-{day.year}-"
    taken = WorkOrder.objects.filter(unit=unit, number__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


def plan_work(*, user, unit, kind: str, items: list[int], level: str = "", place: str = "unit",
              planned_start=None, planned_end=None, description: str = "", number: str = "",
              technicians=(), faults=()) -> WorkOrder:
    """A planned work order for ``items`` of ``unit`` (and its sub-units); ``faults`` it is to fix."""
    _require(user, Perm.LOG_WORK, unit.pk)
    if kind not in WorkKind.values:
        raise ValidationError({"kind": _("Choose the kind of work.")})
    level = level or KIND_LEVEL.get(kind, "")
    if not items:
        raise ValidationError({"items": _("Choose at least one item.")})
    if len(set(items)) != len(items):
        raise ValidationError({"items": _("An item is listed twice.")})
    planned_start = planned_start or timezone.localdate()
    with transaction.atomic(), acting_as(user):
        chosen = _visible_items(user, items, unit=unit)
        errors = []
        for item in chosen.values():
            if kind == WorkKind.SEAL and item.usage_state == UsageState.SEALED:
                errors.append(_("%(item)s is already sealed.") % {"item": item})
            if kind == WorkKind.UNSEAL and item.usage_state != UsageState.SEALED:
                errors.append(_("%(item)s is not sealed.") % {"item": item})
        busy = (WorkOrderItem.objects.filter(item_id__in=items, work_order__kind__in=SHOP_REPAIRS,
                                             work_order__status__in=[WorkStatus.IN_PROGRESS, WorkStatus.WAITING_PARTS])
                .select_related("item__type", "work_order"))
        if kind in SHOP_REPAIRS:
            errors += [_("%(item)s is already in repair (%(order)s).") % {"item": line.item, "order": line.work_order}
                       for line in busy]
        if errors:
            raise ValidationError({"items": errors})
        order = WorkOrder(unit=unit, kind=kind, level=level, place=place, planned_start=planned_start,
                          planned_end=planned_end, description=description,
                          number=number or _number(unit, kind, planned_start))
        order.full_clean()
        order.save()
        if technicians:
            order.technicians.set(technicians)
        lines = [WorkOrderItem(work_order=order, item=chosen[item_id], grade_before=chosen[item_id].grade)
                 for item_id in items]
        WorkOrderItem.objects.bulk_create(lines)
        record_bulk(lines, AuditAction.CREATE)
        if faults:
            fault_rows = list(Fault.objects.filter(pk__in=[f.pk if hasattr(f, "pk") else f for f in faults]))
            for fault in fault_rows:
                if fault.item_id not in chosen or fault.status != FaultStatus.OPEN:
                    raise ValidationError({"faults": _("A fault to fix must be open and on an item of the order.")})
                fault.work_order = order
                fault.save()
    return order


def open_repair(*, user, fault: Fault, kind: str = WorkKind.REPAIR_MINOR, place: str = "unit",
                planned_start=None, description: str = "", technicians=()) -> WorkOrder:
    """A repair work order for a reported fault; the fault closes when the repair is done."""
    if kind not in REPAIR_KINDS:
        raise ValidationError({"kind": _("A fault is fixed by a repair.")})
    if fault.status != FaultStatus.OPEN:
        raise ValidationError(_("Only an open fault can be repaired."))
    if fault.work_order_id and fault.work_order.is_open:
        raise ValidationError(_("This fault already has an open repair: %(order)s.") % {"order": fault.work_order})
    item = fault.item
    return plan_work(user=user, unit=item.unit, kind=kind, items=[item.pk], place=place,
                     planned_start=planned_start, description=description or fault.description,
                     technicians=technicians, faults=[fault])


def _step(order: WorkOrder, user, perm: str, version, allowed: tuple, message: str) -> WorkOrder:
    _require(user, perm, order.unit_id)
    order = locked(order, version, related=("unit",))
    if order.status not in allowed:
        raise ValidationError(message)
    return order


def start_work(*, work_order: WorkOrder, user, version: int | None = None, on=None) -> WorkOrder:
    """Work begins (or goes on once the parts have come). Items sent to medium or major repair are in
    repair until it is done."""
    on = on or timezone.localdate()
    _not_in_future(on, "on")
    with transaction.atomic(), acting_as(user):
        order = _step(work_order, user, Perm.LOG_WORK, version, (WorkStatus.PLANNED, WorkStatus.WAITING_PARTS),
                      _("Only planned work, or work waiting for parts, can start."))
        if order.status == WorkStatus.PLANNED:
            order.started_on = on
            if order.kind in SHOP_REPAIRS:
                lines = list(order.lines.select_related("item"))
                items = {item.pk: item for item in Item.objects.select_for_update(of=("self",)).filter(
                    pk__in=[line.item_id for line in lines])}
                with history.effective_on(on):
                    for line in lines:
                        item = items[line.item_id]
                        line.usage_before = item.usage_state
                        line.save(update_fields=["usage_before"])
                        item.usage_state = UsageState.IN_REPAIR
                        item.save(update_fields=["usage_state", "updated_at"])
        order.status = WorkStatus.IN_PROGRESS
        order.save()
    return order


def wait_for_parts(*, work_order: WorkOrder, user, version: int | None = None) -> WorkOrder:
    with transaction.atomic(), acting_as(user):
        order = _step(work_order, user, Perm.LOG_WORK, version, (WorkStatus.IN_PROGRESS,),
                      _("Only work in progress can wait for parts."))
        order.status = WorkStatus.WAITING_PARTS
        order.save()
    return order


def _parse_parts(parts) -> list[WorkOrderPart]:
    rows = []
    for number, part in enumerate(parts or [], start=1):
        name = (part.get("name") or "").strip()
        try:
            quantity = Decimal(str(part.get("quantity") or "1"))
            price = Decimal(str(part.get("unit_price") or "0"))
        except ArithmeticError as exc:
            raise ValidationError({"parts": _("Part %(n)s: quantity and price must be numbers.")
                                   % {"n": number}}) from exc
        if not name or quantity <= 0 or price < 0:
            raise ValidationError({"parts": _("Part %(n)s: give its name, a quantity above 0 and a price not below 0.")
                                   % {"n": number}})
        rows.append(WorkOrderPart(name=name, quantity=quantity, unit_of_measure=part.get("unit_of_measure", ""),
                                  unit_price=price))
    return rows


def complete_work(*, work_order: WorkOrder, user, version: int | None = None, on=None,
                  results: dict | None = None, labour_hours=None, other_cost=None, findings: str = "",
                  parts=None) -> WorkOrder:
    """The work is done on ``on``. ``results`` per item id: ``grade_after``, meter readings (``km``,
    ``engine_hours``, ``rounds``), ``checklist`` ({task id: true/false}), ``ok`` and ``note``. Items take
    their readings, schedules move on, items back from repair return to their usage state, sealed or
    unsealed items change state, faults the work fixes close, and a different grade becomes a draft
    grade change for a commander."""
    on = on or timezone.localdate()
    results = {int(k): v for k, v in (results or {}).items()}
    _not_in_future(on, "on")
    with transaction.atomic(), acting_as(user):
        order = _step(work_order, user, Perm.LOG_WORK, version,
                      (WorkStatus.PLANNED, WorkStatus.IN_PROGRESS, WorkStatus.WAITING_PARTS),
                      _("This work order is already closed."))
        start = order.started_on or on
        if on < start:
            raise ValidationError({"on": _("The work cannot finish before it started (%(day)s).")
                                   % {"day": start.strftime("%d/%m/%Y")}})
        lines = list(order.lines.all())
        items = {item.pk: item for item in Item.objects.select_for_update(of=("self",)).select_related("type", "unit")
                 .filter(pk__in=[line.item_id for line in lines])}
        unknown = set(results) - set(items)
        if unknown:
            raise ValidationError({"results": _("Results name items not on this work order: %(list)s.")
                                   % {"list": ", ".join(map(str, sorted(unknown)))}})
        regrade = []
        for line in lines:
            item = items[line.item_id]
            result = results.get(item.pk, {})
            readings = {meter: result.get(meter) for meter in METER_FIELDS if result.get(meter) is not None}
            after = check_readings(item, {k: Decimal(str(v)) if k != "rounds" else int(v) for k, v in readings.items()})
            _set_meters(item, after)
            for meter in METER_FIELDS:
                setattr(line, meter, after[meter])
            grade_after = result.get("grade_after")
            if grade_after not in (None, ""):
                grade_after = int(grade_after)
                if grade_after not in range(1, 6):
                    raise ValidationError({"results": _("%(item)s: the grade after must be 1 to 5.") % {"item": item}})
                line.grade_after = grade_after
                if grade_after != item.grade:
                    regrade.append((item.pk, grade_after))
            line.checklist = result.get("checklist") or {}
            line.ok = bool(result.get("ok", True))
            line.note = (result.get("note") or "")[:255]
        # Usage state: back from the shop; sealed; unsealed.
        with history.effective_on(on):
            for line in lines:
                item = items[line.item_id]
                state = None
                if order.kind in SHOP_REPAIRS and item.usage_state == UsageState.IN_REPAIR:
                    state = line.usage_before or UsageState.IN_USE
                elif order.kind == WorkKind.SEAL:
                    state = UsageState.SEALED
                elif order.kind == WorkKind.UNSEAL:
                    state = UsageState.IN_USE
                if state and state != item.usage_state:
                    item.usage_state = state
                    item.save(update_fields=["usage_state", "updated_at"])
        item_list = list(items.values())
        schedules.sync([item.pk for item in item_list], since=on)
        if order.kind == WorkKind.UNSEAL:
            schedules.restart(item_list, on)
        if order.level:
            timing = schedules.mark_done(item_list, order.level, on)
            for line in lines:
                line.due_on, line.on_time = timing[line.item_id]
        schedules.refresh_meters([item.pk for item in item_list])
        WorkOrderItem.objects.bulk_update(lines, ["km", "engine_hours", "rounds", "grade_after", "checklist", "ok",
                                                  "note", "due_on", "on_time"])
        record_bulk(lines, AuditAction.UPDATE)
        # Faults the work fixes.
        fixed = list(order.faults.filter(status=FaultStatus.OPEN))
        for fault in fixed:
            fault.status = FaultStatus.FIXED
            fault.fixed_on = max(on, fault.reported_on)
            fault.save()
        if fixed:
            refresh_condition(item_list, on)
        for part in _parse_parts(parts):
            part.work_order = order
            part.save()
        order.status = WorkStatus.DONE
        order.started_on = start
        order.finished_on = on
        order.done_by = user
        if labour_hours is not None:
            order.labour_hours = labour_hours
        if other_cost is not None:
            order.other_cost = other_cost
        if findings:
            order.findings = findings
        order.full_clean()
        order.save()
        if regrade:
            record = equipment_services.draft_grade_change(
                user=user, unit=order.unit, number=f"{order.number}/CCCL", date=on,
                reason=_("Grade found after %(kind)s %(number)s") % {"kind": order.get_kind_display().lower(),
                                                                    "number": order.number},
                basis=_("Work order %(number)s") % {"number": order.number}, lines=regrade, perm=Perm.LOG_WORK)
            WorkOrderItem.objects.filter(work_order=order, item_id__in=[i for i, _g in regrade]).update(
                grade_change=record)
    return order


def verify_work(*, work_order: WorkOrder, user, version: int | None = None) -> WorkOrder:
    with transaction.atomic(), acting_as(user):
        order = _step(work_order, user, Perm.MANAGE_REGISTER, version, (WorkStatus.DONE,),
                      _("Only done work can be verified."))
        order.status = WorkStatus.VERIFIED
        order.verified_by = user
        order.verified_at = timezone.now()
        order.save()
    return order


def cancel_work(*, work_order: WorkOrder, user, version: int | None = None) -> WorkOrder:
    """Work that will not be done: items sent to the shop return to their usage state; its faults stay
    open without a repair."""
    with transaction.atomic(), acting_as(user):
        order = _step(work_order, user, Perm.MANAGE_REGISTER, version,
                      (WorkStatus.PLANNED, WorkStatus.IN_PROGRESS, WorkStatus.WAITING_PARTS),
                      _("Only open work can be cancelled."))
        if order.kind in SHOP_REPAIRS and order.started_on:
            for line in order.lines.select_related("item"):
                item = Item.objects.select_for_update(of=("self",)).get(pk=line.item_id)
                if item.usage_state == UsageState.IN_REPAIR:
                    item.usage_state = line.usage_before or UsageState.IN_USE
                    item.save(update_fields=["usage_state", "updated_at"])
        for fault in order.faults.all():
            fault.work_order = None
            fault.save()
        order.status = WorkStatus.CANCELLED
        order.save()
    return order


# Technical day --------------------------------------------------------------------------------------

def technical_day_items(unit, branches=()):
    """The items a technical day of ``unit`` goes through: its own and its sub-units', not struck off,
    of the chosen branches (all when none)."""
    from kythuat.org.models import Unit

    units = Unit.objects.filter(path__startswith=unit.path).values("id")
    items = Item.objects.active().filter(unit__in=units).select_related("type", "unit")
    if branches:
        items = items.filter(type__branch__in=branches)
    return items.order_by("unit__path", "type__branch__sort_order", "type__name", "serial", "id")


def record_technical_day(*, user, unit, date=None, level: str = Level.TECH_DAY, branches=(),
                         lines: list[tuple[int, bool, str]], notes: str = "") -> TechnicalDay:
    """A technical day in one step: ``lines`` are (item id, in order?, note) for each item ticked; the
    work is one preservation work order, done on ``date``, whose lines move the items' schedules of
    ``level`` on."""
    date = date or timezone.localdate()
    _require(user, Perm.LOG_WORK, unit.pk)
    _not_in_future(date)
    if not lines:
        raise ValidationError({"items": _("Tick at least one item.")})
    ids = [item_id for item_id, _ok, _note in lines]
    if len(set(ids)) != len(ids):
        raise ValidationError({"items": _("An item is listed twice.")})
    if TechnicalDay.objects.filter(unit=unit, date=date, level=level).exists():
        raise ValidationError({"date": _("This unit already recorded this regime on that date.")})
    with transaction.atomic(), acting_as(user):
        items = _visible_items(user, ids, unit=unit)
        order = WorkOrder(unit=unit, kind=WorkKind.PRESERVATION, level=level, status=WorkStatus.DONE,
                          planned_start=date, started_on=date, finished_on=date, done_by=user,
                          number=_number(unit, WorkKind.PRESERVATION, date),
                          description=_("Technical day %(day)s") % {"day": date.strftime("%d/%m/%Y")})
        order.full_clean()
        order.save()
        timing = schedules.mark_done(items.values(), level, date)
        rows = [WorkOrderItem(work_order=order, item=items[item_id], grade_before=items[item_id].grade,
                              km=items[item_id].km, engine_hours=items[item_id].engine_hours,
                              rounds=items[item_id].rounds, ok=bool(ok), note=(note or "")[:255],
                              due_on=timing[item_id][0], on_time=timing[item_id][1])
                for item_id, ok, note in lines]
        WorkOrderItem.objects.bulk_create(rows, batch_size=1000)
        record_bulk(rows, AuditAction.CREATE)
        day = TechnicalDay(unit=unit, date=date, level=level, work_order=order, item_count=len(rows),
                           problem_count=sum(1 for row in rows if not row.ok), notes=notes)
        day.full_clean(exclude=["work_order"])
        day.save()
        if branches:
            day.branches.set(branches)
    return day


def open_fault_counts(item_ids) -> dict[int, int]:
    return dict(Fault.objects.filter(item_id__in=list(item_ids), status=FaultStatus.OPEN)
                .values_list("item_id").annotate(n=Count("id")).values_list("item_id", "n"))

