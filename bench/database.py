"""Benchmark databases: one per backend and size, built once under /tmp and reused while its size
matches, so a benchmark can be repeated without waiting for the data again.

A database is built with the project's own commands, timed: ``kythuat migrate`` then ``kythuat demo
--units U --items N``, then ``ANALYZE`` (the statistics PostgreSQL's autovacuum would gather a minute
later anyway, and that SQLite gathers only when asked). What was built, and how long it took, is kept
in ``built.json`` beside the data; a reused database is brought up to the current migrations.
"""

import argparse
import datetime
import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(os.environ.get("KYTHUAT_BENCH_DIR", "/tmp/kythuat-bench"))
# Server of the PostgreSQL benchmark databases; their names all start with kythuat_bench.
PG_SERVER = os.environ.get("KYTHUAT_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# Appended to the PostgreSQL database names (``kythuat_bench_1000u_1000000_<tag>``), so that two people
# can build databases of the same size on one server at the same time; empty: no suffix.
TAG = re.sub(r"[^a-z0-9_]", "", os.environ.get("KYTHUAT_BENCH_TAG", "").lower())
BACKENDS = ("sqlite", "postgres")


def add_size_arguments(parser: argparse.ArgumentParser, backend: str = "sqlite") -> None:
    parser.add_argument("--backend", choices=BACKENDS, default=backend)
    parser.add_argument("--units", type=int, default=1000, help="units in the demo province (default 1000)")
    parser.add_argument("--items", type=int, default=1_000_000, help="register lines (default 1,000,000)")
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if it exists")


@dataclass
class BenchDatabase:
    backend: str
    units: int
    items: int

    @property
    def name(self) -> str:
        return f"kythuat_bench_{self.units}u_{self.items}" + (f"_{TAG}" if TAG else "")

    @property
    def data_dir(self) -> Path:
        return ROOT / f"{self.backend}-{self.units}u-{self.items}"

    @property
    def url(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.data_dir / 'kythuat.sqlite3'}"
        return f"{PG_SERVER}/{self.name}"

    @property
    def marker(self) -> Path:
        return self.data_dir / "built.json"

    def env(self) -> dict:
        """The environment of a process that uses this database (settings read nothing else)."""
        env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "REDIS_URL")}
        env.update(DATABASE_URL=self.url, KYTHUAT_DATA_DIR=str(self.data_dir), ALLOWED_HOSTS="127.0.0.1,localhost")
        return env

    def use(self) -> None:
        """Point this process's Django at the database (call before ``django.setup()``)."""
        for name in ("DEBUG", "REDIS_URL"):
            os.environ.pop(name, None)
        os.environ.update(self.env(), DJANGO_SETTINGS_MODULE="kythuat.settings")

    # --- building ------------------------------------------------------------------------------
    def built(self) -> dict | None:
        try:
            info = json.loads(self.marker.read_text())
        except (OSError, ValueError):
            return None
        if (info.get("units"), info.get("items")) != (self.units, self.items) or not self._exists():
            return None
        return info

    def _admin(self):
        import psycopg

        return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)

    def _exists(self) -> bool:
        if self.backend == "sqlite":
            return (self.data_dir / "kythuat.sqlite3").exists()
        with self._admin() as conn:
            return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name]).fetchone() is not None

    def _create_empty(self) -> None:
        assert re.fullmatch(r"kythuat_bench_[a-z0-9_]+", self.name)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.marker.unlink(missing_ok=True)
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                (self.data_dir / f"kythuat.sqlite3{suffix}").unlink(missing_ok=True)
            return
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def _kythuat(self, *args: str) -> tuple[float, float]:
        """Run a ``kythuat`` command; (wall seconds, CPU seconds of the command itself)."""
        started, cpu = time.perf_counter(), _children_cpu()
        subprocess.run([sys.executable, "-m", "kythuat.manage", *args], env=self.env(), check=True)
        return time.perf_counter() - started, _children_cpu() - cpu

    def migrate(self, *target: str) -> None:
        """Bring the schema to ``target`` (default: the latest); refresh the statistics if it changed."""
        done = subprocess.run([sys.executable, "-m", "kythuat.manage", "migrate", *target], env=self.env(),
                              check=True, capture_output=True, text=True)
        if "No migrations to apply" not in done.stdout:
            print(f"[{self.backend}] migrate {' '.join(target) or '(latest)'}: "
                  f"{' '.join(line.strip() for line in done.stdout.splitlines() if 'Appl' in line or 'Unappl' in line)}"
                  f"; analyze {self.analyze():.0f} s", file=sys.stderr)

    def analyze(self) -> float:
        started = time.perf_counter()
        if self.backend == "sqlite":
            with sqlite3.connect(self.data_dir / "kythuat.sqlite3") as conn:
                conn.execute("ANALYZE")
        else:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
        return time.perf_counter() - started

    def prepare(self, *, rebuild: bool = False) -> dict:
        """Build the database unless one of this size exists; bring it to the current migrations."""
        info = None if rebuild else self.built()
        if info is not None:
            print(f"[{self.backend}] reusing {self.url} (built {info['date']}: demo {info['demo_seconds']:.0f} s)",
                  file=sys.stderr)
            self.migrate()
            return info
        print(f"[{self.backend}] building {self.units} units, {self.items} items in {self.url} …", file=sys.stderr)
        self._create_empty()
        info = {"backend": self.backend, "units": self.units, "items": self.items,
                "date": datetime.datetime.now().isoformat(timespec="seconds")}
        info["migrate_seconds"], _cpu = self._kythuat("migrate", "-v", "0")
        info["demo_seconds"], info["demo_cpu_seconds"] = self._kythuat(
            "demo", "--units", str(self.units), "--items", str(self.items))
        info["analyze_seconds"] = self.analyze()
        info["load_average"] = os.getloadavg()[0]
        self.marker.write_text(json.dumps(info, indent=1))
        print(f"[{self.backend}] built: migrate {info['migrate_seconds']:.0f} s, demo {info['demo_seconds']:.0f} s "
              f"(its own CPU {info['demo_cpu_seconds']:.0f} s), analyze {info['analyze_seconds']:.0f} s",
              file=sys.stderr)
        return info


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def prepare(args: argparse.Namespace) -> tuple[BenchDatabase, dict]:
    database = BenchDatabase(args.backend, args.units, args.items)
    return database, database.prepare(rebuild=args.rebuild)


def main() -> None:
    parser = argparse.ArgumentParser(description="Build (or reuse) a benchmark database and print its address.")
    add_size_arguments(parser)
    args = parser.parse_args()
    database, info = prepare(args)
    print(json.dumps({"url": database.url, "data_dir": str(database.data_dir), **info}, indent=1))


if __name__ == "__main__":
    main()
