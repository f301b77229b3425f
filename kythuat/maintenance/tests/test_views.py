"""Pages of maintenance that go through the services (the API's tests cover the same services)."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from kythuat.equipment.models import EquipmentType, Item
from kythuat.maintenance.models import MaintenanceRule, Schedule

pytestmark = pytest.mark.django_db


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
