"""Maintenance at the size of the whole force, each figure beside the raw SQL of the same answer.

1. **The due list** (page and selector) of the province and of one border post: server time of the
   page through Django's test Client (median of ``--runs``), its queries, and the raw SQL of the same
   answer — the 50 rows, the count, the counts by bucket (overdue, this week, this month, by meter).
2. **A technical day of 500 items** through ``services.record_technical_day``, in a transaction
   rolled back after each run, beside the raw statements that write the same rows (the work order,
   its 500 lines, the technical day, their audit entries, the schedules moved on).
3. **Historical work orders in bulk**: N orders with their lines (four items each) written as the
   demo writes them (``core.bulk.bulk_insert`` + ``core.audit.record_bulk``), beside a raw bulk
   write of the same rows and audit entries (multi-row ``INSERT`` on SQLite, ``COPY`` on
   PostgreSQL); rows per second for each N, so that a flat rate shows the write scales. Rolled back.

    .venv/bin/python -m bench.maintenance --backend sqlite              # 1,000 units, 1,000,000 items
    .venv/bin/python -m bench.maintenance --backend postgres --orders 1000000,2000000
    .venv/bin/python -m bench.maintenance --backend postgres --units 100 --items 20000 --only bulk \\
        --orders 10000000 --raw-orders 3000000      # the raw bound on the first 3 M (a rate)
"""

import argparse
import contextlib
import datetime
import json
import os
import random
import re
import time

from bench.database import add_size_arguments, prepare
from bench.register_page import captured_queries, median_ms, replay_ms, run_raw

PER_PAGE = 50
BUCKETS = ("overdue", "due_week", "due_month", "meter_due")


class Rollback(Exception):
    """Raised at the end of a measured write to undo it."""


@contextlib.contextmanager
def rolled_back():
    """A transaction that the block ends with ``raise Rollback``: the measured write leaves nothing."""
    from django.db import transaction

    try:
        with transaction.atomic():
            yield
    except Rollback:
        pass


# --- 1. the due list ---------------------------------------------------------------------------------
def timed(run, runs: int, warmup: int):
    """(median wall ms, mean CPU ms of this process, result): on a loaded machine the CPU time is the
    steadier figure, and with SQLite it includes the database's own work."""
    cpu = time.process_time()
    wall, result = median_ms(run, runs, warmup)
    return wall, (time.process_time() - cpu) * 1000 / (runs + warmup), result


def due_raw(path: str | None, today: datetime.date) -> dict[str, tuple[str, list]]:
    """Rows, count and counts by bucket of the due list (the page's default: due within 30 days or by
    meter), written by hand."""
    month, week = today + datetime.timedelta(days=30), today + datetime.timedelta(days=7)
    # A struck-off item has no schedule in force (no rule follows one), and a schedule carries its item's
    # holder, so the counts do not read the register at all.
    # "s.active" as Django writes it: SQLite matches it to the partial index's condition, not "= %s".
    where = ["s.active"]
    params = []
    source = "maintenance_schedule s"
    if path:
        where.append("s.unit_id IN (SELECT id FROM org_unit WHERE path LIKE %s)")
        params.append(path + "%")
    base = " AND ".join(where)
    due = f"{base} AND (s.next_due_on <= %s OR s.meter_due)"
    due_params = [*params, month]
    rows = ("SELECT s.id, s.item_id, t.name, i.serial, s.unit_id, r.name, r.level, s.next_due_on, s.meter_due, "
            f"s.last_done_on FROM {source} JOIN equipment_item i ON i.id = s.item_id "
            "JOIN equipment_equipmenttype t ON t.id = i.type_id "
            f"JOIN maintenance_maintenancerule r ON r.id = s.rule_id WHERE {due} "
            f"ORDER BY s.next_due_on, s.id LIMIT {PER_PAGE}")
    buckets = ("SELECT SUM(CASE WHEN s.next_due_on < %s THEN 1 ELSE 0 END), "
               "SUM(CASE WHEN s.next_due_on >= %s AND s.next_due_on <= %s THEN 1 ELSE 0 END), "
               "SUM(CASE WHEN s.next_due_on > %s AND s.next_due_on <= %s THEN 1 ELSE 0 END), "
               f"SUM(CASE WHEN s.meter_due THEN 1 ELSE 0 END) FROM {source} WHERE ")
    bucket_params = [today, today, week, week, month]
    return {
        "rows": (rows, due_params),
        "count": (f"SELECT COUNT(*) FROM {source} WHERE {due}", due_params),
        # The page and the selector count the buckets over the due schedules only (the others are in
        # no bucket).
        "buckets": (buckets + due, bucket_params + due_params),
    }


