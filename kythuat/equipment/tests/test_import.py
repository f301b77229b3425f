"""Import of the register from Excel (issue 3): columns, bad rows, all-or-nothing, updates that may
not touch official facts, scoping; the pages, the task, the command and the template."""

import io

import pytest
from django.utils import translation

from kythuat.core.context import acting
from kythuat.core.models import AuditEntry
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
