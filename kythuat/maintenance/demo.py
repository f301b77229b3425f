"""Demo maintenance history: fifteen years of work behind the demo register, consistent with it.

For every item not struck off, and every regime it follows (``schedules.sync``):

- **technical days** of each border post (its teams and stations with it) and of every other unit
  holding items: weekly in the recent weeks, the last one of each month as the monthly (quarterly at
  a quarter's end) preservation, the seasonal preservation before the rainy season, the technical
  month once a year, sealed-storage checks each quarter — each one a ``TechnicalDay`` with its
  preservation work order and a line per item done;
- **maintenance level 1 and 2** of vehicles, boats and generators when their km, engine hours or
  months came due, whichever first;
- **usage logs** (trips by month, firing practice by year) whose readings run up to the item's meters
  as they stand, never backwards; work lines read the meters of their day;
- **faults**: closed ones, each fixed by a minor (unit), medium (provincial workshop) or major
  (factory) repair with parts and cost, so repair times and times between faults are real; and an open
  fault for each item whose technical condition is limited or unusable (an item in repair has its
  medium or major repair in progress);
- each schedule's last done and next due from the last work that fulfilled it (a level's work also
  fulfils the levels its rule covers), so the due list has overdue, this week's, this month's and
  by-meter rows.

The calendar is dense in the recent period and sparser further back (``Depth``): recent weeks are
weekly, older years keep their technical month, seasonal preservation, maintenance and repairs. On a
large register (``--items 1000000``) the recent windows shrink so that the history stays a few lines
per item (docs/performance.md, *Maintenance*). Written in bulk (``core.bulk.bulk_insert``) and
audited in bulk (``core.audit.record_bulk``), in batches of whole border posts (about 20,000 items).
"""

import bisect
import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from kythuat.core.audit import record_bulk
from kythuat.core.bulk import bulk_insert
from kythuat.equipment.choices import Condition, UsageState
from kythuat.equipment.models import EquipmentType, Item, ItemHistory
from kythuat.org.models import Unit, UnitKind

from . import schedules
from .choices import FaultStatus, Level, Place, Severity, WorkKind, WorkStatus
from .models import (
    METER_FIELDS,
    Fault,
    MaintenanceRule,
    Schedule,
    TechnicalDay,
    UsageLog,
    WorkOrder,
    WorkOrderItem,
    WorkOrderPart,
)
from .services import NUMBER_PREFIX

DAY = datetime.timedelta(days=1)
BATCH_ITEMS = 20000  # items whose history is built and written together
FULL_DETAIL = 25000  # registers up to this size get the whole recent calendar


@dataclass(frozen=True)
class Depth:
    """How far back each part of the history goes."""

    weeks: int  # weekly technical days
    months: int  # monthly (quarterly) preservation
    seasons: int  # years of seasonal preservation
    tech_months: int  # years of technical months
    sealed_quarters: int  # quarters of sealed-storage checks
    years: int  # years of maintenance by km / hours, repairs and faults
    usage_months: int  # months of trips logged
    firing_years: int  # years of firing practice logged


def depth_for(items: int) -> Depth:
    """Up to ``FULL_DETAIL`` items: fifteen years of maintenance by km / hours, repairs and faults, four
    technical months, two seasons, three months and four weeks of the calendar (about nine work lines
    an item). Beyond, the windows shrink so that a million items keep about two lines each: every
    schedule still has its last work, or, past the windows, a start within one interval. Each window is
    unbroken, so on-time rates count only work that was due inside the recorded history."""
    if items <= FULL_DETAIL:
        return Depth(weeks=4, months=3, seasons=2, tech_months=4, sealed_quarters=4, years=15, usage_months=12,
                     firing_years=1)
    if items <= 10 * FULL_DETAIL:
        return Depth(weeks=2, months=2, seasons=1, tech_months=1, sealed_quarters=2, years=5, usage_months=4,
                     firing_years=1)
    return Depth(weeks=1, months=1, seasons=0, tech_months=0, sealed_quarters=1, years=1, usage_months=1,
                 firing_years=0)


