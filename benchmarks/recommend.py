"""Recommendation latency at 1,000,000 businesses and 1,000,000 interactions (issue targets:
p95 ≤ 10 ms in process for a user with history; refresh under a minute; ≥ 500 req/s over
HTTP with two workers).

Uses the 1M-business database that ``benchmarks/search.py`` builds in ``benchmarks/out/``
(run that first), copies it once to ``benchmarks/out/recommend_<count>.db``, adds
``--interactions`` synthetic visits (``--users`` readers, each living near a random
business and visiting places among the 40 nearest to home, deterministic), refreshes the
interaction model (timed: the ``dekat recommender refresh`` step), then times
``recommend()`` — the function behind ``GET /api/v1/recommendations`` — for ``--queries``
readers with history, at a point near their home.

``--http`` also serves the database with two uvicorn workers (the app factory, as
``dekat serve --workers 2`` does) and drives ``GET /api/v1/recommendations?lat=&lon=&user_id=``
with wrk, rotating over the same readers. ``--postgres URL`` repeats everything on
PostgreSQL: the project database that ``benchmarks/search.py`` builds there
(``dekat_bench_search_app``, the same 1M rows) is cloned into the scratch database
``dekat_bench_recommend`` and given the same interactions; the database named in the URL
is only used to create and drop scratch databases. The table shows both backends.

    .venv/bin/python benchmarks/search.py --no-postgres     # builds the 1M database once
    .venv/bin/python benchmarks/recommend.py
    .venv/bin/python benchmarks/search.py && .venv/bin/python benchmarks/recommend.py \
        --http --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from directory.db import make_engine, make_session_factory
from directory.migrate import upgrade_database
from directory.models import Business, Interaction
from directory.recommendations.model_store import current_model, refresh_model
from directory.recommendations.service import RecommendationQuery, recommend
from directory.search.service import nearest_candidates

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
    _age_listings(f"sqlite:///{target}")


def _age_listings(url: str) -> None:
    """Spread the listing dates as the demo data does (``_age_demo_listings``: 1 in 8
    listed in the last 60 days, the rest 120–1,520 days ago, from the id). The search
    database stamps every row with one build date, which would make every listing "new"
    to the recommender for 60 days — the situation right after a bulk import, but not a
    city guide's usual state."""
    base = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    days = (
        "CAST(CASE WHEN id % 8 = 0 THEN (CAST(id AS BIGINT) * 7919) % 60 "
        "ELSE 120 + (CAST(id AS BIGINT) * 104729) % 1400 END AS INTEGER)"
    )
    engine = make_engine(url, statement_timeout_ms=3_600_000)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            stamp = (
                f"strftime('%Y-%m-%d %H:%M:%S', :base, '-' || {days} || ' days', "
                f"'-' || (id % 1440) || ' minutes') || '.000000'"
            )
            base_value: object = base.strftime("%Y-%m-%d %H:%M:%S")
        else:
            stamp = f"CAST(:base AS timestamp) - make_interval(days => {days}, mins => id % 1440)"
            base_value = base.replace(tzinfo=None)
        conn.execute(
            text(f"UPDATE business SET created_at = {stamp}, published_at = {stamp}"),
            {"base": base_value},
        )
    engine.dispose()


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


PG_SOURCE_DB = "dekat_bench_search_app"  # built by benchmarks/search.py
PG_DB = "dekat_bench_recommend"


def _pg_copy(pg_url: str, sqlite_url: str, stamp: str) -> str | None:
    """A PostgreSQL scratch database with the same businesses and interactions; its URL."""
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    target = make_url(pg_url).set(database=PG_DB).render_as_string(hide_password=False)
    try:
        with admin.connect() as conn:
            have_source = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_SOURCE_DB}
            )
            have_target = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_DB}
            )
        if not have_source:
            print(f"{PG_SOURCE_DB} is missing: run `python benchmarks/search.py` first.")
            return None
        if have_target:
            probe = create_engine(target)
            try:
                with probe.connect() as conn:
                    saved = conn.scalar(text("SELECT params FROM bench_recommend_stamp"))
            except Exception:  # noqa: BLE001 - no stamp: rebuild
                saved = None
            probe.dispose()
            if saved == stamp:
                return target
        print(f"cloning {PG_SOURCE_DB} → {PG_DB} and copying the interactions …", flush=True)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_DB}" TEMPLATE "{PG_SOURCE_DB}"'))
    finally:
        admin.dispose()
    started = time.perf_counter()
    _age_listings(target)
    lite = make_engine(sqlite_url)
    engine = make_engine(target, statement_timeout_ms=3_600_000)
    upgrade_database(engine)
    table = Interaction.__table__
    with lite.connect() as src, engine.begin() as dst:
        last = 0
        while True:
            rows = [
                dict(r._mapping)
                for r in src.execute(
                    select(table).where(table.c.id > last).order_by(table.c.id).limit(50_000)
                )
            ]
            if not rows:
                break
            last = rows[-1]["id"]
            dst.execute(insert(table), rows)
        dst.execute(
            text("SELECT setval(pg_get_serial_sequence('interaction', 'id'), :n)"),
            {"n": max(last, 1)},
        )
        dst.execute(text("CREATE TABLE bench_recommend_stamp (params text NOT NULL)"))
        dst.execute(text("INSERT INTO bench_recommend_stamp VALUES (:s)"), {"s": stamp})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE interaction")
    lite.dispose()
    engine.dispose()
    print(f"  copied in {time.perf_counter() - started:.0f} s", flush=True)
    return target


