"""The register API under load: gunicorn on the benchmark database, driven from a second process.

gunicorn serves ``/api/equipment/items/`` on 127.0.0.1; a load tool in another process — wrk (Debian
package ``wrk``) when it is installed, else ``bench.loadgen`` — keeps ``--connections`` clients busy
for ``--duration`` seconds with the requests of the head of the department: one border post's
weapons (``?unit=<post>&branch=QK``), 50 a page, the post changing from request to request. It prints
requests/s and latency percentiles for each number of gunicorn workers, beside the raw SQL of the
same answer (count and rows of one page), and where the time of one request goes.

    .venv/bin/python -m bench.api_load                      # PostgreSQL, 1,000 units, 1,000,000 items
    .venv/bin/python -m bench.api_load --workers 2 3 4 --duration 30
"""

import argparse
import cProfile
import json
import os
import pstats
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.database import add_size_arguments, prepare
from bench.register_page import captured_queries, median_ms, replay_ms, run_raw

PAGE_SIZE = 50
WRK_SCRIPT = """
local paths = {%(paths)s}
local header = {["Authorization"] = "Token %(key)s", ["Accept"] = "application/json"}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1], header)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "seconds": %%f, "errors": %%d, "p50": %%f, "p90": %%f, '
    .. '"p95": %%f, "p99": %%f, "max": %%f}\\n', summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50) / 1e3,
    latency:percentile(90) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(database, *, workers: int, threads: int, port: int) -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("gunicorn")), "kythuat.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--threads", str(threads), "--log-level", "warning",
               "--backlog", "256", "--timeout", "60"]
    server = subprocess.Popen(command, env=database.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn stopped: {server.stderr.read().decode()[-2000:]}") from None
            time.sleep(0.1)
    stop(server)
    raise RuntimeError("gunicorn did not start in 30 s")


def stop(server: subprocess.Popen) -> None:
    server.terminate()  # only the process this script started, by its handle
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def run_load(base: str, paths: list[str], key: str, *, connections: int, duration: int, tool: str) -> dict:
    """Drive the server from another process for ``duration`` seconds; the tool stops by itself."""
    if tool == "wrk":
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths), "key": key})
        try:
            done = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                                   "-s", script.name, base], capture_output=True, text=True,
                                  timeout=duration + 60, check=True)
        finally:
            os.unlink(script.name)
        line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
        result = json.loads(line[len("RESULT "):])
    else:
        done = subprocess.run([sys.executable, "-m", "bench.loadgen", "--base", base, "--key", key,
                               "--connections", str(connections), "--duration", str(duration), *paths],
                              capture_output=True, text=True, timeout=duration + 60, check=True,
                              cwd=Path(__file__).resolve().parent.parent)
        result = json.loads(done.stdout.strip().splitlines()[-1])
    result["rps"] = result["requests"] / result["seconds"]
    result["load"] = os.getloadavg()[0]
    return result


def requests_of_the_scenario() -> tuple[list[str], dict]:
    """The API paths (one per border post) and what one of them asks, for the raw SQL."""
    from kythuat.equipment.models import Branch
    from kythuat.org.models import Unit, UnitKind

    weapons = Branch.objects.get(code="QK")
    posts = list(Unit.objects.active_on().filter(kind=UnitKind.BORDER_POST).order_by("path").values_list("pk", "path"))
    paths = [f"/api/equipment/items/?unit={pk}&branch={weapons.pk}&page_size={PAGE_SIZE}" for pk, _p in posts]
    return paths, {"path": posts[0][1], "branch": weapons.pk}


def raw_bound(one: dict, runs: int) -> dict:
    """The same answer by hand: the count and the 50 rows with the columns the API returns."""
    where = ("i.usage_state <> %s AND i.unit_id IN (SELECT id FROM org_unit WHERE path LIKE %s) "
             "AND t.branch_id = %s")
    params = ["struck_off", one["path"] + "%", one["branch"]]
    count = f"SELECT COUNT(*) FROM equipment_item i JOIN equipment_equipmenttype t ON t.id = i.type_id WHERE {where}"
    rows = ("SELECT i.id, i.version, i.created_at, i.updated_at, i.type_id, i.unit_id, i.serial, i.quantity, "
            "i.year_made, i.year_in_service, i.original_price, i.km, i.engine_hours, i.rounds, i.grade, "
            "i.condition, i.usage_state, i.location_class, i.completeness, i.missing_parts, i.notes, t.name "
            "FROM equipment_item i JOIN equipment_equipmenttype t ON t.id = i.type_id "
            f"WHERE {where} ORDER BY t.name, t.code, i.serial, i.id LIMIT {PAGE_SIZE}")
    figures = {}
    for name, sql in (("count", count), ("rows", rows)):
        figures[name], _ = median_ms(lambda sql=sql: run_raw(sql, params), runs, 3)
    figures["sum"] = figures["count"] + figures["rows"]
    return figures


def one_request(path: str, key: str, runs: int, top: int = 0) -> dict:
    """One request in this process: its time, its queries, and where the time goes (profile)."""
    from django.test import Client

    client = Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Token {key}")

    def fetch():
        response = client.get(path)
        assert response.status_code == 200, response.content[:500]
        return response

    total_ms, response = median_ms(fetch, runs, 3)
    cpu_started = time.process_time()
    for _ in range(runs):
        fetch()
    cpu_ms = (time.process_time() - cpu_started) * 1000 / runs
    queries = captured_queries(fetch)
    profile = cProfile.Profile()
    profile.runcall(lambda: [fetch() for _ in range(runs)])
    if top:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(top)
    stats = pstats.Stats(profile).stats
    whole = max(v[3] for k, v in stats.items() if k[2] == "get" and k[0].endswith("django/test/client.py"))
    # cumulative time of a few functions, as shares of the profiled request
    parts = {
        "count + rows queries (pagination)": ("rest_framework/pagination.py", "paginate_queryset"),
        "serializer (50 items)": ("rest_framework/serializers.py", "to_representation"),
        "JSON rendering": ("rest_framework/renderers.py", "render"),
        "token and scope": ("kythuat/core/api/authentication.py", "authenticate"),
        "filters": ("django_filters/rest_framework/backends.py", "filter_queryset"),
    }
    shares = {}
    for label, (file, func) in parts.items():
        matches = [v[3] for k, v in stats.items() if k[0].endswith(file) and k[2] == func]
        shares[label] = max(matches, default=0.0) / whole if whole else 0.0
    body = json.loads(response.content)
    return {"ms": total_ms, "cpu_ms": cpu_ms, "queries": len(queries), "sql_ms": replay_ms(queries, runs, 3),
            "count": body["count"], "rows": len(body["results"]), "shares": shares, "captured": queries}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_size_arguments(parser, backend="postgres")
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 3, 4], help="gunicorn workers to try")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (1: sync worker)")
    parser.add_argument("--connections", type=int, default=20, help="concurrent clients")
    parser.add_argument("--duration", type=int, default=30, help="seconds of load for each number of workers")
    parser.add_argument("--tool", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--queries", action="store_true", help="print the SQL of one request")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="print the N functions of one request with the most cumulative time")
    parser.add_argument("--no-load", action="store_true", help="one request in this process only, no load")
    args = parser.parse_args(argv)
    database, info = prepare(args)
    database.use()
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from kythuat.core.models import ApiToken

    paths, one = requests_of_the_scenario()
    token, key = ApiToken.issue(user=get_user_model().objects.get(username="chunhiem"), name="bench.api_load")
    try:
        raw = raw_bound(one, args.runs)
        single = one_request(paths[0], key, args.runs, args.profile)
        loads = []
        for workers in [] if args.no_load else args.workers:
            port = free_port()
            server = start_gunicorn(database, workers=workers, threads=args.threads, port=port)
            try:
                base = f"http://127.0.0.1:{port}"
                run_load(base, paths, key, connections=args.connections, duration=3, tool=args.tool)  # warm-up
                loads.append((workers, run_load(base, paths, key, connections=args.connections,
                                                duration=args.duration, tool=args.tool)))
            finally:
                stop(server)
    finally:
        token.delete()
    report(args, info, raw, single, loads)


def report(args, info, raw, single, loads) -> None:
    from django.db import connection

    print(f"\nRegister API · {connection.vendor} · {args.units:,} units · {args.items:,} items · "
          f"head of department, one post's weapons, {PAGE_SIZE} a page · load tool {args.tool}, "
          f"{args.connections} clients, {args.duration} s · load average {os.getloadavg()[0]:.1f}")
    print(f"one request (in-process, median of {args.runs}): {single['ms']:.1f} ms, CPU of this process "
          f"{single['cpu_ms']:.1f} ms, {single['queries']} queries "
          f"({single['sql_ms']:.1f} ms replayed with a cursor); count {single['count']}, {single['rows']} rows")
    print(f"raw SQL of the same answer: count {raw['count']:.1f} ms + rows {raw['rows']:.1f} ms = {raw['sum']:.1f} ms"
          f"  → request / raw = {single['ms'] / raw['sum']:.1f}")
    print("where one request's time goes (share of the profiled request): " + ", ".join(
        f"{label} {share:.0%}" for label, share in single["shares"].items()))
    if args.queries:
        for query in single["captured"]:
            print(f"  [{query['time']} s] {query['sql'][:300]}")
    print(f"\n{'workers':>7} {'threads':>7} │ {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'max ms':>7} {'errors':>6} {'load':>5} │ target ≥ 250 req/s, p95 < 150 ms")
    for workers, r in loads:
        met = r["rps"] >= 250 and r["p95"] < 150
        print(f"{workers:>7} {args.threads:>7} │ {r['rps']:>7.1f} {r['p50']:>7.1f} {r['p90']:>7.1f} {r['p95']:>7.1f} "
              f"{r['p99']:>7.1f} {r['max']:>7.1f} {r['errors']:>6} {r['load']:>5.1f} │ {'met' if met else 'missed'}")
    if not loads:
        return
    best = max(loads, key=lambda item: item[1]["rps"])
    print(f"\nbest: {best[0]} workers, {best[1]['rps']:.0f} req/s; at that rate each request may use "
          f"{2 * 1000 / best[1]['rps']:.1f} ms of the 2 cores (app, database and load tool together); the raw SQL "
          f"alone is {raw['sum']:.1f} ms, the request in one process {single['ms']:.1f} ms "
          f"(median {statistics.median([r['p50'] for _w, r in loads]):.0f} ms under load).")


if __name__ == "__main__":
    main()
