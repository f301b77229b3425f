"""A small load generator for when wrk is not installed: ``--connections`` threads, each with its own
keep-alive connection, send GET requests in turn over the given paths for ``--duration`` seconds, then
print one JSON line (requests, seconds, errors, latency percentiles in ms). It stops by itself."""

import argparse
import http.client
import json
import statistics
import threading
import time


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT (loopback only)")
    parser.add_argument("--key", required=True, help="API token")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="stop after so many requests")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    host, port = args.base.removeprefix("http://").split(":")
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit("loopback only")
    headers = {"Authorization": f"Token {args.key}", "Accept": "application/json"}
    deadline = time.monotonic() + args.duration
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        sent = number
        while time.monotonic() < deadline and len(latencies) < args.max_requests:
            path = args.paths[sent % len(args.paths)]
            sent += args.connections
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed * 1000)
                errors[0] += not ok

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    print(json.dumps({"requests": len(latencies), "seconds": seconds, "errors": errors[0], "p50": cuts[49],
                      "p90": cuts[89], "p95": cuts[94], "p99": cuts[98], "max": max(latencies, default=0.0)}))


if __name__ == "__main__":
    main()