# What the technicians write (Vietnamese, as in the paper books).
FAULTS = {
    "QK": ["Kẹt vỏ đạn khi bắn", "Mòn kim hỏa", "Gãy lò xo đẩy đạn", "Rỉ nòng", "Lỏng bộ phận ngắm",
           "Khóa nòng đóng không hết"],
    "XM": ["Động cơ khó khởi động", "Hỏng bơm cao áp", "Mòn má phanh", "Chảy dầu hộp số", "Hỏng máy phát nạp",
           "Ắc quy không giữ điện", "Hỏng bộ chế hòa khí", "Rò rỉ hệ thống làm mát"],
    "TT": ["Máy tàu nóng quá mức", "Hỏng bơm nước biển", "Rò nước trục chân vịt", "Hỏng hệ thống lái",
           "Thủng vỏ phần chìm"],
    "TTLL": ["Không phát được", "Thu nhiễu, yếu", "Hỏng ắc quy máy", "Đứt cáp anten", "Hỏng bàn phím, màn hình"],
    "NV": ["Mờ ống kính", "Hỏng nguồn", "Không lưu được hình ảnh", "Hỏng cảm biến", "Lỗi phần mềm điều khiển"],
    "CB": ["Máy không báo tín hiệu", "Hỏng nguồn", "Gãy cán"],
    "HH": ["Rách mặt nạ", "Hộp lọc quá hạn", "Máy đo sai lệch"],
    "CNTT": ["Hỏng ổ cứng", "Không khởi động được", "Hỏng nguồn", "Lỗi hệ điều hành", "Hỏng cổng mạng"],
}
# (name, unit of measure, unit price VND)
PARTS = {
    "QK": [("Lò xo đẩy đạn", "cái", 85000), ("Kim hỏa", "cái", 120000), ("Dầu bảo quản vũ khí", "lít", 95000),
           ("Bộ phận ngắm", "bộ", 650000)],
    "XM": [("Dầu động cơ", "lít", 120000), ("Lọc dầu", "cái", 180000), ("Lọc gió", "cái", 250000),
           ("Má phanh", "bộ", 850000), ("Ắc quy 12V", "bình", 2300000), ("Bơm cao áp", "cái", 9500000),
           ("Gioăng, phớt", "bộ", 450000)],
    "TT": [("Dầu máy tàu", "lít", 130000), ("Cánh bơm nước biển", "cái", 1200000), ("Tết chèn trục", "bộ", 900000),
           ("Sơn chống hà", "lít", 380000), ("Lọc nhiên liệu", "cái", 320000)],
    "TTLL": [("Ắc quy máy thông tin", "khối", 1800000), ("Cáp anten", "m", 65000), ("Giắc nối", "cái", 120000),
             ("Bo mạch công suất", "cái", 7500000)],
    "NV": [("Pin", "khối", 950000), ("Bộ nguồn", "cái", 1600000), ("Thẻ nhớ", "cái", 350000)],
    "CB": [("Pin", "khối", 450000), ("Cuộn dò", "cái", 2800000)],
    "HH": [("Hộp lọc độc", "cái", 420000), ("Mặt nạ", "cái", 1100000)],
    "CNTT": [("Ổ cứng SSD", "cái", 1500000), ("Bộ nguồn máy tính", "cái", 850000), ("Bàn phím", "cái", 250000)],
}
MAINT_PARTS = {"km": [("Dầu động cơ", "lít", 120000, 6), ("Lọc dầu", "cái", 180000, 1)],
               "engine_hours": [("Dầu máy", "lít", 130000, 8), ("Lọc dầu", "cái", 180000, 1),
                                ("Lọc nhiên liệu", "cái", 320000, 1)]}
# (kind, place, share, days it takes)
REPAIRS = [(WorkKind.REPAIR_MINOR, Place.UNIT, 78, (1, 6)), (WorkKind.REPAIR_MEDIUM, Place.WORKSHOP, 17, (10, 45)),
           (WorkKind.REPAIR_MAJOR, Place.FACTORY, 5, (40, 150))]
# Faults per serial item and year, by branch (vehicles and boats fail most).
FAULT_RATE = {"XM": 0.35, "TT": 0.4, "TTLL": 0.12, "NV": 0.12, "CNTT": 0.12, "QK": 0.03, "CB": 0.05, "HH": 0.03}
SKIPPED = 0.02  # items away on a task on the day of a technical day
PROBLEM = 0.03  # items found not in order
PROBLEM_NOTES = ["Rỉ nhẹ, đã lau dầu lại", "Thiếu dụng cụ kèm theo", "Ắc quy yếu, đã nạp lại", "Ẩm, đã phơi sấy",
                 "Lốp non hơi, đã bơm"]
