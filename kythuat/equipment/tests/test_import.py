"""Import of the register from Excel (issue 3): columns, bad rows, all-or-nothing, updates that may
not touch official facts, scoping; the pages, the task, the command and the template."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook
from rest_framework.test import APIClient

from kythuat.core.context import acting
from kythuat.core.models import AuditEntry, ImportRun
from kythuat.core.testing.factories import ItemFactory
from kythuat.core.testing.sheets import xlsx
from kythuat.equipment.importers import ItemImporter
from kythuat.equipment.models import EquipmentType, Item

pytestmark = pytest.mark.django_db

HEADER = ["Mã đơn vị", "Mã chủng loại", "Số hiệu", "Số lượng", "Năm sản xuất", "Năm đưa vào sử dụng",
          "Nguyên giá (đồng)", "Số km", "Số phát đã bắn", "Cấp chất lượng", "Tình trạng kỹ thuật",
          "Trạng thái sử dụng", "Tính đồng bộ", "Phần thiếu đồng bộ", "Ghi chú"]


def line(unit="DBP1-VT", kind="AK", serial="AK-0001", quantity=1, made=2015, service=2016, price=15000000, km="",
         rounds=100, grade=2, condition="Sẵn sàng", usage="Đang khai thác", complete="Đồng bộ", missing="", notes=""):
    return [unit, kind, serial, quantity, made, service, price, km, rounds, grade, condition, usage, complete,
            missing, notes]


def run(user, rows, *, apply=False, header=HEADER, language="en"):
    with translation.override(language), acting(user=user, source="import"):
        return ItemImporter(user=user).run(io.BytesIO(xlsx([header, *rows])), apply=apply)


def errors(summary):
    return {(e["row"], e["column"]): e["message"] for e in summary.errors}


def test_usual_variations_of_headers_are_recognised(org):
    header = ["ma don vi", "CHỦNG LOẠI", "Số hiệu/ số đăng ký", "SL", "Năm SX", "Năm sử dụng", "Nguyên giá",
              "Km", "Phát bắn", "Cấp CL", "TTKT", "Trạng thái", "Đồng bộ", "Thiếu đồng bộ", "Ghi chú"]
    summary = run(org.admin, [line()], header=header)
    assert summary.ignored == [] and len(summary.columns) == len(HEADER)
    assert (summary.added, summary.bad) == (1, 0)


def test_values_are_read_as_units_write_them(org):
    rows = [line(serial="AK-1", grade="Cấp 1", condition="san sang", usage="Dự trữ SSCĐ", complete="Thiếu",
                 missing="Lưỡi lê", price="15.000.000", rounds="1.200"),
            line(kind="D762X39", serial="", quantity=5000, rounds="", grade="2", condition="Tốt", usage="Niêm cất")]
    summary = run(org.officer1, rows, apply=True)
    assert summary.applied and summary.added == 2
    rifle = Item.objects.get(serial="AK-1")
    assert (rifle.grade, rifle.condition, rifle.usage_state, rifle.completeness, rifle.missing_parts) == (
        1, "ready", "reserve", "missing", "Lưỡi lê")
    assert rifle.original_price == 15000000 and rifle.rounds == 1200 and rifle.unit == org.team1
    lot = Item.objects.get(type__code="D762X39", unit=org.team1)
    assert lot.quantity == 5000 and lot.usage_state == "sealed"


def test_each_kind_of_bad_row_is_reported_with_its_reason(org):
    ItemFactory(type=EquipmentType.objects.get(code="AK"), unit=org.team1, serial="AK-IN-DB")
    rows = [
        line(unit="KHONGCO", serial="A2"),  # row 2: unknown unit
        line(kind="XYZ", serial="A3"),  # 3: unknown type
        line(serial="A4", grade=7),  # 4: bad grade
        line(serial="A5"),  # 5
        line(serial="A5"),  # 6: the same number twice in the file
        line(serial="AK-IN-DB", grade=3),  # 7: a number already in the register, another grade
        line(kind="UAZ469", serial="X8", km="nhiều", rounds=""),  # 8: meter not a number
        line(serial="A9", made="tháng 3"),  # 9: date not a date
        line(serial="A10", quantity=3),  # 10: quantity for a serial item
        line(serial="A11", usage="Đã loại khỏi biên chế"),  # 11: struck off by import
        line(serial="A12", grade=""),  # 12: a new line without grade
        line(serial="A13", km=100),  # 13: a meter the type does not count
        line(serial="A14", complete="Thiếu đồng bộ"),  # 14: missing parts not listed
        line(serial="", grade=2),  # 15: a serial item without number
        line(serial="A16", made=2020, service=2010),  # 16: into service before made
    ]
    summary = run(org.officer1, rows)
    found = errors(summary)
    assert found[(2, "Mã đơn vị")] == "Unknown unit “KHONGCO”, or not a unit whose register you keep."
    assert found[(3, "Mã chủng loại")] == "Unknown equipment type “XYZ”."
    assert "1 to 5" in found[(4, "Cấp chất lượng")]
    assert found[(6, "Số hiệu")] == "This number is already on row 5 of the file."
    assert "grade change record" in found[(7, "Cấp chất lượng")]
    assert found[(8, "Số km")] == "“nhiều” is not a number."
    assert found[(9, "Năm sản xuất")] == "“tháng 3” is not a year (e.g. 2015) or a date."
    assert found[(10, "Số lượng")] == "An item tracked by serial number has quantity 1."
    assert found[(11, "Trạng thái sử dụng")] == "Items are struck off only by a strike-off."
    assert found[(12, "Cấp chất lượng")] == "A new line needs its quality grade (1 to 5)."
    assert found[(13, "Số km")] == "This type does not count this meter."
    assert found[(14, "Phần thiếu đồng bộ")] == "List the missing kit parts."
    assert found[(15, "Số hiệu")] == "Give the serial or registration number."
    assert found[(16, "Năm đưa vào sử dụng")] == "The year into service cannot be before the year made."
    assert (summary.total, summary.bad, summary.added) == (15, 14, 1)


def test_messages_are_in_vietnamese_by_default(org):
    summary = run(org.officer1, [line(unit="KHONGCO")], language="vi")
    assert "Không có đơn vị “KHONGCO”" in summary.errors[0]["message"]


def test_one_bad_row_and_nothing_is_written(org):
    before = Item.objects.count(), AuditEntry.objects.count()
    summary = run(org.officer1, [line(serial="A1"), line(serial="A2"), line(serial="A3", grade=9)], apply=True)
    assert not summary.applied and summary.bad == 1
    assert (Item.objects.count(), AuditEntry.objects.count()) == before


def test_existing_lines_are_updated_but_not_their_grade_or_unit(org):
    kind = EquipmentType.objects.get(code="AK")
    item = ItemFactory(type=kind, unit=org.team1, serial="AK-7", grade=2, rounds=100, notes="cũ")
    version = item.version
    summary = run(org.officer1, [line(serial="AK-7", rounds=250, condition="Hạn chế", notes="mới", made="",
                                      service="", price="")], apply=True)
    assert summary.applied and (summary.updated, summary.added) == (1, 0)
    assert summary.samples["update"][0]["changes"][0][0] == "Số phát đã bắn"
    item.refresh_from_db()
    assert (item.rounds, item.condition, item.notes, item.grade) == (250, "limited", "mới", 2)
    assert item.version == version + 1  # a form opened before the import refuses to overwrite it
    entry = AuditEntry.objects.filter(object_id=str(item.pk), content_type__model="item").latest("id")
    assert entry.action == "update" and entry.changes["rounds"] == [100, 250] and "grade" not in entry.changes
    again = run(org.officer1, [line(serial="AK-7", rounds=250, condition="Hạn chế", notes="mới", made="",
                                    service="", price="")], apply=True)
    assert (again.unchanged, again.updated) == (1, 0)
    refused = run(org.officer1, [line(serial="AK-7", grade=4, unit="DBP1", rounds=200)], apply=True)
    found = errors(refused)
    assert found[(2, "Cấp chất lượng")] == ("The grade changes only by a grade change record: the item is grade 2 "
                                            "now.")
    assert found[(2, "Mã đơn vị")] == ("The holding unit changes only by a transfer order: the item is held by "
                                       "Đội Vũ trang.")
    assert found[(2, "Số phát đã bắn")] == "A meter cannot go backwards (it was 250)."
    item.refresh_from_db()
    assert (item.grade, item.unit_id, item.rounds) == (2, org.team1.pk, 250)


def test_a_complete_item_loses_its_missing_parts(org):
    item = ItemFactory(type=EquipmentType.objects.get(code="AK"), unit=org.team1, serial="AK-8",
                       completeness="missing", missing_parts="Lưỡi lê")
    summary = run(org.officer1, [[*line(serial="AK-8", complete="Đồng bộ")[:13]]], apply=True,
                  header=HEADER[:13])
    assert summary.applied
    item.refresh_from_db()
    assert (item.completeness, item.missing_parts) == ("complete", "")


def test_rows_for_units_outside_scope_are_refused_without_revealing_them(org):
    kind = EquipmentType.objects.get(code="AK")
    ItemFactory(type=kind, unit=org.team2, serial="AK-OTHER")
    summary = run(org.officer1, [line(unit="DBP2-VT", serial="N1"), line(serial="AK-OTHER")], apply=True)
    found = errors(summary)
    assert found[(2, "Mã đơn vị")] == "Unknown unit “DBP2-VT”, or not a unit whose register you keep."
    assert found[(3, "Số hiệu")] == "This type already has an item with this number."
    assert "Nam Sơn" not in str(summary.as_dict())
    assert not summary.applied and not Item.objects.filter(serial="N1").exists()


def test_units_may_be_given_by_name_when_unique(org):
    summary = run(org.officer1, [line(unit="Đồn Biên phòng Bắc Phong", serial="N1"),
                                 line(unit="Đội Vũ trang", serial="N2")])
    # "Đội Vũ trang" is the name of a team of each post, but only one is the officer's: unique for him.
    assert (summary.added, summary.bad) == (2, 0)
    summary = run(org.admin, [line(unit="Đội Vũ trang", serial="N2")])
    assert summary.bad == 1  # the head sees two teams of that name: the code is needed


# --- pages, task, command, template ------------------------------------------------------------------

def login(user):
    client = Client()
    client.force_login(user)
    return client


def upload(client, content: bytes, name="so-dang-ky.xlsx"):
    return client.post(reverse("equipment:item_import"), {"file": SimpleUploadedFile(name, content)})


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {**settings.CACHES, "progress": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "import-progress"}}


def test_import_is_offered_to_those_who_keep_the_register(org):
    url, register = reverse("equipment:item_import"), reverse("equipment:item_list")
    assert url in login(org.officer1).get(register).content.decode()
    assert url not in login(org.viewer).get(register).content.decode()
    assert login(org.viewer).get(reverse("equipment:item_import")).status_code == 403
    assert login(org.officer1).get(reverse("equipment:item_import")).status_code == 200


def test_a_file_is_checked_first_and_written_on_confirmation(org):
    client = login(org.officer1)
    response = upload(client, xlsx([HEADER, line(serial="P-1"), line(serial="P-2")]))
    run = ImportRun.objects.get(created_by=org.officer1)
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    assert (run.status, run.total, run.added, run.bad, run.in_background) == ("checked", 2, 2, 0, False)
    assert not Item.objects.filter(serial__in=["P-1", "P-2"]).exists()
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Ghi vào sổ" in page and "P-1" in page and 'hx-trigger="every 1s"' not in page
    response = client.post(reverse("import_run_apply", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == "applied" and not run.file
    assert Item.objects.filter(serial__in=["P-1", "P-2"], unit=org.team1).count() == 2
    assert AuditEntry.objects.filter(source="import", username="don1", action="create").count() == 2
    assert client.post(reverse("import_run_apply", args=[run.pk])).status_code == 302  # not twice
    assert Item.objects.filter(serial__in=["P-1", "P-2"]).count() == 2


def test_bad_rows_are_listed_and_the_file_cannot_be_written(org):
    client = login(org.officer1)
    upload(client, xlsx([HEADER, line(serial="P-1"), line(serial="P-2", grade="Cấp 9")]))
    run = ImportRun.objects.get(created_by=org.officer1)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Cấp chất lượng từ 1 đến 5" in page and "<td class=\"num\">3</td>" in page
    assert "Ghi vào sổ" not in page
    client.post(reverse("import_run_apply", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "checked" and not Item.objects.filter(serial="P-1").exists()


def test_bad_files_get_a_clear_message(org, settings):
    client = login(org.officer1)
    response = upload(client, b"not a spreadsheet", name="ghi-chu.txt")
    assert response.status_code == 400 and "Hãy chọn tệp Excel" in response.content.decode()
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    response = upload(client, b"x" * (1024 * 1024 + 1), name="lon.xlsx")
    assert response.status_code == 400 and "Tệp lớn hơn 1 MB" in response.content.decode()
    assert not ImportRun.objects.exists()
    response = upload(client, b"not a spreadsheet", name="so.xlsx")
    run = ImportRun.objects.get(created_by=org.officer1)
    assert run.status == "failed" and "không phải bảng tính" in client.get(response.url).content.decode()
    upload(client, xlsx([["Danh sách"], ["a", "b"]]))
    assert "Không tìm thấy dòng tiêu đề" in ImportRun.objects.latest("id").message


def test_runs_are_seen_only_by_their_uploader(org):
    upload(login(org.officer1), xlsx([HEADER, line(serial="P-1")]))
    run = ImportRun.objects.get(created_by=org.officer1)
    other = login(org.head)
    for name in ("import_run", "import_run_progress"):
        assert other.get(reverse(name, args=[run.pk])).status_code == 404
    assert other.post(reverse("import_run_apply", args=[run.pk])).status_code == 404
    run.refresh_from_db()
    assert run.status == "checked"


def test_a_number_repeated_batches_apart_is_found(org, monkeypatch):
    # Numbers seen in earlier batches are kept on disk (core.importer.FileKeys), not in memory.
    monkeypatch.setattr(ItemImporter, "batch_size", 2)
    rows = [line(serial=serial) for serial in ("B1", "B2", "B3", "B1", "B4", "B2", "B2")]
    summary = run(org.officer1, rows)
    found = errors(summary)
    assert found == {(5, "Số hiệu"): "This number is already on row 2 of the file.",
                     (7, "Số hiệu"): "This number is already on row 3 of the file.",
                     (8, "Số hiệu"): "This number is already on row 3 of the file."}
    assert (summary.total, summary.added, summary.bad) == (7, 4, 3)


def test_large_files_run_as_a_task_and_report_progress(org, settings, monkeypatch):
    settings.IMPORT_INLINE_BYTES = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    seen = []
    from django.core.cache import caches

    store = caches["progress"]
    monkeypatch.setattr(store, "set", lambda key, value, timeout: seen.append(value))
    ItemImporter.batch_size, before = 2, ItemImporter.batch_size
    try:
        upload(login(org.officer1), xlsx([HEADER, *[line(serial=f"P-{n}") for n in range(5)]]))
    finally:
        ItemImporter.batch_size = before
    run = ImportRun.objects.get(created_by=org.officer1)
    assert run.in_background and run.status == "checked" and run.added == 5
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_the_page_polls_while_a_file_is_worked_on(org):
    run = ImportRun.objects.create(importer="equipment.item", created_by=org.officer1, file_name="so.xlsx",
                                   status="checking", in_background=True)
    from django.core.cache import caches

    caches["progress"].set(f"import-run:{run.pk}", (250, 1000))
    client = login(org.officer1)
    response = client.get(reverse("import_run_progress", args=[run.pk]))
    page = response.content.decode()
    assert 'hx-trigger="every 1s"' in page and 'value="250"' in page and "25%" in page
    # Polling writes nothing (no session save): on SQLite the import holds the one write lock.
    assert "sessionid" not in response.cookies and "sessionid" in client.get(run.get_absolute_url()).cookies


def test_queued_imports_are_run_by_the_database_worker(org, settings, monkeypatch):
    settings.IMPORT_INLINE_BYTES = 0
    # The worker recycles old connections between tasks; here that would close the test's own.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    client = login(org.officer1)
    upload(client, xlsx([HEADER, line(serial="W-1")]))
    run = ImportRun.objects.get(created_by=org.officer1)
    assert run.status == "queued" and 'hx-trigger="every 1s"' in client.get(run.get_absolute_url()).content.decode()
    call_command("db_worker", "--batch", "--no-startup-delay", "--verbosity", "0")
    run.refresh_from_db()
    assert run.status == "checked" and run.added == 1
    client.post(reverse("import_run_apply", args=[run.pk]))
    call_command("db_worker", "--batch", "--no-startup-delay", "--verbosity", "0")
    run.refresh_from_db()
    assert run.status == "applied" and Item.objects.filter(serial="W-1", unit=org.team1).exists()


def test_command_line_import(org, tmp_path):
    path = tmp_path / "so.xlsx"
    path.write_bytes(xlsx([HEADER, line(serial="C-1"), line(serial="C-2")]))
    out, err = io.StringIO(), io.StringIO()
    call_command("import-register", str(path), "--user", "don1", "--dry-run", stdout=out, stderr=err)
    assert "2" in out.getvalue() and "Chạy thử" in out.getvalue() and "100%" in err.getvalue()
    assert not Item.objects.filter(serial="C-1").exists()
    call_command("import-register", str(path), "--user", "don1", stdout=out, stderr=err)
    assert Item.objects.filter(serial__in=["C-1", "C-2"]).count() == 2
    assert AuditEntry.objects.filter(source="command", username="don1", action="create").count() == 2
    path.write_bytes(xlsx([HEADER, line(serial="C-3"), line(unit="DBP2-VT", serial="C-4")]))
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import-register", str(path), "--user", "don1", stdout=out, stderr=err)
    assert error.value.returncode == 1 and "dòng 3" in out.getvalue()
    assert not Item.objects.filter(serial="C-3").exists()
    with pytest.raises(CommandError):
        call_command("import-register", str(path), "--user", "xem", stdout=out, stderr=err)


def test_template_round_trip(org):
    client = login(org.officer1)
    response = client.get(reverse("equipment:item_import_template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["Sổ đăng ký VKTBKT", "Hướng dẫn", "Đơn vị", "Chủng loại"]
    header = book.get_sheet_by_index(0).to_python()[0]
    assert header[:3] == ["Mã đơn vị", "Mã chủng loại", "Số hiệu"]
    units = [row[0] for row in book.get_sheet_by_name("Đơn vị").to_python()[1:]]
    assert units == ["DBP1", "DBP1-VT"]  # only the units whose register the officer keeps
    assert "AK" in [row[0] for row in book.get_sheet_by_name("Chủng loại").to_python()]
    guide = book.get_sheet_by_name("Hướng dẫn").to_python()
    example = next(i for i, row in enumerate(guide) if row[:2] == header[:2])
    filled = dict(zip(header, guide[example + 1], strict=False))
    filled.update({"Mã đơn vị": "DBP1-VT", "Số hiệu": "T-1"})
    upload(client, xlsx([header, [filled.get(name, "") for name in header]]))
    run = ImportRun.objects.get(created_by=org.officer1)
    assert (run.status, run.added, run.bad) == ("checked", 1, 0), run.report
    assert login(org.viewer).get(reverse("equipment:item_import_template")).status_code == 403


def test_api_checks_then_writes_a_file(org):
    api = APIClient()
    api.force_authenticate(org.officer1)
    content = xlsx([HEADER, line(serial="API-1")])
    response = api.post("/api/core/imports/", {"importer": "equipment.item",
                                               "file": SimpleUploadedFile("so.xlsx", content)}, format="multipart")
    assert response.status_code == 201, response.content
    run = response.json()
    assert (run["status"], run["added"], run["bad"], run["errors"]) == ("checked", 1, 0, [])
    assert api.get(f"/api/core/imports/{run['id']}/").json()["status"] == "checked"
    response = api.post(f"/api/core/imports/{run['id']}/apply/")
    assert response.status_code == 200 and response.json()["status"] == "applied"
    assert Item.objects.filter(serial="API-1", unit=org.team1).exists()
    assert api.post(f"/api/core/imports/{run['id']}/apply/").status_code == 409

    bad = api.post("/api/core/imports/", {"importer": "equipment.item", "file": SimpleUploadedFile(
        "so.xlsx", xlsx([HEADER, line(unit="DBP2-VT", serial="API-2")]))}, format="multipart").json()
    assert bad["bad"] == 1 and bad["errors"][0]["row"] == 2 and bad["errors"][0]["column"] == "Mã đơn vị"
    assert api.post("/api/core/imports/", {"importer": "nope"}, format="multipart").status_code == 400
    assert api.post("/api/core/imports/", {"importer": "equipment.item", "file": SimpleUploadedFile(
        "a.txt", b"x")}, format="multipart").json()["file"]

    other = APIClient()
    other.force_authenticate(org.head)
    assert other.get(f"/api/core/imports/{run['id']}/").status_code == 404
    assert other.get("/api/core/imports/").json()["count"] == 0
    viewer = APIClient()
    viewer.force_authenticate(org.viewer)
    assert viewer.post("/api/core/imports/", {"importer": "equipment.item"}, format="multipart").status_code == 403
