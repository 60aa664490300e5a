#!/usr/bin/env python3
"""Crash safety: ``kill -9`` the importer halfway and the server during a burst of writes.

Two experiments on a scratch database (temporary SQLite file, or a scratch database on
the PostgreSQL server that ``--database-url`` names):

1. **Importer.** ``dekat import`` of a ``--rows`` CSV (default 200,000) is killed with
   SIGKILL about halfway through. The database must then pass its integrity checks
   (``PRAGMA integrity_check``, ``PRAGMA foreign_key_check``, orphaned references, index
   against table; ``amcheck`` on PostgreSQL), hold no half-written business (every business
   with its category row and search document, nothing indexed that is not published), and
   a second run of the same import must complete it: every row exactly once.
2. **Server.** ``dekat serve --workers 2`` takes a burst of writes (reviews, interactions,
   submissions) from many clients and is killed with SIGKILL — master and workers — in the
   middle of it. After a restart the same checks hold, every write that was acknowledged
   (2xx) before the kill is there exactly once, and the server answers again.

::

    .venv/bin/python scripts/crash_test.py                   # 200,000 rows, SQLite
    .venv/bin/python scripts/crash_test.py --rows 50000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from dbcheck import half_written_businesses, integrity_problems
from load_test import (
    OPERATIONS,
    World,
    audit,
    openapi_paths,
    prepare,
    scratch_database,
)
from serverctl import dekat_command, dekat_env, start_server
from sqlalchemy import func, select

from directory.db import make_engine
from directory.demo import generate_demo_businesses
from directory.models import Business

WRITE_OPS = ("review", "interaction", "submission")


@dataclass
class CrashResult:
    """What one experiment saw; ``problems`` is empty when the database came through."""

    name: str
    problems: list[str] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)

    def lines(self) -> list[str]:
        facts = ", ".join(f"{k} {v}" for k, v in self.facts.items())
        out = [f"{self.name}: {facts}"]
        out.extend(f"  PROBLEM: {p}" for p in self.problems)
        out.append(f"  {'OK' if not self.problems else 'FAILED'}")
        return out


# ------------------------------------------------------------------------------ checks


def database_checks(database_url: str) -> list[str]:
    """Integrity, references, indexes and half-written businesses (``dbcheck.py``)."""
    engine = make_engine(database_url)
    try:
        return integrity_problems(engine) + half_written_businesses(engine)
    finally:
        engine.dispose()


def count_businesses(database_url: str) -> int:
    """Committed businesses, through a fresh connection."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(Business)).scalar() or 0)
    finally:
        engine.dispose()


