"""`kythuat demo` builds a maintenance history consistent with the register it stands behind."""

import datetime
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from kythuat.equipment.choices import Condition, UsageState
from kythuat.equipment.models import Item
from kythuat.maintenance import selectors
from kythuat.maintenance.choices import FINISHED_WORK, REPAIR_KINDS, FaultStatus, Severity
from kythuat.maintenance.models import (
    METER_FIELDS,
    Fault,
    Schedule,
    TechnicalDay,
    UsageLog,
    WorkOrder,
    WorkOrderItem,
)
from kythuat.org.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


def test_demo_history_is_consistent_with_the_register_and_built_once():
    """One build (a few seconds), every rule checked on it."""
    out = io.StringIO()
    call_command("demo", items=1200, stdout=out)
    assert "work orders" in out.getvalue()
    _meters_never_go_backwards_and_end_at_the_items_meters()
    _open_faults_match_the_items_condition()
    _schedules_agree_with_the_last_work_that_fulfilled_them()
    _due_list_has_every_bucket_and_posts_hold_weekly_technical_days()
    _history_is_built_once()


def _meters_never_go_backwards_and_end_at_the_items_meters():
    items = {item.pk: item for item in Item.objects.all()}
    logs = defaultdict(list)
    for log in UsageLog.objects.order_by("date", "id"):
        logs[log.item_id].append(log)
    assert sum(len(item_logs) for item_logs in logs.values()) > 100
    checked = 0
    for item_id, item_logs in logs.items():
        for meter in METER_FIELDS:
            rows = [log for log in item_logs if getattr(log, f"{meter}_after") is not None]
            if not rows:
                continue
            previous = getattr(rows[0], f"{meter}_after") - getattr(rows[0], meter)
            assert previous >= 0
            for log in rows:
                used, after = getattr(log, meter), getattr(log, f"{meter}_after")
                assert used >= 0 and after == previous + used, (item_id, meter, log.date)
                previous = after
            assert previous == getattr(items[item_id], meter), (item_id, meter)
            checked += 1
    assert checked > 100
    # Work lines read the meters of their day: never more than today's reading, never falling.
    for item_id, line_km in (WorkOrderItem.objects.filter(km__isnull=False, work_order__finished_on__isnull=False)
                             .order_by("item_id", "work_order__finished_on", "id")
                             .values_list("item_id", "km"))[:5000]:
        assert line_km <= items[item_id].km


def _open_faults_match_the_items_condition():
    worst = {}
    for item_id, severity in Fault.objects.filter(status=FaultStatus.OPEN).values_list("item_id", "severity"):
        if worst.get(item_id) != Severity.UNUSABLE:
            worst[item_id] = severity
    expected = {None: Condition.READY, Severity.LIMITING: Condition.LIMITED, Severity.UNUSABLE: Condition.UNUSABLE}
    items = Item.objects.exclude(usage_state=UsageState.STRUCK_OFF)
    assert items.exclude(condition=Condition.READY).count() > 50
    for item in items:
        assert item.condition == expected[worst.get(item.pk)], item.pk
    # An item in repair is at the workshop or the factory for its open fault.
    for fault in Fault.objects.filter(status=FaultStatus.OPEN, item__usage_state=UsageState.IN_REPAIR):
        assert fault.work_order.kind in ("repair_medium", "repair_major") and fault.work_order.is_open
    # Closed faults were fixed by a finished repair of the item, on the day it finished.
    fixed = Fault.objects.filter(status=FaultStatus.FIXED).select_related("work_order")
    assert fixed.count() > 50
    for fault in fixed:
        order = fault.work_order
        assert order.kind in REPAIR_KINDS and order.status in FINISHED_WORK and order.finished_on == fault.fixed_on
        assert order.lines.filter(item_id=fault.item_id).exists()
        assert fault.reported_on <= order.started_on <= order.finished_on


