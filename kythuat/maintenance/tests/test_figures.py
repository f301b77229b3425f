import datetime

import pytest
from django.utils import timezone

from kythuat.equipment.models import EquipmentType, Item
from kythuat.maintenance import services
from kythuat.maintenance.figures import figures

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def test_smoke(org):
    truck = Item.objects.create(type=EquipmentType.objects.get(code="UAZ469"), unit=org.team1, serial="X",
                                grade=2, registered_on=datetime.date(2020, 1, 1), quantity=1)
    f = services.report_fault(user=org.technician1, item=truck, severity="unusable", description="x",
                              reported_on=TODAY - 10 * DAY)
    order = services.open_repair(user=org.officer1, fault=f)
    services.complete_work(work_order=order, user=org.technician1, on=TODAY - 4 * DAY)
    report = figures(org.head, unit=org.root, start=TODAY - 30 * DAY, end=TODAY)
    t = report.total
    print(t)
    assert t.downtime_days == 6
    assert t.repair_days == 6 and t.fixed == 1 and t.faults == 1
    assert t.service_days == 30 - 6 + 1


def test_page(org):
    from django.test import Client
    c = Client()
    c.force_login(org.head)
    r = c.get("/maintenance/figures/")
    assert r.status_code == 200, r.content[:3000]
    r = c.get("/maintenance/figures/", {"start": "01/02/2026", "end": "01/01/2026"})
    assert r.status_code == 400
    r = c.get("/maintenance/figures/", {"export": "xlsx"})
    assert r.status_code == 200


def test_api(org):
    from rest_framework.test import APIClient
    api = APIClient()
    api.force_authenticate(org.head)
    r = api.get("/api/maintenance/figures/", {"unit": org.post1.pk})
    assert r.status_code == 200, r.content
    print(r.json())
    assert api.get("/api/maintenance/figures/", {"end": "2999-01-01"}).status_code == 400
