"""The background worker ``kythuat runserver`` starts beside itself: Django-tasks' ``db_worker``,
which also stops when the server that started it is gone, however the server ended."""

import os
import signal
import sys
import threading
import time


def _stop_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)  # db_worker's own handler: finish the task at hand, then exit


def main() -> None:
    threading.Thread(target=_stop_with, args=(os.getppid(),), daemon=True).start()
    from kythuat.manage import main as manage

    sys.argv = ["kythuat", "db_worker", *sys.argv[1:]]
    manage()


if __name__ == "__main__":
    main()
