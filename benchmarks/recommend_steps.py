"""CPU time of each step of ``recommend()`` (where a request's time goes), without a profiler.

Wraps the service module's steps with ``time.thread_time()`` counters (thread CPU time:
on a shared machine wall time mostly measures the other processes) and runs the readers of
``benchmarks/recommend.py`` against its database, which that script builds first:

    .venv/bin/python benchmarks/recommend.py --no-refresh      # once: builds the database
    .venv/bin/python benchmarks/recommend_steps.py --count 1000000 --users 20000 --queries 400
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import recommend as bench  # benchmarks/recommend.py

from directory.db import make_engine, make_session_factory
from directory.recommendations import service

STEPS = (
    "_history_rows", "nearest_candidates", "current_model", "_pool", "_load", "ranking_rows",
    "shown_rows", "_candidates", "build_history", "rank", "_item", "get_catalog",
)  # fmt: skip
"""Names looked up in the service module (older versions read rows in ``_load``)."""


def _wrap(
    totals: dict[str, float], walls: dict[str, float], name: str, step: Callable[..., Any]
) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started, wall = time.thread_time(), time.perf_counter()
        try:
            return step(*args, **kwargs)
        finally:
            totals[name] = totals.get(name, 0.0) + time.thread_time() - started
            walls[name] = walls.get(name, 0.0) + time.perf_counter() - wall

    return timed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--at", type=datetime.fromisoformat, default="2026-12-05T19:00+07:00")
    parser.add_argument(
        "--url",
        help="database to time (default: the SQLite one recommend.py built; the PostgreSQL "
        "copy is postgresql+psycopg://postgres@127.0.0.1:5432/dekat_bench_recommend)",
    )
    args = parser.parse_args(argv)
    sqlite_url = f"sqlite:///{bench.OUT / f'recommend_{args.count}.db'}"
    url = args.url or sqlite_url
    homes = bench._add_interactions(sqlite_url, users=args.users, total=0, seed=args.seed)
    queries = bench._queries(homes, n=1000, seed=args.seed + 1)[: args.queries]
    totals: dict[str, float] = {}
    walls: dict[str, float] = {}
    for name in STEPS:
        if hasattr(service, name):
            setattr(service, name, _wrap(totals, walls, name, getattr(service, name)))
    engine = make_engine(url)
    cpu: list[float] = []
    wall: list[float] = []
    with make_session_factory(engine)() as session:
        for i, (user, lat, lon) in enumerate(queries[:20] + queries):
            if i == 20:
                totals.clear()
                walls.clear()
            started, wall_start = time.thread_time(), time.perf_counter()
            query = service.RecommendationQuery(lat=lat, lon=lon, user_id=user, limit=20)
            service.recommend(session, query, now=args.at, timezone=bench.ZONE)
            if i >= 20:
                cpu.append((time.thread_time() - started) * 1000)
                wall.append((time.perf_counter() - wall_start) * 1000)
    engine.dispose()
    print(
        f"{engine.dialect.name}: n={len(cpu)} CPU ms per call: p50 {statistics.median(cpu):.2f} "
        f"p95 {bench._percentile(cpu, 0.95):.2f} mean {statistics.mean(cpu):.2f}; wall p50 "
        f"{statistics.median(wall):.2f} p95 {bench._percentile(wall, 0.95):.2f} "
        f"(load average {os.getloadavg()[0]:.2f})"
    )
    print(f"  {'step':20} {'CPU ms':>7} {'wall ms':>8} per call (_load holds the reads)")
    for name, seconds in sorted(walls.items(), key=lambda kv: -kv[1]):
        print(f"  {name:20} {totals[name] / len(cpu) * 1000:7.2f} {seconds / len(cpu) * 1000:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