def page_answer(html: str) -> tuple[int, dict, int]:
    """(the count, the counts by bucket, the rows) the page shows."""
    count = int(re.sub(r"\D", "", re.search(r'<span class="count">([^<]*)</span>', html).group(1)))
    figures = [int(n) for n in re.findall(r'class="due-count [a-z]+"[^>]*><strong>([\d.,\s]+)</strong>', html)
               for n in [re.sub(r"\D", "", n)]]
    body = html.split("<tbody", 1)[-1]
    rows = len(re.findall(r"<tr[ >]", body)) - len(re.findall(r"<tr[^>]*>\s*<td[^>]*colspan", body))  # empty text
    return count, dict(zip(BUCKETS, figures, strict=False)), rows


def due_list(args) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from kythuat.maintenance import selectors
    from kythuat.maintenance.models import Schedule
    from kythuat.org.models import Unit

    today = timezone.localdate()
    post = Unit.objects.get(code="DBP01")
    # Units holding nothing due (a command's staff, posts not yet equipped): the case where PostgreSQL,
    # taking them for average units, once walked every schedule in date order looking for 50.
    holders = set(Schedule.objects.filter(active=True).values_list("unit_id", flat=True).distinct())
    paths = dict(Unit.objects.values_list("id", "path"))
    empty = next((unit for unit in Unit.objects.order_by("path")
                  if Unit.objects.filter(parent=unit).exists()
                  and not any(paths[h].startswith(unit.path) for h in holders)), None)
    users = {name: get_user_model().objects.get(username=name) for name in ("chunhiem", "don1")}
    cases = [("province", "chunhiem", {}, None),
             ("one border post (filter)", "chunhiem", {"unit": post.pk}, post.path),
             ("one border post (its officer)", "don1", {}, post.path)]
    if empty is not None:
        cases.append((f"{empty.code}, nothing due (filter)", "chunhiem", {"unit": empty.pk}, empty.path))
    results = []
    for name, username, params, path in cases:
        client = Client(SERVER_NAME="localhost")
        client.force_login(users[username])

        def fetch(client=client, params=params):
            response = client.get(reverse("maintenance:schedule_list"), params)
            assert response.status_code == 200, response.status_code
            return response

        page_ms, page_cpu, response = timed(fetch, args.runs, args.warmup)
        queries = captured_queries(fetch)
        count, figures, rows = page_answer(response.content.decode())
        raw, raw_cpu, answers = {}, {}, {}
        for part, (sql, sql_params) in due_raw(path, today).items():
            raw[part], raw_cpu[part], answers[part] = timed(lambda s=sql, p=sql_params: run_raw(s, p), args.runs,
                                                            args.warmup)
        raw_figures = dict(zip(BUCKETS, [n or 0 for n in answers["buckets"][0]], strict=True))
        bound = raw["rows"] + raw["count"] + raw["buckets"]
        results.append({"what": f"page · {name}", "user": username, "ms": page_ms, "queries": len(queries),
                        "cpu": page_cpu, "bound_cpu": raw_cpu["rows"] + raw_cpu["count"] + raw_cpu["buckets"],
                        "sql_ms": replay_ms(queries, args.runs, args.warmup), "count": count, "bound": bound,
                        "raw": raw, "same": count == answers["count"][0][0] and figures == raw_figures
                        and rows == min(PER_PAGE, count)})

        # The selector other pages and the API read: the same rows in a stable order, count, buckets.
        unit = Unit.objects.get(pk=params["unit"]) if params.get("unit") else None

        def select(user=users[username], unit=unit):
            due = selectors.due_schedules(user, unit=unit, today=today)
            page = list(due.order_by("next_due_on", "id").values_list("id", flat=True)[:PER_PAGE])
            return page, due.count(), selectors.due_counts(due, today)

        selector_ms, selector_cpu, (ids, total, counts) = timed(select, args.runs, args.warmup)
        due_figures = dict(zip(BUCKETS, [n or 0 for n in answers["buckets"][0]], strict=True))
        bound = raw["rows"] + raw["count"] + raw["buckets"]
        results.append({"what": f"selector · {name}", "user": username, "ms": selector_ms, "queries": 3,
                        "cpu": selector_cpu,
                        "bound_cpu": raw_cpu["rows"] + raw_cpu["count"] + raw_cpu["buckets"],
                        "sql_ms": None, "count": total, "bound": bound, "raw": raw,
                        "same": ids == [row[0] for row in answers["rows"]] and total == answers["count"][0][0]
                        == counts.pop("due") and counts == due_figures})
    return results


