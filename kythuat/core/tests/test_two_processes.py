"""The app keeps no state in its processes (DESIGN.md §2 "Scale out"): two gunicorn servers on one
database share sessions, see each other's writes, and optimistic locking works across them."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(KYTHUAT_DATA_DIR=str(tmp_path), SECRET_KEY="two-process-test-" + "x" * 50,
               ALLOWED_HOSTS="127.0.0.1")
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    return env


def _manage(env, *args):
    subprocess.run([sys.executable, "-m", "kythuat.manage", *args], env=env, check=True, capture_output=True,
                   timeout=300)


class Browser:
    """A tiny cookie-keeping HTTP client (no redirects followed)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers={"Referer": url})
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf(self, html):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.fixture
def two_servers(tmp_path):
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        # Use a database of its own next to the test database, so the servers see committed data.
        base = os.environ["DATABASE_URL"].rsplit("/", 1)
        name = f"{base[1]}_two"
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=False)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        env = _env(tmp_path)
        env["DATABASE_URL"] = f"{base[0]}/{name}"
    else:
        env = _env(tmp_path)
    _manage(env, "migrate", "-v", "0")
    _manage(env, "shell", "-v", "0", "-c", (
        "from django.contrib.auth.models import User; from kythuat.org.models import Unit, Membership;"
        "r = Unit.objects.create(code='R', name='Ban Chỉ huy', kind='command');"
        "u = User.objects.create_user('qt', password='Hai-tien-trinh-26');"
        "Membership.objects.create(user=u, unit=r, role='admin')"))
    ports = [_free_port(), _free_port()]
    servers = [subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "kythuat.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in urls:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{url}/healthz", timeout=2)
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                pytest.fail(f"server {url} did not start")
        yield urls
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        if env["DATABASE_URL"].startswith("postgres"):
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists",
                            env["DATABASE_URL"].rsplit("/", 1)[1]], check=False)


def test_two_app_processes_share_sessions_data_and_locking(two_servers):
    a, b = two_servers
    user = Browser()
    status, html = user.request(f"{a}/login/")
    status, _ = user.request(f"{a}/login/", {"csrfmiddlewaretoken": user.csrf(html), "username": "qt",
                                            "password": "Hai-tien-trinh-26"})
    assert status == 302
    # Signed in on A, the same session works on B (the cookie is for host 127.0.0.1, any port).
    status, html = user.request(f"{b}/org/units/")
    assert status == 200 and "Ban Chỉ huy" in html

    # An edit form opened on A, a save made on B meanwhile: A's save is refused, not lost.
    status, form_a = user.request(f"{a}/org/units/1/edit/")
    status, form_b = user.request(f"{b}/org/units/1/edit/")
    fields = {"code": "R", "kind": "command", "sort_order": "0"}
    version = re.search(r'name="version" value="(\d+)"', form_b).group(1)
    status, _ = user.request(f"{b}/org/units/1/edit/", {**fields, "name": "Ban Chỉ huy BĐBP tỉnh",
                                                        "version": version, "csrfmiddlewaretoken": user.csrf(form_b)})
    assert status == 302
    status, html = user.request(f"{a}/org/units/1/edit/", {**fields, "name": "Tên khác", "version": version,
                                                           "csrfmiddlewaretoken": user.csrf(form_a)})
    assert status == 409
    status, html = user.request(f"{a}/org/units/1/")
    assert "Ban Chỉ huy BĐBP tỉnh" in html and "Tên khác" not in html
    # Both servers write to the one audit log.
    status, html = user.request(f"{a}/org/units/1/history/")
    assert html.count("history-entry") >= 2