def _schedules_agree_with_the_last_work_that_fulfilled_them():
    schedules = list(Schedule.objects.filter(active=True).select_related("rule"))
    assert len(schedules) > 2000
    # Each item's rule by level, and the levels each piece of work fulfilled on it.
    rules = defaultdict(dict)
    for schedule in schedules:
        rules[schedule.item_id][schedule.rule.level] = schedule.rule
    done = defaultdict(list)  # (item, level) -> [(day, km, hours, rounds)]
    for item_id, level, day, *meters in (WorkOrderItem.objects.filter(work_order__finished_on__isnull=False)
                                         .exclude(work_order__level="")
                                         .values_list("item_id", "work_order__level", "work_order__finished_on",
                                                      *METER_FIELDS)):
        rule = rules[item_id].get(level)
        if rule is None:
            continue
        for fulfilled in {level, *rule.covered}:
            done[(item_id, fulfilled)].append((day, *meters))
    with_work = 0
    for schedule in schedules:
        rule = schedule.rule
        work = [entry for entry in done[(schedule.item_id, rule.level)] if entry[0] >= schedule.since]
        if schedule.last_done_on is None:
            assert not work, schedule.pk
            assert schedule.next_due_on == schedule.since + datetime.timedelta(days=rule.interval_days)
            continue
        with_work += 1
        last = max(work)
        assert schedule.last_done_on == last[0], schedule.pk
        assert schedule.next_due_on == last[0] + datetime.timedelta(days=rule.interval_days)
        readings = dict(zip(METER_FIELDS, last[1:], strict=True))
        for meter, interval in rule.intervals().items():
            assert getattr(schedule, f"next_{meter}") == (readings[meter] or 0) + interval
    assert with_work > len(schedules) * 0.8
    # Meter flags agree with the items' meters as they stand.
    meters = {row[0]: row[1:] for row in Item.objects.values_list("id", *METER_FIELDS)}
    for schedule in schedules:
        reached = any(due is not None and value is not None and value >= due for due, value in zip(
            (schedule.next_km, schedule.next_engine_hours, schedule.next_rounds), meters[schedule.item_id],
            strict=True))
        assert schedule.meter_due == reached, schedule.pk


def _due_list_has_every_bucket_and_posts_hold_weekly_technical_days():
    from django.contrib.auth import get_user_model

    head = get_user_model().objects.get(username="chunhiem")
    counts = selectors.due_counts(selectors.due_schedules(head))
    assert all(counts[bucket] > 0 for bucket in ("overdue", "due_week", "due_month", "meter_due")), counts
    today = timezone.localdate()
    posts = Unit.objects.active_on().filter(kind=UnitKind.BORDER_POST, items__isnull=False).distinct()
    assert posts.count() == 12
    for post in posts:
        # The weekly technical day (the last of a month is the monthly or quarterly one).
        days = sorted({day for day in TechnicalDay.objects.filter(unit=post, level__in=(
            "tech_day", "monthly", "quarterly")).values_list("date", flat=True)}, reverse=True)[:4]
        assert days[0] >= today - datetime.timedelta(days=21), post.code
        assert all(a - b == datetime.timedelta(weeks=1) for a, b in zip(days, days[1:], strict=False)), days
        day = TechnicalDay.objects.filter(unit=post).select_related("work_order").first()
        assert day.item_count == day.work_order.lines.count() > 0
    # Fifteen years of work, with parts and cost for repairs and maintenance.
    oldest = WorkOrder.objects.order_by("planned_start").values_list("planned_start", flat=True).first()
    assert oldest <= today - datetime.timedelta(days=365 * 12)
    assert WorkOrder.objects.filter(kind="maint_2").exists() and WorkOrder.objects.filter(kind="repair_major").exists()
    assert WorkOrder.objects.filter(parts__unit_price__gt=Decimal(0)).exists()


def _history_is_built_once():
    counts = (WorkOrder.objects.count(), WorkOrderItem.objects.count(), Fault.objects.count(),
              UsageLog.objects.count(), Schedule.objects.count())
    out = io.StringIO()
    call_command("demo", items=1200, stdout=out)
    assert (WorkOrder.objects.count(), WorkOrderItem.objects.count(), Fault.objects.count(),
            UsageLog.objects.count(), Schedule.objects.count()) == counts
    assert "already built" in out.getvalue()
