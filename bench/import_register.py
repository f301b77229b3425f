"""Benchmark of the register import (issue 3): rows per second of the raw parse of a file (the lower
bound: calamine reading every row), of the dry run and of the write with its audit log, and the
peak memory, for files of 10,000 and 100,000 lines of a demo province.

    .venv/bin/python bench/import_register.py                  # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kythuat_bench .venv/bin/python bench/import_register.py
    .venv/bin/python bench/import_register.py --rows 10000 100000 --updates

With DATABASE_URL the database is used as it is (give a throwaway one: the demo province and the
imported lines are written into it). Each size runs in a process of its own, so each peak memory
figure is that size's alone. Not a test: nothing here asserts a time.
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
import tracemalloc
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


def raw_parse(path: Path) -> int:
    """The lower bound: calamine opens the sheet and every row becomes Python values."""
    from python_calamine import CalamineWorkbook

    count = 0
    with CalamineWorkbook.from_path(str(path)) as book:
        for _row in book.get_sheet_by_index(0).iter_rows():
            count += 1
    return count - 1


def _timed(run):
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(data_dir: str, rows: int, updates: bool) -> dict:
    _django(data_dir)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from kythuat.core.context import acting
    from kythuat.equipment.importers import ItemImporter

    user = get_user_model().objects.get(username="admin")
    path = Path(data_dir) / f"register-{rows}.xlsx"
    prefix = f"B{rows}-{int(time.time())}"
    write_file(path, rows, prefix=prefix)
    figures = {"rows": rows, "database": connection.vendor, "file_mb": round(path.stat().st_size / 2**20, 1)}
    base_rss = _peak_rss_mb()

    count, wall, cpu = _timed(lambda: raw_parse(path))
    assert count == rows
    figures["parse"] = (round(rows / wall), round(rows / cpu))

    summary, wall, cpu = _timed(lambda: ItemImporter(user=user).run(path))
    assert summary.added == rows and not summary.bad, summary.errors[:3]
    figures["dry_run"] = (round(rows / wall), round(rows / cpu))
    figures["rss_dry_run_mb"] = round(_peak_rss_mb() - base_rss)

    tracemalloc.start()
    ItemImporter(user=user).run(path)
    figures["python_heap_dry_run_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    tracemalloc.stop()

    with acting(user=user, source="command"):
        summary, wall, cpu = _timed(lambda: ItemImporter(user=user).run(path, apply=True))
    assert summary.applied and summary.added == rows
    figures["apply"] = (round(rows / wall), round(rows / cpu))
    figures["rss_apply_mb"] = round(_peak_rss_mb() - base_rss)

    if updates:  # the same lines again, meters and notes changed: the update path with its audit
        write_file(path, rows, prefix=prefix, step=1)
        with acting(user=user, source="command"):
            summary, wall, cpu = _timed(lambda: ItemImporter(user=user).run(path, apply=True))
        assert summary.applied and summary.updated == rows, (summary.updated, summary.errors[:3])
        figures["update"] = (round(rows / wall), round(rows / cpu))
    path.unlink()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--updates", action="store_true", help="also re-import the lines with changed meters")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup(args.data)
        return
    if args.child:
        print(json.dumps(measure(args.data, args.child, args.updates)))
        return
    data = tempfile.mkdtemp(prefix="kythuat-bench-")
    me = [sys.executable, str(Path(__file__).resolve()), "--data", data]
    subprocess.run([*me, "--setup"], check=True)
    results = []
    for rows in args.rows:
        output = subprocess.run([*me, "--child", str(rows), *(["--updates"] if args.updates else [])], check=True,
                                capture_output=True, text=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    print(f"Register import, {results[0]['database']}, {os.cpu_count()} CPUs "
          f"(rows/s wall-clock / per CPU-second of this process)")
    print(f"{'rows':>8} {'file':>7} {'raw parse':>17} {'dry run':>15} {'apply+audit':>15} "
          f"{'update+audit':>15} {'RSS dry':>8} {'RSS apply':>9} {'py heap':>8}")
    for r in results:
        def pair(key, r=r):
            return f"{r[key][0]:>7,} / {r[key][1]:>7,}" if key in r else f"{'—':>15}"
        print(f"{r['rows']:>8,} {r['file_mb']:>5} MB {pair('parse'):>17} {pair('dry_run')} {pair('apply')} "
              f"{pair('update')} {r['rss_dry_run_mb']:>5} MB {r['rss_apply_mb']:>6} MB "
              f"{r['python_heap_dry_run_mb']:>5} MB")
    last = results[-1]
    print(f"Target: {TARGET:,} rows/s with audit; apply reached {last['apply'][0]:,} rows/s "
          f"({last['apply'][0] / last['parse'][0]:.0%} of the raw parse) at {last['rows']:,} rows.")
    print("RSS: growth of the process's peak resident memory over its start; py heap: tracemalloc peak of "
          "the dry run (Python objects only; calamine keeps the sheet's cells outside it).")


if __name__ == "__main__":
    main()
