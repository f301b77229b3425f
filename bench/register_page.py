"""The register page (sổ đăng ký VKTBKT) on a large database: server time beside the raw SQL.

For each request the page is fetched through Django's test Client by a logged-in user (the head of
the department, who sees the whole province, or the technical officer of one border post); its
server time is the median of ``--runs`` fetches after ``--warmup``. Beside it, the lower bound: the
raw SQL for the same answer — the same 50 rows, the same total count and the same totals by grade —
run with a cursor, medians too. The page's answer is checked against the raw one (same row ids, same
count), and its queries are counted and timed, so the difference splits into SQL and Python.

    .venv/bin/python -m bench.register_page --backend postgres            # 1,000 units, 1,000,000 items
    .venv/bin/python -m bench.register_page --backend sqlite --explain    # and the plans of the raw SQL
"""

import argparse
import dataclasses
import importlib
import math
import os
import re
import statistics
import sys
import time
from pathlib import Path

from bench.database import add_size_arguments, prepare

PER_PAGE = 50


@dataclasses.dataclass
class Case:
    """One request of the register page and what the raw SQL must filter to give the same answer."""

    name: str
    username: str
    params: dict
    path: str | None = None  # unit subtree (the unit filter, or the user's scope)
    branch_ids: list = dataclasses.field(default_factory=list)
    grades: list = dataclasses.field(default_factory=list)
    terms: list = dataclasses.field(default_factory=list)
    order: str = "t.name, t.code, i.serial, i.id"  # the table's default sort: type, then number
    page: int | str = 1  # or "last"


def cases() -> list[Case]:
    from kythuat.core.text import search_terms
    from kythuat.equipment.models import Branch
    from kythuat.org.models import Unit

    post = Unit.objects.get(code="DBP01")  # the post of the officer ``don1``
    weapons = Branch.objects.get(code="QK")
    search = "ak 12345"
    subtree = {"unit": post.pk, "branch": weapons.pk, "grade": ["2", "3"], "sort": "type"}
    sub = {"path": post.path, "branch_ids": [weapons.pk], "grades": [2, 3]}
    return [
        Case("province", "chunhiem", {}),
        Case("post + branch + grade, by type", "chunhiem", subtree, **sub),
        Case("the same, post officer", "don1", subtree, **sub),
        Case("officer's whole post", "don1", {}, path=post.path),
        Case(f"search “{search}”", "chunhiem", {"q": search}, terms=search_terms(search)),
        Case("province, page 200", "chunhiem", {"page": 200}, page=200),
        Case("officer, last page", "don1", {"page": "last"}, path=post.path, page="last"),
    ]


# --- the lower bound: raw SQL for the same answer ----------------------------------------------------
def raw_queries(case: Case) -> dict[str, tuple[str, list]]:
    """Rows, count and totals by grade for ``case``, written by hand with only the joins each needs;
    and the count with the totals in one query, as the page asks for them."""
    where, params, type_join = ["i.usage_state <> %s"], ["struck_off"], False
    if case.path:
        where.append("i.unit_id IN (SELECT id FROM org_unit WHERE path LIKE %s)")
        params.append(case.path + "%")
    if case.branch_ids:
        where.append(f"t.branch_id IN ({', '.join(['%s'] * len(case.branch_ids))})")
        params += case.branch_ids
        type_join = True
    if case.grades:
        where.append(f"i.grade IN ({', '.join(['%s'] * len(case.grades))})")
        params += case.grades
    for term in case.terms:
        where.append("i.search_text LIKE %s")
        params.append(f"%{term}%")
    condition = " AND ".join(where)
    source = "equipment_item i " + ("JOIN equipment_equipmenttype t ON t.id = i.type_id " if type_join else "")
    rows = (
        "SELECT i.id, t.name, i.serial, b.code, i.unit_id, (SELECT u.name FROM org_unit u WHERE u.id = i.unit_id), "
        "i.quantity, t.unit_of_measure, i.grade, i.condition, i.usage_state, i.location_class, i.completeness, "
        "i.year_in_service FROM equipment_item i JOIN equipment_equipmenttype t ON t.id = i.type_id "
        f"JOIN equipment_branch b ON b.id = t.branch_id WHERE {condition} ORDER BY {case.order} "
        f"LIMIT {PER_PAGE} OFFSET {(case.page - 1) * PER_PAGE}"
    )
    return {
        "rows": (rows, params),
        "count": (f"SELECT COUNT(*) FROM {source}WHERE {condition}", params),
        "totals": (f"SELECT i.grade, SUM(i.quantity) FROM {source}WHERE {condition} GROUP BY i.grade", params),
        "count+totals": (f"SELECT i.grade, COUNT(*), SUM(i.quantity) FROM {source}WHERE {condition} "
                         "GROUP BY i.grade", params),
    }


