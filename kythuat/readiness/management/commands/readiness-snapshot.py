import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kythuat.readiness.models import Snapshot
from kythuat.readiness.selectors import ensure_snapshot


class Command(BaseCommand):
    help = (
        "Lập ảnh chụp số liệu sẵn sàng tại 0 giờ các ngày cho trước (mặc định: 1/1 của 15 năm gần nhất và "
        "hôm nay), để trang hệ số kỹ thuật mở nhanh; chạy hằng đêm bằng cron. / Make readiness snapshots at 0h "
        "on the given days (default: 1 January of the last 15 years and today) so the readiness pages open "
        "fast; run it nightly from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("days", nargs="*", help="Ngày dạng dd/mm/yyyy hoặc yyyy-mm-dd. / Days, dd/mm/yyyy "
                                                    "or yyyy-mm-dd.")
        parser.add_argument("--years", type=int, default=15,
                            help="Số năm gần nhất khi không cho ngày (mặc định 15). / Years back when no day "
                                 "is given (default 15).")
        parser.add_argument("--rebuild", action="store_true",
                            help="Lập lại cả ảnh chụp đã có. / Make existing snapshots again.")

    def handle(self, *args, days, years, rebuild, **options):
        today = timezone.localdate()
        wanted = [self._parse(day) for day in days] or (
            [datetime.date(year, 1, 1) for year in range(today.year - years + 1, today.year + 1)] + [today])
        for index, day in enumerate(sorted(set(wanted)), start=1):
            if day > today:
                raise CommandError(f"{day:%d/%m/%Y}: ngày ở tương lai / a future day")
            if rebuild:
                Snapshot.objects.filter(day=day).delete()
            started = time.perf_counter()
            snapshot = ensure_snapshot(day)
            self.stdout.write(f"[{index}/{len(set(wanted))}] 0h {day:%d/%m/%Y}: {snapshot.rows.count()} dòng / "
                              f"rows, {time.perf_counter() - started:.2f} s")

    @staticmethod
    def _parse(text: str) -> datetime.date:
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise CommandError(f"{text}: không phải ngày / not a date (dd/mm/yyyy)")
