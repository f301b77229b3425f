"""Keeps ``Schedule`` current: which items follow which rules, and when each is next due.

- ``sync(item_ids)`` puts items under the rules that apply to them (by type, else by branch, and by
  usage state), suspends the schedules that no longer apply and gives each its item's holding unit;
  set-based, a few statements per rule, so a 100,000-line import or a rule edit costs seconds, not a
  query per item.
- ``mark_done(...)`` / ``mark_work(...)`` move the schedules of items on when work of a level is done
  (past work in date order), and say whether the work was on time.
- ``refresh_meters(item_ids)`` flags schedules due by km, engine hours or rounds after meters move.

Work of a level fulfils the item's rule of that level and the levels that rule ``covers``
(maintenance level 2 counts as level 1). An item's rule of a level is its type's if the type has
one, else its group's, else its branch's (``rule_types``).
"""

import datetime
from array import array
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from kythuat.equipment.models import EquipmentType, Item

from .models import METER_FIELDS, MaintenanceRule, Schedule

CHUNK = 5000
ANALYZE_FROM = 50_000  # items synced at once from which PostgreSQL's statistics are refreshed first
# bulk_update writes a CASE of every row's value for each field: its cost grows with the square of the
# rows per statement, so a few hundred at a time.
UPDATE_BATCH = 200
LAST = {"km": "last_km", "engine_hours": "last_engine_hours", "rounds": "last_rounds"}
NEXT = {"km": "next_km", "engine_hours": "next_engine_hours", "rounds": "next_rounds"}


def rule_types(rules=None) -> dict[int, set[int]]:
    """{rule id: the type ids it applies to}. Of the rules of one level a type follows its own, else its
    group's (a branch rule naming the type's group), else its branch's."""
    rules = list(rules if rules is not None else MaintenanceRule.objects.filter(active=True))
    in_force = MaintenanceRule.objects.filter(active=True).values_list("type_id", "branch_id", "group", "level")
    own, grouped = set(), set()
    for type_id, branch_id, group, level in in_force:
        if type_id:
            own.add((type_id, level))
        elif group:
            grouped.add((branch_id, group, level))
    by_branch = defaultdict(list)
    for type_id, branch_id, group in EquipmentType.objects.values_list("id", "branch_id", "group"):
        by_branch[branch_id].append((type_id, group))
    result = {}
    for rule in rules:
        if rule.type_id:
            result[rule.pk] = {rule.type_id}
            continue
        result[rule.pk] = {
            type_id for type_id, group in by_branch.get(rule.branch_id, [])
            if (type_id, rule.level) not in own
            and (group == rule.group if rule.group else (rule.branch_id, group, rule.level) not in grouped)}
    return result


def rules_for(item) -> list[MaintenanceRule]:
    """The rules in force that an item follows in its current usage state (for its page)."""
    rules = MaintenanceRule.objects.filter(active=True).filter(type=item.type_id) | MaintenanceRule.objects.filter(
        active=True, branch=item.type.branch_id)
    types = rule_types(rules)
    return [rule for rule in rules if item.type_id in types[rule.pk] and item.usage_state in rule.states]


def _chunks(ids):
    if ids is None:
        yield None
        return
    if not isinstance(ids, (list, tuple, array)):  # an array of ids (a whole import's) stays compact
        ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start:start + CHUNK])


