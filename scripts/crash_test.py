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
import sqlite3
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
    NOT_SENT,
    OPERATIONS,
    World,
    audit,
    op_interaction,
    openapi_paths,
    prepare,
    scratch_database,
    writer_key_headers,
)
from serverctl import dekat_command, dekat_env, exit_on_sigterm, start_server
from sqlalchemy import func, select
from sqlalchemy.engine import Engine, make_url

from directory.businesses.demo import generate_demo_businesses
from directory.db import make_engine
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
    """``dekat import businesses FILE --workers 0`` (the importer's own CLI).

    One process reads and writes, so its offset in the file (:func:`read_position`) says
    how far the import has got. With validation workers a CSV file is read ahead in
    blocks by the pool, and the offset runs ahead of the writer; the transaction a kill
    tests is the same either way."""
    return [*dekat_command(), "import", "businesses", str(path), "--workers", "0"]


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


def read_position(pid: int, path: Path) -> int | None:
    """How far process ``pid`` has read ``path``, in bytes (Linux ``/proc``); None when it
    does not hold the file open. The import is one transaction, so committed rows say
    nothing about its progress until the end; the reader's offset does. With several
    descriptors on the file (the record count's quick pass) the furthest-behind one is the
    reader."""
    target = path.resolve()
    positions: list[int] = []
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return None
    for fd in descriptors:
        try:
            if Path(os.readlink(fd)) != target:
                continue
            info = Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text()
        except OSError:
            continue  # closed meanwhile
        positions += [int(line.split()[1]) for line in info.splitlines() if line[:4] == "pos:"]
    return min(positions) if positions else None


class WriteWatch:
    """Tells whether another process has begun writing businesses.

    PostgreSQL: the business id sequence has moved (sequences are not transactional, so
    this sees rows an uncommitted import has inserted, and counts them). SQLite: someone
    holds the write lock — a ``BEGIN IMMEDIATE`` that does not wait fails; one that
    succeeds is rolled back at once, and a writer that met it waits a moment on its busy
    timeout.
    """

    def __init__(self, database_url: str) -> None:
        self._sqlite: sqlite3.Connection | None = None
        self._engine: Engine | None = None
        if database_url.startswith("sqlite"):
            path = make_url(database_url).database or ""
            self._sqlite = sqlite3.connect(path, timeout=0, isolation_level=None)
        else:
            self._engine = make_engine(database_url, pool_size=1)
        self._ids_before = 0 if self._engine is None else self._ids_drawn()

    def _ids_drawn(self) -> int:
        assert self._engine is not None
        with self._engine.connect() as conn:
            value = conn.exec_driver_sql(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence('business', 'id'))"
            ).scalar()
            return int(value or 0)

    def writing(self) -> bool:
        """True while the other process has uncommitted (or new) business rows."""
        if self._sqlite is None:
            return self._ids_drawn() > self._ids_before
        try:
            self._sqlite.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True  # locked: the importer's transaction holds the write lock
        self._sqlite.execute("ROLLBACK")
        return False

    def rows_inserted(self) -> int | None:
        """PostgreSQL: rows inserted since the watch began, committed or not; else None."""
        return None if self._engine is None else self._ids_drawn() - self._ids_before

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        if self._engine is not None:
            self._engine.dispose()


def kill_when_writing(
    process: subprocess.Popen[bytes],
    path: Path,
    watch: WriteWatch,
    *,
    fraction: float,
    timeout_s: float,
) -> float | None:
    """SIGKILL the importer's process group once it has read ``fraction`` of ``path`` and
    has rows in its open transaction; returns the fraction read at the kill, or None when
    it finished (or timed out) first."""
    size = path.stat().st_size
    deadline = time.monotonic() + timeout_s
    while process.poll() is None and time.monotonic() < deadline:
        position = read_position(process.pid, path)
        if position is not None and position >= fraction * size and watch.writing():
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return position / size
        time.sleep(0.02)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return None


