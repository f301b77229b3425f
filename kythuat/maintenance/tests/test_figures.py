"""Maintenance figures: every figure equals a count of the rows, for a small scenario built through the
services (work on time and late, faults reported and repaired, an item sent to the workshop), scoped to
a subtree, clipped to a period, in a fixed number of queries."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kythuat.core.testing.factories import UnitFactory
from kythuat.equipment.models import EquipmentType, Item
from kythuat.maintenance import services
from kythuat.maintenance.choices import FaultStatus, WorkKind, WorkStatus
from kythuat.maintenance.figures import figures
from kythuat.maintenance.models import Fault, Schedule, WorkOrderItem

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
START = TODAY - 60 * DAY
END = START + 50 * DAY  # the period: 51 days, START … END both included


def _item(code, unit, serial, **meters):
    return Item.objects.create(type=EquipmentType.objects.get(code=code), unit=unit, serial=serial, grade=2,
                               registered_on=datetime.date(2020, 1, 1), **meters)


@pytest.fixture
def scene(org):
    """Two posts. truck1 (team 1) breaks before the period and is repaired inside it; truck2 (team 2) has
    a limiting fault still open; the engine (team 2) breaks inside the period and waits for parts at
    the workshop; two rifles of post 1 have a technical day, one late; work after the period does not
    count."""
    truck1 = _item("UAZ469", org.team1, "T-1", km=Decimal("1000"))
    truck2 = _item("UAZ469", org.team2, "T-2", km=Decimal("500"))
    engine = _item("YAM40", org.team2, "E-1", engine_hours=Decimal("100"))
    rifle1 = _item("AK", org.team1, "AK-1")
    rifle2 = _item("AK", org.post1, "AK-2")
    tech, officer, admin = org.technician1, org.officer1, org.admin

    broken = services.report_fault(user=tech, item=truck1, severity="unusable", description="Hỏng hộp số",
                                   reported_on=START - 5 * DAY)
    repair = services.open_repair(user=officer, fault=broken, planned_start=START - 5 * DAY)
    services.complete_work(work_order=repair, user=tech, on=START + 3 * DAY)
    truck1.refresh_from_db()
    level1 = services.plan_work(user=officer, unit=org.post1, kind=WorkKind.MAINT_1, items=[truck1.pk],
                                planned_start=START + 30 * DAY)
    services.complete_work(work_order=level1, user=tech, on=START + 30 * DAY, results={truck1.pk: {"km": "1100"}})
    truck1.refresh_from_db()
    services.log_usage(user=tech, item=truck1, date=START + 35 * DAY, km=Decimal("300"))

    services.report_fault(user=admin, item=truck2, severity="limiting", description="Đèn pha mờ",
                          reported_on=START + 10 * DAY)
    services.log_usage(user=admin, item=truck2, date=START + 40 * DAY, km=Decimal("200"))

    services.log_usage(user=admin, item=engine, date=START + 15 * DAY, engine_hours=Decimal("10"))
    engine.refresh_from_db()
    stopped = services.report_fault(user=admin, item=engine, severity="unusable", description="Bơm nước hỏng",
                                    reported_on=START + 20 * DAY)
    shop = services.open_repair(user=admin, fault=stopped, kind=WorkKind.REPAIR_MEDIUM, place="workshop")
    shop = services.start_work(work_order=shop, user=admin, on=START + 22 * DAY)
    services.wait_for_parts(work_order=shop, user=admin)

    Schedule.objects.filter(item=rifle1, rule__level="tech_day").update(next_due_on=START - 20 * DAY)
    services.record_technical_day(user=tech, unit=org.post1, date=START + 5 * DAY,
                                  lines=[(rifle1.pk, True, ""), (rifle2.pk, True, "")])
    services.record_technical_day(user=tech, unit=org.post1, date=END + 3 * DAY, level="monthly",
                                  lines=[(rifle2.pk, True, "")])  # after the period
    mistake = services.report_fault(user=tech, item=rifle2, severity="limiting", description="Nhầm",
                                    reported_on=START + 7 * DAY)
    services.cancel_fault(fault=mistake, user=officer)
    return {"truck1": truck1, "truck2": truck2, "engine": engine, "rifle1": rifle1, "rifle2": rifle2}


def _lines(**filters):
    return WorkOrderItem.objects.filter(work_order__status__in=[WorkStatus.DONE, WorkStatus.VERIFIED],
                                        work_order__finished_on__range=(START, END), **filters)


def test_every_figure_matches_a_count_of_the_rows(org, scene):
    report = figures(org.head, unit=org.root, start=START, end=END)
    total = report.total
    # Work done in the period: the repair and level 1 of truck1, the technical day's two rifles.
    assert total.done == _lines().count() == 4
    assert total.on_time == _lines(on_time=True).count() == 2  # rifle2 on the technical day, truck1's level 1
    assert total.late == _lines(on_time=False).count() == 1  # rifle1, due 20 days before the period
    assert total.on_time_rate == 2 / 3
    # What is due now: the schedules themselves.
    due = Schedule.objects.filter(active=True).exclude(item__usage_state="struck_off")
    assert total.overdue == due.filter(next_due_on__lt=TODAY).count() > 0
    assert total.due_week == due.filter(next_due_on__range=(TODAY, TODAY + 7 * DAY)).count()
    # Faults: reported in the period (not truck1's, reported before it; not the cancelled one), fixed in it.
    faults = Fault.objects.exclude(status=FaultStatus.CANCELLED)
    assert total.faults == faults.filter(reported_on__range=(START, END)).count() == 2
    assert total.fixed == faults.filter(fixed_on__range=(START, END)).count() == 1
    assert total.repair_days == 8 and total.mttr == 8  # reported START − 5, fixed START + 3
    assert total.open_faults == Fault.objects.filter(status=FaultStatus.OPEN).count() == 2
    # Downtime: truck1 unusable START … START + 2 (3 days inside the period), the engine unusable from
    # START + 20 and in repair from START + 22 to the end of the period (31 days).
    assert total.downtime_days == 3 + 31
    # In service (in use, not unusable): truck1 51 − 3, truck2 51 (limited still runs), the rifles 51
    # each, the engine 20 days before its fault.
    assert total.service_days == 48 + 51 + 51 + 51 + 20
    assert total.mtbf_days == total.service_days / 2
    # Per km and engine hour: the distance run over the faults of the types that count it.
    assert total.km == Decimal("500") and total.km_faults == 1 and total.mtbf_km == 500
    assert total.engine_hours == Decimal("10") and total.hours_faults == 1 and total.mtbf_hours == 10
    # Repairs by place and kind: items on repair orders finished in the period.
    assert total.repairs == {("unit", "repair_minor"): 1}
    assert total.repairs_by_place["unit"] == 1 and total.repairs_by_place["workshop"] == 0
    assert total.open_orders == {"waiting_parts": 1} and total.waiting_parts == 1
    assert total.open_order_items["waiting_parts"] == 1
    # The register now: by condition, and the engine in repair.
    for condition in ("ready", "limited", "unusable"):
        assert total.by_condition[condition] == Item.objects.active().filter(condition=condition).count()
    assert total.in_repair == Item.objects.filter(usage_state="in_repair").count() == 1
    assert total.total == Item.objects.active().count() == 5


def test_figures_by_type_branch_and_child_unit_add_up(org, scene):
    report = figures(org.head, unit=org.root, start=START, end=END)
    by_type = {kind.code: f for kind, f in report.types}
    truck, rifle, engine = by_type["UAZ469"], by_type["AK"], by_type["YAM40"]
    assert (truck.done, truck.on_time, truck.late, truck.fixed, truck.mttr) == (2, 1, 0, 1, 8)
    assert (truck.faults, truck.downtime_days, truck.service_days, truck.mtbf_days) == (1, 3, 99, 99)
    assert truck.mtbf_km == 500 and truck.mtbf_hours is None
    assert (rifle.done, rifle.on_time, rifle.late, rifle.faults, rifle.mtbf_days) == (2, 1, 1, 0, None)
    assert (engine.faults, engine.downtime_days, engine.service_days, engine.mtbf_hours) == (1, 31, 20, 10)
    assert engine.in_repair == 1 and engine.mttr is None
    for name in ("done", "faults", "downtime_days", "service_days", "overdue", "open_faults"):
        assert sum(getattr(f, name) for _k, f in report.types) == getattr(report.total, name)
        assert sum(getattr(f, name) for _b, f in report.branches) == getattr(report.total, name)
        assert sum(getattr(f, name) for _u, f in report.children) == getattr(report.total, name)
    children = {unit.code: f for unit, f in report.children}
    assert set(children) == {"HCKT", "DBP1", "DBP2"}
    post1, post2 = children["DBP1"], children["DBP2"]
    assert (post1.done, post1.late, post1.fixed, post1.downtime_days, post1.faults) == (4, 1, 1, 3, 0)
    assert (post2.done, post2.faults, post2.open_faults, post2.downtime_days, post2.waiting_parts) == (0, 2, 2, 31, 1)
    assert children["HCKT"].total == 0


def test_subtree_and_scope(org, scene):
    post1 = figures(org.head, unit=org.post1, start=START, end=END).total
    assert (post1.done, post1.faults, post1.fixed, post1.downtime_days, post1.waiting_parts) == (4, 0, 1, 3, 0)
    assert post1.total == 3 and post1.open_faults == 0
    # An officer of post 1 sees post 1 alone, whatever unit the figures start from.
    own = figures(org.officer1, start=START, end=END)
    assert own.unit is None and own.total == post1
    assert figures(org.officer1, unit=org.root, start=START, end=END).total == post1
    assert [child.code for child, _f in own.children] == ["DBP1"]


def test_period_clipping(org, scene):
    # One day: START + 21, the engine unusable (not yet in repair), truck1 long repaired.
    day = figures(org.head, unit=org.root, start=START + 21 * DAY, end=START + 21 * DAY).total
    assert day.downtime_days == 1 and day.service_days == 4 and day.done == 0 and day.faults == 0
    # Before the period only truck1's first days broken: START − 5 … START − 1.
    before = figures(org.head, unit=org.root, start=START - 10 * DAY, end=START - 1 * DAY).total
    assert before.downtime_days == 5 and before.faults == 1 and before.fixed == 0
    # A period running to today: the engine is still down today; work after the period counts now.
    now = figures(org.head, unit=org.root, start=START, end=TODAY).total
    assert now.downtime_days == 3 + (TODAY - (START + 20 * DAY)).days + 1
    assert now.done == 5 and now.fixed == 1


def _more_units(org, count):
    for n in range(count):
        post = UnitFactory(code=f"X{n}", name=f"Đồn {n}", parent=org.root)
        thing = _item("UAZ469", post, f"X-{n}", km=Decimal("10"))
        services.report_fault(user=org.admin, item=thing, severity="unusable", description="x",
                              reported_on=START + DAY)


def _queries(func):
    with CaptureQueriesContext(connection) as queries:
        func()
    return len(queries)


def test_query_count_does_not_grow_with_units(org, scene):
    def run():
        report = figures(org.head, unit=org.root, start=START, end=END)
        assert report.total.total == Item.objects.active().count()

    def page():
        client = Client()
        client.force_login(org.head)
        assert client.get(reverse("readiness:readiness"), {"unit": org.root.pk}).status_code == 200

    run(), page()  # the first request reads what is cached afterwards (content types, sessions)
    few, few_page = _queries(run), _queries(page)
    _more_units(org, 6)
    run(), page()  # the new faults dropped the readiness snapshots of later days: made again once
    assert _queries(run) == few
    assert _queries(page) == few_page


def test_readiness_page_shows_maintenance_per_child_unit(org, scene):
    client = Client()
    client.force_login(org.head)
    response = client.get(reverse("readiness:readiness"), {"unit": org.root.pk, "start": START.isoformat(),
                                                           "end": END.isoformat()})
    assert response.status_code == 200
    upkeep = response.context["upkeep"]
    assert upkeep.total.on_time_rate == 2 / 3 and upkeep.start == START
    rows = {child.code: (f, m) for child, f, m in response.context["child_rows"]}
    figures_, maintenance = rows["DBP2"]
    assert figures_.by_usage["in_repair"] == 1 and maintenance.waiting_parts == 1 and maintenance.open_faults == 2
    text = response.content.decode()
    assert "66,7 %" in text  # 2 of 3, rounded
    bad = client.get(reverse("readiness:readiness"), {"start": END.isoformat(), "end": START.isoformat()})
    assert bad.status_code == 400


def test_figures_page_export_and_api(org, scene):
    from python_calamine import CalamineWorkbook

    client = Client()
    client.force_login(org.head)
    url = reverse("maintenance:figures")
    params = {"unit": org.root.pk, "start": START.strftime("%d/%m/%Y"), "end": END.strftime("%d/%m/%Y")}
    page = client.get(url, params)
    assert page.status_code == 200 and page.context["report"].total.done == 4
    assert "Xe ô tô chỉ huy UAZ-469" in page.content.decode()
    assert client.get(url, {**params, "end": (TODAY + DAY).strftime("%d/%m/%Y")}).status_code == 400
    export = client.get(url, {**params, "export": "xlsx"})
    assert export.status_code == 200 and export["Content-Disposition"].endswith('.xlsx"')
    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    branches = book.get_sheet_by_index(0).to_python()
    assert branches[2][1] == "Work lines done" or branches[2][0]  # header row
    total_row = branches[-1]
    assert total_row[1] == 4 and total_row[2] == 2 and total_row[3] == 1
    officer = Client()
    officer.force_login(org.officer1)
    assert officer.get(url, {"unit": org.post2.pk}).status_code == 404

    api = APIClient()
    api.force_authenticate(org.head)
    answer = api.get("/api/maintenance/figures/", {"unit": org.root.pk, "start": START.isoformat(),
                                                   "end": END.isoformat()})
    assert answer.status_code == 200
    data = answer.json()
    assert data["total"]["done"] == 4 and data["total"]["late"] == 1 and data["total"]["mttr"] == 8
    assert data["total"]["repairs_by_place"]["unit"] == 1 and data["total"]["waiting_parts"] == 1
    assert {row["code"]: row["downtime_days"] for row in data["types"]}["YAM40"] == 31
    bad = api.get("/api/maintenance/figures/", {"start": END.isoformat(), "end": START.isoformat()})
    assert bad.status_code == 400 and "start" in bad.json()
    api.force_authenticate(org.officer1)
    assert api.get("/api/maintenance/figures/", {"unit": org.post2.pk}).status_code == 404
    mine = api.get("/api/maintenance/figures/", {"start": START.isoformat(), "end": END.isoformat()}).json()
    assert mine["total"]["faults"] == 0 and mine["total"]["done"] == 4


def test_faults_per_unit_are_one_group_by(org, scene):
    # The per-unit fault counts the figures sum are those of one GROUP BY over the faults.
    rows = dict(Fault.objects.exclude(status=FaultStatus.CANCELLED).filter(reported_on__range=(START, END))
                .values_list("unit__parent__code").annotate(n=Count("id", filter=Q(status__in=["open", "fixed"]))))
    report = figures(org.head, unit=org.root, start=START, end=END)
    assert {child.code: f.faults for child, f in report.children if f.faults} == rows
