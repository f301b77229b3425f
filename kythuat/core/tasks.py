"""Background tasks (django-tasks, database backend): ``kythuat db_worker`` runs them; the development
server starts one itself (``core/management/commands/runserver.py``)."""

from django_tasks import task


@task()
def run_import(run_id: int, apply: bool = False) -> None:
    """Check (or write) the file of an import run; its page follows the progress."""
    from .imports import execute

    execute(run_id, apply=apply)
