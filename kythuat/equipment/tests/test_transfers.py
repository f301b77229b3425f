"""Transfer orders: the only way an item changes unit; lots may move in part."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kythuat.core.models import AuditEntry
from kythuat.core.testing.factories import EquipmentTypeFactory, ItemFactory
from kythuat.equipment import services
from kythuat.equipment.models import Item, Transfer

pytestmark = pytest.mark.django_db


def _draft(org, lines, number="01/LĐC", to=None):
    return services.draft_transfer(user=org.officer1, from_unit=org.post1, to_unit=to or org.post2, number=number,
                                   date=datetime.date(2026, 11, 22), reason="Điều chỉnh biên chế", lines=lines)


def test_transfer_moves_items_after_approval_and_handover(org):
    vehicle = ItemFactory(unit=org.team1)
    order = _draft(org, [(vehicle.pk, None)])
    with pytest.raises(ValidationError):
        services.complete_transfer(transfer=order, user=org.officer1)  # not approved yet
    with pytest.raises(PermissionDenied):
        services.approve_transfer(transfer=order, user=org.officer1)
    services.approve_transfer(transfer=order, user=org.commander1)
    services.complete_transfer(transfer=Transfer.objects.get(pk=order.pk), user=org.officer1)
    vehicle.refresh_from_db()
    assert vehicle.unit == org.post2
    entry = AuditEntry.objects.get(content_type__model="item", object_id=str(vehicle.pk), action="update")
    assert entry.changes["unit_id"] == [org.team1.pk, org.post2.pk]
    # Both units see the move in the item's record; don1 no longer sees the item at all.
    officer2 = Client()
    officer2.force_login(org.officer2)
    page = officer2.get(vehicle.get_absolute_url())
    assert page.status_code == 200 and [t.transfer.number for t in page.context["transfers"]] == ["01/LĐC"]
    officer1 = Client()
    officer1.force_login(org.officer1)
    assert officer1.get(vehicle.get_absolute_url()).status_code == 404
    assert officer1.get(order.get_absolute_url()).status_code == 200  # the order stays with the sender


def test_part_of_a_lot_splits(org):
    ammo = EquipmentTypeFactory(tracked_by="quantity", has_rounds=False, unit_of_measure="viên")
    lot = ItemFactory(type=ammo, unit=org.team1, serial="LO-2019-07", quantity=5000)
    order = _draft(org, [(lot.pk, 1200)])
    services.approve_transfer(transfer=order, user=org.commander1)
    services.complete_transfer(transfer=order, user=org.officer1)
    lot.refresh_from_db()
    arrived = order.lines.get().moved_item
    assert lot.quantity == 3800 and lot.unit == org.team1
    assert arrived.quantity == 1200 and arrived.unit == org.post2 and arrived.serial == "LO-2019-07/01/LĐC"
    assert arrived.grade == lot.grade and arrived.type == ammo


def test_bad_orders_are_refused(org):
    ammo = EquipmentTypeFactory(tracked_by="quantity", has_rounds=False)
    lot = ItemFactory(type=ammo, unit=org.team1, quantity=100)
    own = ItemFactory(unit=org.team1)
    other = ItemFactory(unit=org.team2)
    for lines in ([(lot.pk, 101)], [(lot.pk, 0)], [(other.pk, None)], [(own.pk, None), (own.pk, None)], []):
        with pytest.raises(ValidationError):
            _draft(org, lines)
    with pytest.raises(ValidationError):
        _draft(org, [(own.pk, None)], to=org.post1)  # to the same unit
    _draft(org, [(own.pk, None)])
    with pytest.raises(ValidationError):
        _draft(org, [(own.pk, None)], number="02/LĐC")  # already on an open order
    assert Transfer.objects.count() == 1


def test_transfer_pages_from_the_register(org):
    items = [ItemFactory(unit=org.team1) for _ in range(2)]
    client = Client()
    client.force_login(org.officer1)
    page = client.get(reverse("equipment:transfer_add"), {"items": [i.pk for i in items]})
    assert page.status_code == 200 and len(page.context["lines"]) == 2
    assert org.post2 in page.context["form"].fields["to_unit"].queryset  # any unit may receive
    response = client.post(reverse("equipment:transfer_add"), {
        "number": "03/LĐC", "date": "22/11/2026", "from_unit": org.post1.pk, "to_unit": org.post2.pk,
        "items": [i.pk for i in items], **{f"quantity_{i.pk}": 1 for i in items}})
    assert response.status_code == 302
    order = Transfer.objects.get(number="03/LĐC")
    commander = Client()
    commander.force_login(org.commander1)
    commander.post(reverse("equipment:transfer_approve", args=[order.pk]), {"version": order.version})
    order.refresh_from_db()
    client.post(reverse("equipment:transfer_complete", args=[order.pk]), {"version": order.version})
    assert set(Item.objects.filter(pk__in=[i.pk for i in items]).values_list("unit", flat=True)) == {org.post2.pk}
    assert client.get(reverse("equipment:transfer_edit", args=[order.pk])).status_code == 403


def test_transfer_api(org):
    item = ItemFactory(unit=org.team1)
    officer = APIClient()
    officer.force_authenticate(org.officer1)
    response = officer.post("/api/equipment/transfers/", {
        "number": "04/LĐC", "date": "2026-11-22", "from_unit": org.post1.pk, "to_unit": org.post2.pk,
        "lines": [{"item": item.pk}]}, format="json")
    assert response.status_code == 201, response.json()
    order_id = response.json()["id"]
    bad = officer.post("/api/equipment/transfers/", {"number": "05", "from_unit": org.post1.pk,
                                                     "to_unit": org.post1.pk, "lines": [{"item": item.pk}]},
                       format="json")
    assert bad.status_code == 400
    commander = APIClient()
    commander.force_authenticate(org.commander1)
    assert commander.post(f"/api/equipment/transfers/{order_id}/approve/", format="json").status_code == 200
    response = officer.post(f"/api/equipment/transfers/{order_id}/complete/", format="json")
    assert response.status_code == 200 and response.json()["status"] == "completed"
    item.refresh_from_db()
    assert item.unit == org.post2
