"""In Chromium, on a phone: a post's technician opens the due list, records the technical day, reports a
fault on a boat engine from its page (where its QR label leads) with a photo; on a desktop the officer
opens the repair, waits for parts, completes it, and the engine is ready again."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kythuat.core.models import Attachment
from kythuat.core.testing.browser import ARTIFACTS, RequestLog, login
from kythuat.core.testing.factories import PNG_1PX, EquipmentTypeFactory, MaintenanceRuleFactory
from kythuat.equipment.choices import Condition, UsageState
from kythuat.equipment.models import Item
from kythuat.maintenance.choices import FaultStatus, WorkStatus
from kythuat.maintenance.models import Fault, Schedule, TechnicalDay, WorkOrder

pytestmark = [pytest.mark.browser]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _item(org, kind, serial, **kwargs):
    return Item.objects.create(type=kind, unit=org.team1, serial=serial, grade=2,
                               registered_on=datetime.date(2020, 1, 1), **kwargs)


def _catalogue():
    """The types and their regimes, made here: the live server's transactional tests flush what the
    migrations put in."""
    engine = EquipmentTypeFactory(code="YANMAR-T", name="Máy tàu Yanmar 6CH", unit_of_measure="chiếc",
                                  has_rounds=False, has_engine_hours=True)
    rifle = EquipmentTypeFactory(code="AK-T", name="Súng tiểu liên AK", unit_of_measure="khẩu")
    for kind in (engine, rifle):
        MaintenanceRuleFactory(type=kind, level="tech_day", interval_days=7, name=f"Ngày kỹ thuật — {kind.name}")
    MaintenanceRuleFactory(type=engine, level="maint_1", interval_days=180, interval_hours=250,
                           name="Bảo dưỡng cấp 1 máy tàu")
    return engine, rifle


def test_technician_on_a_phone_and_officer_repair_a_boat_engine(org, live_server, browser, tmp_path):
    server = live_server.url
    today = timezone.localdate()
    engine_type, rifle_type = _catalogue()
    engine = _item(org, engine_type, "YM-6CH-0202", engine_hours=Decimal("840"))
    rifles = [_item(org, rifle_type, f"AK-47-{n:04d}") for n in range(1, 31)]
    Schedule.objects.filter(item=rifles[0], rule__level="tech_day").update(next_due_on=today - datetime.timedelta(2))

    phone = browser.new_context(**PHONE).new_page()
    log = RequestLog(phone)
    errors = []
    phone.on("console", lambda message: message.type == "error" and errors.append(message.text))
    login(phone, server, org.users["technician1"].username)

    # The due list: the overdue count leads to the overdue rows.
    phone.goto(f"{server}/maintenance/")
    phone.click("a.due-count.overdue")
    phone.wait_for_url("**bucket=overdue**")
    assert phone.locator("#results table tbody tr").count() == 1
    assert "AK-47-0001" in phone.locator("#results table tbody").inner_text()
    phone.screenshot(path=str(ARTIFACTS / "maintenance-due-list-phone.png"), full_page=False)

    # The technical day of the post: one form, every item ticked; one untick, one note.
    phone.goto(f"{server}/maintenance/technical-days/add/")
    phone.select_option("#id_unit", str(org.team1.pk))
    phone.click("form[method=get] button.primary")
    phone.wait_for_selector(".tick-list")
    assert phone.locator(".tick-row").count() == 31
    phone.uncheck(f"input[name=done][value='{rifles[-1].pk}']")
    phone.fill(f"#note_{engine.pk}", "Dây curoa máy phát bị chùng")
    save = phone.locator(".sticky-actions button.primary")
    assert save.is_visible()  # always in reach, even with the list scrolled
    phone.screenshot(path=str(ARTIFACTS / "maintenance-technical-day-phone.png"), full_page=False)
    save.click()
    phone.wait_for_url(f"{server}/maintenance/technical-days/*/")
    day = TechnicalDay.objects.get()
    assert (day.item_count, day.problem_count) == (30, 1)

    # The QR label opens the item page; a fault is reported from there, with a photo.
    phone.goto(f"{server}{engine.get_absolute_url()}")
    phone.click("#maintenance a.button.danger")
    phone.wait_for_url("**/maintenance/faults/add/**")
    phone.check("input[name=severity][value=unusable]")
    phone.fill("#id_description", "Máy không nổ được, nghi hỏng bơm cao áp")
    phone.click("#main form button.primary")
    phone.wait_for_url(f"{server}/maintenance/faults/*/")
    fault = Fault.objects.get()
    engine.refresh_from_db()
    assert engine.condition == Condition.UNUSABLE
    photo = tmp_path / "may-hong.png"
    photo.write_bytes(PNG_1PX)
    phone.set_input_files("#attachments input[type=file]", str(photo))
    phone.click("#attachments button[type=submit]")
    phone.wait_for_selector("#attachments ul.attachments img")
    assert Attachment.objects.get().name == "may-hong.png"
    phone.screenshot(path=str(ARTIFACTS / "maintenance-fault-phone.png"), full_page=True)

    # The officer, at a desk: repair at the provincial workshop, waiting for parts, then done.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    desk_log = RequestLog(desk)
    login(desk, server, org.users["officer1"].username)
    desk.goto(f"{server}{fault.get_absolute_url()}")
    desk.select_option("select[name=kind]", "repair_medium")
    desk.select_option("select[name=place]", "workshop")
    desk.click("form[action$='/repair/'] button.primary")
    desk.wait_for_url(f"{server}/maintenance/work-orders/*/")
    fault.refresh_from_db()
    order = fault.work_order
    desk.click("form[action$='/start/'] button")
    desk.wait_for_selector("form[action$='/wait/']")
    engine.refresh_from_db()
    assert engine.usage_state == UsageState.IN_REPAIR
    desk.click("form[action$='/wait/'] button")
    desk.wait_for_selector("form[action$='/start/']")
    assert WorkOrder.objects.get(pk=order.pk).status == WorkStatus.WAITING_PARTS
    desk.click("form[action$='/start/'] button")
    desk.wait_for_selector("form[action$='/wait/']")
    desk.click(f"a[href$='/work-orders/{order.pk}/complete/']")
    desk.fill(f"input[name=engine_hours_{engine.pk}]", "842,5")
    desk.fill("#id_labour_hours", "10,5")
    desk.fill("#id_parts_text", "Bơm cao áp Yanmar × 1 × 18.500.000")
    desk.click("#main form button.primary")
    desk.wait_for_url(f"{server}/maintenance/work-orders/{order.pk}/")
    desk.screenshot(path=str(ARTIFACTS / "maintenance-work-order-done.png"), full_page=True)

    order.refresh_from_db()
    fault.refresh_from_db()
    engine.refresh_from_db()
    assert order.status == WorkStatus.DONE and order.labour_hours == Decimal("10.5")
    assert fault.status == FaultStatus.FIXED
    assert (engine.condition, engine.usage_state, engine.engine_hours) == (
        Condition.READY, UsageState.IN_USE, Decimal("842.5"))
    assert errors == []
    assert log.foreign(server) == [] and desk_log.foreign(server) == []