# --- 2. a technical day of 500 items -------------------------------------------------------------------
TABLES = ("maintenance_workorder", "maintenance_workorderitem", "maintenance_technicalday", "core_auditentry")


def technical_day(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from kythuat.maintenance import services
    from kythuat.maintenance.models import Schedule, TechnicalDay
    from kythuat.org.models import Unit

    user = get_user_model().objects.get(username="chunhiem")
    post = Unit.objects.get(code="DBP01")
    items = list(services.technical_day_items(post).filter(
        schedules__active=True, schedules__rule__level="tech_day").values_list("id", flat=True)[:args.day_items])
    today = timezone.localdate()
    taken = set(TechnicalDay.objects.filter(unit=post, level="tech_day").values_list("date", flat=True))
    day = next(today - datetime.timedelta(days=back) for back in range(60)
               if today - datetime.timedelta(days=back) not in taken)
    lines = [(item_id, True, "") for item_id in items]
    written = {}

    def service():
        with rolled_back():
            before = {table: _max_id(table) for table in TABLES}
            services.record_technical_day(user=user, unit=post, date=day, lines=lines)
            if not written:  # the rows it wrote, for the raw replay
                for table in TABLES:
                    written[table] = _rows_after(table, before[table])
                written["schedules"] = _rows(Schedule._meta.db_table, "item_id", items)
            raise Rollback

    service_ms, service_cpu, _ = timed(service, args.day_runs, 1)

    def raw():
        with rolled_back(), connection.cursor() as cursor:
            for table in TABLES:
                _insert(cursor, table, *written[table])
            columns, rows = written["schedules"]
            keep = [i for i, name in enumerate(columns) if name != "id"]
            cursor.executemany(
                f"UPDATE maintenance_schedule SET {', '.join(f'{columns[i]} = %s' for i in keep)} WHERE id = %s",
                [[row[i] for i in keep] + [row[columns.index("id")]] for row in rows])
            raise Rollback

    raw_ms, raw_cpu, _ = timed(raw, args.day_runs, 1)
    counts = {table: len(written[table][1]) for table in TABLES}
    return {"items": len(items), "day": day, "service_ms": service_ms, "raw_ms": raw_ms, "service_cpu": service_cpu,
            "raw_cpu": raw_cpu, "rows": counts,
            "schedules": len(written["schedules"][1])}


def _max_id(table: str) -> int:
    return run_raw(f"SELECT COALESCE(MAX(id), 0) FROM {table}", [])[0][0]


def _rows_after(table: str, last_id: int) -> tuple[list, list]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id > %s ORDER BY id", [last_id])
        return [col[0] for col in cursor.description], cursor.fetchall()


def _rows(table: str, column: str, ids: list) -> tuple[list, list]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE {column} IN ({', '.join(['%s'] * len(ids))})", ids)
        return [col[0] for col in cursor.description], cursor.fetchall()


def _insert(cursor, table: str, columns: list, rows: list, batch: int = 500) -> None:
    """Multi-row INSERT of ``rows`` as they were read (JSON columns written back as text)."""
    rows = [[json.dumps(v) if isinstance(v, dict | list) else v for v in row] for row in rows]
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    one = f"({', '.join(['%s'] * len(columns))})"
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        cursor.execute(head + ", ".join([one] * len(chunk)), [v for row in chunk for v in row])


# --- 3. historical work orders in bulk -----------------------------------------------------------------
LINES_PER_ORDER = 4
BATCH = 5000  # orders per batch


def register_sample() -> dict:
    """{item id: an ``Item`` with its type, as the demo holds them} of 200,000 items: the lines' items
    (their names go into the audit log)."""
    from kythuat.equipment.models import EquipmentType, Item

    types = {kind.pk: kind for kind in EquipmentType.objects.all()}
    sample = {}
    for item_id, type_id, unit_id, serial in Item.objects.order_by("id").values_list(
            "id", "type_id", "unit_id", "serial")[:200000]:
        item = sample[item_id] = Item(pk=item_id, type=types[type_id], unit_id=unit_id, serial=serial, grade=2)
        item._state.adding = False
    return sample


def historical_orders(count: int, seed: int, sample: dict):
    """Batches of (orders, lines) as plain values: done preservation or maintenance of the past years,
    four items of one unit each."""
    rng = random.Random(seed)
    by_unit = {}
    for item in sample.values():
        by_unit.setdefault(item.unit_id, []).append(item.pk)
    units = [unit for unit, items in by_unit.items() if len(items) >= LINES_PER_ORDER]
    start = datetime.date(2000, 1, 1)
    made = 0
    # A long run says how it goes: the rate of each tenth, so one run shows whether it stays flat.
    step, mark, marked = max(count // 10, BATCH), time.perf_counter(), 0
    while made < count:
        if made - marked >= step and count > 10 * BATCH:
            now = time.perf_counter()
            print(f"    … {made:,} orders, the last {made - marked:,} at "
                  f"{(made - marked) * (1 + LINES_PER_ORDER) / (now - mark):,.0f} rows/s", flush=True)
            mark, marked = now, made
        orders, lines = [], []
        for n in range(made, min(count, made + BATCH)):
            unit = rng.choice(units)
            day = start + datetime.timedelta(days=rng.randint(0, 9000))
            orders.append((unit, f"LS-{seed}-{n:08d}", rng.choice(["preservation", "maint_1"]), day))
            lines.append(rng.sample(by_unit[unit], LINES_PER_ORDER))
        made += len(orders)
        yield orders, lines


def bulk_orm(count: int, seed: int, user, sample: dict) -> float:
    """The demo's way: model rows, ``bulk_insert``, ``record_bulk``. Seconds."""

    from kythuat.core.audit import record_bulk
    from kythuat.core.bulk import bulk_insert
    from kythuat.maintenance.models import WorkOrder, WorkOrderItem

    started = time.perf_counter()
    with rolled_back():
        for orders, lines in historical_orders(count, seed, sample):
            rows = []
            for unit, number, kind, day in orders:
                order = WorkOrder(unit_id=unit, number=number, kind=kind, level="monthly" if kind ==
                                  "preservation" else "maint_1", status="verified", planned_start=day,
                                  started_on=day, finished_on=day, done_by=user, verified_by=user,
                                  description="Bảo quản định kỳ")
                order.search_text = order.build_search_text()
                rows.append(order)
            bulk_insert(rows)
            record_bulk(rows)
            items = [WorkOrderItem(work_order=order, item=sample[item_id], grade_before=2, ok=True)
                     for order, item_ids in zip(rows, lines, strict=True) for item_id in item_ids]
            bulk_insert(items)
            record_bulk(items)
        elapsed = time.perf_counter() - started
        raise Rollback
    return elapsed


def bulk_raw(count: int, seed: int, user, sample: dict) -> float:
    """The same rows and audit entries by hand: multi-row INSERT (SQLite) or COPY (PostgreSQL). Seconds."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from kythuat.maintenance.models import WorkOrder, WorkOrderItem

    now = timezone.now()
    types = {model: ContentType.objects.get_for_model(model).pk for model in (WorkOrder, WorkOrderItem)}
    order_cols = ["unit_id", "number", "kind", "level", "place", "status", "planned_start", "started_on",
                  "finished_on", "done_by_id", "verified_by_id", "description", "findings", "search_text", "version",
                  "created_at", "updated_at"]
    line_cols = ["work_order_id", "item_id", "grade_before", "usage_before", "checklist", "ok", "note"]
    audit_cols = ["timestamp", "user_id", "username", "request_id", "source", "address", "action",
                  "content_type_id", "object_id", "object_repr", "scope_unit_id", "changes", "search_text"]
    postgres = connection.vendor == "postgresql"
    started = time.perf_counter()
    with rolled_back(), connection.cursor() as cursor:
        next_order = _max_id("maintenance_workorder") + 1
        next_line = _max_id("maintenance_workorderitem") + 1
        for orders, lines in historical_orders(count, seed, sample):
            order_rows, line_rows, audit_rows = [], [], []
            for (unit, number, kind, day), item_ids in zip(orders, lines, strict=True):
                level = "monthly" if kind == "preservation" else "maint_1"
                order_rows.append([next_order, unit, number, kind, level, "unit", "verified", day, day, day,
                                   user.pk, user.pk, "Bảo quản định kỳ", "", number.lower(), 1, now, now])
                audit_rows.append([now, user.pk, user.username, "", "command", None, "create",
                                   types[WorkOrder], str(next_order), number, unit,
                                   json.dumps({"id": [None, next_order], "unit_id": [None, unit],
                                               "number": [None, number], "kind": [None, kind],
                                               "level": [None, level], "place": [None, "unit"],
                                               "status": [None, "verified"], "planned_start": [None, str(day)],
                                               "started_on": [None, str(day)], "finished_on": [None, str(day)],
                                               "done_by_id": [None, user.pk], "verified_by_id": [None, user.pk],
                                               "description": [None, "Bảo quản định kỳ"]}),
                                   number.lower()])
                for item_id in item_ids:
                    line_rows.append([next_line, next_order, item_id, 2, "", "{}", True, ""])
                    name = str(sample[item_id])
                    audit_rows.append([now, user.pk, user.username, "", "command", None, "create",
                                       types[WorkOrderItem], str(next_line), name, unit,
                                       json.dumps({"id": [None, next_line], "work_order_id": [None, next_order],
                                                   "item_id": [None, item_id], "grade_before": [None, 2],
                                                   "checklist": [None, {}], "ok": [None, True]}),
                                       name.lower()])
                    next_line += 1
                next_order += 1
            _write(cursor, postgres, "maintenance_workorder", ["id", *order_cols], order_rows)
            _write(cursor, postgres, "maintenance_workorderitem", ["id", *line_cols], line_rows)
            _write(cursor, postgres, "core_auditentry", audit_cols, audit_rows)
        elapsed = time.perf_counter() - started
        raise Rollback
    return elapsed


def _write(cursor, postgres: bool, table: str, columns: list, rows: list) -> None:
    if postgres:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    _insert(cursor, table, columns, rows, batch=max(1, 30000 // len(columns)))


def bulk(args) -> list[dict]:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="chunhiem")
    sample = register_sample()
    results = []
    for count in args.orders:
        # The raw bound first, on the first ``--raw-orders`` of the same stream when that is smaller:
        # a rate, so a prefix measures it; the (longer) demo way then runs the whole count.
        raw_count = min(count, args.raw_orders or count)
        rows, raw_rows = count * (1 + LINES_PER_ORDER), raw_count * (1 + LINES_PER_ORDER)
        print(f"  {count:,} orders: raw bound on {raw_count:,} …", flush=True)
        cpu = time.process_time()
        raw = bulk_raw(raw_count, args.seed, user, sample)
        cpu, raw_cpu = time.process_time(), time.process_time() - cpu
        print(f"  raw {raw_rows / raw:,.0f} rows/s ({raw:.0f} s, CPU {raw_cpu:.0f} s); demo way on {count:,} …",
              flush=True)
        orm = bulk_orm(count, args.seed, user, sample)
        orm_cpu = time.process_time() - cpu
        results.append({"orders": count, "rows": rows, "orm_s": orm, "orm_cpu": orm_cpu, "raw_orders": raw_count,
                        "raw_rows": raw_rows, "raw_s": raw, "raw_cpu": raw_cpu})
        print(f"  {count:,} orders: demo way {rows / orm:,.0f} rows/s ({orm:.0f} s, CPU {orm_cpu:.0f} s), raw "
              f"{raw_rows / raw:,.0f} rows/s ({raw:.0f} s, CPU {raw_cpu:.0f} s)", flush=True)
    return results


# --- report ----------------------------------------------------------------------------------------------
def report(args, info, due, day, written) -> None:
    from django.db import connection

    from kythuat.maintenance.models import Schedule, WorkOrder

    print(f"\nMaintenance · {connection.vendor} · {args.units:,} units · {args.items:,} items · "
          f"{Schedule.objects.count():,} schedules · {WorkOrder.objects.count():,} work orders · "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"(database built by `kythuat demo` in {info['demo_seconds']:.0f} s)")
    if due:
        print(f"\nDue list · median of {args.runs} after {args.warmup} warm-up · ms (CPU: mean CPU time of this "
              "process, which with SQLite includes the database's work)")
        head = (f"{'request':<42} {'user':<9} {'count':>9} │ {'time':>8} {'queries':>7} {'of it SQL':>9} │ "
                f"{'raw rows':>8} {'count':>8} {'buckets':>8} {'bound':>8} │ {'ratio':>5}  same │ "
                f"{'CPU':>7} {'bound':>7} {'ratio':>5}")
        print(head)
        print("─" * len(head))
        for r in due:
            buckets = r["raw"]["buckets"]
            sql = f"{r['sql_ms']:>9.1f}" if r["sql_ms"] is not None else f"{'':>9}"
            print(f"{r['what']:<42} {r['user']:<9} {r['count']:>9,} │ {r['ms']:>8.1f} {r['queries']:>7} {sql} │ "
                  f"{r['raw']['rows']:>8.1f} {r['raw']['count']:>8.1f} {buckets:>8.1f} {r['bound']:>8.1f} │ "
                  f"{r['ms'] / r['bound']:>5.1f}  {'yes' if r['same'] else 'NO ':<3} │ {r['cpu']:>7.1f} "
                  f"{r['bound_cpu']:>7.1f} {r['cpu'] / r['bound_cpu']:>5.1f}")
    if day:
        print(f"\nTechnical day of {day['items']} items ({day['day']:%d/%m/%Y}) · median of {args.day_runs} · "
              f"rows {day['rows']}, {day['schedules']} schedules moved on")
        print(f"  services.record_technical_day {day['service_ms']:.0f} ms · raw INSERTs + UPDATEs of the same rows "
              f"{day['raw_ms']:.0f} ms · ratio {day['service_ms'] / day['raw_ms']:.1f} · CPU of this process per run "
              f"{day['service_cpu']:.0f} and {day['raw_cpu']:.0f} ms")
    if written:
        how = "COPY" if connection.vendor == "postgresql" else "INSERT"
        print(f"\nHistorical work orders with {LINES_PER_ORDER} lines each, audited, one transaction (rolled back)")
        for r in written:
            orm_rate, raw_rate = r["rows"] / r["orm_s"], r["raw_rows"] / r["raw_s"]
            prefix = f" (first {r['raw_orders']:,} orders)" if r["raw_orders"] < r["orders"] else ""
            print(f"  {r['orders']:>10,} orders ({r['rows']:,} rows + {r['rows']:,} audit entries): demo way "
                  f"{orm_rate:>8,.0f} rows/s · raw {how}{prefix} {raw_rate:>8,.0f} rows/s · ratio "
                  f"{raw_rate / orm_rate:.1f} · per CPU-second of this process: {r['rows'] / r['orm_cpu']:,.0f} and "
                  f"{r['raw_rows'] / r['raw_cpu']:,.0f} rows")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_size_arguments(parser)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--day-items", type=int, default=500)
    parser.add_argument("--day-runs", type=int, default=5)
    parser.add_argument("--orders", default="1000000,2000000",
                        help="numbers of historical work orders to write, comma-separated (0: skip)")
    parser.add_argument("--raw-orders", type=int, default=0,
                        help="measure the raw bound on only the first N orders of each count (0: all of them)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=("due", "day", "bulk"))
    args = parser.parse_args(argv)
    args.orders = [int(n) for n in args.orders.split(",") if int(n)]
    database, info = prepare(args)
    database.use()
    import django

    django.setup()
    due = due_list(args) if args.only in (None, "due") else []
    day = technical_day(args) if args.only in (None, "day") else None
    written = bulk(args) if args.only in (None, "bulk") else []
    report(args, info, due, day, written)


if __name__ == "__main__":
    main()
