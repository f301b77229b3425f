"""In Chromium: an officer plans a strike-off from ticked register lines, the province consolidates and
approves it, the post carries it out, and the department head reads the coefficient now and as of
1 January — every figure as the register counts it."""

import datetime

import pytest
from django.db.models import Sum

from kythuat.core.testing.browser import ARTIFACTS, RequestLog, login
from kythuat.core.testing.factories import EquipmentTypeFactory, ItemFactory
from kythuat.equipment.models import Item

pytestmark = [pytest.mark.browser]


def _confirm(page, summary, button):
    page.click(f"summary:has-text('{summary}')")
    page.click(f"button:has-text('{button}')")
    page.wait_for_load_state()


def test_strike_off_cycle_and_readiness_in_the_browser(org, live_server, browser):
    server = live_server.url
    truck = EquipmentTypeFactory(name="Xe vận tải Ural-375", has_rounds=False, has_km=True)
    old = ItemFactory(type=truck, unit=org.team1, serial="BP-3375", grade=5, registered_on=datetime.date(2019, 3, 1))
    ItemFactory(type=truck, unit=org.team1, serial="BP-3376", grade=2, registered_on=datetime.date(2019, 3, 1))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log = RequestLog(page)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    login(page, server, "don1")
    page.goto(f"{server}/equipment/register/?q=BP-3375")
    page.check(f"input[name=items][value='{old.pk}']")
    page.click("button:has-text('Lập kế hoạch loại khỏi biên chế')")
    page.fill("#id_number", "01/KH-LKBC")
    page.fill("#id_date", datetime.date.today().strftime("%d/%m/%Y"))
    assert page.locator(f"#reason_{old.pk}").input_value() == "grade_5"  # guessed from the grade
    page.click("button:has-text('Lưu kế hoạch')")
    page.wait_for_selector("text=Đã lập kế hoạch 01/KH-LKBC")
    plan_url = page.url

    head = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    head_log = RequestLog(head)
    login(head, server, "chunhiem")
    head.goto(plan_url)
    _confirm(head, "Tổng hợp…", "Đồng ý tổng hợp")
    _confirm(head, "Phê duyệt…", "Đồng ý phê duyệt")
    assert head.locator(".message.success").first.is_visible()

    page.goto(plan_url)
    page.click("summary:has-text('Loại khỏi biên chế…')")
    page.click("button:has-text('Đồng ý loại khỏi biên chế')")
    page.wait_for_selector("text=trang bị đã loại khỏi biên chế")
    page.screenshot(path=str(ARTIFACTS / "strike-off-done.png"), full_page=True)
    page.goto(f"{server}/equipment/register/?q=BP-33")
    assert page.locator("#results table tbody tr").count() == 1  # the struck-off line left the register

    head.goto(f"{server}/readiness/")
    assert head.locator("svg.chart polyline").count() == 1
    total = Item.objects.active().aggregate(n=Sum("quantity"))["n"]
    assert head.locator(".stat-value").nth(2).inner_text() == f"{total:,}".replace(",", ".")
    head.screenshot(path=str(ARTIFACTS / "readiness.png"), full_page=True)
    head.click(f"a.button:has-text('0 giờ 01/01/{datetime.date.today().year}')")
    head.wait_for_url("**on=*")
    # On 1 January both trucks were in the register.
    assert head.locator(".stat-value").nth(2).inner_text() == f"{total + 1:,}".replace(",", ".")
    head.screenshot(path=str(ARTIFACTS / "readiness-1-january.png"), full_page=True)

    assert log.foreign(server) == [] and head_log.foreign(server) == [], "requests left the server"
    assert not errors, errors
