"""Recommendation latency at 1,000,000 businesses and 1,000,000 interactions (issue targets:
p95 ≤ 10 ms in process for a user with history; refresh under a minute).

Uses the 1M-business database that ``benchmarks/search.py`` builds in ``benchmarks/out/``
(run that first), copies it once to ``benchmarks/out/recommend_<count>.db``, adds
``--interactions`` synthetic visits (``--users`` readers, each living near a random
business and visiting places among the 40 nearest to home, deterministic), refreshes the
interaction model (timed: the ``dekat recommender refresh`` step), then times
``recommend()`` — the function behind ``GET /api/v1/recommendations`` — for ``--queries``
readers with history, at a point near their home.

    .venv/bin/python benchmarks/search.py --no-postgres     # builds the 1M database once
    .venv/bin/python benchmarks/recommend.py
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from directory.db import make_engine, make_session_factory
from directory.migrate import upgrade_database
from directory.models import Business, Interaction
from directory.recommendations.model_store import refresh_model
from directory.recommendations.service import RecommendationQuery, recommend
from directory.services.search import nearest_candidates

OUT = Path(__file__).resolve().parent / "out"
ZONE = "Asia/Jakarta"
Home = tuple[str, float, float]
KINDS = ("visit", "visit", "visit", "view", "click", "save", "call")


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))]


def _prepare(source: Path, target: Path) -> None:
    if target.exists():
        return
    print(f"copying {source.name} → {target.name} …", flush=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    with dst:
        src.backup(dst, pages=4096)
    src.close()
    dst.close()


def _add_interactions(url: str, *, users: int, total: int, seed: int) -> list[Home]:
    """Insert the synthetic interactions once; returns each reader's home point."""
    rng = random.Random(seed)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    homes: list[Home] = []
    with sessions() as session:
        have = int(session.scalar(select(func.count()).select_from(Interaction)) or 0)
        max_id = int(session.scalar(select(func.max(Business.id))) or 0)
        per_user = max(1, total // users)
        now = datetime.now(UTC)
        rows: list[dict[str, object]] = []
        started = time.perf_counter()
        for u in range(users):
            while True:
                anchor = session.get(Business, rng.randint(1, max_id))
                if anchor is not None:
                    break
            homes.append((f"bench-{u}", anchor.lat, anchor.lon))
            if have:
                continue
            near = [
                bid
                for bid, _ in nearest_candidates(session, lat=anchor.lat, lon=anchor.lon, limit=40)
            ]
            favourites = near[: rng.randint(3, 8)]
            for _ in range(per_user):
                bid = rng.choice(favourites) if rng.random() < 0.6 else rng.choice(near)
                at = now - timedelta(minutes=rng.randint(10, 60 * 24 * 120))
                rows.append(
                    {
                        "user_id": f"bench-{u}",
                        "business_id": bid,
                        "kind": rng.choice(KINDS),
                        "at": at,
                        "created_at": now,
                    }
                )
            if len(rows) >= 50_000:
                session.execute(insert(Interaction), rows)
                session.commit()
                rows.clear()
                print(
                    f"  {u + 1:,}/{users:,} readers, {time.perf_counter() - started:.0f} s",
                    flush=True,
                )
        if rows:
            session.execute(insert(Interaction), rows)
            session.commit()
    engine.dispose()
    return homes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=1_000_000, help="businesses (search DB)")
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args(argv)

    source = OUT / f"search_{args.count}_{args.seed}.db"
    if not source.exists():
        print(f"{source} is missing: run `python benchmarks/search.py --count {args.count}` first.")
        return 0
    target = OUT / f"recommend_{args.count}.db"
    _prepare(source, target)
    url = f"sqlite:///{target}"
    migrate_engine = make_engine(url)
    upgrade_database(migrate_engine)  # the search DB may predate later migrations
    migrate_engine.dispose()
    homes = _add_interactions(url, users=args.users, total=args.interactions, seed=args.seed)

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        n_business = session.scalar(select(func.count()).select_from(Business))
        n_inter = session.scalar(select(func.count()).select_from(Interaction))
        print(f"{n_business:,} businesses, {n_inter:,} interactions")
        report = refresh_model(session, timezone=ZONE)
        print(
            f"model refresh (dekat recommender refresh): {report.seconds:.1f} s "
            f"for {report.n_events:,} interactions"
        )
        rng = random.Random(args.seed + 1)
        picks = rng.sample(homes, min(args.queries, len(homes)))
        now = datetime.now(ZoneInfo(ZONE))
        latencies: list[float] = []
        for user, lat, lon in picks:
            query = RecommendationQuery(
                lat=lat + rng.uniform(-0.005, 0.005),
                lon=lon + rng.uniform(-0.005, 0.005),
                user_id=user,
                limit=20,
            )
            t0 = time.perf_counter()
            page = recommend(session, query, now=now, timezone=ZONE)
            latencies.append((time.perf_counter() - t0) * 1000)
            assert page.items
    engine.dispose()
    print(f"\nrecommend() for readers with history, {len(latencies)} queries, in process:")
    p50, p95 = statistics.median(latencies), _percentile(latencies, 0.95)
    p99, qps = _percentile(latencies, 0.99), 1000 / statistics.mean(latencies)
    print(f"  p50 {p50:.2f} ms · p95 {p95:.2f} ms · p99 {p99:.2f} ms · {qps:.0f} q/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
