"""The quick start's one command serves background tasks too: `kythuat runserver` starts a db_worker."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow

SHELL = """
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from kythuat.core.importer import IMPORTERS
from kythuat.core.models import ImportRun
from kythuat.core.tasks import run_import
user = User.objects.create(username="don1")
run = ImportRun(importer=next(iter(IMPORTERS)), created_by=user, file_name="so.xlsx", in_background=True)
run.file.save("so.xlsx", ContentFile(b"not a spreadsheet"), save=False)
run.save()
run_import.enqueue(run.pk, False)
"""


def _manage(env, *args):
    return subprocess.run([sys.executable, "-m", "kythuat.manage", *args], env=env, check=True, capture_output=True,
                          text=True, timeout=120)


def test_runserver_starts_a_worker_that_runs_queued_imports(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "REDIS_URL")}
    env.update(KYTHUAT_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'quick.sqlite3'}",
               SECRET_KEY="worker-test-" + "x" * 50)
    _manage(env, "migrate", "-v", "0")
    _manage(env, "shell", "-v", "0", "-c", SHELL)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "kythuat.manage", "runserver", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        status = ""
        for _attempt in range(60):
            status = _manage(env, "shell", "-v", "0", "-c",
                             "from kythuat.core.models import ImportRun; print(ImportRun.objects.get().status)").stdout
            if status.strip() not in ("queued", "checking"):
                break
            time.sleep(1)
        # The worker took the run and found the file unreadable: the run says so instead of waiting.
        assert status.strip() == "failed"
    finally:
        os.killpg(server.pid, signal.SIGINT)  # Ctrl-C: the server and its worker stop together
        output = server.communicate(timeout=30)[0]
    assert "background worker" in output
