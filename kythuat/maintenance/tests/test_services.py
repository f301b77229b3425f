"""The maintenance engine: schedules follow the rules, work moves them on, faults drive condition."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from kythuat.core.models import AuditEntry
from kythuat.equipment.choices import Condition, UsageState
from kythuat.equipment.models import EquipmentType, GradeChange, Item
from kythuat.maintenance import schedules, services
from kythuat.maintenance.choices import FaultStatus, Level, WorkKind, WorkStatus
from kythuat.maintenance.models import MaintenanceRule, Schedule, TechnicalDay, WorkOrderItem

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def item(org, code, serial, unit=None, **kwargs):
    return Item.objects.create(type=EquipmentType.objects.get(code=code), unit=unit or org.team1, serial=serial,
                               grade=2, registered_on=datetime.date(2020, 1, 1), **kwargs)


def levels(obj):
    return sorted(s.rule.level for s in Schedule.objects.filter(item=obj, active=True).select_related("rule"))


def test_items_follow_their_rules_by_type_group_branch_and_usage_state(org):
    rifle = item(org, "AK", "AK-1")
    truck = item(org, "UAZ469", "50-01", km=Decimal("12000"))
    ammo = Item.objects.create(type=EquipmentType.objects.get(code="D762X39"), unit=org.team1, quantity=5000,
                               grade=1, registered_on=datetime.date(2020, 1, 1))
    # The branch's regimes for a rifle; the group "Đạn" has weekly and monthly checks of its own and
    # keeps the branch's seasonal preservation and technical month.
    assert levels(rifle) == ["monthly", "seasonal", "tech_day", "tech_month"]
    assert levels(ammo) == ["monthly", "seasonal", "tech_day", "tech_month"]
    assert {s.rule.name for s in Schedule.objects.filter(item=ammo, rule__level__in=["tech_day", "monthly"])} == {
        "Kiểm tra kho, hòm đạn hằng tuần", "Bảo quản đạn hằng tháng"}
    assert levels(truck) == ["maint_1", "maint_2", "monthly", "quarterly", "seasonal", "tech_day"]
    level1 = Schedule.objects.get(item=truck, rule__level="maint_1")
    assert level1.next_km == Decimal("17000") and level1.next_due_on == TODAY + 180 * DAY
    # Sealed: the storage regime instead; back in use: the in-use regime again, its past kept.
    truck.usage_state = UsageState.SEALED
    truck.save()
    assert levels(truck) == ["represerve", "sealed_check"]
    truck.usage_state = UsageState.IN_USE
    truck.save()
    assert "maint_1" in levels(truck) and "sealed_check" not in levels(truck)
    # A type's own rule of a level replaces the branch's.
    own = MaintenanceRule.objects.create(name="Tuần AK riêng", type=rifle.type, level=Level.TECH_DAY, interval_days=5)
    schedules.sync()
    assert Schedule.objects.get(item=rifle, rule__level="tech_day", active=True).rule == own


def test_usage_moves_meters_flags_due_by_meter_and_refuses_going_backwards(org):
    truck = item(org, "UAZ469", "50-02", km=Decimal("4900"))
    log = services.log_usage(user=org.technician1, item=truck, km_after=Decimal("5000"), purpose="Tuần tra")
    truck.refresh_from_db()
    assert log.km == Decimal("100") and truck.km == Decimal("5000")
    assert not Schedule.objects.get(item=truck, rule__level="maint_1").meter_due
    services.log_usage(user=org.technician1, item=truck, km=Decimal("5200"))
    assert Schedule.objects.get(item=truck, rule__level="maint_1").meter_due  # 4,900 + 5,000 reached
    assert Schedule.objects.due_by(TODAY).filter(item=truck).count() == 1
    with pytest.raises(ValidationError) as error:
        services.log_usage(user=org.technician1, item=truck, km_after=Decimal("9000"))
    assert "backwards" in str(error.value) or "không được giảm" in str(error.value)
    with pytest.raises(ValidationError):
        services.log_usage(user=org.technician1, item=truck, rounds=10)  # a truck fires no rounds
    assert AuditEntry.objects.filter(content_type__model="usagelog").count() == 2


def test_fault_repair_cycle_drives_condition_usage_and_schedules(org):
    engine = item(org, "YAM40", "YM-01", engine_hours=Decimal("300"))
    fault = services.report_fault(user=org.technician1, item=engine, severity="unusable",
                                  description="Máy không nổ, bơm nhiên liệu hỏng")
    engine.refresh_from_db()
    assert engine.condition == Condition.UNUSABLE
    order = services.open_repair(user=org.officer1, fault=fault, kind=WorkKind.REPAIR_MEDIUM, place="workshop")
    services.start_work(work_order=order, user=org.technician1)
    engine.refresh_from_db()
    assert engine.usage_state == UsageState.IN_REPAIR
    order = services.wait_for_parts(work_order=order, user=org.technician1)
    assert order.status == WorkStatus.WAITING_PARTS
    order = services.start_work(work_order=order, user=org.technician1)
    with pytest.raises(ValidationError):
        services.complete_work(work_order=order, user=org.technician1,
                               results={engine.pk: {"engine_hours": "250"}})  # backwards
    order = services.complete_work(work_order=order, user=org.technician1, labour_hours=Decimal("6"),
                                   results={engine.pk: {"engine_hours": "302", "grade_after": 3}},
                                   parts=[{"name": "Bơm nhiên liệu", "quantity": 1, "unit_price": 2_500_000}])
    engine.refresh_from_db()
    fault.refresh_from_db()
    assert order.status == WorkStatus.DONE and order.total_cost == Decimal("2500000")
    assert fault.status == FaultStatus.FIXED and fault.fixed_on == TODAY
    assert engine.condition == Condition.READY and engine.usage_state == UsageState.IN_USE
    assert engine.engine_hours == Decimal("302") and engine.grade == 2  # the grade waits for a commander
    draft = GradeChange.objects.get()
    assert draft.status == "draft" and draft.lines.get().grade_after == 3
    assert WorkOrderItem.objects.get(work_order=order).grade_change == draft


def test_maintenance_moves_schedules_on_and_counts_on_time(org):
    truck = item(org, "UAZ469", "50-03", km=Decimal("1000"))
    order = services.plan_work(user=org.officer1, unit=org.post1, kind=WorkKind.MAINT_1, items=[truck.pk])
    services.complete_work(work_order=order, user=org.technician1, results={truck.pk: {"km": "1200"}})
    line = WorkOrderItem.objects.get(work_order=order)
    assert line.on_time is True and line.due_on == TODAY + 180 * DAY
    level1 = Schedule.objects.get(item=truck, rule__level="maint_1")
    assert level1.last_done_on == TODAY and level1.next_km == Decimal("6200")
    # Level 1 also counts as the weekly and monthly runs.
    assert Schedule.objects.get(item=truck, rule__level="monthly").last_done_on == TODAY
    assert Schedule.objects.get(item=truck, rule__level="quarterly").last_done_on is None


def test_late_work_is_not_on_time(org):
    rifle = item(org, "AK", "AK-9")
    Schedule.objects.filter(item=rifle, rule__level="tech_day").update(next_due_on=TODAY - 10 * DAY)
    day = services.record_technical_day(user=org.technician1, unit=org.post1, lines=[(rifle.pk, True, "")])
    line = day.work_order.lines.get()
    assert line.on_time is False and line.due_on == TODAY - 10 * DAY
    assert Schedule.objects.get(item=rifle, rule__level="tech_day").next_due_on == TODAY + 7 * DAY


def test_technical_day_records_every_ticked_item_in_one_step(org):
    rifles = [item(org, "AK", f"AK-T{n}") for n in range(30)]
    other = item(org, "AK", "AK-OTHER", unit=org.team2)
    lines = [(r.pk, n != 3, "Nòng gỉ" if n == 3 else "") for n, r in enumerate(rifles)]
    day = services.record_technical_day(user=org.technician1, unit=org.post1, lines=lines)
    assert (day.item_count, day.problem_count) == (30, 1)
    assert day.work_order.status == WorkStatus.DONE and day.work_order.lines.count() == 30
    assert Schedule.objects.filter(item__in=rifles, rule__level="tech_day", last_done_on=TODAY).count() == 30
    assert AuditEntry.objects.filter(content_type__model="workorderitem").count() == 30
    with pytest.raises(ValidationError):  # the same regime twice on one day
        services.record_technical_day(user=org.technician1, unit=org.post1, lines=lines)
    with pytest.raises(ValidationError):  # an item of another post
        services.record_technical_day(user=org.admin, unit=org.post1, date=TODAY - DAY, lines=[(other.pk, True, "")])
    assert TechnicalDay.objects.count() == 1


def test_seal_and_unseal_switch_regimes(org):
    truck = item(org, "UAZ469", "50-04", km=Decimal("100"))
    order = services.plan_work(user=org.officer1, unit=org.post1, kind=WorkKind.SEAL, items=[truck.pk])
    services.complete_work(work_order=order, user=org.officer1)
    truck.refresh_from_db()
    assert truck.usage_state == UsageState.SEALED and levels(truck) == ["represerve", "sealed_check"]
    assert Schedule.objects.get(item=truck, rule__level="represerve").last_done_on == TODAY
    order = services.plan_work(user=org.officer1, unit=org.post1, kind=WorkKind.UNSEAL, items=[truck.pk])
    services.complete_work(work_order=order, user=org.officer1)
    truck.refresh_from_db()
    assert truck.usage_state == UsageState.IN_USE
    assert Schedule.objects.get(item=truck, rule__level="maint_1").last_done_on == TODAY


def test_technician_cannot_act_outside_or_verify(org):
    rifle = item(org, "AK", "AK-X", unit=org.team2)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.report_fault(user=org.technician1, item=rifle, severity="limiting", description="x")
    mine = item(org, "AK", "AK-Y")
    order = services.plan_work(user=org.technician1, unit=org.post1, kind=WorkKind.REPAIR_MINOR, items=[mine.pk])
    services.complete_work(work_order=order, user=org.technician1)
    with pytest.raises(PermissionDenied):
        services.verify_work(work_order=order, user=org.technician1)
    assert services.verify_work(work_order=order, user=org.officer1).status == WorkStatus.VERIFIED


def test_schedules_move_with_their_item_and_a_post_sees_only_its_own_due(org):
    from kythuat.equipment import services as register
    from kythuat.maintenance import selectors

    truck = item(org, "UAZ469", "50-05", km=Decimal("100"))
    stays = item(org, "AK", "AK-STAYS")
    ammo = Item.objects.create(type=EquipmentType.objects.get(code="D762X39"), unit=org.team1, quantity=5000,
                               grade=1, registered_on=datetime.date(2020, 1, 1))
    Schedule.objects.filter(item__in=[truck, stays, ammo]).update(next_due_on=TODAY)
    assert set(Schedule.objects.filter(item__in=[truck, stays, ammo]).values_list("unit", flat=True)) == {org.team1.pk}
    order = register.draft_transfer(user=org.officer1, from_unit=org.post1, to_unit=org.post2, number="02/LĐC",
                                    date=TODAY, reason="Điều chỉnh", lines=[(truck.pk, None), (ammo.pk, 1200)])
    register.approve_transfer(transfer=order, user=org.commander1)
    register.complete_transfer(transfer=order, user=org.officer1)
    arrived = order.lines.get(item=ammo).moved_item
    # Every schedule carries its item's holder, suspended ones too (a sealed item's in-use regime).
    assert not Schedule.objects.exclude(unit=F("item__unit")).exists()
    assert set(Schedule.objects.filter(item__in=[truck, arrived]).values_list("unit", flat=True)) == {org.post2.pk}
    assert set(Schedule.objects.filter(item__in=[stays, ammo]).values_list("unit", flat=True)) == {org.team1.pk}

    def due_items(user, unit=None):
        return set(selectors.due_schedules(user, unit=unit).values_list("item", flat=True))

    assert due_items(org.officer2) == {truck.pk, arrived.pk}
    assert due_items(org.officer1) == {stays.pk, ammo.pk}
    assert due_items(org.admin, unit=org.post2) == {truck.pk, arrived.pk}
    assert due_items(org.officer1, unit=org.post2) == set()  # another post: nothing, even when asked
    # The day's summaries count the truck at its new holder.
    selectors.summarise_due()
    from kythuat.maintenance.models import DueSummary
    summaries = {s.unit_id: s.overdue + s.due_week + s.due_month + s.meter_due for s in DueSummary.objects.all()}
    assert summaries[org.post2.pk] == Schedule.objects.due_by(TODAY + selectors.MONTH).filter(
        item__unit=org.post2).count() > 0


def test_a_large_sync_refreshes_the_statistics_first_and_makes_the_same_schedules(org, monkeypatch):
    """From ANALYZE_FROM items on, PostgreSQL's statistics are refreshed inside the transaction before
    the schedules are made (lowered here so that a test reaches it); what is made does not change.
    The ANALYZE is caught, not run: run on a test's few rows it would leave the table's size in
    pg_class (written in place, kept after the rollback) at a few rows, and later tests that write
    thousands would be planned as nested loops over "empty" tables."""
    from django.db import connection

    rifle = item(org, "AK", "AK-AN1")
    expected = levels(rifle)
    Schedule.objects.filter(item=rifle).delete()
    monkeypatch.setattr(schedules, "ANALYZE_FROM", 1)
    analysed = []

    def catch_analyze(execute, sql, params, many, context):
        if sql.startswith("ANALYZE"):
            analysed.append(sql)
            return None
        return execute(sql, params, many, context)

    with connection.execute_wrapper(catch_analyze):
        made = schedules.sync(Item.objects.filter(pk=rifle.pk).values_list("id", flat=True), new=True)
    assert made == len(expected) and levels(rifle) == expected
    assert analysed == (["ANALYZE equipment_item, maintenance_schedule"]
                        if connection.vendor == "postgresql" else [])


def test_postgresql_knows_each_units_share_of_the_schedules():
    """maintenance/0007: PostgreSQL keeps 1,000 most common holding units of the schedules, so that a
    due list of units holding nothing due is not read by walking every schedule in date order."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting: SQLite plans from its own ANALYZE statistics")
    with connection.cursor() as cursor:
        cursor.execute("SELECT attstattarget FROM pg_attribute WHERE attrelid = 'maintenance_schedule'::regclass "
                       "AND attname = 'unit_id'")
        assert cursor.fetchone()[0] == 1000