def sync(item_ids=None, *, since: datetime.date | None = None, new: bool = False) -> int:
    """Make the schedules of these items (``None``: every item) match the rules in force. New schedules
    start on ``since`` (default today): first due one interval later. Returns the schedules made.
    ``new``: the items were just registered and have no schedule yet, so only the schedules to make
    are looked for (an import of a hundred thousand lines spent most of its time in the rest)."""
    since = since or timezone.localdate()
    rules = list(MaintenanceRule.objects.filter(active=True))
    types = rule_types(rules)
    item_table = Item._meta.db_table
    schedule_table = Schedule._meta.db_table
    made = 0
    if item_ids is not None and not isinstance(item_ids, (list, tuple, array)):
        item_ids = list(item_ids)  # a query of ids: read once (for its length, then by chunks)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and item_ids is not None and len(item_ids) >= ANALYZE_FROM:
            # Lines registered in this transaction (a demo register, a first import) are not in the
            # planner's statistics, which then take the register for empty and scan all of it for
            # each rule and chunk. ANALYZE counts the transaction's own rows; it samples, so it costs
            # a fraction of a second at a million lines.
            cursor.execute(f"ANALYZE {item_table}, {schedule_table}")
        for chunk in _chunks(item_ids):
            if chunk == []:
                continue
            in_items = f" AND i.id IN ({', '.join(['%s'] * len(chunk))})" if chunk is not None else ""
            item_params = list(chunk or [])
            if chunk is None:
                relevant = rules
            else:  # only the rules of these items' types: a single item costs a few statements
                present = set(Item.objects.filter(pk__in=chunk).values_list("type_id", flat=True).distinct())
                relevant = [rule for rule in rules if types[rule.pk] & present]
            for rule in relevant:
                kinds = sorted(types[rule.pk])
                if not kinds:
                    continue
                states = sorted(rule.states)
                meters = rule.intervals()
                next_due = since + datetime.timedelta(days=rule.interval_days) if rule.interval_days else None
                columns = ["item_id", "unit_id", "rule_id", "active", "since", "next_due_on", "meter_due"]
                values = ["i.id", "i.unit_id", "%s", "%s", "%s", "%s", "%s"]
                params = [rule.pk, True, since, next_due, False]
                for meter in METER_FIELDS:
                    columns += [LAST[meter], NEXT[meter]]
                    if meter in meters:
                        values += [f"COALESCE(i.{meter}, 0)", f"COALESCE(i.{meter}, 0) + %s"]
                        params.append(meters[meter])
                    else:
                        values += ["NULL", "NULL"]
                sql = (f"INSERT INTO {schedule_table} ({', '.join(columns)}) SELECT {', '.join(values)} "
                       f"FROM {item_table} i WHERE i.type_id IN ({', '.join(['%s'] * len(kinds))}) "
                       f"AND i.usage_state IN ({', '.join(['%s'] * len(states))}){in_items} "
                       f"AND NOT EXISTS (SELECT 1 FROM {schedule_table} s WHERE s.item_id = i.id AND s.rule_id = %s)")
                cursor.execute(sql, params + kinds + states + item_params + [rule.pk])
                made += max(cursor.rowcount, 0)
            if new:
                continue
            scope = Schedule.objects.all() if chunk is None else Schedule.objects.filter(item_id__in=chunk)
            # Each schedule with its item's holder (a transfer, an import moving lines).
            holder = Item.objects.filter(pk=OuterRef("item_id")).values("unit_id")[:1]
            scope.exclude(unit=F("item__unit")).update(unit=Subquery(holder))
            # Schedules in force exactly where the rule is in force for the item's type and usage state.
            scope.filter(active=True).exclude(rule__in=[rule.pk for rule in relevant]).update(active=False)
            for rule in relevant:
                mine = scope.filter(rule=rule)
                applies = {"item__type_id__in": types[rule.pk], "item__usage_state__in": rule.states}
                mine.filter(active=True).exclude(**applies).update(active=False)
                mine.filter(active=False, **applies).update(active=True)
    return made


def _meter_due(schedule, readings: dict) -> bool:
    for meter in METER_FIELDS:
        due_at = getattr(schedule, NEXT[meter])
        value = readings.get(meter)
        if due_at is not None and value is not None and value >= due_at:
            return True
    return False


def refresh_meters(item_ids) -> int:
    """Flag the schedules of these items (``None``: every item with a meter trigger) that a meter has
    reached; returns the schedules changed."""
    if item_ids is None:
        item_ids = (Schedule.objects.filter(Q(next_km__isnull=False) | Q(next_engine_hours__isnull=False)
                                            | Q(next_rounds__isnull=False))
                    .order_by("item_id").values_list("item_id", flat=True).distinct())
    changed = []
    for chunk in _chunks(item_ids):
        readings = {row[0]: dict(zip(METER_FIELDS, row[1:], strict=True))
                    for row in Item.objects.filter(pk__in=chunk).values_list("id", *METER_FIELDS)}
        for schedule in Schedule.objects.filter(item_id__in=chunk):
            due = _meter_due(schedule, readings.get(schedule.item_id, {}))
            if due != schedule.meter_due:
                schedule.meter_due = due
                changed.append(schedule)
    Schedule.objects.bulk_update(changed, ["meter_due"], batch_size=UPDATE_BATCH)
    return len(changed)


def _late(schedule, rule, day: datetime.date, readings: dict) -> bool:
    """Whether work done on ``day`` at ``readings`` comes after the due point plus the tolerance."""
    if schedule.next_due_on and day > schedule.next_due_on + datetime.timedelta(days=rule.tolerance_days()):
        return True
    for meter, interval in rule.intervals().items():
        due_at, value = getattr(schedule, NEXT[meter]), readings.get(meter)
        slack = Decimal(interval * rule.tolerance_percent) / 100
        if due_at is not None and value is not None and value > due_at + slack:
            return True
    return False


