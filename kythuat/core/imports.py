"""Import runs: a file uploaded for a register is checked (the dry run), then written when its uploader
confirms. Small files run within the request; larger ones as a background task (``core.tasks``)
whose progress the run's page shows. Pages, API and tests all go through these functions."""

import logging
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .context import acting
from .importer import EXTENSIONS, IMPORTERS, Importer, ImportFileError
from .models import ImportRun, ImportStatus
from .scoping import scope_for

logger = logging.getLogger(__name__)


def importer_for(key: str) -> type[Importer]:
    return IMPORTERS[key]


def require_import_perm(user, importer: type[Importer]) -> None:
    if not scope_for(user).has_perm(importer.perm):
        raise PermissionDenied(_("Your role does not allow importing into this register."))


def check_upload(upload) -> None:
    """Refuse what cannot be a spreadsheet we read, before storing it."""
    name = upload.name or ""
    if Path(name).suffix.lower() not in EXTENSIONS:
        raise ValidationError(_("Choose an Excel (.xlsx, .xls) or OpenDocument (.ods) file."))
    if not upload.size:
        raise ValidationError(_("The file is empty."))
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(_("The file is larger than %(mb)s MB. Split it into several files.")
                              % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)})


def start_import(*, importer: type[Importer], user, upload, request_id: str = "") -> ImportRun:
    """Store the file and check it (a dry run): nothing is written to the register yet."""
    require_import_perm(user, importer)
    check_upload(upload)
    run = ImportRun.objects.create(
        importer=importer.key, created_by=user, file=upload, file_name=Path(upload.name).name[:255],
        file_size=upload.size, language=translation.get_language() or settings.LANGUAGE_CODE, request_id=request_id)
    _dispatch(run, apply=False)
    return run


def apply_import(*, run: ImportRun, user, request_id: str = "") -> ImportRun:
    """Write a checked file into the register: all of it, or nothing when a row is bad by now."""
    require_import_perm(user, importer_for(run.importer))
    if run.created_by_id != user.pk:
        raise PermissionDenied
    if not run.can_apply:
        raise ValidationError(_("Only a checked file without bad rows can be written."))
    # One transition, so a double click or a second server cannot write the file twice.
    taken = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.APPLY_QUEUED, request_id=request_id or run.request_id)
    if not taken:
        raise ValidationError(_("This file is already being written."))
    run.refresh_from_db()
    _dispatch(run, apply=True)
    return run


def _dispatch(run: ImportRun, *, apply: bool) -> None:
    if run.file_size <= settings.IMPORT_INLINE_BYTES:
        execute(run.pk, apply=apply)
        run.refresh_from_db()
        return
    from .tasks import run_import

    ImportRun.objects.filter(pk=run.pk).update(in_background=True)
    run.in_background = True
    run_import.enqueue(run.pk, apply)


def _progress_key(run_id: int) -> str:
    return f"import-run:{run_id}"


def progress_of(run: ImportRun) -> tuple[int, int]:
    """(rows done, rows in the file) of a run being checked or written."""
    if not run.is_running:
        return run.total, run.total
    return caches["progress"].get(_progress_key(run.pk)) or (0, 0)


def execute(run_id: int, *, apply: bool) -> None:
    """The work of a run, in the request or in a worker: check, or write, the stored file."""
    waiting, working = ((ImportStatus.APPLY_QUEUED, ImportStatus.APPLYING) if apply
                        else (ImportStatus.QUEUED, ImportStatus.CHECKING))
    if not ImportRun.objects.filter(pk=run_id, status=waiting).update(status=working, started_at=timezone.now()):
        return  # taken by another worker, or no longer waiting
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    progress = caches["progress"]
    key = _progress_key(run_id)

    def report(done, total):
        progress.set(key, (done, total), 24 * 3600)

    importer = importer_for(run.importer)(user=run.created_by)
    with translation.override(run.language), acting(user=run.created_by, source="import",
                                                    request_id=run.request_id or None):
        try:
            with _opened(run.file) as source:
                summary = importer.run(source, apply=apply, progress=report)
        except ImportFileError as error:
            run.status, run.message = ImportStatus.FAILED, str(error)
        except Exception:  # shown on the run's page; the details go to the log
            logger.exception("Import run %s failed", run_id)
            run.status = ImportStatus.FAILED
            run.message = _("The import stopped on an unexpected error; nothing was written. The error is in the "
                            "server's log.")
        else:
            for name in ("total", "added", "updated", "unchanged", "bad", "error_count"):
                setattr(run, name, getattr(summary, name))
            run.report = {name: getattr(summary, name) for name in ("errors", "samples", "columns", "ignored")}
            if not apply:
                run.status = ImportStatus.CHECKED
            elif summary.applied:
                run.status, run.applied_at = ImportStatus.APPLIED, timezone.now()
            else:
                run.status = ImportStatus.REFUSED
        _finish(run)
    progress.delete(key)


@contextmanager
def _opened(stored):
    """A local path when the storage has one (calamine then reads the file itself), else the file."""
    try:
        path = stored.path
    except NotImplementedError:  # a storage without local files
        path = None
    if path:
        yield path
    else:
        with stored.open("rb") as handle:
            yield handle


def _finish(run: ImportRun) -> None:
    run.finished_at = timezone.now()
    if run.status == ImportStatus.APPLIED and run.file:
        run.file.delete(save=False)  # written: the register and its audit log hold the data now
    run.save()
