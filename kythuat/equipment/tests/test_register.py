"""Rules of the catalogue and the register (issue 3, first part)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kythuat.core.testing.factories import EquipmentTypeFactory, ItemFactory
from kythuat.equipment.demo import build_items
from kythuat.equipment.models import Branch, EquipmentType, GradeDefinition, Item

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_default_catalogue_is_shipped():
    assert Branch.objects.count() == 8
    assert set(GradeDefinition.objects.filter(branch=None).values_list("grade", flat=True)) == {1, 2, 3, 4, 5}
    assert EquipmentType.objects.count() >= 60
    ak = EquipmentType.objects.get(code="AK")
    assert ak.branch.code == "QK" and ak.has_rounds and ak.kit.filter(name="Hộp tiếp đạn", quantity=4).exists()
    assert EquipmentType.objects.get(code="D762X39").tracked_by == "quantity"


def test_grade_outside_1_to_5_is_refused_by_the_database(org):
    kind = EquipmentTypeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(type=kind, unit=org.team1, serial="X1", grade=6)


def test_bad_items_are_refused_with_field_messages(org):
    kind = EquipmentTypeFactory()
    ItemFactory(type=kind, unit=org.team1, serial="AK-001")
    client = login(org.officer1)
    base = {"type": kind.pk, "unit": org.team1.pk, "serial": "AK-002", "quantity": 1, "grade": 2,
            "condition": "ready", "usage_state": "in_use", "location_class": "in_use", "completeness": "complete"}
    cases = {
        "grade": {"grade": 7},
        "quantity": {"quantity": 3},  # a serial-tracked item is one item
        "serial": {"serial": "AK-001"},  # duplicate number for the type
        "year_in_service": {"year_made": 2020, "year_in_service": 2010},
        "km": {"km": 100},  # the type counts no km
        "missing_parts": {"completeness": "missing"},
        "unit": {"unit": org.team2.pk},  # outside the officer's units
    }
    for field, change in cases.items():
        response = client.post(reverse("equipment:item_add"), {**base, **change})
        assert response.status_code == 400, field
        form = response.context["form"]
        assert field in form.errors or form.non_field_errors(), (field, form.errors)
    assert Item.objects.filter(unit=org.team1).count() == 1
    response = client.post(reverse("equipment:item_add"), base)
    assert response.status_code == 302
    assert Item.objects.filter(serial="AK-002", grade=2).exists()


def test_grade_and_unit_are_not_editable_after_registration(org):
    item = ItemFactory(unit=org.team1, grade=2)
    client = login(org.officer1)
    form = client.get(reverse("equipment:item_edit", args=[item.pk])).context["form"]
    assert "grade" not in form.fields and form.fields["unit"].disabled
    response = client.post(reverse("equipment:item_edit", args=[item.pk]), {
        "type": item.type_id, "unit": org.post1.pk, "serial": item.serial, "quantity": 1, "grade": 5,
        "condition": "limited", "usage_state": "in_use", "location_class": "in_use", "completeness": "complete",
        "version": item.version})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.grade == 2 and item.unit == org.team1 and item.condition == "limited"
    api = APIClient()
    api.force_authenticate(org.officer1)
    response = api.patch(f"/api/equipment/items/{item.pk}/", {"grade": 1, "version": item.version}, format="json")
    assert response.status_code == 400 and "grade" in response.json()
    response = api.patch(f"/api/equipment/items/{item.pk}/", {"usage_state": "struck_off", "version": item.version},
                         format="json")
    assert response.status_code == 400 and "usage_state" in response.json()


def test_meter_cannot_go_backwards(org):
    kind = EquipmentTypeFactory(has_km=True, has_rounds=False)
    item = ItemFactory(type=kind, unit=org.team1, km=5000)
    item.km = 4000
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "km" in error.value.message_dict


def test_register_totals_by_grade_match_the_rows(org):
    kind = EquipmentTypeFactory()
    for grade in (1, 2, 2, 3, 5):
        ItemFactory(type=kind, unit=org.team1, grade=grade)
    ItemFactory(type=kind, unit=org.team2, grade=2)
    ItemFactory(type=kind, unit=org.team1, grade=4, usage_state="struck_off")
    response = login(org.officer1).get(reverse("equipment:item_list"))
    totals = {grade: quantity for _label, grade, quantity in response.context["by_grade"]}
    assert totals == {1: 1, 2: 2, 3: 1, 4: 0, 5: 1}  # own units only; struck-off not in the register
    assert response.context["table"].paginator.count == 5
    response = login(org.officer1).get(reverse("equipment:item_list"), {"usage_state": "struck_off"})
    assert response.context["table"].paginator.count == 1


def test_register_filters_by_branch_grade_and_service_life(org):
    old = EquipmentTypeFactory(service_life_years=10)
    new = EquipmentTypeFactory(service_life_years=30)
    expired = ItemFactory(type=old, unit=org.team1, year_made=2000, year_in_service=2001)
    ItemFactory(type=new, unit=org.team1, year_made=2000, year_in_service=2001)
    response = login(org.head).get(reverse("equipment:item_list"), {"expired": "true"})
    assert [row.pk for row in response.context["table"].data] == [expired.pk]
    response = login(org.head).get(reverse("equipment:item_list"), {"branch": old.branch_id, "grade": [2]})
    assert [row.pk for row in response.context["table"].data] == [expired.pk]


def test_catalogue_is_edited_only_by_catalogue_managers(org):
    kind = EquipmentType.objects.get(code="AK")
    assert login(org.officer1).get(reverse("equipment:equipmenttype_edit", args=[kind.pk])).status_code == 403
    response = login(org.head).post(reverse("equipment:equipmenttype_edit", args=[kind.pk]), {
        "branch": kind.branch_id, "group": kind.group, "code": "AK", "name": kind.name, "unit_of_measure": "khẩu",
        "tracked_by": "serial", "has_rounds": "on", "version": kind.version,
        "kit_text": "Hộp tiếp đạn × 5\nLưỡi lê\nDây súng"})
    assert response.status_code == 302
    assert [(c.name, c.quantity) for c in kind.kit.all()] == [("Hộp tiếp đạn", 5), ("Lưỡi lê", 1), ("Dây súng", 1)]
    response = login(org.head).post(reverse("equipment:equipmenttype_edit", args=[kind.pk]), {
        "branch": kind.branch_id, "code": "AK", "name": kind.name, "unit_of_measure": "khẩu", "tracked_by": "serial",
        "version": kind.version + 1, "kit_text": "Hộp tiếp đạn × bốn"})
    assert response.status_code == 400 and "kit_text" in response.context["form"].errors


def test_demo_register_is_deterministic_and_idempotent():
    from kythuat.org.demo import build_demo

    build_demo()
    assert build_items(lines=3000) == 3000
    first = sorted(Item.objects.values_list("serial", "grade", "unit__code"))
    assert build_items(lines=3000) == 3000
    assert sorted(Item.objects.values_list("serial", "grade", "unit__code")) == first
    grades = {g for _s, g, _u in first}
    assert grades == {1, 2, 3, 4, 5}
    assert Item.objects.filter(unit__kind="border_post").exists()
    assert Item.objects.filter(unit__kind="squadron").exists()
    for item in Item.objects.select_related("type")[:200]:
        item.full_clean()  # every demo line obeys the register's rules


def test_qr_label_sheet_is_a_pdf_of_the_visible_items_only(org):
    own = [ItemFactory(unit=org.team1, serial=f"Đ-{n:03d}") for n in range(30)]
    other = ItemFactory(unit=org.team2)
    client = login(org.officer1)
    response = client.get(reverse("equipment:labels"), {"items": [i.pk for i in own] + [other.pk]})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and response.content.count(b"/Type /Page\n") == 2  # 24 a sheet
    assert client.get(reverse("equipment:labels"), {"items": [other.pk]}).status_code == 404
    page = client.get(own[0].get_absolute_url()).content.decode()
    assert 'src="data:image/svg+xml' in page


def test_register_book_export_groups_by_branch_and_type_with_totals(org):
    import io

    from python_calamine import CalamineWorkbook

    rifle = EquipmentTypeFactory(name="Súng tiểu liên AK")
    ammo = EquipmentTypeFactory(name="Đạn 7,62 mm", branch=rifle.branch, tracked_by="quantity", has_rounds=False)
    ItemFactory(type=rifle, unit=org.team1, grade=1)
    ItemFactory(type=rifle, unit=org.team1, grade=3)
    ItemFactory(type=ammo, unit=org.team1, grade=2, quantity=500)
    ItemFactory(type=rifle, unit=org.team2, grade=2)  # another post: not in don1's book
    client = login(org.officer1)
    response = client.get(reverse("equipment:item_list"), {"unit": org.post1.pk, "export": "book"})
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == org.post1.name.upper() and rows[2][0] == "SỔ ĐĂNG KÝ VŨ KHÍ, TRANG BỊ KỸ THUẬT"
    body = [row for row in rows[6:] if any(cell != "" for cell in row)]
    labels = [row[1] for row in body]
    assert labels[0].startswith("I. ") or body[0][0].startswith("I. ")
    total = next(row for row in body if row[1] == "TỔNG CỘNG")
    assert total[7] == 502 and total[8:13] == [1, 500, 1, 0, 0]
    rifle_total = next(row for row in body if row[1] == "Cộng Súng tiểu liên AK")
    assert rifle_total[7] == 2 and rifle_total[8] == 1 and rifle_total[10] == 1
    # A unit outside the user's scope in the query gives an empty book, never that unit's name.
    other = client.get(reverse("equipment:item_list"), {"unit": org.post2.pk, "export": "book"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(other.content)).get_sheet_by_index(0).to_python()
    assert org.post2.name.upper() not in str(sheet)


def test_register_page_queries_do_not_grow_with_rows_and_count_with_the_totals(org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    kind = EquipmentTypeFactory()
    ItemFactory(type=kind, unit=org.team1, grade=3)
    client = login(org.officer1)
    url = reverse("equipment:item_list")
    filters = {"unit": org.post1.pk, "branch": kind.branch_id, "grade": ["2", "3"], "sort": "type"}
    client.get(url, filters)
    with CaptureQueriesContext(connection) as few:
        client.get(url, filters)
    for n in range(60):
        ItemFactory(type=kind, unit=org.team1, grade=2 + n % 2)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, filters)
    assert len(many) == len(few)  # no query per row
    sql = " ".join(query["sql"] for query in many).upper()
    assert "COUNT(*)" in sql and "SELECT COUNT(*)" not in sql  # counted with the totals by grade
    assert "DISTINCT" not in sql  # filters over to-one relations cannot repeat rows
    table = response.context["table"]
    assert table.paginator.count == 61 and len(table.page.object_list) == 50
    assert response.context["total"] == 61


def test_register_sorted_by_type_pages_without_repeating_a_row(org):
    first, second = EquipmentTypeFactory(name="Súng A"), EquipmentTypeFactory(name="Súng A")
    for n in range(60):
        ItemFactory(type=first if n % 2 else second, unit=org.team1, serial=f"{n % 7:03d}-{n}")
    client = login(org.head)
    seen = []
    for page in (1, 2):
        response = client.get(reverse("equipment:item_list"), {"sort": "type", "page": page})
        seen += [row.record.pk for row in response.context["table"].page.object_list]
    assert len(seen) == len(set(seen)) == 60
