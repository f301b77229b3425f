"""Benchmark of the register import (issue 3): rows per second and peak memory of the raw parse of a
file with the import's reader (the lower bound), of the same parse with python-calamine (the reader
used before), of the dry run, of the write with its audit log and of an update of every line, for
files of 10,000 and 100,000 lines of a demo province.

    .venv/bin/python bench/import_register.py                  # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kythuat_bench .venv/bin/python bench/import_register.py
    .venv/bin/python bench/import_register.py --rows 100000 200000 --updates

With DATABASE_URL the database is used as it is (give a throwaway one: the demo province and the
imported lines are written into it). The temporary folder is made under $KYTHUAT_BENCH_DIR when set.
Each measure runs in a process of its own, so each peak memory figure is that measure's alone. Not a
test: nothing here asserts a time.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["Mã đơn vị", "Mã chủng loại", "Số hiệu", "Số lượng", "Năm sản xuất", "Năm đưa vào sử dụng",
          "Nguyên giá (đồng)", "Số km", "Giờ máy", "Số phát đã bắn", "Cấp chất lượng", "Tình trạng kỹ thuật",
          "Trạng thái sử dụng", "Vị trí", "Tính đồng bộ", "Phần thiếu đồng bộ", "Ghi chú"]
CONDITIONS = ["Sẵn sàng", "Sẵn sàng", "Sẵn sàng", "Hạn chế", "Không sử dụng được"]
USAGES = ["Đang khai thác", "Đang khai thác", "Dự trữ SSCĐ", "Niêm cất", "Đang sửa chữa"]
TARGET = 20_000  # rows/s with audit on a 2-core machine (issue 3)


def _django(data_dir: str) -> None:
    os.environ["KYTHUAT_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kythuat.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def setup(data_dir: str) -> None:
    """The database and a demo province (units, people, accounts; the catalogue comes with migrate)."""
    _django(data_dir)
    from django.core.management import call_command

    from kythuat.org.demo import build_demo

    call_command("migrate", verbosity=0)
    build_demo()


def write_file(path: Path, rows: int, *, prefix: str, step: int = 0) -> None:
    """A register of ``rows`` serialised items spread over the province's units; ``step`` raises the
    meters (a later stock-take of the same lines, for the update run)."""
    import xlsxwriter

    from kythuat.equipment.models import EquipmentType
    from kythuat.org.models import Unit

    units = list(Unit.objects.active_on().values_list("code", flat=True))
    types = list(EquipmentType.objects.filter(tracked_by="serial").values_list(
        "code", "has_km", "has_engine_hours", "has_rounds"))
    rng = random.Random(rows)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Sổ đăng ký VKTBKT")
    sheet.write_row(0, 0, HEADER)
    for number in range(1, rows + 1):
        code, km, hours, rounds = types[number % len(types)]
        made = rng.randint(1995, 2024)
        sheet.write_row(number, 0, [
            units[number % len(units)], code, f"{prefix}-{code}-{number:07d}", 1, made, made + rng.randint(0, 1),
            rng.choice([8_000_000, 15_000_000, 450_000_000]),
            round(1000.5 + 800 * step + number % 997, 1) if km else "",
            round(50.5 + 40 * step + number % 89, 1) if hours else "",
            100 + 60 * step + number % 113 if rounds else "",
            rng.choice([1, 2, 2, 2, 2, 3, 4]), rng.choice(CONDITIONS), rng.choice(USAGES), "Đang sử dụng", "Đồng bộ",
            "", "Nhập thử" if step == 0 else f"Kiểm kê lần {step}"])
    book.close()


def parse_stream(path: Path) -> int:
    """The lower bound of the import: the reader it uses (core.sheets, streaming) turning every row
    into Python values."""
    from kythuat.core.sheets import open_workbook

    book = open_workbook(path)
    count = sum(1 for _row in next(book.worksheets()).rows())
    book.close()
    return count - 1


def parse_calamine(path: Path) -> int:
    """The reader the import used before: python-calamine, which loads the whole sheet first."""
    from python_calamine import CalamineWorkbook

    count = 0
    with CalamineWorkbook.from_path(str(path)) as book:
        for _row in book.get_sheet_by_index(0).iter_rows():
            count += 1
    return count - 1


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


PHASES = ("stream", "calamine", "dry_run", "apply", "update")


def phase(data_dir: str, name: str, rows: int, path: Path) -> dict:
    """One measure in a process of its own, so its peak memory is its own: rows/s of wall-clock
    and CPU time, growth of the peak RSS over the process's start (Django loaded), the load average."""
    _django(data_dir)
    from django.contrib.auth import get_user_model

    from kythuat.core.context import acting
    from kythuat.equipment.importers import ItemImporter

    user = get_user_model().objects.get(username="admin")
    base = _peak_rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    if name == "stream":
        assert parse_stream(path) == rows
    elif name == "calamine":
        assert parse_calamine(path) == rows
    elif name == "dry_run":
        summary = ItemImporter(user=user).run(path)
        assert summary.added == rows and not summary.bad, summary.errors[:3]
    else:
        with acting(user=user, source="command"):
            summary = ItemImporter(user=user).run(path, apply=True)
        done = summary.added if name == "apply" else summary.updated
        assert summary.applied and done == rows, (summary.added, summary.updated, summary.errors[:3])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"rate": round(rows / wall), "cpu_rate": round(rows / cpu), "rss_mb": round(_peak_rss_mb() - base),
            "load": round(os.getloadavg()[0], 1)}


