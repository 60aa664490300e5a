"""Where a request's CPU goes in the app, outside the server: cProfile of the ASGI app.

Calls the app factory's application in process through httpx's ASGI transport (no
sockets, no uvicorn) on the 1M database that ``benchmarks/search.py`` builds (nearest 20)
or that ``benchmarks/recommend.py`` builds (recommendations, readers with history), and
prints the CPU per request, the SQL statements per request (counted on the DBAPI
cursors) and a cProfile. The endpoint runs in the thread pool for recommendations (a
plain ``def``), which cProfile of the main thread does not see; the CPU figure counts
every thread.

    .venv/bin/python benchmarks/profile_http.py nearest
    .venv/bin/python benchmarks/profile_http.py recommendations
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import random
import sqlite3
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def _points(db: Path, which: str, n: int) -> list[dict[str, str]]:
    if which == "nearest":
        rng = random.Random(20261205)
        return [
            {
                "lat": f"{-6.30 + rng.uniform(-0.1, 0.1):.6f}",
                "lon": f"{106.66 + rng.uniform(-0.1, 0.1):.6f}",
                "sort": "distance",
                "limit": "20",
            }
            for _ in range(n)
        ]
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT i.user_id, b.lat, b.lon FROM interaction i JOIN business b ON b.id = i.business_id"
        " WHERE i.id IN (SELECT max(id) FROM interaction GROUP BY user_id) LIMIT ?",
        (n,),
    ).fetchall()
    con.close()
    return [{"lat": f"{lat:.6f}", "lon": f"{lon:.6f}", "user_id": u} for u, lat, lon in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("endpoint", choices=("nearest", "recommendations"))
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    db = OUT / (
        "search_1000000_20261128.db" if args.endpoint == "nearest" else "recommend_1000000.db"
    )
    if not db.exists():
        print(f"{db} is missing: run benchmarks/search.py (and recommend.py) first")
        return 1
    os.environ["DEKAT_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["DEKAT_DEMO_COUNT"] = "0"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import httpx
    from sqlalchemy import event

    import directory.app
    from directory.db import make_engine

    statements = [0]
    original = make_engine

    def counting_engine(*a: object, **k: object) -> object:
        engine = original(*a, **k)  # type: ignore[arg-type]

        @event.listens_for(engine, "connect")
        def _count(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            dbapi_conn.set_trace_callback(lambda _sql: statements.__setitem__(0, statements[0] + 1))

        return engine

    directory.app.make_engine = counting_engine  # type: ignore[assignment]
    app = directory.app.create_app()
    path = "/api/v1/businesses" if args.endpoint == "nearest" else "/api/v1/recommendations"
    params = _points(db, args.endpoint, args.requests + 200)

    async def run() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://127.0.0.1"
            ) as client:
                for p in params[:200]:
                    response = await client.get(path, params=p)
                    assert response.status_code == 200, response.text
                statements[0] = 0
                started = time.process_time()
                for p in params[200:]:
                    await client.get(path, params=p)
                cpu = time.process_time() - started
                n = len(params) - 200
                print(
                    f"{args.endpoint}: {n} requests, process CPU {1000 * cpu / n:.2f} ms per "
                    f"request (httpx client included), {statements[0] / n:.1f} SQL statements "
                    f"per request"
                )
                profiler = cProfile.Profile()
                profiler.enable()
                for p in params[200 : 200 + n // 2]:
                    await client.get(path, params=p)
                profiler.disable()
                stats = pstats.Stats(profiler)
                stats.sort_stats("cumulative").print_stats(45)
                stats.sort_stats("tottime").print_stats(25)

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
