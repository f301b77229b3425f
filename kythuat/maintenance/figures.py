"""Maintenance figures of a unit subtree over a period: work on time, what is due, downtime, MTTR, MTBF,
repairs by place and kind, open work and the register's condition (docs/maintenance-figures.md).

Each figure is one GROUP BY (unit, equipment type) in the database; the rows are then summed in memory
into the whole subtree, each branch, each type and each child unit (DESIGN.md §5), so the number of
queries does not depend on the number of units or types.

A period is the days ``start`` … ``end``, both included. History periods count the days from the day of
a change up to the day before the next one (a fault reported and fixed on the same day is 0 days).
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db.models import Count, DateField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kythuat.core.functions import DaysBetween
from kythuat.core.scoping import within
from kythuat.equipment.choices import Condition, UsageState
from kythuat.equipment.models import Branch, EquipmentType
from kythuat.equipment.selectors import periods_between, register_now
from kythuat.org.models import Unit
from kythuat.org.selectors import roll_up_map

from .choices import FINISHED_WORK, OPEN_WORK, REPAIR_KINDS, FaultStatus, Place, WorkKind, WorkStatus
from .models import Fault, UsageLog, WorkOrder, WorkOrderItem
from .selectors import due_annotations, due_schedules

ZERO = Decimal(0)


def _ratio(part, whole):
    return part / whole if whole else None


@dataclass
class Figures:
    """Counts that add up over units and types; the rates and means are properties of the sums."""

    done: int = 0  # work order lines finished in the period
    on_time: int = 0  # … done within the tolerance of their due point
    late: int = 0  # … done after it
    overdue: int = 0  # schedules now
    due_week: int = 0
    due_month: int = 0
    meter_due: int = 0
    faults: int = 0  # faults reported in the period (cancelled ones are not faults)
    km_faults: int = 0  # … of types that count km
    hours_faults: int = 0  # … of types that count engine hours
    fixed: int = 0  # faults fixed in the period
    repair_days: int = 0  # days from report to fix, summed over the faults fixed in the period
    open_faults: int = 0  # now
    downtime_days: int = 0  # item-days unusable or in repair in the period
    service_days: int = 0  # item-days in use and usable in the period
    km: Decimal = ZERO  # run in the period (usage logs)
    engine_hours: Decimal = ZERO
    repairs: Counter = field(default_factory=Counter)  # (place, kind): items repaired in the period
    open_orders: Counter = field(default_factory=Counter)  # status: open work orders now
    open_order_items: Counter = field(default_factory=Counter)  # status: items on them
    by_condition: Counter = field(default_factory=Counter)  # condition: quantity now (not struck off)
    in_repair: int = 0  # quantity in the usage state "in repair" now

    def add(self, other: "Figures") -> None:
        for name in (f.name for f in fields(self)):
            mine = getattr(self, name)
            if isinstance(mine, Counter):
                mine.update(getattr(other, name))
            else:
                setattr(self, name, mine + getattr(other, name))

    @property
    def judged(self) -> int:
        """Lines done that were due under a regime (work outside any schedule is neither)."""
        return self.on_time + self.late

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.on_time, self.judged)

    @property
    def mttr(self) -> float | None:
        """Mean days from report to fix of the faults fixed in the period."""
        return _ratio(self.repair_days, self.fixed)

    @property
    def mtbf_days(self) -> float | None:
        """Item-days in service per fault reported in the period."""
        return _ratio(self.service_days, self.faults)

    @property
    def mtbf_km(self) -> float | None:
        return _ratio(float(self.km), self.km_faults) if self.km else None

    @property
    def mtbf_hours(self) -> float | None:
        return _ratio(float(self.engine_hours), self.hours_faults) if self.engine_hours else None

    @property
    def repair_count(self) -> int:
        return sum(self.repairs.values())

    @property
    def repairs_by_place(self) -> dict:
        return {place: sum(n for (p, _k), n in self.repairs.items() if p == place) for place in Place.values}

    @property
    def repairs_by_kind(self) -> dict:
        return {kind: sum(n for (_p, k), n in self.repairs.items() if k == kind) for kind in REPAIR_KINDS}

    @property
    def open_work(self) -> int:
        return sum(self.open_orders.values())

    @property
    def waiting_parts(self) -> int:
        return self.open_orders[WorkStatus.WAITING_PARTS]

    @property
    def total(self) -> int:
        return sum(self.by_condition.values())


@dataclass
class Report:
    unit: Unit | None  # None: every unit the user sees
    start: datetime.date
    end: datetime.date
    today: datetime.date
    total: Figures
    branches: list  # (Branch, Figures)
    types: list  # (EquipmentType, Figures)
    children: list  # (Unit, Figures)

    def child(self, unit_id) -> Figures:
        """The figures of the child unit ``unit_id`` (empty when it is not a child)."""
        if not hasattr(self, "_by_child"):
            self._by_child = {child.pk: f for child, f in self.children}
        return self._by_child.get(unit_id) or Figures()


def _days(start: datetime.date, after_end: datetime.date):
    """Days of a history period inside [start, after_end), times its quantity: item-days."""
    start_value, end_value = Value(start, output_field=DateField()), Value(after_end, output_field=DateField())
    until = Least(Coalesce("valid_to", end_value), end_value, output_field=DateField())
    since = Greatest("valid_from", start_value, output_field=DateField())
    return DaysBetween(until, since) * F("quantity")


def figures(user, *, unit: Unit | None = None, start: datetime.date, end: datetime.date,
            today: datetime.date | None = None, register: bool = True) -> Report:
    """The maintenance figures of ``unit``'s subtree (every unit ``user`` sees when None) for the days
    ``start`` … ``end``, from the rows ``user`` may see; what is due, open and in repair as it stands
    ``today``. ``register=False`` leaves out the register's condition counts (the readiness page has
    them already)."""
    today = today or timezone.localdate()
    cells = defaultdict(Figures)  # (unit id, type id or None): figures
    kinds = {kind.pk: kind for kind in EquipmentType.objects.select_related("branch")}
    in_period = {"start": start, "end": end}

    # Work done: every finished line dated in the period; repairs are the lines of repair orders.
    lines = within(WorkOrderItem.objects.filter(work_order__status__in=FINISHED_WORK,
                                                work_order__finished_on__range=(start, end)),
                   user, unit, field="work_order__unit")
    for unit_id, type_id, kind, place, done, on_time, late in (
            lines.order_by().values_list("work_order__unit_id", "item__type_id", "work_order__kind",
                                         "work_order__place")
            .annotate(n=Count("id"), n_on_time=Count("id", filter=Q(on_time=True)),
                      n_late=Count("id", filter=Q(on_time=False)))):
        cell = cells[unit_id, type_id]
        cell.done += done
        cell.on_time += on_time
        cell.late += late
        if kind in REPAIR_KINDS:
            cell.repairs[place, kind] += done

    # Due now, by the holder of the item.
    for unit_id, type_id, overdue, due_week, due_month, meter_due in (
            due_schedules(user, unit=unit, today=today).order_by().values_list("unit_id", "item__type_id")
            .annotate(**due_annotations(today))):
        cell = cells[unit_id, type_id]
        cell.overdue += overdue
        cell.due_week += due_week
        cell.due_month += due_month
        cell.meter_due += meter_due

    # Faults, by the unit holding the item when reported.
    reported = Q(reported_on__range=(start, end))
    fixed = Q(status=FaultStatus.FIXED, fixed_on__range=(start, end))
    open_now = Q(status=FaultStatus.OPEN)
    faults = within(Fault.objects.exclude(status=FaultStatus.CANCELLED).filter(reported | fixed | open_now),
                    user, unit)
    for unit_id, type_id, count, fixed_count, repair_time, open_count in (
            faults.order_by().values_list("unit_id", "item__type_id")
            .annotate(n=Count("id", filter=reported), fixed=Count("id", filter=fixed),
                      time=Sum(DaysBetween("fixed_on", "reported_on"), filter=fixed),
                      open=Count("id", filter=open_now))):
        cell = cells[unit_id, type_id]
        cell.faults += count
        cell.km_faults += count if kinds[type_id].has_km else 0
        cell.hours_faults += count if kinds[type_id].has_engine_hours else 0
        cell.fixed += fixed_count
        cell.repair_days += repair_time or 0
        cell.open_faults += open_count

    # Downtime and service: the register's history periods clipped to the period (and to today).
    after_end = min(end, today) + datetime.timedelta(days=1)
    down = Q(condition=Condition.UNUSABLE) | Q(usage_state=UsageState.IN_REPAIR)
    service = Q(usage_state=UsageState.IN_USE) & ~Q(condition=Condition.UNUSABLE)
    periods = within(periods_between(start, after_end - datetime.timedelta(days=1))
                     .exclude(usage_state=UsageState.STRUCK_OFF).filter(down | service), user, unit)
    item_days = _days(start, after_end)
    for unit_id, type_id, down_time, service_time in (
            periods.order_by().values_list("unit_id", "type_id")
            .annotate(down=Sum(item_days, filter=down), service=Sum(item_days, filter=service))):
        cell = cells[unit_id, type_id]
        cell.downtime_days += down_time or 0
        cell.service_days += service_time or 0

    # Distance and engine hours run, by the unit that used the item.
    usage = within(UsageLog.objects.filter(date__range=(start, end)), user, unit)
    for unit_id, type_id, km, hours in (usage.order_by().values_list("unit_id", "item__type_id")
                                        .annotate(run_km=Sum("km"), run_hours=Sum("engine_hours"))):
        cell = cells[unit_id, type_id]
        cell.km += km or ZERO
        cell.engine_hours += hours or ZERO

    # Open work orders now: an order holds items of many types, so these are the unit's alone.
    orders = within(WorkOrder.objects.filter(status__in=OPEN_WORK), user, unit)
    for unit_id, status, count, items in (orders.order_by().values_list("unit_id", "status")
                                          .annotate(n=Count("id", distinct=True), items=Count("lines"))):
        cell = cells[unit_id, None]
        cell.open_orders[status] += count
        cell.open_order_items[status] += items

    if register:
        for unit_id, type_id, condition, usage_state, quantity in (
                within(register_now(), user, unit).order_by()
                .values_list("unit_id", "type_id", "condition", "usage_state").annotate(n=Sum("quantity"))):
            cell = cells[unit_id, type_id]
            cell.by_condition[condition] += quantity
            if usage_state == UsageState.IN_REPAIR:
                cell.in_repair += quantity

    return _roll_up(user, unit, cells, kinds, today=today, **in_period)


def _roll_up(user, unit, cells: dict, kinds: dict, **dates) -> Report:
    total, per_type, per_branch, per_child = Figures(), defaultdict(Figures), defaultdict(Figures), defaultdict(Figures)
    children, child_of = roll_up_map(user, unit)
    for (unit_id, type_id), cell in cells.items():
        total.add(cell)
        if type_id is not None:
            per_type[type_id].add(cell)
            per_branch[kinds[type_id].branch_id].add(cell)
        if unit_id in child_of:
            per_child[child_of[unit_id]].add(cell)
    types = sorted((kinds[type_id] for type_id in per_type),
                   key=lambda kind: (kind.branch.sort_order, kind.branch.code, kind.name))
    branches = Branch.objects.filter(pk__in=per_branch)
    return Report(unit=unit, total=total, branches=[(branch, per_branch[branch.pk]) for branch in branches],
                  types=[(kind, per_type[kind.pk]) for kind in types],
                  children=[(child, per_child[child.pk]) for child in children], **dates)


# For pages, exports and the API: the columns of a table of figures (attribute, header, how it is
# shown: a count, a rate 0–1 or a mean), and the labels of the keys repairs and open work are counted by.
COUNT, RATE, MEAN = "count", "rate", "mean"
COLUMNS = [
    ("done", _("Work lines done"), COUNT),
    ("on_time", _("On time"), COUNT),
    ("late", _("Late"), COUNT),
    ("on_time_rate", _("On-time rate"), RATE),
    ("overdue", _("Overdue now"), COUNT),
    ("faults", _("Faults reported"), COUNT),
    ("fixed", _("Faults fixed"), COUNT),
    ("open_faults", _("Open faults now"), COUNT),
    ("mttr", _("MTTR (days)"), MEAN),
    ("service_days", _("Item-days in service"), COUNT),
    ("downtime_days", _("Item-days down"), COUNT),
    ("mtbf_days", _("MTBF (item-days)"), MEAN),
    ("km", _("km run"), MEAN),
    ("mtbf_km", _("MTBF (km)"), MEAN),
    ("engine_hours", _("Engine hours run"), MEAN),
    ("mtbf_hours", _("MTBF (engine hours)"), MEAN),
    ("repair_count", _("Items repaired"), COUNT),
]
PLACES = Place.choices
REPAIRS = [(kind.value, kind.label) for kind in WorkKind if kind in REPAIR_KINDS]
OPEN_STATUSES = [(status.value, status.label) for status in WorkStatus if status in OPEN_WORK]


def cells(figures: Figures) -> list:
    """(value, how it is shown) for each of ``COLUMNS``; amounts run as floats."""
    values = []
    for name, _label, shown in COLUMNS:
        value = getattr(figures, name)
        values.append((float(value) if isinstance(value, Decimal) else value, shown))
    return values


def as_dict(figures: Figures) -> dict:
    """Every figure by name (the API's form): the columns, what is due, repairs and open work."""
    data = {name: value for (name, _label, _shown), (value, _s) in zip(COLUMNS, cells(figures), strict=True)}
    data.update(judged=figures.judged, due_week=figures.due_week, due_month=figures.due_month,
                meter_due=figures.meter_due, items=figures.total, in_repair=figures.in_repair,
                waiting_parts=figures.waiting_parts,
                repairs_by_place=figures.repairs_by_place, repairs_by_kind=figures.repairs_by_kind,
                repairs={f"{place}:{kind}": n for (place, kind), n in sorted(figures.repairs.items())},
                open_orders=dict(figures.open_orders), open_order_items=dict(figures.open_order_items),
                by_condition=dict(figures.by_condition))
    return data