def _queries(homes: list[Home], *, n: int, seed: int) -> list[tuple[str, float, float]]:
    rng = random.Random(seed)
    picks = rng.sample(homes, min(n, len(homes)))
    return [
        (user, lat + rng.uniform(-0.005, 0.005), lon + rng.uniform(-0.005, 0.005))
        for user, lat, lon in picks
    ]


def _measure(
    url: str,
    queries: list[tuple[str, float, float]],
    *,
    refresh: bool = True,
    answers: Path | None = None,
    profile: int = 0,
    at: datetime | None = None,
) -> dict[str, float]:
    """Refresh the model (timed; ``refresh=False`` keeps a stored one), then time
    recommend() for every query. ``answers`` receives each query's top ids and reason
    codes (one JSON line per query: the before/after check of a speed change);
    ``profile`` runs that many more queries under cProfile and prints where the time goes;
    ``at`` fixes the query time (default: now), so that two runs' answers compare.
    """
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    out: dict[str, float] = {}
    with sessions() as session:
        n_business = session.scalar(select(func.count()).select_from(Business))
        n_inter = session.scalar(select(func.count()).select_from(Interaction))
        print(f"{url.split('://')[0]}: {n_business:,} businesses, {n_inter:,} interactions")
        if refresh or current_model(session) is None:
            report = refresh_model(session, timezone=ZONE)
            out["refresh_s"] = report.seconds
            out["refresh_load"] = os.getloadavg()[0]
            print(
                f"  model refresh (dekat recommender refresh): {report.seconds:.1f} s "
                f"for {report.n_events:,} interactions (load average {out['refresh_load']:.2f})",
                flush=True,
            )
        else:
            out["refresh_s"] = float("nan")
        now = at or datetime.now(ZoneInfo(ZONE))
        latencies: list[float] = []
        cpu: list[float] = []
        pages = []
        for i, (user, lat, lon) in enumerate(queries[:20] + queries):
            query = RecommendationQuery(lat=lat, lon=lon, user_id=user, limit=20)
            t0, c0 = time.perf_counter(), time.thread_time()
            page = recommend(session, query, now=now, timezone=ZONE)
            if i >= 20:  # the first 20 warm the caches (model, catalogue)
                latencies.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.thread_time() - c0) * 1000)
                pages.append((user, page))
            assert page.items
        if answers is not None:
            with answers.open("w") as handle:
                for user, page in pages:
                    top = [(item.business.id, item.reason_codes) for item in page.items]
                    handle.write(json.dumps({"user": user, "top": top}) + "\n")
            print(f"  answers written to {answers}")
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for user, lat, lon in queries[:profile]:
                recommend(
                    session,
                    RecommendationQuery(lat=lat, lon=lon, user_id=user, limit=20),
                    now=now,
                    timezone=ZONE,
                )
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(30)
    engine.dispose()
    out["p50"] = statistics.median(latencies)
    out["p95"] = _percentile(latencies, 0.95)
    out["p99"] = _percentile(latencies, 0.99)
    out["qps"] = 1000 / statistics.mean(latencies)
    out["cpu_p50"] = statistics.median(cpu)
    out["cpu_p95"] = _percentile(cpu, 0.95)
    out["n"] = len(latencies)
    out["load"] = os.getloadavg()[0]
    return out


def _http(url: str, queries: list[tuple[str, float, float]], *, label: str, seconds: int) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from search import serve_and_wrk  # benchmarks/search.py

    paths = [
        f"/api/v1/recommendations?lat={lat:.6f}&lon={lon:.6f}&user_id={user}"
        for user, lat, lon in queries
    ]
    return serve_and_wrk(
        url,
        paths,
        label=f"recommendations over HTTP, {label}",
        seconds=seconds,
        script_name="recommend.lua",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=1_000_000, help="businesses (search DB)")
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--http", action="store_true", help="also measure over HTTP with wrk")
    parser.add_argument("--http-seconds", type=int, default=15)
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument(
        "--no-refresh", action="store_true", help="keep the stored model (no timed refresh)"
    )
    parser.add_argument(
        "--answers", type=Path, help="write each query's top ids and reason codes (JSON lines)"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cProfile N more queries"
    )
    parser.add_argument(
        "--at", type=datetime.fromisoformat, help="query time, ISO with offset (default: now)"
    )
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
    queries = _queries(homes, n=args.queries, seed=args.seed + 1)

    runs: dict[str, dict[str, float]] = {
        "SQLite": _measure(
            url,
            queries,
            refresh=not args.no_refresh,
            answers=args.answers,
            profile=args.profile,
            at=args.at,
        )
    }
    urls = {"SQLite": url}
    if args.postgres:
        stamp = f"{args.count}:{args.seed}:{args.users}:{args.interactions}:aged"
        pg = _pg_copy(args.postgres, url, stamp)
        if pg:
            urls["PostgreSQL"] = pg
            runs["PostgreSQL"] = _measure(pg, queries, refresh=not args.no_refresh)

    print(
        f"\nrecommend() for readers with history, {len(queries)} queries "
        f"(+20 warm-up), in process, one thread; limit 20"
    )
    head = (
        f"{'backend':12} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'q/s':>6} "
        f"{'load':>5} {'refresh s':>10} {'CPU p50':>8} {'CPU p95':>8}"
    )
    print(head)
    print("-" * len(head))
    for name, r in runs.items():
        print(
            f"{name:12} {r['p50']:8.2f} {r['p95']:8.2f} {r['p99']:8.2f} {r['qps']:6.0f} "
            f"{r['load']:5.2f} {r['refresh_s']:10.1f} {r['cpu_p50']:8.2f} {r['cpu_p95']:8.2f}"
        )
    if args.http:
        print()
        for name, u in urls.items():
            print(_http(u, queries, label=name, seconds=args.http_seconds), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
