"""The maintenance pages as people use them: the due list, a technical day, a fault reported from the
item page, its repair through waiting for parts to done — each step checked against the rows."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from kythuat.equipment.choices import Condition, UsageState
from kythuat.equipment.models import EquipmentType, Item
from kythuat.maintenance.choices import FaultStatus, WorkStatus
from kythuat.maintenance.models import (
    Fault,
    MaintenanceRule,
    Schedule,
    TechnicalDay,
    UsageLog,
    WorkOrder,
    WorkOrderItem,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _item(org, code, serial, **kwargs):
    return Item.objects.create(type=EquipmentType.objects.get(code=code), unit=org.team1, serial=serial, grade=2,
                               registered_on=datetime.date(2020, 1, 1), **kwargs)


@pytest.fixture
def boat_engine(org):
    return _item(org, "YANMAR", "YM-6CH-0101", engine_hours=Decimal("1200"))


def test_due_list_counts_and_rows_match_the_schedules(org, boat_engine):
    rifle = _item(org, "AK", "AK-0001")
    Schedule.objects.filter(item=rifle, rule__level="tech_day").update(next_due_on=TODAY - datetime.timedelta(days=3))
    Schedule.objects.filter(item=boat_engine, rule__level="maint_1").update(meter_due=True)
    page = _client(org.users["technician1"]).get("/maintenance/")
    assert page.status_code == 200
    counts = page.context["counts"]
    mine = Schedule.objects.filter(active=True, item__unit=org.team1)
    assert counts["overdue"] == mine.filter(next_due_on__lt=TODAY).count() == 1
    assert counts["meter_due"] == mine.filter(meter_due=True).count() == 1
    overdue = _client(org.users["technician1"]).get("/maintenance/", {"bucket": "overdue"})
    rows = list(overdue.context["table"].data)
    assert [row.item_id for row in rows] == [rifle.pk]
    # The other post's officer sees none of these.
    other = _client(org.users["officer2"]).get("/maintenance/")
    assert other.context["counts"]["overdue"] == 0 and b"AK-0001" not in other.content


def test_due_list_exports_to_excel_with_date_cells(org, boat_engine):
    """The export holds the listed schedules, and its dates are date cells (dd/mm/yyyy), not text."""
    response = _client(org.users["officer1"]).get("/maintenance/", {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header, *rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()[2:]
    due = {schedule.pk: schedule.next_due_on for schedule in  # the page's rows (the same default filters)
           _client(org.users["officer1"]).get("/maintenance/").context["table"].data}
    assert len(rows) == len(due) > 0
    column = header.index("Hạn tiếp theo")
    assert {int(row[0]): row[column] for row in rows} == due
    assert all(isinstance(row[column], datetime.date) for row in rows)
    sheet = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/styles.xml").decode()
    assert "dd/mm/yyyy" in sheet


def test_technical_day_on_one_form_moves_the_schedules_on(org, boat_engine):
    rifle = _item(org, "AK", "AK-0002")
    client = _client(org.users["technician1"])
    form = client.get("/maintenance/technical-days/add/", {"unit": org.team1.pk, "date": TODAY.strftime("%d/%m/%Y"),
                                                           "level": "tech_day"})
    assert form.status_code == 200
    listed = [item.pk for item, _state in form.context["rows"]]
    assert set(listed) == {rifle.pk, boat_engine.pk}
    response = client.post("/maintenance/technical-days/add/", {
        "unit": org.team1.pk, "date": TODAY.strftime("%d/%m/%Y"), "level": "tech_day",
        "done": [rifle.pk, boat_engine.pk], f"note_{boat_engine.pk}": "Rò rỉ dầu nhẹ ở gioăng nắp máy"})
    assert response.status_code == 302
    day = TechnicalDay.objects.get()
    assert (day.item_count, day.problem_count) == (2, 1)
    lines = {line.item_id: line for line in WorkOrderItem.objects.filter(work_order=day.work_order)}
    assert lines[boat_engine.pk].ok is False and "gioăng" in lines[boat_engine.pk].note
    weekly = Schedule.objects.get(item=rifle, rule__level="tech_day")
    assert weekly.last_done_on == TODAY and weekly.next_due_on == TODAY + datetime.timedelta(days=7)
    # The same regime on the same day again is refused, naming the date.
    again = client.post("/maintenance/technical-days/add/", {
        "unit": org.team1.pk, "date": TODAY.strftime("%d/%m/%Y"), "level": "tech_day", "done": [rifle.pk]})
    assert again.status_code == 400 and TechnicalDay.objects.count() == 1
    assert again.context["form"].errors["date"]


def test_fault_form_from_the_item_page_offers_only_that_item(org, boat_engine):
    _item(org, "AK", "AK-0003")
    client = _client(org.users["technician1"])
    page = client.get(boat_engine.get_absolute_url())
    assert f"/maintenance/faults/add/?item={boat_engine.pk}".encode() in page.content
    form = client.get("/maintenance/faults/add/", {"item": boat_engine.pk})
    assert list(form.context["form"].fields["item"].queryset) == [boat_engine]


def test_usage_log_page_refuses_a_meter_going_backwards(org, boat_engine):
    client = _client(org.users["technician1"])
    response = client.post("/maintenance/usage/add/", {"item": boat_engine.pk, "date": TODAY.strftime("%d/%m/%Y"),
                                                       "engine_hours_after": "1100"})
    assert response.status_code == 400
    assert "1200" in str(response.context["form"].errors) or "1.200" in str(response.context["form"].errors)
    assert not UsageLog.objects.exists()
    ok = client.post("/maintenance/usage/add/", {"item": boat_engine.pk, "date": TODAY.strftime("%d/%m/%Y"),
                                                 "engine_hours": "6,5", "purpose": "Tuần tra cửa sông"})
    assert ok.status_code == 302
    boat_engine.refresh_from_db()
    assert boat_engine.engine_hours == Decimal("1206.5")


def test_fault_repair_waiting_for_parts_and_done_makes_the_engine_ready_again(org, boat_engine):
    technician = _client(org.users["technician1"])
    officer = _client(org.users["officer1"])
    response = technician.post("/maintenance/faults/add/", {
        "item": boat_engine.pk, "reported_on": TODAY.strftime("%d/%m/%Y"), "severity": "unusable",
        "description": "Máy không khởi động được, bơm cao áp hỏng"})
    assert response.status_code == 302
    fault = Fault.objects.get()
    boat_engine.refresh_from_db()
    assert boat_engine.condition == Condition.UNUSABLE

    response = officer.post(f"/maintenance/faults/{fault.pk}/repair/", {"kind": "repair_medium", "place": "workshop"})
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and response.url == order.get_absolute_url()
    assert order.status == WorkStatus.PLANNED and order.faults.get() == fault

    officer.post(f"/maintenance/work-orders/{order.pk}/start/", {"version": order.version})
    boat_engine.refresh_from_db()
    assert boat_engine.usage_state == UsageState.IN_REPAIR
    assert not Schedule.objects.filter(item=boat_engine, active=True).exists()  # no regime while in the shop
    order.refresh_from_db()
    officer.post(f"/maintenance/work-orders/{order.pk}/wait/", {"version": order.version})
    order.refresh_from_db()
    assert order.status == WorkStatus.WAITING_PARTS
    officer.post(f"/maintenance/work-orders/{order.pk}/start/", {"version": order.version})
    order.refresh_from_db()
    assert order.status == WorkStatus.IN_PROGRESS

    form = technician.get(f"/maintenance/work-orders/{order.pk}/complete/")
    assert form.status_code == 200
    response = technician.post(f"/maintenance/work-orders/{order.pk}/complete/", {
        "version": order.version, "on": TODAY.strftime("%d/%m/%Y"), "labour_hours": "12",
        "parts_text": "Bơm cao áp Yanmar × 1 × 18.500.000", "findings": "Thay bơm cao áp, chạy thử 2 giờ",
        f"ok_{boat_engine.pk}": "on", f"engine_hours_{boat_engine.pk}": "1202", f"grade_{boat_engine.pk}": "2"})
    assert response.status_code == 302, response.context and response.context["form"].errors
    order.refresh_from_db()
    fault.refresh_from_db()
    boat_engine.refresh_from_db()
    assert order.status == WorkStatus.DONE and order.parts_cost == Decimal("18500000")
    assert fault.status == FaultStatus.FIXED and fault.fixed_on == TODAY
    assert boat_engine.condition == Condition.READY and boat_engine.usage_state == UsageState.IN_USE
    assert boat_engine.engine_hours == Decimal("1202")
    assert Schedule.objects.filter(item=boat_engine, active=True).exists()  # its regimes apply again

    # A technician cannot verify; the officer can, and the record is then closed.
    assert technician.post(f"/maintenance/work-orders/{order.pk}/verify/", {"version": order.version}).status_code \
        == 403
    officer.post(f"/maintenance/work-orders/{order.pk}/verify/", {"version": order.version})
    order.refresh_from_db()
    assert order.status == WorkStatus.VERIFIED
    assert officer.get(f"/maintenance/work-orders/{order.pk}/edit/").status_code in (403, 409)


def test_completing_with_another_grade_drafts_a_grade_change_not_an_edit(org, boat_engine):
    officer = _client(org.users["officer1"])
    response = officer.get("/maintenance/work-orders/add/", {"items": boat_engine.pk})
    assert response.status_code == 200
    officer.post(f"/maintenance/work-orders/add/?items={boat_engine.pk}", {
        "unit": org.team1.pk, "kind": "maint_1", "place": "unit", "planned_start": TODAY.strftime("%d/%m/%Y"),
        "items": [boat_engine.pk]})
    order = WorkOrder.objects.get()
    officer.post(f"/maintenance/work-orders/{order.pk}/complete/", {
        "version": order.version, f"ok_{boat_engine.pk}": "on", f"grade_{boat_engine.pk}": "3",
        f"engine_hours_{boat_engine.pk}": "1210"})
    boat_engine.refresh_from_db()
    assert boat_engine.grade == 2  # unchanged until a commander approves
    line = WorkOrderItem.objects.get(work_order=order)
    assert line.grade_after == 3 and line.grade_change.status == "draft"
    schedule = Schedule.objects.get(item=boat_engine, rule__level="maint_1")
    assert schedule.last_done_on == TODAY and schedule.next_engine_hours == Decimal("1210") + 250


def test_head_sees_on_time_rate_and_readiness_change_as_the_rows_count(org, boat_engine):
    """The issue's last step: the technical day's late and on-time lines give the on-time rate, the fault
    and its repair move the coefficient down and up — each figure against a count of the rows."""
    from django.db.models import Sum
    from rest_framework.test import APIClient

    rifle = _item(org, "AK", "AK-0009")
    Schedule.objects.filter(item=rifle, rule__level="tech_day").update(next_due_on=TODAY - datetime.timedelta(10))
    Schedule.objects.filter(item=boat_engine, rule__level="tech_day").update(next_due_on=TODAY + datetime.timedelta(3))
    technician = _client(org.users["technician1"])
    technician.post("/maintenance/technical-days/add/", {
        "unit": org.team1.pk, "date": TODAY.strftime("%d/%m/%Y"), "level": "tech_day",
        "done": [rifle.pk, boat_engine.pk]})
    head = APIClient()
    head.force_authenticate(org.users["head"])

    def figures():
        period = {"unit": org.post1.pk, "start": TODAY.replace(month=1, day=1).isoformat(), "end": TODAY.isoformat()}
        return head.get("/api/maintenance/figures/", period).json()["total"]

    def coefficient():
        return head.get("/api/readiness/", {"unit": org.post1.pk}).json()["total"]["coefficient"]

    def counted():
        items = Item.objects.filter(unit__path__startswith=org.post1.path).exclude(usage_state="struck_off")
        good = items.filter(grade__in=(1, 2), condition=Condition.READY).aggregate(n=Sum("quantity"))["n"] or 0
        return good / items.aggregate(n=Sum("quantity"))["n"]

    lines = WorkOrderItem.objects.filter(work_order__unit__path__startswith=org.post1.path, on_time__isnull=False)
    shown = figures()
    counts = (lines.filter(on_time=True).count(), lines.filter(on_time=False).count())
    assert (shown["on_time"], shown["late"]) == counts
    assert (shown["on_time"], shown["late"]) == (1, 1) and shown["on_time_rate"] == 0.5
    before = coefficient()
    assert before == pytest.approx(counted()) == 1.0

    technician.post("/maintenance/faults/add/", {"item": boat_engine.pk, "reported_on": TODAY.strftime("%d/%m/%Y"),
                                                 "severity": "unusable", "description": "Kẹt bơm nước làm mát"})
    during = coefficient()
    assert during == pytest.approx(counted()) == 0.5
    assert figures()["open_faults"] == Fault.objects.filter(status="open").count() == 1

    fault = Fault.objects.get()
    officer = _client(org.users["officer1"])
    officer.post(f"/maintenance/faults/{fault.pk}/repair/", {"kind": "repair_minor", "place": "unit"})
    order = Fault.objects.get().work_order
    officer.post(f"/maintenance/work-orders/{order.pk}/complete/", {"version": order.version,
                                                                    f"ok_{boat_engine.pk}": "on"})
    assert coefficient() == pytest.approx(counted()) == 1.0
    shown = figures()
    assert shown["fixed"] == Fault.objects.filter(status="fixed").count() == 1 and shown["mttr"] == 0
    assert shown["repairs_by_place"]["unit"] == 1


def test_rule_deleted_on_its_page_hands_its_types_back_to_the_branch_rule(org):
    kind = EquipmentType.objects.get(code="UAZ469")
    truck = Item.objects.create(type=kind, unit=org.team1, serial="50-09", grade=2, km=Decimal("1000"),
                                registered_on=datetime.date(2020, 1, 1))
    branch_rule = Schedule.objects.get(item=truck, rule__level="monthly", active=True).rule
    client = Client()
    client.force_login(org.head)
    response = client.post(reverse("maintenance:maintenancerule_add"), {
        "name": "Bảo quản tháng UAZ-469", "type": kind.pk, "level": "monthly", "interval_days": 25,
        "tolerance_percent": 10, "usage_states": "in_use,reserve", "active": "on",
        "tasks_text": "Kiểm tra dầu máy\nKiểm tra lốp"})
    assert response.status_code == 302, response.content
    own = MaintenanceRule.objects.get(type=kind, level="monthly")
    assert list(own.tasks.values_list("text", flat=True)) == ["Kiểm tra dầu máy", "Kiểm tra lốp"]
    assert Schedule.objects.get(item=truck, rule__level="monthly", active=True).rule == own
    response = client.post(reverse("maintenance:maintenancerule_delete", args=[own.pk]), {"version": own.version})
    assert response.status_code == 302
    assert not MaintenanceRule.objects.filter(pk=own.pk).exists()
    assert Schedule.objects.get(item=truck, rule__level="monthly", active=True).rule == branch_rule