ROUTES = ["Tuần tra đường biên, mốc 112–118", "Đơn vị – Trạm Kiểm soát Biên phòng", "Đi công tác Bộ Chỉ huy tỉnh",
          "Tuần tra khu vực cửa khẩu", "Chở hàng hậu cần lên chốt", "Tuần tra, kiểm soát trên biển"]
PURPOSES = ["Tuần tra biên giới", "Công tác", "Vận chuyển hậu cần", "Huấn luyện", "Phòng chống buôn lậu"]


def _wd(day: datetime.date, weekday: int) -> datetime.date:
    """The last ``weekday`` on or before ``day``."""
    return day - datetime.timedelta(days=(day.weekday() - weekday) % 7)


def _month_last(year: int, month: int, weekday: int) -> datetime.date:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return _wd(following - DAY, weekday)


class Calendar:
    """The dates a unit does its calendar regimes: {date: levels}."""

    def __init__(self, rng: random.Random, today: datetime.date, depth: Depth):
        weekday = rng.choice([3, 4, 4, 5])  # Thursday to Saturday
        lag = rng.choice([0] * 6 + [7, 14])  # a unit in four is a week or two behind
        last = _wd(today - datetime.timedelta(days=lag), weekday)
        self.dates: dict[datetime.date, set[str]] = defaultdict(set)
        for week in range(depth.weeks):
            self.dates[last - datetime.timedelta(weeks=week)].add(Level.TECH_DAY)
        year, month = last.year, last.month
        for _ in range(depth.months):
            day = _month_last(year, month, weekday)
            if day <= last:
                self.dates[day].add(Level.QUARTERLY if month % 3 == 0 else Level.MONTHLY)
                self.dates[day].add(Level.MONTHLY)
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        season, technical = rng.choice([4, 5]), rng.choice([10, 11, 12])
        for month, level, years_back in ((season, Level.SEASONAL, range(depth.seasons)),
                                         (technical, Level.TECH_MONTH, range(depth.tech_months))):
            # Counted back from the last one held (this year's may be still to come).
            held = last.year if _month_last(last.year, month, weekday) <= last else last.year - 1
            for back in years_back:
                self.dates[_month_last(held - back, month, weekday)].add(level)
        year, month = last.year, last.month - (last.month - 1) % 3  # quarter starts
        for _ in range(depth.sealed_quarters):
            day = _month_last(year, month, weekday)
            if day <= last:
                self.dates[day].add(Level.SEALED_CHECK)
                if month == 4 and year % 2 == 0:
                    self.dates[day].add(Level.REPRESERVE)
            year, month = (year, month - 3) if month > 3 else (year - 1, month + 9)


