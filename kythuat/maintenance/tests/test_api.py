"""The maintenance API: the same scoping, validation, steps and locking as the services and pages."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from kythuat.core.models import AuditEntry
from kythuat.core.testing.factories import FaultFactory, MaintenanceRuleFactory, UsageLogFactory
from kythuat.equipment.choices import Condition, UsageState
from kythuat.equipment.models import EquipmentType, GradeChange, Item
from kythuat.maintenance import selectors, services
from kythuat.maintenance.choices import FaultStatus, WorkKind, WorkStatus
from kythuat.maintenance.models import Fault, MaintenanceRule, Schedule, TechnicalDay, UsageLog, WorkOrder

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
BASE = "/api/maintenance"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def item(org, code, serial, unit=None, **kwargs):
    return Item.objects.create(type=EquipmentType.objects.get(code=code), unit=unit or org.team1, serial=serial,
                               grade=2, registered_on=datetime.date(2020, 1, 1), **kwargs)


def errors(response, status=400):
    assert response.status_code == status, (response.status_code, response.content)
    return response.json()


# Rules -----------------------------------------------------------------------------------------------

def test_rules_are_written_by_catalogue_keepers_and_schedules_follow(org):
    truck = item(org, "UAZ469", "50-01", km=Decimal("1000"))
    branch_monthly = Schedule.objects.get(item=truck, rule__level="monthly", active=True).rule
    kind = EquipmentType.objects.get(code="UAZ469")
    body = {"name": "Bảo quản tháng UAZ-469", "type": kind.pk, "level": "monthly", "interval_days": 25,
            "tasks": [{"text": "Kiểm tra dầu máy"}, {"text": "Kiểm tra lốp"}]}
    assert api(org.officer1).post(f"{BASE}/rules/", body, format="json").status_code == 403
    assert api(org.viewer).post(f"{BASE}/rules/", body, format="json").status_code == 403
    head = api(org.head)
    created = errors(head.post(f"{BASE}/rules/", body, format="json"), 201)
    assert [task["text"] for task in created["tasks"]] == ["Kiểm tra dầu máy", "Kiểm tra lốp"]
    rule = MaintenanceRule.objects.get(pk=created["id"])
    # The type's own rule replaces the branch's at once.
    assert Schedule.objects.get(item=truck, rule__level="monthly", active=True).rule == rule
    assert AuditEntry.objects.filter(content_type__model="maintenancerule", object_id=str(rule.pk),
                                     username="chunhiem").exists()
    # Reading is for everyone with view.
    listed = api(org.viewer).get(f"{BASE}/rules/", {"level": "monthly", "branch": kind.branch_id}).json()
    assert rule.pk in {row["id"] for row in listed["results"]}
    # Updates need the version read; a stale one is 409; the checklist is replaced when given.
    url = f"{BASE}/rules/{rule.pk}/"
    assert "version" in errors(head.patch(url, {"interval_days": 20}, format="json"))
    errors(head.patch(url, {"interval_days": 20, "version": rule.version + 1}, format="json"), 409)
    changed = errors(head.patch(url, {"interval_days": 20, "version": rule.version,
                                      "tasks": [{"text": "Kiểm tra ắc quy"}]}, format="json"), 200)
    assert changed["interval_days"] == 20 and [t["text"] for t in changed["tasks"]] == ["Kiểm tra ắc quy"]
    assert "tolerance_percent" in errors(head.patch(url, {"tolerance_percent": 80, "version": changed["version"]},
                                                    format="json"))
    # A rule for a type that does not count rounds, and one without any interval, are refused.
    assert errors(head.post(f"{BASE}/rules/", {**body, "level": "quarterly", "interval_days": None,
                                               "interval_rounds": 100}, format="json"))
    assert "non_field_errors" in errors(head.post(f"{BASE}/rules/", {**body, "level": "quarterly",
                                                                     "interval_days": None}, format="json"))
    # Deleted: the type falls back on its branch's rule of that level.
    assert api(org.officer1).delete(url).status_code == 403
    assert head.delete(url).status_code == 204
    assert Schedule.objects.get(item=truck, rule__level="monthly", active=True).rule == branch_monthly


# The due list ----------------------------------------------------------------------------------------

def test_due_list_is_scoped_filtered_and_counted(org):
    mine = [item(org, "AK", f"AK-{n}") for n in range(3)]
    other = item(org, "AK", "AK-X", unit=org.team2)
    truck = item(org, "UAZ469", "50-02", km=Decimal("1000"))
    Schedule.objects.update(next_due_on=TODAY + 100 * DAY)
    Schedule.objects.filter(item=mine[0], rule__level="tech_day").update(next_due_on=TODAY - 3 * DAY)
    Schedule.objects.filter(item=mine[1], rule__level="tech_day").update(next_due_on=TODAY + 2 * DAY)
    Schedule.objects.filter(item=mine[2], rule__level="tech_day").update(next_due_on=TODAY + 20 * DAY)
    Schedule.objects.filter(item=truck, rule__level="maint_1").update(meter_due=True)
    Schedule.objects.filter(item=other, rule__level="tech_day").update(next_due_on=TODAY - 3 * DAY)
    client = api(org.officer1)

    def ids(**query):
        response = client.get(f"{BASE}/schedules/", {"page_size": 1000, **query})
        assert response.status_code == 200, response.content
        return {(row["item"], row["level"]) for row in response.json()["results"]}

    assert ids(bucket="overdue") == {(mine[0].pk, "tech_day")}
    # The buckets are those of the counts: this week from today, this month after the week.
    assert ids(bucket="week") == {(mine[1].pk, "tech_day")}
    assert ids(bucket="month") == {(mine[2].pk, "tech_day")}
    assert ids(bucket="meter") == {(truck.pk, "maint_1")}
    assert all(level == "maint_1" for _item, level in ids(bucket="all", level="maint_1"))
    assert ids(bucket="all", type=EquipmentType.objects.get(code="UAZ469").pk) == {
        (truck.pk, s.rule.level) for s in Schedule.objects.filter(item=truck, active=True).select_related("rule")}
    assert not {pk for pk, _level in ids(bucket="all")} & {other.pk}  # another post's items do not exist
    assert "unit" in errors(client.get(f"{BASE}/schedules/", {"unit": org.team2.pk}))  # not a unit for them
    assert (other.pk, "tech_day") in {(row["item"], row["level"]) for row in api(org.admin).get(
        f"{BASE}/schedules/", {"bucket": "overdue"}).json()["results"]}
    # The counts of the filtered set, every bucket (as above the page's list).
    counts = client.get(f"{BASE}/schedules/counts/", {"bucket": "overdue", "unit": org.team1.pk}).json()
    expected = selectors.due_counts(Schedule.objects.filter(unit=org.team1, active=True))
    assert counts == expected and counts["overdue"] == 1 and counts["meter_due"] == 1 and counts["due_week"] == 1
    assert api(org.officer2).get(f"{BASE}/schedules/counts/").json()["overdue"] == 1  # only post 2's
    # Bad filters are 400 naming them; read-only; rows outside scope are 404.
    assert "bucket" in errors(client.get(f"{BASE}/schedules/", {"bucket": "soon"}))
    assert "bucket" in errors(client.get(f"{BASE}/schedules/counts/", {"bucket": "soon"}))
    assert "due_from" in errors(client.get(f"{BASE}/schedules/", {"due_from": "31/02/2026"}))
    outside = Schedule.objects.filter(item=other).first()
    assert client.get(f"{BASE}/schedules/{outside.pk}/").status_code == 404
    inside = Schedule.objects.filter(item=mine[0]).first()
    assert client.get(f"{BASE}/schedules/{inside.pk}/").json()["unit"] == org.team1.pk
    later = Schedule.objects.filter(item=mine[0], next_due_on__gt=TODAY + 30 * DAY).first()
    assert client.get(f"{BASE}/schedules/{later.pk}/").json()["next_due_on"] == later.next_due_on.isoformat()
    assert client.post(f"{BASE}/schedules/", {}, format="json").status_code == 405
    assert client.delete(f"{BASE}/schedules/{inside.pk}/").status_code == 405


# Work orders -----------------------------------------------------------------------------------------

def test_work_order_goes_through_its_steps_with_the_version(org):
    truck = item(org, "UAZ469", "50-03", km=Decimal("1000"))
    technician, officer = api(org.technician1), api(org.officer1)
    created = errors(technician.post(f"{BASE}/work-orders/", {
        "unit": org.post1.pk, "kind": WorkKind.REPAIR_MEDIUM, "place": "workshop", "items": [truck.pk],
        "description": "Đại tu hộp số"}, format="json"), 201)
    assert created["number"].startswith("SCV-") and created["status"] == WorkStatus.PLANNED
    assert created["lines"][0]["item"] == truck.pk and created["lines"][0]["grade_before"] == 2
    url = f"{BASE}/work-orders/{created['id']}"
    version = created["version"]
    errors(technician.post(f"{url}/start/", {"version": version + 1}, format="json"), 409)
    started = errors(technician.post(f"{url}/start/", {"version": version}, format="json"), 200)
    truck.refresh_from_db()
    assert started["status"] == WorkStatus.IN_PROGRESS and truck.usage_state == UsageState.IN_REPAIR
    waiting = errors(technician.post(f"{url}/wait/", {"version": started["version"]}, format="json"), 200)
    assert waiting["status"] == WorkStatus.WAITING_PARTS
    assert "non_field_errors" in errors(technician.post(f"{url}/wait/", {"version": waiting["version"]},
                                                        format="json"))  # only work in progress waits
    started = errors(technician.post(f"{url}/start/", {"version": waiting["version"]}, format="json"), 200)
    done = errors(technician.post(f"{url}/complete/", {
        "version": started["version"], "labour_hours": "12.5", "findings": "Bánh răng số 3 mòn",
        "results": [{"item": truck.pk, "km": "1040", "grade_after": 3, "ok": False, "note": "Còn rơ"}],
        "parts": [{"name": "Bánh răng số 3", "quantity": 1, "unit_of_measure": "cái", "unit_price": 1500000}],
    }, format="json"), 200)
    truck.refresh_from_db()
    assert done["status"] == WorkStatus.DONE and done["finished_on"] == TODAY.isoformat()
    line = done["lines"][0]
    assert (line["km"], line["grade_after"], line["ok"], line["note"]) == ("1040.0", 3, False, "Còn rơ")
    assert done["parts"][0]["total"] == "1500000" and done["total_cost"] == "1500000"
    assert truck.km == Decimal("1040") and truck.usage_state == UsageState.IN_USE and truck.grade == 2
    assert GradeChange.objects.get().lines.get().grade_after == 3  # a draft for a commander
    # Done: locked, verified by an officer only, no longer cancelled or deleted.
    assert technician.post(f"{url}/verify/", {}, format="json").status_code == 403
    verified = errors(officer.post(f"{url}/verify/", {"version": done["version"]}, format="json"), 200)
    assert verified["status"] == WorkStatus.VERIFIED and verified["verified_by"] == org.officer1.pk
    assert "non_field_errors" in errors(officer.post(f"{url}/cancel/", {}, format="json"))
    assert officer.patch(f"{url}/", {"description": "x", "version": verified["version"]},
                         format="json").status_code == 403
    assert officer.delete(f"{url}/").status_code == 403
    assert WorkOrder.objects.get(pk=created["id"]).description == "Đại tu hộp số"


def test_work_order_checklist_readings_and_on_time_are_kept_per_item(org):
    truck = item(org, "UAZ469", "50-04", km=Decimal("1000"))
    rule = Schedule.objects.get(item=truck, rule__level="maint_1").rule
    task = rule.tasks.create(text="Thay dầu máy")
    client = api(org.technician1)
    order = errors(client.post(f"{BASE}/work-orders/", {"unit": org.post1.pk, "kind": WorkKind.MAINT_1,
                                                        "items": [truck.pk]}, format="json"), 201)
    done = errors(client.post(f"{BASE}/work-orders/{order['id']}/complete/", {
        "results": [{"item": truck.pk, "km": 1200, "checklist": {str(task.pk): True}}]}, format="json"), 200)
    line = done["lines"][0]
    assert line["checklist"] == {str(task.pk): True} and line["on_time"] is True and line["due_on"]
    assert Schedule.objects.get(item=truck, rule__level="maint_1").last_done_on == TODAY


def test_work_order_bad_input_is_400_naming_the_field(org):
    truck = item(org, "UAZ469", "50-05", km=Decimal("1000"))
    other = item(org, "AK", "AK-X", unit=org.team2)
    client = api(org.officer1)
    url = f"{BASE}/work-orders/"
    body = {"unit": org.post1.pk, "kind": WorkKind.REPAIR_MINOR, "items": [truck.pk]}
    assert "items" in errors(client.post(url, {**body, "items": [999999]}, format="json"))
    assert "items" in errors(client.post(url, {**body, "items": [other.pk]}, format="json"))
    assert "items" in errors(client.post(url, {**body, "items": []}, format="json"))
    assert "items" in errors(client.post(url, {**body, "items": [truck.pk, truck.pk]}, format="json"))
    assert "unit" in errors(client.post(url, {**body, "unit": org.post2.pk}, format="json"))
    assert "kind" in errors(client.post(url, {**body, "kind": "overhaul"}, format="json"))
    assert "planned_start" in errors(client.post(url, {**body, "planned_start": "2026-02-31"}, format="json"))
    assert "level" in errors(client.post(url, {**body, "kind": WorkKind.PRESERVATION}, format="json"))
    assert "technicians" in errors(client.post(url, {**body, "technicians": [org.person2.pk]}, format="json"))
    elsewhere = services.report_fault(user=org.admin, item=item(org, "AK", "AK-Y"), severity="limiting",
                                      description="Hộp tiếp đạn móp")
    assert "faults" in errors(client.post(url, {**body, "faults": [elsewhere.pk]}, format="json"))
    assert api(org.viewer).post(url, body, format="json").status_code == 403
    assert not WorkOrder.objects.exists()
    with_fault = errors(client.post(url, {**body, "items": [truck.pk, elsewhere.item_id], "faults": [elsewhere.pk],
                                          "technicians": [org.person1.pk]}, format="json"), 201)
    assert with_fault["faults"] == [elsewhere.pk] and with_fault["technicians"] == [org.person1.pk]
    WorkOrder.objects.filter(pk=with_fault["id"]).delete()
    order = errors(client.post(url, body, format="json"), 201)
    step = f"{url}{order['id']}/complete/"
    future = (TODAY + DAY).isoformat()
    assert "on" in errors(client.post(step, {"on": future}, format="json"))
    assert "on" in errors(client.post(step, {"on": "hôm qua"}, format="json"))
    assert "results" in errors(client.post(step, {"results": [{"item": truck.pk, "km": -1}]}, format="json"))
    assert "km" in errors(client.post(step, {"results": [{"item": truck.pk, "km": 900}]}, format="json"))
    assert "rounds" in errors(client.post(step, {"results": [{"item": truck.pk, "rounds": 9}]}, format="json"))
    assert "results" in errors(client.post(step, {"results": [{"item": other.pk}]}, format="json"))
    assert "results" in errors(client.post(step, {"results": [{"item": truck.pk, "grade_after": 7}]},
                                           format="json"))
    assert "parts" in errors(client.post(step, {"parts": [{"name": "Lọc dầu", "quantity": 0}]}, format="json"))
    assert "version" in errors(client.post(step, {"version": "ba"}, format="json"))
    assert "on" in errors(client.post(f"{url}{order['id']}/start/", {"on": future}, format="json"))
    assert WorkOrder.objects.get(pk=order["id"]).status == WorkStatus.PLANNED
    truck.refresh_from_db()
    assert truck.km == Decimal("1000")


def test_work_orders_outside_scope_are_404_and_roles_are_403(org):
    mine = services.plan_work(user=org.admin, unit=org.post1, kind=WorkKind.REPAIR_MINOR,
                              items=[item(org, "AK", "AK-1").pk])
    theirs = services.plan_work(user=org.admin, unit=org.post2, kind=WorkKind.REPAIR_MINOR,
                                items=[item(org, "AK", "AK-2", unit=org.team2).pk])
    officer = api(org.officer1)
    assert officer.get(f"{BASE}/work-orders/{theirs.pk}/").status_code == 404
    for step in ("start", "wait", "complete", "verify", "cancel"):
        assert officer.post(f"{BASE}/work-orders/{theirs.pk}/{step}/", {}, format="json").status_code == 404
        assert api(org.viewer).post(f"{BASE}/work-orders/{mine.pk}/{step}/", {}, format="json").status_code == 403
    assert {row["id"] for row in officer.get(f"{BASE}/work-orders/").json()["results"]} == {mine.pk}
    # The header of an open order changes with the version; the unit and kind do not.
    changed = errors(officer.patch(f"{BASE}/work-orders/{mine.pk}/", {
        "description": "Thay lò xo", "kind": WorkKind.REPAIR_MAJOR, "unit": org.post2.pk,
        "version": mine.version}, format="json"), 200)
    assert changed["description"] == "Thay lò xo" and changed["kind"] == WorkKind.REPAIR_MINOR
    assert changed["unit"] == org.post1.pk
    assert api(org.technician1).delete(f"{BASE}/work-orders/{mine.pk}/").status_code == 403
    cancelled = errors(officer.post(f"{BASE}/work-orders/{mine.pk}/cancel/", {"version": changed["version"]},
                                    format="json"), 200)
    assert cancelled["status"] == WorkStatus.CANCELLED
    planned = services.plan_work(user=org.admin, unit=org.post1, kind=WorkKind.REPAIR_MINOR,
                                 items=[item(org, "AK", "AK-3").pk])
    assert officer.delete(f"{BASE}/work-orders/{planned.pk}/").status_code == 204
    started = services.start_work(work_order=services.plan_work(
        user=org.admin, unit=org.post1, kind=WorkKind.REPAIR_MINOR, items=[item(org, "AK", "AK-4").pk]),
        user=org.admin)
    assert officer.delete(f"{BASE}/work-orders/{started.pk}/").status_code == 403  # cancel it instead


# Technical days --------------------------------------------------------------------------------------

def test_technical_day_is_recorded_in_one_step(org):
    rifles = [item(org, "AK", f"AK-{n}") for n in range(3)]
    other = item(org, "AK", "AK-X", unit=org.team2)
    client = api(org.technician1)
    url = f"{BASE}/technical-days/"
    lines = [{"item": rifles[0].pk}, {"item": rifles[1].pk, "note": "Nòng gỉ"}, {"item": rifles[2].pk}]
    body = {"unit": org.post1.pk, "date": (TODAY - DAY).isoformat(), "lines": lines, "notes": "Ngày kỹ thuật tuần"}
    assert api(org.viewer).post(url, body, format="json").status_code == 403
    assert "date" in errors(client.post(url, {**body, "date": (TODAY + DAY).isoformat()}, format="json"))
    assert "date" in errors(client.post(url, {**body, "date": "29/11/2026"}, format="json"))
    assert "lines" in errors(client.post(url, {**body, "lines": [{"item": other.pk}]}, format="json"))
    assert "lines" in errors(client.post(url, {**body, "lines": []}, format="json"))
    assert "level" in errors(client.post(url, {**body, "level": "maint_1"}, format="json"))
    assert "unit" in errors(client.post(url, {**body, "unit": org.post2.pk}, format="json"))
    day = errors(client.post(url, body, format="json"), 201)
    assert (day["item_count"], day["problem_count"], day["level"]) == (3, 1, "tech_day")
    assert WorkOrder.objects.get(pk=day["work_order"]).status == WorkStatus.DONE
    assert Schedule.objects.filter(item__in=rifles, rule__level="tech_day", last_done_on=TODAY - DAY).count() == 3
    assert "date" in errors(client.post(url, body, format="json"))  # the same regime twice that day
    detail = client.get(f"{url}{day['id']}/").json()
    assert [(line["item"], line["ok"], line["note"]) for line in detail["items"]] == [
        (rifles[0].pk, True, ""), (rifles[1].pk, False, "Nòng gỉ"), (rifles[2].pk, True, "")]
    # Only the notes change afterwards; nobody deletes a technical day.
    changed = errors(client.patch(f"{url}{day['id']}/", {"notes": "Đã khắc phục nòng gỉ", "unit": org.post2.pk,
                                                        "version": day["version"]}, format="json"), 200)
    assert changed["notes"] == "Đã khắc phục nòng gỉ" and changed["unit"] == org.post1.pk
    assert api(org.admin).delete(f"{url}{day['id']}/").status_code == 403
    assert api(org.officer2).get(f"{url}{day['id']}/").status_code == 404


# Usage -----------------------------------------------------------------------------------------------

def test_usage_moves_meters_and_refuses_going_backwards(org):
    truck = item(org, "UAZ469", "50-06", km=Decimal("4900"))
    other = item(org, "UAZ469", "50-07", unit=org.team2)
    client = api(org.technician1)
    url = f"{BASE}/usage/"
    log = errors(client.post(url, {"item": truck.pk, "km_after": "10000", "purpose": "Tuần tra biên giới"},
                             format="json"), 201)
    truck.refresh_from_db()
    assert (log["km"], log["km_after"], log["unit"]) == ("5100.0", "10000.0", org.team1.pk)
    assert truck.km == Decimal("10000")
    assert Schedule.objects.get(item=truck, rule__level="maint_1").meter_due  # 4,900 + 5,000 km reached
    assert "km_after" in errors(client.post(url, {"item": truck.pk, "km_after": "9000"}, format="json"))
    assert "km" in errors(client.post(url, {"item": truck.pk, "km": "-5"}, format="json"))
    assert "rounds" in errors(client.post(url, {"item": truck.pk, "rounds": 10}, format="json"))
    assert "date" in errors(client.post(url, {"item": truck.pk, "km": 5, "date": (TODAY + DAY).isoformat()},
                                        format="json"))
    assert "date" in errors(client.post(url, {"item": truck.pk, "km": 5, "date": "2026-13-01"}, format="json"))
    assert "item" in errors(client.post(url, {"item": other.pk, "km": 5}, format="json"))
    assert "item" in errors(client.post(url, {"item": 999999, "km": 5}, format="json"))
    assert "non_field_errors" in errors(client.post(url, {"item": truck.pk}, format="json"))
    assert api(org.viewer).post(url, {"item": truck.pk, "km": 5}, format="json").status_code == 403
    truck.refresh_from_db()
    assert truck.km == Decimal("10000") and UsageLog.objects.count() == 1
    # Afterwards only the operator, purpose and route change; the meters do not.
    changed = errors(client.patch(f"{url}{log['id']}/", {"route": "Mốc 12 – Mốc 15", "km": "900",
                                                        "version": log["version"]}, format="json"), 200)
    assert changed["route"] == "Mốc 12 – Mốc 15" and changed["km"] == "5100.0"
    assert client.delete(f"{url}{log['id']}/").status_code == 403
    assert api(org.officer2).get(f"{url}{log['id']}/").status_code == 404


# Faults ----------------------------------------------------------------------------------------------

def test_fault_is_reported_repaired_or_cancelled(org):
    engine = item(org, "YAM40", "YM-01", engine_hours=Decimal("300"))
    technician, officer = api(org.technician1), api(org.officer1)
    url = f"{BASE}/faults/"
    assert "reported_on" in errors(technician.post(url, {
        "item": engine.pk, "severity": "unusable", "description": "Máy không nổ",
        "reported_on": (TODAY + DAY).isoformat()}, format="json"))
    assert "severity" in errors(technician.post(url, {"item": engine.pk, "severity": "bad", "description": "x"},
                                                format="json"))
    assert "description" in errors(technician.post(url, {"item": engine.pk, "severity": "unusable"}, format="json"))
    fault = errors(technician.post(url, {"item": engine.pk, "severity": "unusable", "description": "Máy không nổ"},
                                   format="json"), 201)
    engine.refresh_from_db()
    assert engine.condition == Condition.UNUSABLE and fault["reported_by"] == org.technician1.pk
    # Repair: the answer is the work order, which closes the fault when done.
    assert "kind" in errors(technician.post(f"{url}{fault['id']}/repair/", {"kind": WorkKind.MAINT_1},
                                            format="json"))
    order = errors(technician.post(f"{url}{fault['id']}/repair/", {"kind": WorkKind.REPAIR_MINOR},
                                   format="json"), 201)
    assert order["kind"] == WorkKind.REPAIR_MINOR and order["faults"] == [fault["id"]]
    assert order["url"].endswith(f"/api/maintenance/work-orders/{order['id']}/")
    assert "non_field_errors" in errors(technician.post(f"{url}{fault['id']}/repair/", {}, format="json"))
    errors(technician.post(f"{BASE}/work-orders/{order['id']}/complete/", {}, format="json"), 200)
    closed = technician.get(f"{url}{fault['id']}/").json()
    engine.refresh_from_db()
    assert closed["status"] == FaultStatus.FIXED and engine.condition == Condition.READY
    assert technician.patch(f"{url}{fault['id']}/", {"description": "x", "version": closed["version"]},
                            format="json").status_code == 403  # closed: locked
    # Cancel: officers only, with the version; then it is closed.
    other = services.report_fault(user=org.technician1, item=engine, severity="limiting", description="Rò dầu")
    assert technician.post(f"{url}{other.pk}/cancel/", {}, format="json").status_code == 403
    errors(officer.post(f"{url}{other.pk}/cancel/", {"version": other.version + 1}, format="json"), 409)
    cancelled = errors(officer.post(f"{url}{other.pk}/cancel/", {"version": other.version}, format="json"), 200)
    assert cancelled["status"] == FaultStatus.CANCELLED
    assert "non_field_errors" in errors(officer.post(f"{url}{other.pk}/cancel/", {}, format="json"))
    # Scope: another post's faults do not exist; an item outside is "does not exist".
    theirs = services.report_fault(user=org.admin, item=item(org, "AK", "AK-X", unit=org.team2),
                                   severity="limiting", description="Lệch đường ngắm")
    assert technician.get(f"{url}{theirs.pk}/").status_code == 404
    assert technician.post(f"{url}{theirs.pk}/repair/", {}, format="json").status_code == 404
    assert "item" in errors(technician.post(url, {"item": theirs.item_id, "severity": "limiting",
                                                  "description": "x"}, format="json"))
    assert Fault.objects.filter(item=theirs.item).count() == 1


# Lists: a fixed number of queries whatever the rows --------------------------------------------------

def _list_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 1000})
    assert response.status_code == 200, response.content
    return len(queries), response.json()["count"]


def _add_rows(org, n):
    """``n`` more rows of every list: a rifle with schedules, a done work order with a technician and a
    part, a technical day, a usage log, a fault and a rule with a checklist."""
    for _number in range(n):
        rifle = item(org, "AK", f"AK-Q{Item.objects.count()}")
        order = services.plan_work(user=org.admin, unit=org.post1, kind=WorkKind.REPAIR_MINOR, items=[rifle.pk])
        order.technicians.add(org.person1)
        services.complete_work(work_order=order, user=org.admin, parts=[{"name": "Lò xo", "quantity": 2}])
        services.record_technical_day(user=org.admin, unit=org.post1, date=TODAY - TechnicalDay.objects.count() * DAY,
                                      lines=[(rifle.pk, True, "")])
        UsageLogFactory(unit=org.team1, item=rifle)
        FaultFactory(unit=org.team1, item=rifle)
        MaintenanceRuleFactory().tasks.create(text="Lau chùi, tra dầu")


@pytest.mark.parametrize("endpoint", ["rules", "schedules", "work-orders", "technical-days", "usage", "faults"])
def test_lists_read_a_fixed_number_of_queries(org, endpoint):
    client = api(org.admin)
    url = f"{BASE}/{endpoint}/"
    _add_rows(org, 1)
    few, count_few = _list_queries(client, url + ("?bucket=all" if endpoint == "schedules" else ""))
    _add_rows(org, 4)
    many, count_many = _list_queries(client, url + ("?bucket=all" if endpoint == "schedules" else ""))
    assert count_many > count_few
    assert many == few, (endpoint, few, many)


# The schema and the root ---------------------------------------------------------------------------

def test_schema_and_root_list_the_maintenance_endpoints(org):
    client = Client()
    client.force_login(org.viewer)
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("rules/", "schedules/", "schedules/counts/", "work-orders/{id}/complete/", "technical-days/",
                 "usage/{id}/", "faults/{id}/repair/"):
        assert f"/api/maintenance/{path}" in paths, path
    root = client.get("/api/").json()
    assert set(root["maintenance"]) == {"maintenancerule", "schedule", "workorder", "technicalday", "usagelog",
                                        "fault"}
    assert TechnicalDay.objects.count() == 0
