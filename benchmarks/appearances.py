"""Appearance counting: what one search or recommendation request pays, and a flush.

Times ``AppearanceCounter.add`` (a page of 20 results, the hot path: memory only) and the
upsert of the buffered keys into ``business_daily_count``, on a copy of a database made
by ``benchmarks/search.py`` (migrated to head first).

    .venv/bin/python benchmarks/search.py --count 20000 --build-only --no-postgres
    .venv/bin/python benchmarks/appearances.py --db benchmarks/out/search_20000_20261128.db
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from directory.db import make_engine, make_session_factory  # noqa: E402
from directory.insights.appearances import SEARCH, AppearanceCounter  # noqa: E402
from directory.migrate import upgrade_database  # noqa: E402
from directory.models import Business, BusinessDailyCount  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="SQLite file of search.py")
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "bench.db"
        shutil.copyfile(args.db, copy)
        engine = make_engine(f"sqlite:///{copy}")
        upgrade_database(engine)
        sessions = make_session_factory(engine)
        with sessions() as session:
            ids = list(session.scalars(select(Business.id)))
        counter = AppearanceCounter(sessions, timezone="Asia/Jakarta", max_keys=10**9)
        rng = random.Random(7)
        pages = [rng.sample(ids, args.page) for _ in range(1000)]
        per_call_us = []
        for i in range(args.requests):
            page = pages[i % len(pages)]
            t0 = time.perf_counter_ns()
            counter.add(SEARCH, page)
            per_call_us.append((time.perf_counter_ns() - t0) / 1000)
        per_call_us.sort()
        keys = counter.pending()
        t0 = time.perf_counter()
        written = counter.flush()
        flush_s = time.perf_counter() - t0
        with sessions() as session:
            total = session.scalar(select(func.sum(BusinessDailyCount.count)))
        engine.dispose()
    print(f"businesses {len(ids):,}; {args.requests:,} requests of {args.page} results")
    print(
        f"add() per request: p50 {statistics.median(per_call_us):.2f} us, "
        f"p99 {per_call_us[int(len(per_call_us) * 0.99)]:.2f} us"
    )
    print(f"flush of {keys:,} keys (written {written:,}): {flush_s * 1000:.1f} ms on SQLite")
    assert total == args.requests * args.page, total
    print(f"stored counts add up: {total:,}; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
