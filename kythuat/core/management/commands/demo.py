from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from kythuat.core.context import acting
from kythuat.core.demo import BUILDERS, DEFAULT_PASSWORD


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu mẫu: một tỉnh biên giới hư cấu với đơn vị, cán bộ, tài khoản và sổ đăng ký VKTBKT; chạy lại "
        "không nhân đôi dữ liệu. / Build demo data: a fictional border province with units, people, accounts "
        "and the equipment register; running it again duplicates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026,
                            help="Hạt giống ngẫu nhiên; cùng hạt giống cho cùng dữ liệu. / Random seed.")
        parser.add_argument("--units", type=int, default=None,
                            help="Tổng số đơn vị mong muốn (để đo hiệu năng). / Total units wanted (benchmarks).")
        parser.add_argument("--items", type=int, default=20000,
                            help="Số dòng sổ đăng ký VKTBKT (mặc định 20.000). / Register lines (default 20,000).")
        parser.add_argument("--password", default=DEFAULT_PASSWORD,
                            help="Mật khẩu của tài khoản mẫu mới tạo. / Password of newly made demo accounts.")

    def handle(self, *args, **options):
        with translation.override("vi"), acting(source="command"):
            for _order, _name, builder in BUILDERS:
                with transaction.atomic():
                    lines = builder(options)
                for line in lines:
                    self.stdout.write(line)
