"""Import of maintenance rules and of past maintenance from Excel (issue 4): dry run with each bad row's
reason, all-or-nothing writes, updates of rules, scoping of the log, schedules moved by history, the
pages, the API and the commands."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from python_calamine import CalamineWorkbook
from rest_framework.test import APIClient

from kythuat.core.context import acting
from kythuat.core.models import AuditEntry, ImportRun
from kythuat.core.testing.sheets import xlsx
from kythuat.equipment.models import EquipmentType, Item
from kythuat.maintenance.importers import MaintenanceRuleImporter, WorkLogImporter
from kythuat.maintenance.models import MaintenanceRule, RuleTask, Schedule, WorkOrder, WorkOrderItem

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

RULE_HEADER = ["Tên chế độ", "Ngành", "Nhóm chủng loại", "Chủng loại", "Cấp chế độ", "Chu kỳ (ngày)", "Chu kỳ (km)",
               "Chu kỳ (giờ máy)", "Chu kỳ (phát bắn)", "Dung sai (%)", "Áp dụng khi", "Tính luôn cho cấp",
               "Hiệu lực", "Nội dung công việc", "Ghi chú"]
LOG_HEADER = ["Mã đơn vị", "Mã chủng loại", "Số hiệu", "Loại công việc", "Cấp chế độ", "Ngày hoàn thành",
              "Nơi thực hiện", "Số km", "Giờ máy", "Số phát đã bắn", "Giờ công", "Chi phí (đồng)", "Người thực hiện",
              "Ghi chú", "Số phiếu"]


def rule(name="Ngày kỹ thuật AK", branch="", group="", kind="AK", level="Ngày kỹ thuật", days=5, km="", hours="",
         rounds="", tolerance=10, states="", covers="", active="", tasks="Lau chùi; Tra dầu", notes=""):
    return [name, branch, group, kind, level, days, km, hours, rounds, tolerance, states, covers, active, tasks, notes]


def work(unit="DBP1-VT", kind="UAZ469", serial="50-01", work_kind="Bảo dưỡng cấp 1", level="", day=None,
         place="Đơn vị", km="", hours="", rounds="", labour=2, cost="", people="", note="", number=""):
    return [unit, kind, serial, work_kind, level, day or TODAY - 30 * DAY, place, km, hours, rounds, labour, cost,
            people, note, number]


def run(importer, user, header, rows, *, apply=False, language="en"):
    with translation.override(language), acting(user=user, source="import"):
        return importer(user=user).run(io.BytesIO(xlsx([header, *rows])), apply=apply)


def errors(summary):
    return {(e["row"], e["column"]): e["message"] for e in summary.errors}


def item(org, code, serial, unit=None, **kwargs):
    kwargs.setdefault("grade", 2)
    return Item.objects.create(type=EquipmentType.objects.get(code=code), unit=unit or org.team1, serial=serial,
                               registered_on=datetime.date(2020, 1, 1), **kwargs)


# --- rules ------------------------------------------------------------------------------------------

def test_rules_dry_run_lists_good_and_bad_rows_with_their_reasons(org):
    before = MaintenanceRule.objects.count()
    rows = [
        rule(),  # 2: a new rule for one type
        rule(name="", branch="Xe – máy", group="o to", kind="", level="BD1", days="", km=6000),  # 3: an update
        rule(branch="KHONGCO", kind=""),  # 4: unknown branch
        rule(kind="XYZ"),  # 5: unknown type
        rule(kind="AK", level="Tháng kỹ thuật", km=1000),  # 6: a rifle counts no km
        rule(kind="SVD", days=""),  # 7: no interval at all
        rule(kind="CKC", tolerance=60),  # 8: tolerance above 50 %
        rule(name="Lặp lại"),  # 9: the same type and level as row 2
        rule(kind="AKM", group="Súng"),  # 10: a group for one type
        rule(kind="K54", level="Hằng giờ"),  # 11: unknown level
        rule(kind="K59", states="Đang sử dụng, Đã loại"),  # 12: struck off is not a state a rule follows
        rule(branch="XM", group="Tàu", kind=""),  # 13: no such group in the branch
        rule(kind="B40", level="Tháng kỹ thuật", covers="Tháng kỹ thuật"),  # 14: covers its own level
        rule(name="", kind="B41"),  # 15: a new rule without a name
    ]
    summary = run(MaintenanceRuleImporter, org.head, RULE_HEADER, rows)
    found = errors(summary)
    assert found[(4, "Ngành")] == "Unknown branch “KHONGCO”."
    assert found[(5, "Chủng loại")] == "Unknown equipment type “XYZ”."
    assert found[(6, "Chủng loại")] == "This type does not count km."
    assert found[(7, "Chu kỳ (phát bắn)")] == "Give at least one interval: days, km, engine hours or rounds."
    assert "50" in found[(8, "Dung sai (%)")]
    assert found[(9, "Cấp chế độ")] == "This rule is already on row 2 of the file."
    assert found[(10, "Nhóm chủng loại")] == "A rule for one type has no group."
    assert "is not one of" in found[(11, "Cấp chế độ")]
    assert "is not one of" in found[(12, "Áp dụng khi")]
    assert found[(13, "Nhóm chủng loại")] == "No type of this branch is in the group “Tàu”."
    assert "other levels than the rule's own" in found[(14, "Tính luôn cho cấp")]
    assert found[(15, "Tên chế độ")] == "A new rule needs its name."
    assert (summary.total, summary.added, summary.updated, summary.bad) == (14, 1, 1, 12)
    assert summary.samples["add"][0]["text"].startswith("Ngày kỹ thuật AK · Súng tiểu liên AK")
    change = summary.samples["update"][0]["changes"]
    assert ["Chu kỳ (km)", "5000", "6000"] in change
    assert MaintenanceRule.objects.count() == before  # a dry run writes nothing


def test_one_bad_rule_and_nothing_is_written(org):
    before = MaintenanceRule.objects.count(), RuleTask.objects.count(), AuditEntry.objects.count()
    summary = run(MaintenanceRuleImporter, org.head, RULE_HEADER, [rule(), rule(kind="XYZ")], apply=True)
    assert not summary.applied and summary.bad == 1
    assert (MaintenanceRule.objects.count(), RuleTask.objects.count(), AuditEntry.objects.count()) == before


def test_rules_are_added_and_updated_and_schedules_follow(org):
    rifle = item(org, "AK", "AK-1")
    truck = item(org, "UAZ469", "50-01", km=Decimal("12000"))
    branch_weekly = Schedule.objects.get(item=rifle, rule__level="tech_day")
    assert branch_weekly.rule.branch.code == "QK"
    level1 = MaintenanceRule.objects.get(branch__code="XM", group="Ô tô", level="maint_1")
    rows = [rule(days=5, tasks="Lau chùi\nTra dầu; Kiểm tra cơ bệ", states="Đang sử dụng, Dự trữ", active="Có"),
            rule(name="", branch="XM", group="Ô tô", kind="", level="Bảo dưỡng cấp 1", days="", km="6.000",
                 tasks="Thay dầu máy; Kiểm tra phanh"),
            rule(name="", branch="XM", kind="", level="Hằng quý", days="", active="Không", tasks="")]
    summary = run(MaintenanceRuleImporter, org.head, RULE_HEADER, rows, apply=True)
    assert summary.applied and (summary.added, summary.updated) == (1, 2), summary.errors
    own = MaintenanceRule.objects.get(type__code="AK", level="tech_day")
    assert (own.name, own.interval_days, own.usage_states, own.active) == (
        "Ngày kỹ thuật AK", 5, "in_use,reserve", True)
    assert [task.text for task in own.tasks.all()] == ["Lau chùi", "Tra dầu", "Kiểm tra cơ bệ"]
    # The type's own rule replaces the branch's for the rifle.
    assert Schedule.objects.get(item=rifle, rule__level="tech_day", active=True).rule == own
    branch_weekly.refresh_from_db()
    assert not branch_weekly.active
    # The interval changed: the truck's next due point follows; the checklist is replaced.
    level1.refresh_from_db()
    assert level1.interval_km == 6000 and level1.name == "Bảo dưỡng cấp 1 ô tô"
    assert [task.text for task in level1.tasks.all()] == ["Thay dầu máy", "Kiểm tra phanh"]
    assert Schedule.objects.get(item=truck, rule=level1).next_km == Decimal("18000")
    # A rule no longer in force: its schedules are suspended.
    assert not Schedule.objects.filter(item=truck, rule__level="quarterly", active=True).exists()
    entry = AuditEntry.objects.filter(content_type__model="maintenancerule", object_id=str(level1.pk)).latest("id")
    assert entry.action == "update" and entry.changes["interval_km"] == [5000, 6000]
    # Only the checklist changes: still a change, shown with the tasks before and after.
    again = run(MaintenanceRuleImporter, org.head, RULE_HEADER, [rule(days=5, tasks="Lau chùi")], apply=True)
    assert again.updated == 1 and again.samples["update"][0]["changes"] == [
        ["Nội dung công việc", "Lau chùi; Tra dầu; Kiểm tra cơ bệ", "Lau chùi"]]
    assert [task.text for task in own.tasks.all()] == ["Lau chùi"]
    same = run(MaintenanceRuleImporter, org.head, RULE_HEADER, [rule(days=5, tasks="Lau chùi")], apply=True)
    assert (same.unchanged, same.updated) == (1, 0)


def test_rules_need_the_right_to_edit_catalogues(org):
    url = reverse("maintenance:maintenancerule_import")
    assert login(org.officer1).get(url).status_code == 403
    assert url not in login(org.officer1).get(reverse("maintenance:maintenancerule_list")).content.decode()
    assert url in login(org.head).get(reverse("maintenance:maintenancerule_list")).content.decode()
    with pytest.raises(CommandError):
        call_command("import-maintenance-rules", __file__, "--user", "don1")


# --- past work --------------------------------------------------------------------------------------

def test_log_dry_run_lists_each_kind_of_bad_row(org):
    item(org, "UAZ469", "50-01", km=Decimal("12000"))
    item(org, "AK", "AK-1")
    item(org, "AK", "AK-OTHER", unit=org.team2)
    WorkOrder.objects.create(unit=org.team1, number="BD1-CU", kind="maint_1", status="done", finished_on=TODAY)
    rows = [
        work(km=11000, people="Trần Quốc Tuấn", number="P1"),  # 2: good
        work(unit="DBP2-VT"),  # 3: a unit of another post
        work(kind="XYZ"),  # 4: unknown type
        work(serial="50-99"),  # 5: no such item
        work(kind="AK", serial="AK-OTHER", work_kind="Bảo quản", level="Hằng tháng"),  # 6: another post's item
        work(work_kind="Sơn lại"),  # 7: unknown kind
        work(kind="AK", serial="AK-1", work_kind="Bảo quản"),  # 8: preservation without its level
        work(day=TODAY + DAY),  # 9: in the future
        work(day="hôm qua"),  # 10: not a date
        work(km=-5),  # 11: a negative reading
        work(kind="AK", serial="AK-1", work_kind="Bảo quản", level="Hằng tháng", km=100),  # 12: a rifle has no km
        work(people="Lê Thị Hằng"),  # 13: someone of another post
        work(number="BD1-CU"),  # 14: a number the unit already has
        work(number="P1", day=TODAY - 31 * DAY),  # 15: same order as row 2, another date
        work(number="P1"),  # 16: the same item twice in one order
    ]
    summary = run(WorkLogImporter, org.officer1, LOG_HEADER, rows)
    found = errors(summary)
    assert found[(3, "Mã đơn vị")] == "Unknown unit “DBP2-VT”, or not a unit whose work you log."
    assert found[(4, "Mã chủng loại")] == "Unknown equipment type “XYZ”."
    assert found[(5, "Số hiệu")] == "No item “50-99” of this type in your units."
    assert found[(6, "Số hiệu")] == "No item “AK-OTHER” of this type in your units."
    assert "is not one of" in found[(7, "Loại công việc")]
    assert found[(8, "Cấp chế độ")] == "Say which regime level the preservation fulfils."
    assert found[(9, "Ngày hoàn thành")] == "The date cannot be in the future."
    assert found[(10, "Ngày hoàn thành")] == "“hôm qua” is not a date (dd/mm/yyyy)."
    assert "greater than or equal to 0" in found[(11, "Số km")]
    assert found[(12, "Số km")] == "This type does not count km."
    assert found[(13, "Người thực hiện")] == "No one named “Lê Thị Hằng” in your units."
    assert found[(14, "Số phiếu")] == "This unit already has a work order with this number."
    assert found[(15, "Ngày hoàn thành")] == "Row 2 of the same work order says otherwise."
    assert found[(16, "Số hiệu")] == "This item is already on row 2 of the same work order."
    assert (summary.total, summary.added, summary.bad) == (15, 1, 14)
    assert "Nam Sơn" not in str(summary.as_dict())
    assert WorkOrder.objects.count() == 1


def test_past_work_becomes_done_work_orders_without_touching_official_facts(org):
    truck = item(org, "UAZ469", "50-01", km=Decimal("12000"))
    car = item(org, "RANGER", "50-02", km=Decimal("3000"), grade=3)
    rows = [work(serial="50-01", km=11000, labour=3, cost=200000, people="Trần Quốc Tuấn", number="BD1/2024-07"),
            work(kind="RANGER", serial="50-02", km="3.500", labour="1,5", cost=100000, note="Thay lọc gió",
                 number="BD1/2024-07"),
            work(serial="50-01", work_kind="Sửa chữa nhỏ", day=TODAY - 60 * DAY, labour="", note="Thay bóng đèn")]
    summary = run(WorkLogImporter, org.officer1, LOG_HEADER, rows, apply=True)
    assert summary.applied and summary.added == 3, summary.errors
    order = WorkOrder.objects.get(number="BD1/2024-07")
    assert (order.status, order.kind, order.level, order.unit, order.finished_on) == (
        "done", "maint_1", "maint_1", org.team1, TODAY - 30 * DAY)
    assert (order.labour_hours, order.other_cost) == (Decimal("4.5"), Decimal("300000"))
    assert list(order.technicians.all()) == [org.person1]
    lines = {line.item.serial: line for line in order.lines.select_related("item")}
    assert lines["50-01"].km == Decimal("11000") and lines["50-02"].note == "Thay lọc gió"
    assert lines["50-01"].grade_before == 2 and lines["50-02"].grade_before == 3
    repair = WorkOrder.objects.get(kind="repair_minor")
    assert repair.number.startswith("SCN-") and repair.lines.get().item == truck
    # Grades and units stay; a reading older than the meter leaves it, a newer one moves it on.
    truck.refresh_from_db()
    car.refresh_from_db()
    assert (truck.grade, truck.unit, truck.km) == (2, org.team1, Decimal("12000"))
    assert (car.grade, car.km) == (3, Decimal("3500"))
    audited = AuditEntry.objects.filter(source="import", username="don1")
    assert audited.filter(content_type__model="workorder", action="create").count() == 2
    assert audited.filter(content_type__model="workorderitem", action="create").count() == 3
    assert audited.get(content_type__model="item").changes["km"] == ["3000.0", "3500.0"]


def test_imported_history_moves_schedules_forward_only(org):
    truck = item(org, "UAZ469", "50-01", km=Decimal("12000"))
    schedule = Schedule.objects.get(item=truck, rule__level="maint_1")
    summary = run(WorkLogImporter, org.officer1, LOG_HEADER, [work(km=11000, day=TODAY - 30 * DAY)], apply=True)
    assert summary.applied
    schedule.refresh_from_db()
    assert (schedule.last_done_on, schedule.next_due_on) == (TODAY - 30 * DAY, TODAY + 150 * DAY)
    assert (schedule.last_km, schedule.next_km, schedule.meter_due) == (Decimal("11000"), Decimal("16000"), False)
    # Older work is history only: the schedule keeps its newer last work.
    run(WorkLogImporter, org.officer1, LOG_HEADER, [work(km=9000, day=TODAY - 200 * DAY)], apply=True)
    schedule.refresh_from_db()
    assert schedule.last_done_on == TODAY - 30 * DAY and schedule.next_km == Decimal("16000")
    assert WorkOrderItem.objects.filter(item=truck).count() == 2
    # In one file, the newest work wins whatever the order of the rows; older rows stay history.
    run(WorkLogImporter, org.officer1, LOG_HEADER, [work(km=11500, day=TODAY - 20 * DAY),
                                                    work(km=11800, day=TODAY - 5 * DAY, number="N2"),
                                                    work(km=11600, day=TODAY - 10 * DAY, number="N3")], apply=True)
    schedule.refresh_from_db()
    assert (schedule.last_done_on, schedule.last_km) == (TODAY - 5 * DAY, Decimal("11800"))
    # Work long ago whose next due point by km the truck has passed: due by meter now.
    van = item(org, "UAZ469", "50-03", km=Decimal("30000"))
    run(WorkLogImporter, org.officer1, LOG_HEADER, [work(serial="50-03", km=20000, day=TODAY - 10 * DAY)],
        apply=True)
    assert Schedule.objects.get(item=van, rule__level="maint_1").meter_due


def test_a_post_officer_cannot_import_work_on_another_posts_items(org):
    item(org, "UAZ469", "50-01")
    other = item(org, "UAZ469", "60-01", unit=org.team2)
    summary = run(WorkLogImporter, org.officer1, LOG_HEADER, [work(), work(serial="60-01")], apply=True)
    assert not summary.applied and errors(summary) == {
        (3, "Số hiệu"): "No item “60-01” of this type in your units."}
    assert not WorkOrder.objects.exists()
    summary = run(WorkLogImporter, org.officer2, LOG_HEADER, [work(unit="DBP2-VT", serial="60-01")], apply=True)
    assert summary.applied and WorkOrderItem.objects.get().item == other
    assert run(WorkLogImporter, org.viewer, LOG_HEADER, [work()]).bad == 1  # a viewer logs no work anywhere


def test_rows_of_one_order_may_span_batches(org, monkeypatch):
    for serial in ("50-01", "50-02", "50-03"):
        item(org, "UAZ469", serial)
    monkeypatch.setattr(WorkLogImporter, "batch_size", 2)
    rows = [work(serial=serial, number="P9", labour=1, people="Trần Quốc Tuấn") for serial in ("50-01", "50-02",
                                                                                             "50-03")]
    summary = run(WorkLogImporter, org.officer1, LOG_HEADER, rows, apply=True)
    assert summary.applied
    order = WorkOrder.objects.get()
    assert order.lines.count() == 3 and order.labour_hours == 3 and order.technicians.count() == 1


# --- pages, API, commands ---------------------------------------------------------------------------

def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {**settings.CACHES, "progress": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "import-progress"}}


def test_log_page_checks_then_writes_on_confirmation(org):
    item(org, "UAZ469", "50-01")
    client = login(org.technician1)
    listing = client.get(reverse("maintenance:workorder_list")).content.decode()
    assert reverse("maintenance:workorder_import") in listing
    assert reverse("maintenance:workorder_import") not in login(org.viewer).get(
        reverse("maintenance:workorder_list")).content.decode()
    page = client.get(reverse("maintenance:workorder_import")).content.decode()
    assert "Loại công việc" in page and reverse("maintenance:workorder_import_template") in page
    response = client.post(reverse("maintenance:workorder_import"),
                           {"file": SimpleUploadedFile("so-bao-duong.xlsx", xlsx([LOG_HEADER, work()]))})
    run_ = ImportRun.objects.get(created_by=org.technician1)
    assert response.status_code == 302 and (run_.status, run_.added, run_.bad) == ("checked", 1, 0)
    assert not WorkOrder.objects.exists()
    assert reverse("maintenance:workorder_list") in client.get(run_.get_absolute_url()).content.decode()
    client.post(reverse("import_run_apply", args=[run_.pk]))
    run_.refresh_from_db()
    assert run_.status == "applied" and WorkOrder.objects.get().status == "done"


def test_templates_list_the_users_codes_and_round_trip(org):
    item(org, "UAZ469", "50-01")
    client = login(org.officer1)
    response = client.get(reverse("maintenance:workorder_import_template"))
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names[2:] == ["Đơn vị", "Chủng loại"]
    assert [row[0] for row in book.get_sheet_by_name("Đơn vị").to_python()[1:]] == ["DBP1", "DBP1-VT"]
    header = book.get_sheet_by_index(0).to_python()[0]
    assert header == LOG_HEADER
    response = login(org.head).get(reverse("maintenance:maintenancerule_import_template"))
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.get_sheet_by_index(0).to_python()[0] == RULE_HEADER
    assert "XM" in [row[0] for row in book.get_sheet_by_name("Ngành").to_python()]
    assert login(org.officer1).get(reverse("maintenance:maintenancerule_import_template")).status_code == 403


def test_api_imports_both_files_by_key(org):
    item(org, "UAZ469", "50-01")
    api = APIClient()
    api.force_authenticate(org.officer1)
    response = api.post("/api/core/imports/", {"importer": "maintenance.log", "file": SimpleUploadedFile(
        "log.xlsx", xlsx([LOG_HEADER, work()]))}, format="multipart")
    assert response.status_code == 201 and response.json()["added"] == 1, response.content
    assert api.post(f"/api/core/imports/{response.json()['id']}/apply/").json()["status"] == "applied"
    assert WorkOrder.objects.count() == 1
    denied = api.post("/api/core/imports/", {"importer": "maintenance.rule", "file": SimpleUploadedFile(
        "rules.xlsx", xlsx([RULE_HEADER, rule()]))}, format="multipart")
    assert denied.status_code == 403
    head = APIClient()
    head.force_authenticate(org.head)
    response = head.post("/api/core/imports/", {"importer": "maintenance.rule", "file": SimpleUploadedFile(
        "rules.xlsx", xlsx([RULE_HEADER, rule()]))}, format="multipart")
    assert response.status_code == 201 and response.json()["added"] == 1


def test_command_line_imports(org, tmp_path):
    item(org, "UAZ469", "50-01")
    rules, log = tmp_path / "che-do.xlsx", tmp_path / "so.xlsx"
    rules.write_bytes(xlsx([RULE_HEADER, rule()]))
    log.write_bytes(xlsx([LOG_HEADER, work(), work(serial="KHONGCO")]))
    out, err = io.StringIO(), io.StringIO()
    call_command("import-maintenance-rules", str(rules), "--user", "chunhiem", "--dry-run", stdout=out, stderr=err)
    assert "Chạy thử" in out.getvalue() and not MaintenanceRule.objects.filter(type__code="AK").exists()
    call_command("import-maintenance-rules", str(rules), "--user", "chunhiem", stdout=out, stderr=err)
    assert MaintenanceRule.objects.filter(type__code="AK", level="tech_day").exists()
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import-maintenance-log", str(log), "--user", "don1", stdout=out, stderr=err)
    assert error.value.returncode == 1 and "dòng 3" in out.getvalue() and not WorkOrder.objects.exists()
    log.write_bytes(xlsx([LOG_HEADER, work()]))
    call_command("import-maintenance-log", str(log), "--user", "don1", "--dry-run", stdout=out, stderr=err)
    assert not WorkOrder.objects.exists()
    call_command("import-maintenance-log", str(log), "--user", "don1", stdout=out, stderr=err)
    assert WorkOrder.objects.get().lines.count() == 1
    assert AuditEntry.objects.filter(source="command", content_type__model="workorder").count() == 1