def external_id_counts(database_url: str, prefix: str) -> tuple[int, int]:
    """(distinct external ids with ``prefix``, rows carrying one)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            distinct, rows = conn.execute(
                select(func.count(func.distinct(Business.external_id)), func.count()).where(
                    Business.external_id.like(f"{prefix}%")
                )
            ).one()
            return int(distinct), int(rows)
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------- importer


def write_import_file(path: Path, *, rows: int, seed: int, prefix: str) -> None:
    """A CSV of ``rows`` demo businesses, each with a unique ``external_id``."""
    records = generate_demo_businesses(count=rows, seed=seed)
    columns = list(dict.fromkeys(["external_id", *records[0].keys()]))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for n, record in enumerate(records):
            writer.writerow({**record, "external_id": f"{prefix}{n:07d}"})


def import_command(path: Path) -> list[str]:
    """``dekat import businesses FILE`` (the importer's own CLI)."""
    return [*dekat_command(), "import", "businesses", str(path)]


def _run_import(path: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            import_command(path),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def _timed_import(path: Path, env: dict[str, str], log: Path) -> float:
    started = time.monotonic()
    process = _run_import(path, env, log)
    if process.wait() != 0:
        raise RuntimeError(f"import of {path.name} failed:\n{log.read_text()[-2000:]}")
    return time.monotonic() - started


def crash_importer(database_url: str, work_dir: Path, *, rows: int, seed: int) -> CrashResult:
    """Kill -9 ``dekat import`` halfway through, check, re-run, check again."""
    result = CrashResult(f"importer kill -9 at ~50% of {rows:,} rows")
    env = dekat_env(database_url, work_dir / "media")
    log = work_dir / "import.log"
    prepare(database_url, work_dir, businesses=0)
    prefix = "crash-"
    full = work_dir / "businesses.csv"
    write_import_file(full, rows=rows, seed=seed, prefix=prefix)

    # Calibrate on a tenth of the file (its rows are re-imported below, idempotently).
    sample = work_dir / "sample.csv"
    with full.open(encoding="utf-8") as src, sample.open("w", encoding="utf-8") as dst:
        for n, line in enumerate(src):
            if n > rows // 10:
                break
            dst.write(line)
    per_row_s = _timed_import(sample, env, log) / max(1, rows // 10)
    result.facts["calibrated rows/s"] = round(1 / per_row_s) if per_row_s else "∞"
    already = count_businesses(database_url)

    process = _run_import(full, env, log)
    started = time.monotonic()
    deadline = started + per_row_s * rows / 2
    halfway = already + (rows - already) // 2
    while time.monotonic() < deadline and process.poll() is None:
        if count_businesses(database_url) >= halfway:
            break
        time.sleep(0.05)
    if process.poll() is not None:
        result.problems.append("the import finished before it could be killed: use more rows")
        return result
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    result.facts["killed after s"] = round(time.monotonic() - started, 1)
    result.facts["rows committed at kill"] = count_businesses(database_url)

    result.problems += [f"after kill: {p}" for p in database_checks(database_url)]
    rerun_s = _timed_import(full, env, log)
    result.facts["re-run s"] = round(rerun_s, 1)
    distinct, total = external_id_counts(database_url, prefix)
    result.facts["rows after re-run"] = total
    if distinct != rows or total != rows:
        result.problems.append(f"after re-run: {total} rows, {distinct} distinct, expected {rows}")
    result.problems += [f"after re-run: {p}" for p in database_checks(database_url)]
    return result


# ------------------------------------------------------------------------------ server


def _burst(
    world: World, *, stop: threading.Event, clients: int, seed: int, acked: list[int]
) -> None:
    ops = [(n, w, fn) for n, m, p, w, fn in OPERATIONS if n in WRITE_OPS and world.has(m, p)]
    if not ops:
        raise RuntimeError("the server offers no write operation to crash during")

    def loop(n: int) -> None:
        rng = random.Random(seed * 100 + n)
        seq = 0
        with httpx.Client(base_url=world.base_url, timeout=10.0) as client:
            while not stop.is_set():
                name, _, fn = rng.choices(ops, [w for _, w, _ in ops])[0]
                seq += 1
                try:
                    response, _ = fn(client, world, rng, f"c{n}s{seq}xk{rng.randrange(16**4):04x}")
                except httpx.HTTPError:
                    with world.ledger.lock:
                        world.ledger.uncertain += 1
                    continue
                if 200 <= response.status_code < 300:
                    acked[n] += 1

    threads = [threading.Thread(target=loop, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    stop.wait()
    for t in threads:
        t.join(timeout=15)


def crash_server(
    database_url: str, work_dir: Path, *, businesses: int, burst_s: float, clients: int, seed: int
) -> CrashResult:
    """Kill -9 the server (master and workers) during a burst of writes; restart; check."""
    result = CrashResult(f"server kill -9 during a {burst_s:.0f} s write burst")
    prepare(database_url, work_dir, businesses=businesses)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        ids = list(conn.execute(select(Business.id).limit(300)).scalars())
    engine.dispose()

    server = start_server(database_url, work_dir, workers=2)
    world = World(base_url=server.base_url, paths=openapi_paths(server.base_url), business_ids=ids)
    stop = threading.Event()
    acked = [0] * clients
    burst = threading.Thread(
        target=_burst,
        kwargs={"world": world, "stop": stop, "clients": clients, "seed": seed, "acked": acked},
        daemon=True,
    )
    burst.start()
    time.sleep(burst_s)
    server.kill()  # SIGKILL to the whole process group, mid-burst
    stop.set()
    burst.join(timeout=30)
    result.facts["acknowledged writes before kill"] = sum(acked)
    result.facts["requests cut off"] = world.ledger.uncertain

    result.problems += [f"after kill: {p}" for p in database_checks(database_url)]
    restarted = start_server(database_url, work_dir, workers=2)
    try:
        health = httpx.get(f"{restarted.base_url}/healthz", timeout=10)
        if health.status_code != 200:
            result.problems.append(f"after restart /healthz answered {health.status_code}")
        probe = httpx.get(f"{restarted.base_url}/api/v1/businesses/{ids[0]}", timeout=10)
        if probe.status_code != 200:
            result.problems.append(f"after restart a business page answered {probe.status_code}")
    finally:
        restarted.terminate()
    result.problems += [f"after restart: {p}" for p in audit(database_url, world.ledger)]
    return result


# -------------------------------------------------------------------------------- main


def run_crash_tests(
    *,
    rows: int,
    database_url: str | None,
    businesses: int = 500,
    burst_s: float = 4.0,
    clients: int = 16,
    seed: int = 1,
    experiments: Sequence[str] = ("importer", "server"),
) -> list[CrashResult]:
    """Both experiments, each on its own scratch database."""
    results: list[CrashResult] = []
    with tempfile.TemporaryDirectory(prefix="dekat-crash-") as tmp:
        for name in experiments:
            work_dir = Path(tmp) / name
            work_dir.mkdir()
            with scratch_database(database_url, work_dir) as url:
                if name == "importer":
                    results.append(crash_importer(url, work_dir, rows=rows, seed=seed))
                else:
                    results.append(
                        crash_server(
                            url,
                            work_dir,
                            businesses=businesses,
                            burst_s=burst_s,
                            clients=clients,
                            seed=seed,
                        )
                    )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="rows in the import file")
    parser.add_argument("--database-url", help="PostgreSQL server for a scratch database")
    parser.add_argument("--burst-seconds", type=float, default=4.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=("importer", "server"), help="run one experiment only")
    args = parser.parse_args(argv)
    results = run_crash_tests(
        rows=args.rows,
        database_url=args.database_url,
        burst_s=args.burst_seconds,
        clients=args.clients,
        seed=args.seed,
        experiments=(args.only,) if args.only else ("importer", "server"),
    )
    for r in results:
        sys.stdout.write("\n".join(r.lines()) + "\n")
    return 1 if any(r.problems for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
