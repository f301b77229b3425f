"""The command every register's import is declared with (``kythuat import-register FILE``): the same
importer, checks and all-or-nothing write as the pages, with a progress bar on stderr and the
summary on stdout."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from kythuat.core.context import acting
from kythuat.core.importer import Importer, ImportFileError
from kythuat.core.scoping import scope_for


class ImportCommand(BaseCommand):
    importer: type[Importer] = None

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp .xlsx, .xls hoặc .ods. / The .xlsx, .xls or .ods file.")
        parser.add_argument(
            "--user", required=True,
            help="Tên đăng nhập của người nhập: các dòng được kiểm tra theo quyền và phạm vi đơn vị của người này, "
                 "nhật ký thay đổi ghi tên người này. / User name of the person importing: rows are checked "
                 "against their role and units, and the audit log names them.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Chỉ kiểm tra, không ghi gì vào sổ. / Only check; write nothing.")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, choices=[c for c, _n in settings.LANGUAGES],
                            help="Ngôn ngữ của thông báo (mặc định vi). / Language of the messages (default vi).")

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(_("No active user “%(name)s”.") % {"name": options["user"]})
            if not scope_for(user).has_perm(self.importer.perm):
                raise CommandError(_("Your role does not allow importing into this register."))
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(_("No file %(path)s.") % {"path": path})
            if path.stat().st_size > settings.IMPORT_MAX_BYTES:
                raise CommandError(_("The file is larger than %(mb)s MB. Split it into several files.")
                                   % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)})
            apply = not options["dry_run"]
            with acting(user=user, source="command"):
                try:
                    summary = self.importer(user=user).run(path, apply=apply, progress=self.progress)
                except ImportFileError as error:
                    raise CommandError(str(error)) from error
            self.report(summary, apply=apply)
            if summary.bad:
                raise CommandError(_("%(bad)s bad rows; nothing was written.") % {"bad": summary.bad}, returncode=1)

    _shown = -1

    def progress(self, done: int, total: int) -> None:
        percent = int(100 * done / total) if total else 100
        if self.stderr.isatty():
            filled = percent * 30 // 100
            self.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {percent:3d}% {done}/{total}",
                              ending="\n" if done >= total else "")
        elif percent // 10 != self._shown:  # a log file gets a line every tenth
            self._shown = percent // 10
            self.stderr.write(f"{percent:3d}% {done}/{total}")

    def report(self, summary, *, apply: bool) -> None:
        self.stdout.write(_("Rows read: %(total)s · new: %(added)s · changed: %(updated)s · unchanged: %(unchanged)s"
                            " · bad: %(bad)s") % {name: getattr(summary, name) for name in
                                                  ("total", "added", "updated", "unchanged", "bad")})
        for error in summary.errors:
            where = _("row %(row)s, column “%(column)s”") % error if error["column"] else _("row %(row)s") % error
            self.stdout.write(f"  {where}: {error['message']}")
        hidden = summary.error_count - len(summary.errors)
        if hidden:
            self.stdout.write("  " + _("… and %(n)s more problems") % {"n": hidden})
        if summary.applied:
            self.stdout.write(_("Written to the register."))
        elif not apply and not summary.bad:
            self.stdout.write(_("Dry run: nothing written. Run again without --dry-run to write."))
