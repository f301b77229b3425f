"""What a Vietnamese reader sees outside the pages' own strings: audit field names, years, errors."""

import datetime

import pytest
from django.test import Client

from kythuat.equipment.models import EquipmentType, Item
from kythuat.maintenance import services
from kythuat.maintenance.choices import WorkKind

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_audit_names_the_record_id_and_every_field_in_vietnamese(org):
    vehicle = Item.objects.create(type=EquipmentType.objects.get(code="UAZ469"), unit=org.team1, serial="50-21",
                                  grade=2, registered_on=datetime.date(2020, 1, 1))
    services.plan_work(user=org.officer1, unit=org.post1, kind=WorkKind.MAINT_1, items=[vehicle.pk])
    page = login(org.head).get("/audit/").content.decode()
    assert "<td>Mã số bản ghi</td>" in page and "<td>Phiếu công việc</td>" in page
    assert "<td>Id</td>" not in page and "<td>Work order</td>" not in page


def test_item_page_writes_years_as_years(org):
    item = Item.objects.create(type=EquipmentType.objects.get(code="UAZ469"), unit=org.team1, serial="50-22",
                               grade=2, year_made=2014, year_in_service=2015,
                               registered_on=datetime.date(2020, 1, 1))
    page = login(org.head).get(item.get_absolute_url()).content.decode()
    assert "<dd>2014</dd>" in page and "2.014" not in page and "2.015" not in page


def test_a_request_the_server_cannot_read_gets_a_vietnamese_page(org, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = login(org.head).post("/maintenance/faults/add/", {f"f{n}": "x" for n in range(10)})
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()
