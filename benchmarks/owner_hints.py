"""Time of ``ranking_hints`` (the owner's hints endpoint and page section) on demo data.

Builds a SQLite database with ``--count`` demo businesses (migrated, shipped taxonomy and
gazetteer, ``prepare_database`` as ``dekat serve`` does) in a temporary folder, then runs
``ranking_hints`` for ``--listings`` listings spread over the ids (the first call of the
process warms the catalogue caches and is reported apart) and prints the median and
maximum time, the rankings each call ran and how many hints it found.

    .venv/bin/python benchmarks/owner_hints.py --count 20000 --listings 20
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from directory.bootstrap import prepare_database
from directory.db import make_engine, make_session_factory
from directory.models import Business, BusinessStatus
from directory.owner_hints import ranks
from directory.owner_hints.service import ranking_hints
from directory.settings import Settings

TZ = "Asia/Jakarta"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--listings", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'hints.db'}"
        settings = Settings(database_url=url, demo_count=args.count, geocoder="off")
        started = time.perf_counter()
        prepare_database(settings, demo=True)
        print(f"built {args.count} demo businesses in {time.perf_counter() - started:.1f} s")
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        now = datetime(2026, 12, 2, 19, 0, tzinfo=ZoneInfo(TZ))
        with sessions() as session:
            ids = list(
                session.scalars(
                    select(Business.id)
                    .where(Business.status == BusinessStatus.PUBLISHED)
                    .order_by(Business.id)
                )
            )
            step = max(1, len(ids) // (args.listings + 1))
            chosen = ids[step::step][: args.listings + 1]
            calls = {"n": 0}
            real = ranks.run_probe

            def counted(*a: object, **kw: object) -> ranks.Standing:
                calls["n"] += 1
                return real(*a, **kw)  # type: ignore[arg-type]

            times: list[float] = []
            found: list[int] = []
            rankings: list[int] = []
            with mock.patch("directory.owner_hints.service.run_probe", counted):
                for i, bid in enumerate(chosen):
                    business = session.get(Business, bid)
                    assert business is not None
                    calls["n"] = 0
                    t = time.perf_counter()
                    result = ranking_hints(session, business, now=now, timezone=TZ)
                    elapsed = time.perf_counter() - t
                    session.rollback()
                    if i == 0:
                        print(f"first call (cold caches): {elapsed * 1000:.0f} ms")
                        continue
                    times.append(elapsed)
                    found.append(len(result.hints))
                    rankings.append(calls["n"])
            total = session.scalar(select(func.count()).select_from(Business))
        engine.dispose()
    print(f"{total} businesses, {len(times)} listings")
    print(f"ranking_hints: median {statistics.median(times) * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms; rankings per call: median "
          f"{statistics.median(rankings):.0f}; hints per listing: median "
          f"{statistics.median(found):.0f}, max {max(found)}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
