"""The readiness roll-up: one GROUP BY over the register (as it stands, or a snapshot of a past date),
then sums up the unit tree in memory (DESIGN.md §5)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from kythuat.core.scoping import within
from kythuat.equipment.models import Branch, EquipmentType
from kythuat.equipment.selectors import first_registration, register_now, register_on
from kythuat.org.models import Unit
from kythuat.org.selectors import roll_up_map

from .models import CoefficientRule, Snapshot, SnapshotRow

GRADES = range(1, 6)


@dataclass
class Figures:
    total: int = 0
    good: int = 0
    by_grade: dict = field(default_factory=lambda: dict.fromkeys(GRADES, 0))
    by_condition: dict = field(default_factory=lambda: defaultdict(int))
    by_usage: dict = field(default_factory=lambda: defaultdict(int))

    def count(self, grade, condition, usage, quantity, good: bool) -> None:
        self.total += quantity
        if good:
            self.good += quantity
        self.by_grade[grade] += quantity
        self.by_condition[condition] += quantity
        self.by_usage[usage] += quantity

    def add(self, other: "Figures") -> None:
        self.total += other.total
        self.good += other.good
        for key, value in other.by_grade.items():
            self.by_grade[key] += value
        for key, value in other.by_condition.items():
            self.by_condition[key] += value
        for key, value in other.by_usage.items():
            self.by_usage[key] += value

    @property
    def coefficient(self) -> float | None:
        """Hệ số kỹ thuật: good quantity over all quantity not struck off."""
        return self.good / self.total if self.total else None


@dataclass
class Readiness:
    unit: Unit
    on: datetime.date | None  # None: the register as it stands
    total: Figures
    branches: list  # (Branch, Figures)
    types: list  # (EquipmentType, Figures)
    children: list  # (Unit, Figures)


class Rules:
    """The coefficient rule of each branch (its own, else the general one), as sets for quick tests."""

    def __init__(self):
        rules = list(CoefficientRule.objects.all())
        general = next((r for r in rules if r.branch_id is None), None) or CoefficientRule()
        own = {r.branch_id: r for r in rules if r.branch_id}
        self._general = (general.grades, general.conditions)
        self._own = {branch_id: (rule.grades, rule.conditions) for branch_id, rule in own.items()}

    def is_good(self, branch_id, grade, condition) -> bool:
        grades, conditions = self._own.get(branch_id, self._general)
        return grade in grades and condition in conditions


def source(on: datetime.date | None):
    """Register lines as they stand (``on`` None) or, for a past date, the snapshot of that date."""
    if on is None:
        return register_now()
    return SnapshotRow.objects.filter(snapshot=ensure_snapshot(on))


def ensure_snapshot(day: datetime.date) -> Snapshot:
    """The snapshot of 0h on ``day``, made from the history with one INSERT … SELECT if missing."""
    found = Snapshot.objects.filter(day=day).first()
    if found:
        return found
    try:
        with transaction.atomic():
            snapshot = Snapshot.objects.create(day=day)
            grouped = (register_on(day).order_by().values_list("unit_id", "type_id", "grade", "condition",
                                                                 "usage_state").annotate(total=Sum("quantity")))
            select, params = grouped.query.sql_with_params()
            table = connection.ops.quote_name(SnapshotRow._meta.db_table)
            columns = ", ".join(connection.ops.quote_name(c) for c in (
                "unit_id", "type_id", "grade", "condition", "usage_state", "quantity", "snapshot_id"))
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} ({columns}) SELECT grouped.*, {int(snapshot.pk)} "
                               f"FROM ({select}) grouped", params)
    except IntegrityError:  # made meanwhile by another request
        snapshot = Snapshot.objects.get(day=day)
    return snapshot


def _grouped_chunks(rows):
    """(unit, type, grade, condition, usage state, quantity) of ``rows``, grouped, in chunks straight
    from the cursor: the ORM's per-row conversions do nothing for these columns, and a generator step
    per row costs as much as the sum made of it (bench/readiness.py)."""
    grouped = (rows.order_by().values_list("unit_id", "type_id", "grade", "condition", "usage_state")
               .annotate(n=Sum("quantity")))
    sql, params = grouped.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(5000):
            yield chunk


def _figures(sums: dict) -> Figures:
    """Figures from {(grade, condition, usage, good): quantity}."""
    figures = Figures()
    for (grade, condition, usage, good), quantity in sums.items():
        figures.count(grade, condition, usage, quantity, good)
    return figures


def readiness(user, unit: Unit, *, on: datetime.date | None = None) -> Readiness:
    """Figures of ``unit``'s subtree by branch, type and child unit, from the lines ``user`` may see,
    as the register stands or at 0h on ``on``."""
    rules = Rules()
    branch_of = dict(EquipmentType.objects.values_list("id", "branch_id"))
    # One pass over the grouped rows adds each quantity to two small sums keyed by tuples (per
    # unit and per type); the Figures are made from those sums afterwards, far fewer than the rows.
    good_of = {}
    unit_sums, type_sums = defaultdict(lambda: defaultdict(int)), defaultdict(lambda: defaultdict(int))
    for chunk in _grouped_chunks(within(source(on), user, unit)):
        for unit_id, type_id, grade, condition, usage, quantity in chunk:
            good = good_of.get((type_id, grade, condition))
            if good is None:
                good = good_of[type_id, grade, condition] = rules.is_good(branch_of[type_id], grade, condition)
            key = (grade, condition, usage, good)
            unit_sums[unit_id][key] += quantity
            type_sums[type_id][key] += quantity
    per_unit = {unit_id: _figures(sums) for unit_id, sums in unit_sums.items()}
    types = {type_id: _figures(sums) for type_id, sums in type_sums.items()}
    total, branches = Figures(), defaultdict(Figures)
    for figures in per_unit.values():
        total.add(figures)
    for type_id, figures in types.items():
        branches[branch_of[type_id]].add(figures)
    children = _roll_up_children(user, unit, per_unit)
    branch_rows = [(branch, branches[branch.pk]) for branch in Branch.objects.filter(pk__in=branches)]
    type_rows = [(kind, types[kind.pk]) for kind in EquipmentType.objects.filter(pk__in=types)
                 .select_related("branch")]
    return Readiness(unit=unit, on=on, total=total, branches=branch_rows, types=type_rows, children=children)


def _roll_up_children(user, unit: Unit, per_unit: dict) -> list:
    """Each visible child unit with the sum of its subtree, from per-unit figures (paths, no recursion)."""
    children, child_of = roll_up_map(user, unit)
    sums = defaultdict(Figures)
    for unit_id, figures in per_unit.items():
        if unit_id in child_of:
            sums[child_of[unit_id]].add(figures)
    return [(child, sums[child.pk]) for child in children]


@dataclass
class Point:
    day: datetime.date | None  # None: now
    total: int
    good: int

    @property
    def coefficient(self) -> float | None:
        return self.good / self.total if self.total else None


def trend(user, unit: Unit, *, years: int = 15, branch: Branch | None = None,
          now: Figures | None = None) -> list[Point]:
    """The coefficient of ``unit``'s subtree at 0h on 1 January of each of the last ``years`` years
    (from the first year the register holds anything) and now (``now``: the figures of the register as
    it stands, when the caller has them already)."""
    today = timezone.localdate()
    rules = Rules()
    branch_of = dict(EquipmentType.objects.values_list("id", "branch_id"))
    first = first_registration()
    start_year = max(today.year - years + 1, (first.year + 1) if first else today.year)
    days = [datetime.date(year, 1, 1) for year in range(start_year, today.year + 1)]
    snapshots = {ensure_snapshot(day).pk: day for day in days}
    counts = defaultdict(lambda: [0, 0])
    rows = within(SnapshotRow.objects.filter(snapshot__in=snapshots), user, unit)
    if branch is not None:
        rows = rows.filter(type__branch=branch)
    for snapshot_id, type_id, grade, condition, quantity in (
            rows.order_by().values_list("snapshot_id", "type_id", "grade", "condition").annotate(n=Sum("quantity"))):
        point = counts[snapshots[snapshot_id]]
        point[0] += quantity
        if rules.is_good(branch_of[type_id], grade, condition):
            point[1] += quantity
    if now is None and branch is None:
        now = readiness(user, unit).total
    points = [Point(day, *counts[day]) for day in days]
    if now is not None:
        points.append(Point(None, now.total, now.good))
    return points


def forget_snapshots_after(day: datetime.date) -> None:
    """A change dated ``day`` alters every state at 0h of a later day."""
    Snapshot.objects.filter(day__gt=day).delete()
