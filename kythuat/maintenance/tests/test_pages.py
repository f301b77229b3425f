"""The maintenance pages as a Vietnamese user reads them: labels, not stored codes or doubled words."""

import datetime
import re

import pytest
from django.test import Client

from kythuat.equipment.models import EquipmentType, Item
from kythuat.maintenance import services
from kythuat.maintenance.choices import Level, WorkKind
from kythuat.maintenance.models import MaintenanceRule

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


def truck(org, serial):
    return Item.objects.create(type=EquipmentType.objects.get(code="UAZ469"), unit=org.team1, serial=serial,
                               grade=2, registered_on=datetime.date(2020, 1, 1))


def test_regime_pages_name_the_usage_states_it_applies_in(org):
    rule = MaintenanceRule.objects.filter(usage_states="in_use,reserve").first()
    client = login(org.head)
    for url in (rule.get_absolute_url(), "/maintenance/rules/"):
        page = client.get(url).content.decode()
        assert "Đang khai thác, Dự trữ SSCĐ" in page
        assert "in_use,reserve" not in page


def test_work_order_page_names_the_regime_level_only_when_it_adds_to_the_kind(org):
    vehicle = truck(org, "50-11")
    client = login(org.head)
    level1 = services.plan_work(user=org.officer1, unit=org.post1, kind=WorkKind.MAINT_1, items=[vehicle.pk])
    page = client.get(level1.get_absolute_url()).content.decode()
    assert "<dd>Bảo dưỡng cấp 1</dd>" in page and "Bảo dưỡng cấp 1 — Bảo dưỡng cấp 1" not in page
    monthly = services.plan_work(user=org.officer1, unit=org.post1, kind=WorkKind.PRESERVATION,
                                 level=Level.MONTHLY, items=[vehicle.pk])
    assert "<dd>Bảo quản — Bảo quản hằng tháng</dd>" in client.get(monthly.get_absolute_url()).content.decode()
    panel = client.get(vehicle.get_absolute_url()).content.decode()
    assert "Bảo quản — Bảo quản hằng tháng" in panel and "Bảo dưỡng cấp 1 — Bảo dưỡng cấp 1" not in panel


def test_due_list_counts_its_rows_with_the_buckets_and_shows_no_struck_off_item(org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from kythuat.equipment import services as register
    from kythuat.equipment.choices import StrikeOffReason
    from kythuat.maintenance.models import Schedule

    kept, gone = truck(org, "50-21"), truck(org, "50-22")
    Item.objects.filter(pk=gone.pk).update(grade=5)
    gone.refresh_from_db()
    overdue = timezone.localdate() - datetime.timedelta(days=3)
    Schedule.objects.filter(item__in=[kept, gone]).update(next_due_on=overdue)
    plan = register.draft_strike_off(user=org.officer1, unit=org.post1, year=overdue.year, number="01/KH-LKBC",
                                     date=overdue, lines=[{"item": gone.pk, "reason": StrikeOffReason.GRADE_5}])
    register.consolidate_strike_off(strike_off=plan, user=org.head)
    register.approve_strike_off(strike_off=plan, user=org.head)
    register.complete_strike_off(strike_off=plan, user=org.officer1, on=overdue)
    # No rule follows a struck-off item: its schedules leave force, so the list needs no join to leave it out.
    assert not Schedule.objects.filter(item=gone, active=True).exists()
    client = login(org.head)
    for bucket, expected in (("", Schedule.objects.filter(active=True).due_by(overdue + datetime.timedelta(days=33))),
                             ("overdue", Schedule.objects.filter(active=True, next_due_on__lt=timezone.localdate()))):
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/maintenance/", {"bucket": bucket} if bucket else {}).content.decode()
        assert "50-21" in page and "50-22" not in page
        assert re.findall(r'class="count">(\d+)', page) == [str(expected.count())]
        assert not [q for q in queries.captured_queries if '"__count"' in q["sql"]]  # counted with the buckets


def test_due_by_meter_reads_as_vietnamese_numbers(org):
    from decimal import Decimal

    from django.utils import translation

    from kythuat.maintenance.models import Schedule
    from kythuat.maintenance.tables import ScheduleTable

    schedule = Schedule.objects.filter(item=truck(org, "50-31"), next_km__isnull=False).first()
    schedule.next_km, schedule.meter_due = Decimal("74227.0"), True
    with translation.override("vi"):
        assert "74.227 km" in ScheduleTable([]).render_meter(schedule)
        schedule.next_km = Decimal("1250.5")
        assert "1.250,5 km" in ScheduleTable([]).render_meter(schedule)
