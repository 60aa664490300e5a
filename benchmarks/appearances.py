"""Appearance counting: what one search or recommendation request pays, and a flush.

Times ``AppearanceCounter.add`` (a page of 20 results, the hot path: memory only) and the
upsert of the buffered keys into ``business_daily_count``, on a copy of a database made
by ``benchmarks/search.py`` (migrated to head first).

    .venv/bin/python benchmarks/search.py --count 20000 --build-only --no-postgres
    .venv/bin/python benchmarks/appearances.py --db benchmarks/out/search_20000_20261128.db

``--ab`` also times ``GET /api/v1/businesses`` (nearest 20) in process through the whole
app, alternating rounds with counting on and off (the app without its counter), so that
the load of a shared machine falls on both sides alike.
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
    parser.add_argument("--ab", action="store_true", help="search API with/without counting")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "bench.db"
        shutil.copyfile(args.db, copy)
        engine = make_engine(f"sqlite:///{copy}")
        upgrade_database(engine)
        sessions = make_session_factory(engine)
        with sessions() as session:
            ids = list(session.scalars(select(Business.id)))
            already = session.scalar(select(func.sum(BusinessDailyCount.count))) or 0
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
            total = (session.scalar(select(func.sum(BusinessDailyCount.count))) or 0) - already
        engine.dispose()
        if args.ab:
            ab_search_api(f"sqlite:///{copy}", rounds=args.rounds)
    print(f"businesses {len(ids):,}; {args.requests:,} requests of {args.page} results")
    print(
        f"add() per request: p50 {statistics.median(per_call_us):.2f} us, "
        f"p99 {per_call_us[int(len(per_call_us) * 0.99)]:.2f} us"
    )
    print(f"flush of {keys:,} keys (written {written:,}): {flush_s * 1000:.1f} ms on SQLite")
    assert total == args.requests * args.page, total
    print(f"stored counts add up: {total:,}; load average {os.getloadavg()[0]:.2f}")


def ab_search_api(url: str, *, rounds: int, per_round: int = 50) -> None:
    """Median latency of the search API with and without counting, rounds interleaved."""
    from fastapi.testclient import TestClient

    from directory.app import create_app
    from directory.settings import Settings

    app = create_app(Settings(database_url=url, demo_count=0))
    counter = app.state.appearances
    rng = random.Random(11)
    paths = [
        f"/api/v1/businesses?lat={-6.30 + rng.uniform(-0.1, 0.1):.5f}"
        f"&lon={106.65 + rng.uniform(-0.1, 0.1):.5f}&sort=distance&limit=20"
        for _ in range(per_round)
    ]
    timings: dict[str, list[float]] = {"counting": [], "not counting": []}
    with TestClient(app) as client:
        for path in paths:  # warm up
            client.get(path)
        for r in range(rounds):
            for label in ("counting", "not counting") if r % 2 else ("not counting", "counting"):
                app.state.appearances = counter if label == "counting" else None
                for path in paths:
                    t0 = time.perf_counter()
                    assert client.get(path).status_code == 200
                    timings[label].append((time.perf_counter() - t0) * 1000)
        app.state.appearances = counter
    app.state.engine.dispose()
    for label, values in timings.items():
        values.sort()
        print(
            f"GET /api/v1/businesses nearest 20, {label}: {len(values)} requests, "
            f"p50 {statistics.median(values):.2f} ms, p95 {values[int(len(values) * 0.95)]:.2f} ms"
        )


if __name__ == "__main__":
    main()