def measure(me: list[str], data_dir: str, rows: int, updates: bool) -> dict:
    path = Path(data_dir) / f"register-{rows}.xlsx"
    prefix = f"B{rows}-{int(time.time())}"

    def child(*args):
        output = subprocess.run([*me, *args], check=True, capture_output=True, text=True).stdout
        return json.loads(output.strip().splitlines()[-1])

    figures = {"rows": rows, **child("--write", str(path), "--rows", str(rows), "--prefix", prefix)}
    for name in PHASES[:4]:
        figures[name] = child("--phase", name, "--file", str(path), "--rows", str(rows))
    if updates:  # the same lines again, meters and notes changed: the update path with its audit
        child("--write", str(path), "--rows", str(rows), "--prefix", prefix, "--step", "1")
        figures["update"] = child("--phase", "update", "--file", str(path), "--rows", str(rows))
    path.unlink()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--updates", action="store_true", help="also re-import the lines with changed meters")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--write", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    parser.add_argument("--step", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup(args.data)
        return
    if args.write:
        _django(args.data)
        from django.db import connection

        path = Path(args.write)
        write_file(path, args.rows[0], prefix=args.prefix, step=args.step)
        print(json.dumps({"database": connection.vendor, "file_mb": round(path.stat().st_size / 2**20, 1)}))
        return
    if args.phase:
        print(json.dumps(phase(args.data, args.phase, args.rows[0], Path(args.file))))
        return
    root = os.environ.get("KYTHUAT_BENCH_DIR")
    if root:
        Path(root).mkdir(parents=True, exist_ok=True)
    data = tempfile.mkdtemp(prefix="kythuat-import-", dir=root)
    me = [sys.executable, str(Path(__file__).resolve()), "--data", data]
    subprocess.run([*me, "--setup"], check=True)
    results = [measure(me, data, rows, args.updates) for rows in args.rows]
    print(f"Register import, {results[0]['database']}, {os.cpu_count()} CPUs: rows/s of wall-clock time / per "
          f"CPU-second of the process; growth of its peak RSS; load average (1 min) at the end")
    print(f"{'rows':>8} {'file':>7}  " + "  ".join(f"{name:>25}" for name in PHASES))
    for r in results:
        cells = []
        for name in PHASES:
            f = r.get(name)
            cells.append(f"{f['rate']:>7,} /{f['cpu_rate']:>7,} {f['rss_mb']:>4} MB {f['load']:>4}" if f
                         else f"{'—':>25}")
        print(f"{r['rows']:>8,} {r['file_mb']:>4} MB  " + "  ".join(cells))
    last = results[-1]
    print(f"Target: {TARGET:,} rows/s with audit; apply reached {last['apply']['rate']:,} rows/s "
          f"({last['apply']['rate'] / last['stream']['rate']:.0%} of the raw parse) at {last['rows']:,} rows.")


if __name__ == "__main__":
    main()
