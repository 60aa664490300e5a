"""Where typo search and autocomplete spend their time: the slowest queries and a cProfile.

Uses the database and the workload of ``benchmarks/search.py`` (build it first) and prints,
for one group: this thread's CPU time per query (p50 / p95), the slowest queries, and a
cProfile of the slowest ``--profile`` queries sorted by own time and by cumulative time.
A profile shows proportions; the latencies to quote come from ``search.py`` on a quiet
machine.

    .venv/bin/python benchmarks/profile_search.py typo
    .venv/bin/python benchmarks/profile_search.py autocomplete --count 100000
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import search as bench  # noqa: E402  (benchmarks/search.py)

from directory.db import make_engine, make_session_factory  # noqa: E402
from directory.search.params import SearchParams  # noqa: E402
from directory.search.service import autocomplete, search_businesses  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("group", choices=("typo", "autocomplete"))
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--slowest", type=int, default=15, help="slowest queries to list")
    parser.add_argument("--profile", type=int, default=100, help="slowest queries to profile")
    args = parser.parse_args()
    db = bench.OUT / f"search_{args.count}_{bench.SEED}.db"
    if not db.exists():
        print(f"{db} is missing: run `python benchmarks/search.py --count {args.count}` first")
        return 1
    engine = make_engine(f"sqlite:///{db}")
    sessions = make_session_factory(engine)
    with sessions() as session:
        work = bench.make_workload(session, queries=args.queries, seed=bench.SEED + 1)
    now = datetime.now(UTC)
    with sessions() as session:
        calls: list[tuple[str, Callable[[], object]]]
        if args.group == "typo":
            calls = [
                (q, lambda q=q: search_businesses(session, SearchParams(q=q, limit=10), now=now))
                for q, _, _ in work.typo_queries
            ]
        else:
            calls = [
                (q, lambda q=q, lat=lat, lon=lon: autocomplete(session, q=q, lat=lat, lon=lon))
                for q, lat, lon in work.prefixes
            ]
        for _, call in calls[:20]:
            call()  # warm the page cache and the catalogue
        cpu: list[float] = []
        for _, call in calls:
            t0 = time.thread_time()
            call()
            cpu.append((time.thread_time() - t0) * 1000)
        ordered = sorted(cpu)
        print(
            f"{args.group}, {len(calls)} queries at {args.count:,} businesses: CPU p50 "
            f"{ordered[len(ordered) // 2]:.2f} ms, p95 {ordered[int(len(ordered) * 0.95)]:.2f} ms"
        )
        slow = sorted(range(len(calls)), key=lambda i: -cpu[i])
        print(f"\nslowest {args.slowest}:")
        for i in slow[: args.slowest]:
            print(f"  {cpu[i]:8.2f} ms  {calls[i][0]!r}")
        profiler = cProfile.Profile()
        profiler.enable()
        for i in slow[: args.profile]:
            calls[i][1]()
        profiler.disable()
        print(f"\ncProfile of the slowest {args.profile}:")
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(30)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
