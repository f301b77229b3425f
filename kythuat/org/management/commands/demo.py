from django.core.management.base import BaseCommand
from django.utils import translation

from kythuat.org.demo import DEFAULT_PASSWORD, build_demo


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu mẫu: một tỉnh biên giới hư cấu với đơn vị, cán bộ và tài khoản mẫu; chạy lại không "
        "nhân đôi dữ liệu. / Build demo data: a fictional border province with units, people and demo "
        "accounts; running it again duplicates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026,
                            help="Hạt giống ngẫu nhiên; cùng hạt giống cho cùng dữ liệu. / Random seed.")
        parser.add_argument("--units", type=int, default=None,
                            help="Tổng số đơn vị mong muốn (để đo hiệu năng). / Total units wanted (benchmarks).")
        parser.add_argument("--password", default=DEFAULT_PASSWORD,
                            help="Mật khẩu của tài khoản mẫu mới tạo. / Password of newly made demo accounts.")

    def handle(self, *args, seed, units, password, **options):
        with translation.override("vi"):
            self.report(build_demo(seed=seed, units=units, password=password))

    def report(self, summary):
        out = self.stdout
        out.write(self.style.SUCCESS(
            f"Dữ liệu mẫu / demo data: {summary['units']} đơn vị / units, {summary['people']} cán bộ / people."))
        out.write("Tài khoản mẫu / Demo accounts:")
        for username, role, unit in summary["accounts"]:
            out.write(f"  {username:<10} {role:<32} {unit}")
        out.write(f"Mật khẩu / password: {summary['password']}")
        out.write("(Mật khẩu chỉ đặt khi tạo tài khoản lần đầu. / The password is set when an account is first made.)")
