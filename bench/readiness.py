"""Readiness roll-up beside the raw GROUP BY of the same answer (DESIGN.md §5). Not a test.

    KYTHUAT_DATA_DIR=/tmp/demo .venv/bin/python -m bench.readiness [--runs 5] [--on 2020-01-01]

Runs against the database of the environment (build one with ``kythuat demo --units U --items N``).
Prints, for the whole province as the department head sees it: the roll-up now (one GROUP BY over
the register, then the tree in memory) beside the raw GROUP BY alone; the state at 0h on a past
1 January the first time (the snapshot made with one INSERT … SELECT over the history) and after
(read from the snapshot) beside the raw GROUP BY over the history periods; and the fifteen-year trend.
"""

import argparse
import datetime
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kythuat.settings")


def _median(fn, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _medians(first, second, runs):
    """Medians of two functions run in turn, so that a change in the machine's load meanwhile (it is
    shared) weighs on both alike."""
    times = ([], [])
    for _ in range(runs):
        for fn, kept in zip((first, second), times, strict=True):
            started = time.perf_counter()
            fn()
            kept.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def main():
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from kythuat.equipment.models import Item, ItemHistory
    from kythuat.readiness.models import Snapshot
    from kythuat.readiness.selectors import readiness, trend
    from kythuat.readiness.views import top_units

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--on", type=datetime.date.fromisoformat,
                        default=datetime.date(datetime.date.today().year - 5, 1, 1))
    args = parser.parse_args()
    head = get_user_model().objects.get(username="chunhiem")
    root = top_units(head)[0]
    item, history = Item._meta.db_table, ItemHistory._meta.db_table
    lines = Item.objects.count()
    print(f"{connection.vendor}: {lines:,} register lines, {ItemHistory.objects.count():,} history periods, "
          f"load average {os.getloadavg()[0]:.1f}")

    def raw_now():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT unit_id, type_id, grade, condition, usage_state, SUM(quantity) FROM {item} "
                           "WHERE usage_state <> 'struck_off' GROUP BY 1, 2, 3, 4, 5")
            return cursor.fetchall()

    def raw_on():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT unit_id, type_id, grade, condition, usage_state, SUM(quantity) FROM {history} "
                           "WHERE valid_from < %s AND (valid_to IS NULL OR valid_to >= %s) "
                           "AND usage_state <> 'struck_off' GROUP BY 1, 2, 3, 4, 5", [args.on, args.on])
            return cursor.fetchall()

    raw_now(), readiness(head, root)  # warm-up
    now_raw, now_page = _medians(raw_now, lambda: readiness(head, root), args.runs)
    print(f"roll-up now            {now_page * 1000:8.1f} ms   raw GROUP BY {now_raw * 1000:8.1f} ms   "
          f"ratio {now_page / now_raw:.2f}")
    Snapshot.objects.filter(day=args.on).delete()
    started = time.perf_counter()
    first = readiness(head, root, on=args.on)
    first_time = time.perf_counter() - started
    on_raw, cached = _medians(raw_on, lambda: readiness(head, root, on=args.on), args.runs)
    print(f"at 0h {args.on:%d/%m/%Y}, first   {first_time * 1000:8.1f} ms   raw GROUP BY {on_raw * 1000:8.1f} ms   "
          f"ratio {first_time / on_raw:.2f}   (makes the snapshot)")
    print(f"at 0h {args.on:%d/%m/%Y}, after   {cached * 1000:8.1f} ms   raw GROUP BY {on_raw * 1000:8.1f} ms   "
          f"ratio {cached / on_raw:.2f}")
    assert first.total.total == sum(row[5] for row in raw_on()), "the roll-up differs from the raw SQL"
    trend(head, root)
    print(f"trend (15 snapshots)   {_median(lambda: trend(head, root), args.runs) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