def median_ms(run, runs: int, warmup: int):
    for _ in range(warmup):
        result = run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def run_raw(sql: str, params: list):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def explain(sql: str, params: list) -> str:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
    rows = run_raw(prefix + sql, params)
    if connection.vendor == "sqlite":
        return "\n".join(f"    {row[-1]}" for row in rows)
    return "\n".join(f"    {row[0]}" for row in rows)


# --- the page ----------------------------------------------------------------------------------------
def captured_queries(fetch) -> list[dict]:
    """The queries of one ``fetch()`` (django.test.utils.CaptureQueriesContext)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # a request clears the log when it starts (django.db.reset_queries)
    with CaptureQueriesContext(connection) as captured:
        fetch()
    return captured.captured_queries


def replay_ms(queries: list[dict], runs: int, warmup: int) -> float:
    """The time of a request's own reads, replayed with a cursor and fetched to the last row (SQLite
    does most of a query's work while the rows are fetched, after ``execute`` returns)."""
    selects = [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith("SELECT")]
    return median_ms(lambda: [run_raw(sql, None) for sql in selects], runs, warmup)[0]


def page_answer(html: str) -> tuple[list[int], int]:
    """Row ids (the tick boxes) and the total count the page shows."""
    ids = [int(m) for m in re.findall(r'<input[^>]*name="items"[^>]*value="(\d+)"', html)]
    count = re.search(r'<span class="count">([^<]*)</span>', html).group(1)
    return ids, int(re.sub(r"\D", "", count))


def resolve_last_page(case: Case) -> Case:
    """The number of the last page, from the raw count (the page shows the same count)."""
    if case.page != "last":
        return case
    count = run_raw(*raw_queries(dataclasses.replace(case, page=1))["count"])[0][0]
    last = max(1, math.ceil(count / PER_PAGE))
    return dataclasses.replace(case, page=last, params={**case.params, "page": last},
                               name=case.name.replace("last page", f"last page ({last})"))


def measure(case: Case, args) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    case = resolve_last_page(case)

    client = Client(SERVER_NAME="localhost")
    client.force_login(get_user_model().objects.get(username=case.username))
    url = reverse("equipment:item_list")

    def fetch():
        response = client.get(url, case.params)
        assert response.status_code == 200, response.status_code
        return response

    page_ms, response = median_ms(fetch, args.runs, args.warmup)
    queries = captured_queries(fetch)
    ids, count = page_answer(response.content.decode())

    raw = {}
    answers = {}
    for part, (sql, params) in raw_queries(case).items():
        raw[part], answers[part] = median_ms(lambda sql=sql, params=params: run_raw(sql, params), args.runs,
                                             args.warmup)
    same = (ids == [row[0] for row in answers["rows"]] and count == answers["count"][0][0]
            == sum(n for _g, n, _q in answers["count+totals"]))
    # The lower bound: the rows, and the count and the totals the cheaper of the two ways.
    raw_ms = raw["rows"] + min(raw["count"] + raw["totals"], raw["count+totals"])
    result = {"case": case, "page_ms": page_ms, "queries": len(queries), "rows": len(ids), "count": count,
              "sql_ms": replay_ms(queries, args.runs, args.warmup), "raw": raw, "raw_ms": raw_ms, "same": same,
              "captured": queries}
    result["ratio"] = page_ms / result["raw_ms"]
    return result


