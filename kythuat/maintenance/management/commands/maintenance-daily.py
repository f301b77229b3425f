import time

from django.core.management.base import BaseCommand

from kythuat.maintenance import schedules
from kythuat.maintenance.selectors import summarise_due


class Command(BaseCommand):
    help = (
        "Việc hằng ngày của bảo quản, bảo dưỡng: đưa mọi VKTBKT vào đúng chế độ, đánh dấu việc đến hạn theo "
        "đồng hồ, tính số việc quá hạn / đến hạn của từng đơn vị cho phần nhắc việc; chạy hằng đêm bằng cron. / "
        "The daily maintenance task: put every item under the regimes that apply, flag work due by meter, "
        "and compute each unit's overdue and due work for the reminders; run it nightly from cron."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        made = schedules.sync()
        self.stdout.write(f"Lịch mới / new schedules: {made} ({time.perf_counter() - started:.1f} s)")
        started = time.perf_counter()
        flagged = schedules.refresh_meters(None)
        self.stdout.write(f"Đổi trạng thái theo đồng hồ / meter flags changed: {flagged} "
                          f"({time.perf_counter() - started:.1f} s)")
        started = time.perf_counter()
        units = summarise_due()
        self.stdout.write(f"Đơn vị có nhắc việc / units summarised: {units} ({time.perf_counter() - started:.1f} s)")
