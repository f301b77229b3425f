"""Browser test in real Chromium (Debian's package) driven by Playwright for Python.

Skips with a clear message where Chromium or Playwright is missing; `.ci/run` installs both, so CI
always runs it. Screenshots go to ``$TEST_ARTIFACTS`` (default ``test-artifacts/``).
"""

import pytest

from kythuat.core.testing.browser import ARTIFACTS, RequestLog, login

pytestmark = [pytest.mark.browser]


def test_officer_logs_in_sees_own_post_searches_and_switches_language(org, live_server, browser):
    server = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    log = RequestLog(page)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    # Vietnamese by default, even for a browser that asks for English.
    page.goto(f"{server}/login/")
    assert page.locator("html").get_attribute("lang") == "vi"
    login(page, server, "don1")

    # The unit tree shows the officer's border post and nothing of the other one.
    page.goto(f"{server}/org/tree/")
    tree = page.locator("ul.tree")
    assert tree.get_by_text("Đồn Biên phòng Bắc Phong").is_visible()
    assert page.get_by_text("Nam Sơn").count() == 0
    page.click("[data-tree=close]")
    assert page.locator(".tree details[open]").count() == 0
    page.click("[data-tree=open]")
    assert page.locator(".tree details[open]").count() == page.locator(".tree details").count()

    # Search without diacritics: "doi vu trang" finds "Đội Vũ trang" of the post only.
    page.goto(f"{server}/org/units/")
    page.fill("#id_q", "doi vu trang")
    page.press("#id_q", "Enter")
    page.wait_for_url("**q=doi*vu*trang*")
    rows = page.locator("#results table tbody tr")
    assert rows.count() == 1
    assert "Đội Vũ trang" in rows.first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "units-search.png"), full_page=True)

    # "dong bien phong" (a near miss of "đồn") still finds the post, with a notice.
    page.goto(f"{server}/org/units/?q=dong+bien+phong")
    assert "Đồn Biên phòng Bắc Phong" in page.locator("#results").inner_text()

    # Switch to English and back.
    page.click("form.langswitch button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav.mainnav").get_by_role("link", name="Register", exact=True).is_visible()
    page.screenshot(path=str(ARTIFACTS / "units-english.png"), full_page=True)
    page.click("form.langswitch button[value=vi]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "vi"

    # The interactive API docs load everything from the server, without breaking the CSP.
    page.goto(f"{server}/api/docs/")
    page.wait_for_selector("text=/api/org/units/")
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"))

    # A phone 360 px wide: nothing wider than the screen, the menu opens.
    phone = browser.new_context(viewport={"width": 360, "height": 740})
    mobile = phone.new_page()
    mobile_log = RequestLog(mobile)
    login(mobile, server, "don1")
    mobile.goto(f"{server}/org/people/")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 360
    mobile.click("label.nav-toggle-label")
    assert mobile.locator("nav.mainnav").is_visible()
    mobile.screenshot(path=str(ARTIFACTS / "people-phone.png"), full_page=True)

    assert log.foreign(server) == [], "requests left the server"
    assert mobile_log.foreign(server) == [], "requests left the server"
    assert not errors, errors