def report(results: list[dict], args, info: dict) -> None:
    from django.db import connection

    print(f"\nRegister page · {connection.vendor} · {args.units:,} units · {args.items:,} items · "
          f"median of {args.runs} after {args.warmup} warm-up · ms{getattr(args, 'label', '')} · "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"(database built by `kythuat demo` in {info['demo_seconds']:.0f} s)")
    head = (f"{'request':<34} {'user':<9} {'rows':>4} {'count':>8} │ {'page':>7} {'queries':>7} {'of it SQL':>9} │ "
            f"{'raw rows':>8} {'count':>7} {'totals':>7} {'both':>7} {'bound':>7} │ {'ratio':>5}  same")
    print(head)
    print("─" * len(head))
    for r in results:
        raw = r["raw"]
        print(f"{r['case'].name:<34} {r['case'].username:<9} {r['rows']:>4} {r['count']:>8} │ {r['page_ms']:>7.1f} "
              f"{r['queries']:>7} {r['sql_ms']:>9.1f} │ {raw['rows']:>8.1f} "
              f"{raw['count']:>7.1f} {raw['totals']:>7.1f} {raw['count+totals']:>7.1f} {r['raw_ms']:>7.1f} │ "
              f"{r['ratio']:>5.1f}  "
              f"{'yes' if r['same'] else 'NO'}")
    print("\npage: server time of the whole request (middleware, session, scoping, filters, queries, template); "
          "of it SQL: its reads replayed with a cursor.\nraw: the same answer by hand with a cursor — rows, count, "
          "totals by grade, count and totals in one query (both);\nbound = rows + the cheaper of count + totals and "
          "both; ratio = page / bound.")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_size_arguments(parser)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="print the plans of the raw SQL")
    parser.add_argument("--queries", action="store_true", help="print each page's SQL queries")
    parser.add_argument("--only", help="run only the requests whose name contains this")
    parser.add_argument("--before-indexes", action="store_true",
                        help="measure without the indexes of equipment's *_register_indexes migration (put back "
                             "afterwards)")
    args = parser.parse_args(argv)
    database, info = prepare(args)
    database.use()
    import django

    django.setup()

    if args.before_indexes:
        migration, previous = index_migration()
        database.migrate("equipment", previous)
        args.label = f" · without {migration}"
    try:
        run(args, info)
    finally:
        if args.before_indexes:
            database.migrate()


def index_migration() -> tuple[str, str]:
    """(name of the migration that adds the register's indexes, the equipment migration before it)."""
    import kythuat.equipment.migrations as migrations

    name = next(path.stem for path in Path(migrations.__file__).parent.glob("*_register_indexes.py"))
    module = importlib.import_module(f"{migrations.__name__}.{name}")
    return name, next(dep for app, dep in module.Migration.dependencies if app == "equipment")


def run(args, info) -> None:
    from django.db import connection

    results = []
    for case in cases():
        if args.only and args.only not in case.name:
            continue
        results.append(measure(case, args))
        if args.queries:
            print(f"\n── {case.name}: {results[-1]['queries']} queries", file=sys.stderr)
            for query in results[-1]["captured"]:
                print(f"  [{query['time']} s] {query['sql'][:400]}", file=sys.stderr)
        if args.explain:
            for part, (sql, params) in raw_queries(results[-1]["case"]).items():
                print(f"\n── {case.name} · raw {part} ({connection.vendor})\n{explain(sql, params)}")
    report(results, args, info)
    if not all(r["same"] for r in results):
        sys.exit("The page and the raw SQL gave different answers (see 'same').")


if __name__ == "__main__":
    main()
