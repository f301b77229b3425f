"""Shared pieces of the browser tests: real Chromium (Debian's package) through Playwright for Python.

Skips with a clear message where Chromium or Playwright is missing; `.ci/run` installs both, so CI
always runs them. Screenshots go to ``$TEST_ARTIFACTS`` (default ``test-artifacts/``).
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser(monkeypatch):
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
                    "(.ci/run does) to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed: pip install -e '.[test]'")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # (fixtures) are synchronous and safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


class RequestLog:
    """Every request the page makes, to prove none leaves the server (closed network)."""

    def __init__(self, page):
        self.urls = []
        page.on("request", lambda request: self.urls.append(request.url))

    def foreign(self, server_url):
        allowed = urlsplit(server_url).netloc
        return [u for u in self.urls if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                and urlsplit(u).netloc != allowed]


def login(page, server, username):
    page.goto(f"{server}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#main form button[type=submit]")
    page.wait_for_url(f"{server}/")