def _advance(schedule, rule, day: datetime.date, readings: dict) -> None:
    schedule.last_done_on = day
    schedule.next_due_on = day + datetime.timedelta(days=rule.interval_days) if rule.interval_days else None
    intervals = rule.intervals()
    for meter in METER_FIELDS:
        value = readings.get(meter)
        setattr(schedule, LAST[meter], value)
        interval = intervals.get(meter)
        setattr(schedule, NEXT[meter], (value or 0) + interval if interval else None)
    schedule.meter_due = _meter_due(schedule, readings)


def mark_work(works) -> list[tuple[datetime.date | None, bool | None]]:
    """Pieces of work done, each ``(item with its meters as read after the work, level, day)``, applied in
    date order: each moves on the item's schedule of its level and those of the levels its rule covers.
    Returns, for each piece in the order given, (the date the work was due, whether it was on time);
    (None, None) for an item that follows no rule of the level. Work dated before a schedule's last work
    leaves it as it is (history entered late). One read and one write of the schedules for them all."""
    works = list(works)
    result = [(None, None)] * len(works)
    by_item = defaultdict(list)
    for chunk in _chunks(list(dict.fromkeys(item.pk for item, _level, _day in works))):
        for schedule in Schedule.objects.filter(item_id__in=chunk, active=True).select_related("rule"):
            by_item[schedule.item_id].append(schedule)
    changed = {}
    for index in sorted(range(len(works)), key=lambda i: works[i][2]):
        item, level, day = works[index]
        mine = by_item.get(item.pk, [])
        primary = next((s for s in mine if s.rule.level == level), None)
        if primary is None:
            continue
        readings = {meter: getattr(item, meter) for meter in METER_FIELDS}
        result[index] = (primary.next_due_on, not _late(primary, primary.rule, day, readings))
        levels = {level, *primary.rule.covered}
        for schedule in mine:
            if schedule.rule.level in levels and (schedule.last_done_on is None or schedule.last_done_on <= day):
                _advance(schedule, schedule.rule, day, readings)
                changed[schedule.pk] = schedule
    Schedule.objects.bulk_update(list(changed.values()), ["last_done_on", "next_due_on", "meter_due",
                                                          *LAST.values(), *NEXT.values()], batch_size=UPDATE_BATCH)
    return result


def mark_done(items, level: str, day: datetime.date) -> dict[int, tuple[datetime.date | None, bool | None]]:
    """Work of ``level`` done on ``day`` on ``items`` (``mark_work``), the result by item id."""
    items = list(items)
    return {item.pk: timing for item, timing in zip(items, mark_work((item, level, day) for item in items),
                                                    strict=True)}


def restart(items, day: datetime.date) -> None:
    """Every schedule in force of these items counts as just done (an item unsealed after full
    maintenance starts its in-use regime again)."""
    items = list(items)
    readings = {item.pk: {meter: getattr(item, meter) for meter in METER_FIELDS} for item in items}
    changed = []
    for schedule in Schedule.objects.filter(item_id__in=list(readings), active=True).select_related("rule"):
        if schedule.last_done_on is None or schedule.last_done_on <= day:
            _advance(schedule, schedule.rule, day, readings[schedule.item_id])
            changed.append(schedule)
    Schedule.objects.bulk_update(changed, ["last_done_on", "next_due_on", "meter_due", *LAST.values(),
                                           *NEXT.values()], batch_size=UPDATE_BATCH)


def reschedule_rule(rule: MaintenanceRule) -> int:
    """After a rule's intervals change: the next due points of its schedules from their last work
    (or their start)."""
    changed = []
    readings = {}
    schedules = Schedule.objects.filter(rule=rule)
    for schedule in schedules.iterator(chunk_size=CHUNK):
        start = schedule.last_done_on or schedule.since
        schedule.next_due_on = start + datetime.timedelta(days=rule.interval_days) if rule.interval_days else None
        for meter in METER_FIELDS:
            interval = rule.intervals().get(meter)
            base = getattr(schedule, LAST[meter])
            setattr(schedule, NEXT[meter], (base or 0) + interval if interval else None)
        changed.append(schedule)
    ids = {schedule.item_id for schedule in changed}
    for chunk in _chunks(ids):
        readings.update({row[0]: dict(zip(METER_FIELDS, row[1:], strict=True))
                         for row in Item.objects.filter(pk__in=chunk).values_list("id", *METER_FIELDS)})
    for schedule in changed:
        schedule.meter_due = _meter_due(schedule, readings.get(schedule.item_id, {}))
    Schedule.objects.bulk_update(changed, ["next_due_on", "meter_due", *NEXT.values()], batch_size=UPDATE_BATCH)
    return len(changed)