def crash_importer(
    database_url: str,
    work_dir: Path,
    *,
    rows: int,
    seed: int,
    kill_at: float = 0.5,
    timeout_s: float = 1800.0,
) -> CrashResult:
    """Kill -9 ``dekat import`` when it has read ``kill_at`` of its file and is writing;
    check; re-run; check again.

    A tenth of the file is imported first, so the killed run also has committed rows of
    an earlier import to damage, and the re-run both updates and creates. The import is
    one transaction: after the kill the database must hold exactly what it held before.
    """
    result = CrashResult(f"importer kill -9 past {kill_at:.0%} of {rows:,} rows")
    env = dekat_env(database_url, work_dir / "media")
    log = work_dir / "import.log"
    prepare(database_url, work_dir, businesses=0)
    prefix = "crash-"
    full = work_dir / "businesses.csv"
    write_import_file(full, rows=rows, seed=seed, prefix=prefix)

    first = work_dir / "first-tenth.csv"
    with full.open(encoding="utf-8") as src, first.open("w", encoding="utf-8") as dst:
        for n, line in enumerate(src):
            if n > rows // 10:
                break
            dst.write(line)
    first_s = _timed_import(first, env, log)
    result.facts["first tenth imported in s"] = round(first_s, 1)
    before = count_businesses(database_url)

    watch = WriteWatch(database_url)
    started = time.monotonic()
    process = _run_import(full, env, log)
    try:
        read = kill_when_writing(process, full, watch, fraction=kill_at, timeout_s=timeout_s)
        inserted = watch.rows_inserted()
    finally:
        watch.close()
        if process.poll() is None:  # interrupted: never leave the importer running
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if read is None:
        result.problems.append(
            "the import finished (or stalled) before it was killed: "
            f"{log.read_text(errors='replace')[-500:]}"
        )
        return result
    result.facts["killed after s"] = round(time.monotonic() - started, 1)
    result.facts["file read at kill"] = f"{read:.0%}"
    if inserted is not None:
        result.facts["rows inserted, uncommitted, at kill"] = inserted
    at_kill = count_businesses(database_url)
    result.facts["rows committed at kill"] = at_kill
    if at_kill != before:
        result.problems.append(
            f"after kill: {at_kill} businesses, expected the {before} committed before it "
            "(the import is one transaction)"
        )

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
    world: World,
    *,
    stop: threading.Event,
    clients: int,
    seed: int,
    acked: list[int],
    server_errors: list[int],
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
                except httpx.HTTPError as exc:
                    world.lost_answer(exc)  # cut off by the kill: stored or not, both fine
                    if isinstance(exc, NOT_SENT):
                        time.sleep(0.05)  # the server is gone; wait for ``stop``
                    continue
                world.answered()
                if 200 <= response.status_code < 300:
                    acked[n] += 1
                elif response.status_code >= 500:
                    server_errors[n] += 1

    threads = [threading.Thread(target=loop, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    stop.wait()
    for t in threads:
        t.join(timeout=15)


@dataclass
class Burst:
    """What the clients saw of a burst of writes that ended in a kill."""

    world: World
    acknowledged: int
    server_errors: int


def burst_then_kill(
    database_url: str, work_dir: Path, ids: list[int], *, burst_s: float, clients: int, seed: int
) -> Burst:
    """Start ``dekat serve --workers 2``, send writes from ``clients`` threads and SIGKILL
    the master and workers ``burst_s`` seconds in, while requests are in flight."""
    server = start_server(database_url, work_dir, workers=2)
    stop = threading.Event()
    acked = [0] * clients
    server_errors = [0] * clients
    try:
        world = World(
            base_url=server.base_url,
            paths=openapi_paths(server.base_url),
            business_ids=ids,
            api_headers=writer_key_headers(database_url, work_dir),
        )
        burst = threading.Thread(
            target=_burst,
            kwargs={
                "world": world,
                "stop": stop,
                "clients": clients,
                "seed": seed,
                "acked": acked,
                "server_errors": server_errors,
            },
            daemon=True,
        )
        burst.start()
        time.sleep(burst_s)
    finally:
        server.kill()  # SIGKILL to the whole process group, mid-burst
        stop.set()
    burst.join(timeout=30)
    return Burst(world=world, acknowledged=sum(acked), server_errors=sum(server_errors))


def restart_problems(
    database_url: str, work_dir: Path, world: World, *, business_id: int, seed: int
) -> list[str]:
    """Restart the server: it must answer, show a business and accept a write again."""
    problems: list[str] = []
    restarted = start_server(database_url, work_dir, workers=2)
    try:
        health = httpx.get(f"{restarted.base_url}/healthz", timeout=10)
        if health.status_code != 200:
            problems.append(f"after restart /healthz answered {health.status_code}")
        probe = httpx.get(f"{restarted.base_url}/api/v1/businesses/{business_id}", timeout=10)
        if probe.status_code != 200:
            problems.append(f"after restart a business page answered {probe.status_code}")
        with httpx.Client(base_url=restarted.base_url, timeout=10) as client:
            write, _ = op_interaction(client, world, random.Random(seed), "c0s0xrestart")
        if write.status_code >= 300:
            problems.append(f"after restart a write answered {write.status_code}")
    finally:
        restarted.terminate()
    return problems


def crash_server(
    database_url: str, work_dir: Path, *, businesses: int, burst_s: float, clients: int, seed: int
) -> CrashResult:
    """Kill -9 the server (master and workers) during a burst of writes; check; restart;
    check that every acknowledged write is there exactly once."""
    result = CrashResult(f"server kill -9 during a {burst_s:.0f} s write burst")
    prepare(database_url, work_dir, businesses=businesses)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        ids = list(conn.execute(select(Business.id).limit(300)).scalars())
    engine.dispose()

    burst = burst_then_kill(
        database_url, work_dir, ids, burst_s=burst_s, clients=clients, seed=seed
    )
    result.facts["acknowledged writes before kill"] = burst.acknowledged
    result.facts["writes cut off in flight"] = burst.world.ledger.uncertain
    if not burst.acknowledged:
        result.problems.append("no write was acknowledged before the kill")
    if burst.server_errors:
        result.problems.append(f"{burst.server_errors} writes answered 5xx before the kill")

    result.problems += [f"after kill: {p}" for p in database_checks(database_url)]
    result.problems += restart_problems(
        database_url, work_dir, burst.world, business_id=ids[0], seed=seed
    )
    result.problems += [f"after restart: {p}" for p in audit(database_url, burst.world.ledger)]
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
    exit_on_sigterm()
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