class Meter:
    """One meter of an item through time (in tenths for km and hours): rising from zero when the item
    came into service to the reading before its first usage log, then step by step with the logs to
    the reading it shows today."""

    def __init__(self, start: datetime.date, before_logs: int, today: datetime.date):
        self.start, self.before_logs, self.today = start, before_logs, today
        self.dates: list[datetime.date] = []
        self.after: list[int] = []

    @property
    def first(self) -> datetime.date:
        return self.dates[0] if self.dates else self.today

    def at(self, day: datetime.date) -> int:
        if self.dates and day >= self.dates[0]:
            return self.after[bisect.bisect_right(self.dates, day) - 1]
        if day <= self.start:
            return 0
        span = max((self.first - self.start).days, 1)
        return self.before_logs * min((day - self.start).days, span) // span

    def reaches(self, value: int) -> datetime.date | None:
        """The first day the meter reads ``value`` or more (None: not yet)."""
        if value <= 0:
            return self.start
        if value <= self.before_logs:
            span = max((self.first - self.start).days, 1)
            return self.start + datetime.timedelta(days=-(-value * span // self.before_logs))
        index = bisect.bisect_left(self.after, value)
        return self.dates[index] if index < len(self.dates) else None


SCALE = {"km": 10, "engine_hours": 10, "rounds": 1}  # km and hours kept in tenths


def _value(meter: str, raw: int | None):
    if raw is None:
        return None
    return Decimal(raw) / 10 if SCALE[meter] == 10 else raw


def _holders(units: list[Unit]) -> dict[int, int]:
    """{unit id: the unit whose technical day it joins}: a border post for itself and its sub-units,
    any other unit for itself."""
    posts = {unit.path: unit.pk for unit in units if unit.kind == UnitKind.BORDER_POST}
    result = {}
    for unit in units:
        parts = unit.path.strip("/").split("/")
        holder = unit.pk
        for depth in range(1, len(parts) + 1):
            path = "/" + "/".join(parts[:depth]) + "/"
            if path in posts:
                holder = posts[path]
                break
        result[unit.pk] = holder
    return result


class Builder:
    def __init__(self, *, seed: int, today: datetime.date, depth: Depth, user):
        self.seed, self.today, self.depth, self.user = seed, today, depth, user
        self.rules = {rule.pk: rule for rule in MaintenanceRule.objects.all()}
        self.types = {kind.pk: kind for kind in EquipmentType.objects.select_related("branch")}
        self.numbers: dict[tuple, int] = defaultdict(int)
        self.verified_at = timezone.make_aware(datetime.datetime.combine(today, datetime.time(16)))
        self.counts = defaultdict(int)

    # --- orders ------------------------------------------------------------------------------------
    def order(self, unit_id: int, kind: str, level: str, day: datetime.date, place=Place.UNIT, *, start=None,
              status=None, description="") -> WorkOrder:
        status = status or (WorkStatus.VERIFIED if day < self.today - datetime.timedelta(days=20) else WorkStatus.DONE)
        done = status in (WorkStatus.DONE, WorkStatus.VERIFIED)
        order = WorkOrder(unit_id=unit_id, kind=kind, level=level, place=place, status=status,
                          planned_start=start or day, started_on=start or day if status != WorkStatus.PLANNED else None,
                          finished_on=day if done else None, done_by=self.user if done else None,
                          verified_by=self.user if status == WorkStatus.VERIFIED else None,
                          verified_at=self.verified_at if status == WorkStatus.VERIFIED else None,
                          description=description)
        self.orders.append(order)
        return order

    # --- one batch of holders ------------------------------------------------------------------------
    def build(self, holder_units: dict[int, list[int]]) -> None:
        self.orders, self.lines, self.days, self.parts, self.faults, self.logs = [], [], [], [], [], []
        unit_ids = [unit for units in holder_units.values() for unit in units]
        holder_of = {unit: holder for holder, units in holder_units.items() for unit in units}
        rows = list(Item.objects.filter(unit_id__in=unit_ids).exclude(usage_state=UsageState.STRUCK_OFF)
                    .order_by("id").values_list("id", "type_id", "unit_id", "serial", "quantity", "grade",
                                                 "condition", "usage_state", "km", "engine_hours", "rounds",
                                                 "registered_on", "year_in_service"))
        if not rows:
            return
        ids = [row[0] for row in rows]
        followed = defaultdict(list)
        for schedule in Schedule.objects.filter(unit_id__in=unit_ids).values(
                "item_id", "rule_id", "active", "since"):
            followed[schedule["item_id"]].append(schedule)
        changed_on = dict(ItemHistory.objects.filter(item__unit_id__in=unit_ids, valid_to__isnull=True)
                          .values_list("item_id", "valid_from"))
        self.calendars = {holder: Calendar(random.Random(f"{self.seed}:calendar:{holder}"), self.today, self.depth)
                          for holder in holder_units}
        self.technical = {}  # (holder, day, level) -> order
        new_schedules = []
        for row in rows:
            rng = random.Random(f"{self.seed}:work:{row[0]}")
            new_schedules += self.item(rng, row, holder_of[row[2]], followed.get(row[0], []),
                                       changed_on.get(row[0]))
        self.write(ids, new_schedules)

    def item(self, rng, row, holder, followed, changed_on) -> list[Schedule]:
        (pk, type_id, unit_id, serial, quantity, grade, condition, usage, km, hours, rounds, registered,
         in_service) = row
        kind = self.types[type_id]
        branch = kind.branch.code
        item = Item(pk=pk, type=kind, unit_id=unit_id, serial=serial, grade=grade)
        item._state.adding = False
        start = datetime.date(in_service, 1, 1) if in_service and in_service <= registered.year else registered
        meters = self.meters(rng, item, start, {"km": km, "engine_hours": hours, "rounds": rounds})

        def readings(day):
            return {meter: _value(meter, line.at(day)) for meter, line in meters.items()}

        # The regimes it follows now, by level.
        by_level = {}
        for schedule in followed:
            rule = self.rules[schedule["rule_id"]]
            if schedule["active"]:
                by_level[rule.level] = rule
        events = []  # (day, level, order or None: a technical day's, made on first use)
        calendar = self.calendars[holder]
        for day, levels in calendar.dates.items():
            if day < registered or rng.random() < SKIPPED:
                continue
            mine = {level for level in levels if level in by_level}
            covered = {lower for level in mine for lower in by_level[level].covered}
            for level in mine - covered:
                events.append((day, level, None))
        events += self.maintenance(rng, item, by_level, meters, registered)
        events.sort(key=lambda event: (event[0], event[1]))
        # Schedules: from the first work of each level (or a start within one interval), moved on by
        # every piece of work of its level or of a level whose rule covers it.
        state = {}
        first = {}
        for day, level, _order in events:
            first.setdefault(level, day)
        for level, rule in by_level.items():
            days = rule.interval_days or 365
            since = (max(registered, first[level] - datetime.timedelta(days=days)) if level in first
                     else max(registered, self.today - datetime.timedelta(days=rng.randint(0, days))))
            schedule = Schedule(item_id=pk, unit_id=unit_id, rule=rule, active=True, since=since)
            self._advance(schedule, rule, since, readings(since), done=False)
            state[level] = schedule
        for day, level, order in events:
            values = readings(day)
            primary = state[level]
            due_on = primary.next_due_on
            on_time = not schedules._late(primary, primary.rule, day, values)
            for lower in {level, *primary.rule.covered}:
                # Work before a schedule's start is before its recorded history: it does not count.
                if lower in state and state[lower].since <= day:
                    self._advance(state[lower], state[lower].rule, day, values)
            if order is None:
                order = self.technical_day(holder, day, level)
            ok = rng.random() >= PROBLEM or order.kind != WorkKind.PRESERVATION
            self.lines.append(WorkOrderItem(work_order=order, item=item, grade_before=grade, ok=ok,
                                            note="" if ok else rng.choice(PROBLEM_NOTES), due_on=due_on,
                                            on_time=on_time, **values))
        current = readings(self.today)
        for schedule in state.values():
            schedule.meter_due = schedules._meter_due(schedule, current)
        # Keep the schedules the item no longer follows as they were (suspended).
        kept = [Schedule(item_id=pk, unit_id=unit_id, rule_id=s["rule_id"], active=False, since=s["since"],
                         next_due_on=s["since"] + datetime.timedelta(days=self.rules[s["rule_id"]].interval_days or 0))
                for s in followed if not s["active"]]
        if quantity == 1:
            self.repairs(rng, item, branch, unit_id, registered, condition, usage, changed_on, readings)
        elif condition != Condition.READY:
            self.open_fault(rng, item, branch, unit_id, condition, usage, changed_on or registered, readings)
        return list(state.values()) + kept

    @staticmethod
    def _advance(schedule, rule, day, values, done=True):
        schedules._advance(schedule, rule, day, values)
        if not done:
            schedule.last_done_on = None
            for field in schedules.LAST.values():
                setattr(schedule, field, None)

    def technical_day(self, holder, day, level) -> WorkOrder:
        key = (holder, day, level)
        order = self.technical.get(key)
        if order is None:
            order = self.technical[key] = self.order(holder, WorkKind.PRESERVATION, level, day,
                                                     description=f"Ngày kỹ thuật {day:%d/%m/%Y}")
            self.days.append(TechnicalDay(unit_id=holder, date=day, level=level, work_order=order))
        return order

    # --- meters and usage ---------------------------------------------------------------------------
    def meters(self, rng, item, start, current: dict) -> dict[str, Meter]:
        result = {}
        for meter in METER_FIELDS:
            value = current[meter]
            if value is None:
                continue
            total = int(Decimal(value) * SCALE[meter])
            days = max((self.today - start).days, 1)
            if meter == "rounds":
                dates = [datetime.date(self.today.year - back, rng.randint(3, 9), rng.randint(1, 28))
                         for back in range(self.depth.firing_years)]
                amounts = [rng.randint(10, 60) for _ in dates]
            else:
                dates = [_wd(self.today - datetime.timedelta(days=30 * back + rng.randint(0, 20)), rng.randint(0, 6))
                         for back in range(self.depth.usage_months)]
                amounts = [int(total / days * 30 * rng.uniform(0.5, 1.5)) for _ in dates]
            pairs = sorted((day, amount) for day, amount in zip(dates, amounts, strict=True)
                           if start < day <= self.today and amount > 0)
            if sum(amount for _day, amount in pairs) > total // 2:
                pairs = []
            after = total - sum(amount for _day, amount in pairs)
            line = Meter(start, after, self.today)
            for day, amount in pairs:
                after += amount
                line.dates.append(day)
                line.after.append(after)
                self.usage(rng, item, meter, day, amount, after)
            result[meter] = line
        return result

    def usage(self, rng, item, meter, day, amount, after) -> None:
        log = UsageLog(item=item, unit_id=item.unit_id, date=day, operator="",
                       **{meter: _value(meter, amount), f"{meter}_after": _value(meter, after)})
        if meter == "rounds":
            log.purpose = "Bắn đạn thật huấn luyện"
        else:
            log.purpose, log.route = rng.choice(PURPOSES), rng.choice(ROUTES)
        log.search_text = log.build_search_text()
        self.logs.append(log)

    # --- maintenance by km / hours / time ------------------------------------------------------------
    def maintenance(self, rng, item, by_level, meters, registered) -> list[tuple]:
        first_rule, second_rule = by_level.get(Level.MAINT_1), by_level.get(Level.MAINT_2)
        if first_rule is None:
            return []
        horizon = max(registered, self.today - datetime.timedelta(days=365 * self.depth.years))
        pending_after = self.today - datetime.timedelta(days=rng.choice([0, 10, 25, 45, 60]))
        last = {Level.MAINT_1: horizon, Level.MAINT_2: horizon}

        def due(rule, since):
            when = since + datetime.timedelta(days=rule.interval_days)
            for meter, interval in rule.intervals().items():
                line = meters.get(meter)
                if line is not None:
                    reached = line.reaches(line.at(since) + interval * SCALE[meter])
                    if reached is not None and reached < when:
                        when = reached
            return when

        events = []
        while True:
            first_due = due(first_rule, last[Level.MAINT_1])
            level, when = Level.MAINT_1, first_due
            if second_rule is not None:
                second_due = due(second_rule, last[Level.MAINT_2])
                if second_due <= first_due + datetime.timedelta(days=60):
                    level, when = Level.MAINT_2, second_due
            day = max(when + datetime.timedelta(days=rng.randint(-12, 9)), last[Level.MAINT_1] + 30 * DAY)
            if day > pending_after:
                break
            rule = by_level[level]
            place = Place.UNIT if level == Level.MAINT_1 else Place.WORKSHOP
            order = self.order(item.unit_id, level, level, day, place, description=rule.name)
            order.labour_hours = Decimal(rng.choice([4, 6, 8, 12] if level == Level.MAINT_1 else [16, 24, 32]))
            meter = next((m for m in ("km", "engine_hours") if m in meters), None)
            for name, measure, price, quantity in MAINT_PARTS.get(meter, []):
                self.parts.append(WorkOrderPart(work_order=order, name=name, quantity=quantity,
                                                unit_of_measure=measure, unit_price=price))
            events.append((day, level, order))
            last[Level.MAINT_1] = day
            if level == Level.MAINT_2:
                last[Level.MAINT_2] = day
        return events

    # --- faults and repairs --------------------------------------------------------------------------
    def repairs(self, rng, item, branch, unit_id, registered, condition, usage, changed_on, readings) -> None:
        horizon = max(registered, self.today - datetime.timedelta(days=365 * self.depth.years))
        span = (self.today - horizon).days - 30
        current_since = changed_on or registered
        if span > 0:
            expected = FAULT_RATE.get(branch, 0.05) * span / 365
            count = int(expected) + (rng.random() < expected - int(expected))
            days = sorted(horizon + datetime.timedelta(days=rng.randint(0, span)) for _ in range(count))
            free = horizon
            for reported in days:
                if reported < free:
                    continue
                kind, place, _share, (shortest, longest) = rng.choices(REPAIRS, [r[2] for r in REPAIRS])[0]
                fixed = reported + datetime.timedelta(days=rng.randint(shortest, longest))
                # Closed faults end before the item's current state began (a fault open today began it).
                limit = current_since if condition != Condition.READY else self.today - DAY
                if fixed > limit:
                    break
                started = reported + datetime.timedelta(days=rng.randint(0, min(3, (fixed - reported).days)))
                self.repair(rng, item, branch, unit_id, kind, place, reported, started, fixed, readings)
                free = fixed + DAY
        if condition != Condition.READY:
            self.open_fault(rng, item, branch, unit_id, condition, usage, current_since, readings)

    def repair(self, rng, item, branch, unit_id, kind, place, reported, started, fixed, readings,
               status=None) -> WorkOrder:
        severity = Severity.UNUSABLE if kind != WorkKind.REPAIR_MINOR or rng.random() < 0.4 else Severity.LIMITING
        description = rng.choice(FAULTS.get(branch, FAULTS["CNTT"]))
        order = self.order(unit_id, kind, "", fixed, place, start=started, status=status,
                           description=f"Sửa chữa: {description.lower()}")
        order.labour_hours = Decimal(rng.randint(2, 16) if kind == WorkKind.REPAIR_MINOR else rng.randint(24, 400))
        order.other_cost = Decimal(rng.randrange(0, 2_000_000, 50_000) if kind == WorkKind.REPAIR_MINOR
                                   else rng.randrange(2_000_000, 60_000_000, 500_000))
        catalogue = PARTS.get(branch, PARTS["CNTT"])
        for name, measure, price in rng.sample(catalogue, rng.randint(1, min(3, len(catalogue)))):
            self.parts.append(WorkOrderPart(work_order=order, name=name, quantity=rng.randint(1, 4),
                                            unit_of_measure=measure, unit_price=price))
        done = status is None
        fault = Fault(item=item, unit_id=unit_id, reported_on=reported, reported_by=self.user, severity=severity,
                      description=description, status=FaultStatus.FIXED if done else FaultStatus.OPEN,
                      fixed_on=fixed if done else None, work_order=order)
        fault.search_text = fault.build_search_text()
        self.faults.append(fault)
        self.lines.append(WorkOrderItem(work_order=order, item=item, grade_before=item.grade,
                                        grade_after=item.grade if done else None,
                                        usage_before=UsageState.IN_USE if kind != WorkKind.REPAIR_MINOR else "",
                                        ok=done, **(readings(fixed) if done else {})))
        return order

    def open_fault(self, rng, item, branch, unit_id, condition, usage, since, readings) -> None:
        """The fault that makes the item limited or unusable now; an item in repair is at the workshop or
        the factory for it, a limited item may have a minor repair planned."""
        severity = Severity.UNUSABLE if condition == Condition.UNUSABLE else Severity.LIMITING
        reported = min(since, self.today)
        if usage == UsageState.IN_REPAIR:
            kind, place = rng.choice([(WorkKind.REPAIR_MEDIUM, Place.WORKSHOP), (WorkKind.REPAIR_MAJOR, Place.FACTORY),
                                      (WorkKind.REPAIR_MEDIUM, Place.WORKSHOP)])
            started = min(reported + datetime.timedelta(days=rng.randint(1, 20)), self.today)
            status = rng.choice([WorkStatus.IN_PROGRESS, WorkStatus.IN_PROGRESS, WorkStatus.WAITING_PARTS])
            order = self.repair(rng, item, branch, unit_id, kind, place, reported, started, started, readings,
                                status=status)
            order.finished_on = None
            self.faults[-1].severity = Severity.UNUSABLE
            return
        fault = Fault(item=item, unit_id=unit_id, reported_on=reported, reported_by=self.user, severity=severity,
                      description=rng.choice(FAULTS.get(branch, FAULTS["CNTT"])), status=FaultStatus.OPEN)
        if severity == Severity.LIMITING and rng.random() < 0.3:
            start = max(reported, self.today) + datetime.timedelta(days=rng.randint(1, 20))
            order = self.order(unit_id, WorkKind.REPAIR_MINOR, "", start, Place.UNIT, start=start,
                               status=WorkStatus.PLANNED, description=f"Sửa chữa: {fault.description.lower()}")
            self.lines.append(WorkOrderItem(work_order=order, item=item, grade_before=item.grade))
            fault.work_order = order
        fault.search_text = fault.build_search_text()
        self.faults.append(fault)

    # --- writing ---------------------------------------------------------------------------------------
    def write(self, item_ids: list[int], new_schedules: list[Schedule]) -> None:
        self.orders.sort(key=lambda order: (order.planned_start, order.kind))
        for order in self.orders:
            prefix = NUMBER_PREFIX[order.kind]
            key = (order.unit_id, prefix, order.planned_start.year)
            self.numbers[key] += 1
            order.number = f"{prefix}-{order.planned_start.year}-{self.numbers[key]:04d}"
            order.search_text = order.build_search_text()
        bulk_insert(self.orders)
        record_bulk(self.orders)
        # Rows were made with their order unsaved: assigning it again takes its id.
        for line in self.lines:
            line.work_order = line.work_order
        bulk_insert(self.lines)
        record_bulk(self.lines)
        counts = defaultdict(lambda: [0, 0])
        for line in self.lines:
            counts[line.work_order_id][0] += 1
            counts[line.work_order_id][1] += not line.ok
        for day in self.days:
            day.work_order = day.work_order
            day.item_count, day.problem_count = counts[day.work_order.pk]
        bulk_insert(self.days)
        record_bulk(self.days)
        for part in self.parts:
            part.work_order = part.work_order
        bulk_insert(self.parts)
        for fault in self.faults:
            fault.work_order = fault.work_order
        bulk_insert(self.faults)
        record_bulk(self.faults)
        bulk_insert(self.logs)
        record_bulk(self.logs)
        table = connection.ops.quote_name(Schedule._meta.db_table)
        with connection.cursor() as cursor:
            for start in range(0, len(item_ids), 5000):
                chunk = item_ids[start:start + 5000]
                cursor.execute(f"DELETE FROM {table} WHERE item_id IN ({', '.join(['%s'] * len(chunk))})", chunk)
        bulk_insert(new_schedules)
        for name, rows in (("work orders", self.orders), ("work lines", self.lines), ("technical days", self.days),
                           ("faults", self.faults), ("usage logs", self.logs), ("schedules", new_schedules)):
            self.counts[name] += len(rows)


def build_history(*, seed: int = 2026, today: datetime.date | None = None) -> dict[str, int] | None:
    """Maintenance history for the register as it stands; None when it has some already (idempotent)."""
    if WorkOrder.objects.exists():
        return None
    today = today or timezone.localdate()
    schedules.sync(None, since=today)
    User = get_user_model()
    user = User.objects.filter(username="chunhiem").first() or User.objects.filter(is_superuser=True).first()
    total = Item.objects.active().count()
    builder = Builder(seed=seed, today=today, depth=depth_for(total), user=user)
    units = list(Unit.objects.order_by("path"))
    holder = _holders(units)
    held = set(Item.objects.active().values_list("unit_id", flat=True).distinct())
    groups = defaultdict(list)
    for unit in units:
        if unit.pk in held:
            groups[holder[unit.pk]].append(unit.pk)
    sizes = dict(Item.objects.active().values_list("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))
    batch, size = {}, 0
    for root, members in groups.items():
        batch[root] = members
        size += sum(sizes.get(unit, 0) for unit in members)
        if size >= BATCH_ITEMS:
            builder.build(batch)
            batch, size = {}, 0
    if batch:
        builder.build(batch)
    return dict(builder.counts)


def run(options: dict) -> list[str]:
    counts = build_history(seed=options["seed"])
    if counts is None:
        return ["Lịch sử bảo quản, bảo dưỡng, sửa chữa / maintenance history: đã có / already built."]
    return [f"Bảo quản, bảo dưỡng, sửa chữa / maintenance: {counts.get('work orders', 0)} phiếu / work orders, "
            f"{counts.get('work lines', 0)} dòng / lines, {counts.get('technical days', 0)} ngày kỹ thuật / "
            f"technical days, {counts.get('faults', 0)} hỏng hóc / faults, {counts.get('usage logs', 0)} "
            f"lần khai thác / usage logs, {counts.get('schedules', 0)} lịch / schedules."]
