"""``kythuat runserver`` also starts a background worker (``kythuat db_worker``), so the one-command
quick start runs background tasks (imports of large files) too. In production the worker is a
service of its own beside gunicorn (docs/deployment.md)."""

import atexit
import subprocess
import sys

from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend


class Command(StaticRunserver):
    help = (
        "Chạy máy chủ phát triển cùng một tiến trình nền (db_worker) làm các việc nền như nhập tệp Excel lớn; "
        "--noworker để không chạy tiến trình nền. / Runs the development server with a background worker "
        "(db_worker) for background tasks such as large Excel imports; --noworker leaves the worker out."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--noworker", action="store_false", dest="use_worker",
                            help="Không chạy tiến trình nền. / Do not start the background worker.")

    def inner_run(self, *args, **options):
        # With the autoreloader this runs in the child that serves, and again after each reload:
        # the worker lives and dies with it, so it always runs the current code.
        if options.get("use_worker", True) and isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS],
                                                          DatabaseBackend):
            worker = subprocess.Popen([sys.executable, "-m", "kythuat.core.worker", "--no-reload", "--interval", "1",
                                       "--verbosity", "0"])
            atexit.register(_stop, worker)
            self.stdout.write(f"Tiến trình nền / background worker: pid {worker.pid}")
        return super().inner_run(*args, **options)


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
