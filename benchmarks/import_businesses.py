"""How fast does ``dekat import businesses`` load a million rows? (target: under 2 minutes)

Generates a deterministic CSV of realistic rows under ``benchmarks/out/`` the first time
(the demo generator, run in 50,000-row slices with consecutive seeds, with unique
``bench-`` external ids), imports it into a fresh SQLite database (or a fresh database on
the PostgreSQL server given with ``--postgres``), then imports it again: the second run
is the idempotent path (every row matched on external_id and found unchanged).

It prints the total seconds and rows/s of both runs and how much of each was spent in
the search-index hooks (``indexing.index_businesses``), which run inside the import's
transaction.

    .venv/bin/python benchmarks/import_businesses.py              # 1,000,000 rows
    .venv/bin/python benchmarks/import_businesses.py --rows 100000
    .venv/bin/python benchmarks/import_businesses.py --postgres postgresql+psycopg://postgres@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import resource
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from directory.bootstrap import prepare_database
from directory.businesses.demo import generate_demo_businesses
from directory.businesses.input import BUSINESS_COLUMNS
from directory.db import make_engine, make_session_factory
from directory.io.businesses_io import ImportOptions, import_businesses
from directory.models import Business
from directory.search import indexing
from directory.settings import Settings

OUT = Path(__file__).resolve().parent / "out"
SLICE = 50_000
SEED = 20261128


def generate_csv(path: Path, rows: int) -> None:
    """Write ``rows`` demo-like businesses; same arguments, same bytes."""
    tmp = path.with_suffix(".tmp")
    started = time.perf_counter()
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(BUSINESS_COLUMNS)
        done = 0
        for i in range(0, rows, SLICE):
            for row in generate_demo_businesses(count=min(SLICE, rows - i), seed=SEED + i):
                done += 1
                row["external_id"] = f"bench-{done:07d}"
                writer.writerow([row[c] for c in BUSINESS_COLUMNS])
            print(f"  generated {done:,} rows ({time.perf_counter() - started:.0f} s)")
    tmp.replace(path)


@contextmanager
def fresh_database(postgres: str | None) -> Iterator[str]:
    """A migrated, seeded, empty database; dropped (PostgreSQL) or left in out/ (SQLite)."""
    if postgres is None:
        path = OUT / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        prepare_database(Settings(database_url=url, demo_count=0), demo=False)
        yield url
        return
    name = f"dekat_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(postgres), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres).set(database=name).render_as_string(hide_password=False)
    try:
        prepare_database(Settings(database_url=url, demo_count=0), demo=False)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class IndexTimer:
    """Wraps the search-index hook to measure its CPU time (or, with --no-index, skip it)."""

    def __init__(self, *, skip: bool) -> None:
        self.seconds = 0.0
        self._skip = skip
        self._hook = indexing.index_businesses

    def __call__(self, session: Session, business_ids: Sequence[int]) -> None:
        started = time.process_time()
        if not self._skip:
            self._hook(session, business_ids)
        self.seconds += time.process_time() - started


@dataclass
class RunFigures:
    """One import run, for the summary table."""

    label: str
    seconds: float
    rows: int
    cpu_main: float
    cpu_index: float
    cpu_workers: float
    load: float


def run_import(url: str, path: Path, timer: IndexTimer, workers: int | None) -> RunFigures:
    engine = make_engine(url, statement_timeout_ms=3_600_000)
    try:
        session = make_session_factory(engine)()
        timer.seconds = 0.0
        cpu_main, cpu_workers = time.process_time(), _children_cpu()
        report = import_businesses(session, path, options=ImportOptions(workers=workers))
        cpu_main, cpu_workers = time.process_time() - cpu_main, _children_cpu() - cpu_workers
        count = session.scalar(select(func.count()).select_from(Business))
        session.close()
    finally:
        engine.dispose()
    rate = report.rows / report.seconds
    print(
        f"  {report.seconds:7.1f} s  {rate:9,.0f} rows/s  created {report.created:,}  "
        f"updated {report.updated:,}  unchanged {report.unchanged:,}  bad {report.bad_rows}  "
        f"({count:,} businesses stored"
        f"{'; bulk load: indexes built once at the end' if report.bulk_load else ''})\n"
        f"  CPU: main process {cpu_main:.1f} s (of which search index hooks "
        f"{timer.seconds:.1f} s), validation workers {cpu_workers:.1f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    return RunFigures(
        "", report.seconds, report.rows, cpu_main, timer.seconds, cpu_workers, os.getloadavg()[0]
    )


def print_table(runs: Sequence[RunFigures], *, backend: str, target_s: float = 120.0) -> None:
    head = (
        f"{'run':28} {'seconds':>8} {'rows/s':>9} {'target':>7} {'main CPU s':>11} "
        f"{'index CPU s':>12} {'workers CPU s':>14} {'load':>5}"
    )
    print(f"\n{backend}")
    print(head)
    print("-" * len(head))
    for r in runs:
        met = "met" if r.seconds < target_s else "missed"
        print(
            f"{r.label:28} {r.seconds:8.1f} {r.rows / r.seconds:9,.0f} {met:>7} "
            f"{r.cpu_main:11.1f} {r.cpu_index:12.1f} {r.cpu_workers:14.1f} {r.load:5.2f}"
        )
    print(f"(target: {target_s:.0f} s for the import; load = 1-minute load average at the end)")


def _children_cpu() -> float:
    """CPU seconds of finished child processes (the validation workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", metavar="URL", help="benchmark on this PostgreSQL server")
    parser.add_argument("--workers", type=int, default=None, help="validation processes")
    parser.add_argument(
        "--no-index", action="store_true", help="skip the search-index hooks (to isolate them)"
    )
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = OUT / f"businesses-{args.rows}.csv"
    if not path.exists():
        print(f"generating {path.name} (once) ...")
        generate_csv(path, args.rows)
    size_mb = path.stat().st_size / 1e6
    backend = "postgresql" if args.postgres else "sqlite"
    print(
        f"{args.rows:,} rows, {size_mb:.0f} MB, {backend}" + (", no index" if args.no_index else "")
    )
    timer = IndexTimer(skip=args.no_index)
    indexing.index_businesses = timer
    runs = []
    with fresh_database(args.postgres) as url:
        print("first import (empty database):", flush=True)
        runs.append(dataclasses.replace(run_import(url, path, timer, args.workers),
                                        label="first import (empty DB)"))  # fmt: skip
        print("second import (same file: idempotent):", flush=True)
        runs.append(dataclasses.replace(run_import(url, path, timer, args.workers),
                                        label="second import (unchanged)"))  # fmt: skip
    print_table(runs, backend=f"{args.rows:,} rows, {backend}")


if __name__ == "__main__":
    main()
