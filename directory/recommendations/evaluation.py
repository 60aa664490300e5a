"""Offline next-visit evaluation through the directory's own code path (``dekat eval nextpoi``).

The Foursquare NYC check-ins (``../shared/data/foursquare_nyc_stan``) go through exactly
what an operator would run: venues are imported as businesses (``dekat import
businesses``), every check-in except each user's last is imported as a "visit"
interaction (``dekat import interactions``), the model is refreshed (``dekat recommender
refresh``), and each user's query calls the same ``recommend`` service as
``GET /api/v1/recommendations``. Protocol (leave-last-out, as STAN and DCHL): query at the
venue of the second-to-last check-in, at the time of the last one, with the user's id;
the target is the last check-in's venue; limit 20. Baselines over all venues run in the
same process: most popular overall, nearest to the query point, the user's most-visited.

Times in the file are minutes from 2012-04-03 17:59 UTC (see
``benchmarks/eval_nextpoi_lib.py``); the directory's time zone is America/New_York here.
"""

from __future__ import annotations

import csv
import gzip
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.db import make_engine, make_session_factory
from directory.geo import distance_m
from directory.io.businesses_io import ImportOptions, import_businesses
from directory.io.interactions_io import import_interactions
from directory.models import Business
from directory.recommendations.model_store import refresh_model
from directory.recommendations.service import RecommendationQuery, recommend, weights_for
from directory.services.bootstrap import prepare_database
from directory.settings import Settings

ORIGIN = datetime(2012, 4, 3, 17, 59, tzinfo=UTC)
NEW_YORK = "America/New_York"
KS = (1, 5, 10, 20)


@dataclass(frozen=True, slots=True)
class Metrics:
    acc: dict[int, float]
    mrr: float
    n: int

    @classmethod
    def from_ranks(cls, ranks: Sequence[int | None]) -> Metrics:
        n = len(ranks) or 1
        acc = {k: sum(1 for r in ranks if r is not None and r < k) / n for k in KS}
        mrr = sum(1.0 / (r + 1) for r in ranks if r is not None and r < 20) / n
        return cls(acc=acc, mrr=mrr, n=len(ranks))

    def row(self, name: str) -> str:
        accs = " | ".join(f"{self.acc[k]:.4f}" for k in KS)
        return f"| {name} | {accs} | {self.mrr:.4f} |"


@dataclass(frozen=True, slots=True)
class _UserCase:
    user: str
    query_venue: int
    at: datetime
    target: int
    visits: Counter[int]
    last_seen: dict[int, datetime]


def _rank(target: int, ranked: Sequence[int]) -> int | None:
    return ranked.index(target) if target in ranked else None


def _load(
    data_dir: Path,
) -> tuple[dict[int, tuple[float, float]], dict[str, list[tuple[int, int]]]]:
    venues: dict[int, tuple[float, float]] = {}
    with (data_dir / "pois.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            venues[int(row["poi_id"])] = (float(row["latitude"]), float(row["longitude"]))
    by_user: dict[str, list[tuple[int, int]]] = defaultdict(list)
    with gzip.open(data_dir / "checkins.csv.gz", "rt", newline="") as f:
        for row in csv.DictReader(f):
            by_user[row["user_id"]].append((int(row["time_min"]), int(row["poi_id"])))
    for items in by_user.values():
        items.sort()
    return venues, by_user


def _write_inputs(
    workdir: Path, venues: dict[int, tuple[float, float]], by_user: dict[str, list[tuple[int, int]]]
) -> tuple[Path, Path, list[_UserCase]]:
    zone = ZoneInfo(NEW_YORK)
    businesses = workdir / "venues.csv"
    with businesses.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["external_id", "name", "category", "lat", "lon"])
        for vid, (lat, lon) in sorted(venues.items()):
            w.writerow([f"nyc-{vid}", f"Venue {vid}", "venue", repr(lat), repr(lon)])
    interactions = workdir / "checkins.csv"
    cases: list[_UserCase] = []
    with interactions.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["user_id", "business_external_id", "kind", "at"])
        for user, items in sorted(by_user.items(), key=lambda kv: int(kv[0])):
            visits: Counter[int] = Counter()
            last_seen: dict[int, datetime] = {}
            for minute, vid in items[:-1]:
                at = (ORIGIN + timedelta(minutes=minute)).astimezone(zone)
                w.writerow([user, f"nyc-{vid}", "visit", at.isoformat()])
                visits[vid] += 1
                last_seen[vid] = at
            if len(items) >= 2:
                last_min, target = items[-1]
                cases.append(
                    _UserCase(
                        user=user,
                        query_venue=items[-2][1],
                        at=(ORIGIN + timedelta(minutes=last_min)).astimezone(zone),
                        target=target,
                        visits=visits,
                        last_seen=last_seen,
                    )
                )
    return businesses, interactions, cases


def run_nextpoi(
    data_root: Path,
    *,
    limit_users: int | None = None,
    workdir: Path | None = None,
    say: Callable[[str], None] = print,
) -> dict[str, Metrics] | None:
    """Run the evaluation; returns the metrics by ranker, or None when the data are absent."""
    data_dir = data_root / "foursquare_nyc_stan"
    if not (data_dir / "checkins.csv.gz").exists():
        say(f"Foursquare NYC data not found at {data_dir}; evaluation skipped.")
        return None
    venues, by_user = _load(data_dir)
    with tempfile.TemporaryDirectory(prefix="dekat-eval-") as tmp:
        if workdir is None:
            workdir = Path(tmp)
        else:
            workdir.mkdir(parents=True, exist_ok=True)
            (workdir / "eval.db").unlink(missing_ok=True)
        settings = Settings(
            database_url=f"sqlite:///{workdir / 'eval.db'}", demo_count=0, timezone=NEW_YORK
        )
        started = time.perf_counter()
        prepare_database(settings, demo=False)
        businesses_csv, interactions_csv, cases = _write_inputs(workdir, venues, by_user)
        if limit_users:
            cases = cases[:limit_users]
        engine = make_engine(settings.database_url)
        sessions = make_session_factory(engine)
        try:
            with sessions() as session:
                report = import_businesses(
                    session,
                    businesses_csv,
                    options=ImportOptions(create_categories=True, source="eval", workers=0),
                )
                say(f"imported {report.created:,} venues as businesses")
                ireport = import_interactions(
                    session, interactions_csv, timezone=NEW_YORK, now=datetime.now(UTC)
                )
                say(
                    f"imported {ireport.inserted:,} check-ins as interactions "
                    f"({ireport.duplicates:,} exact duplicates skipped)"
                )
                refresh = refresh_model(session, timezone=NEW_YORK)
                say(
                    f"model refreshed from {refresh.n_events:,} interactions "
                    f"in {refresh.seconds:.1f} s; setup {time.perf_counter() - started:.1f} s"
                )
                ext_to_id = {
                    ext: bid
                    for ext, bid in session.execute(
                        select(Business.external_id, Business.id).where(
                            Business.external_id.startswith("nyc-")
                        )
                    )
                    if ext is not None
                }
                return _evaluate(session, cases, venues, ext_to_id, settings, say)
        finally:
            engine.dispose()


def _evaluate(
    session: Session,
    cases: list[_UserCase],
    venues: dict[int, tuple[float, float]],
    ext_to_id: dict[str, int],
    settings: Settings,
    say: Callable[[str], None],
) -> dict[str, Metrics]:
    id_of = {vid: ext_to_id[f"nyc-{vid}"] for vid in venues if f"nyc-{vid}" in ext_to_id}
    popularity: Counter[int] = Counter()
    for case in cases:
        popularity.update(case.visits)
    popular = [vid for vid, _ in sorted(popularity.items(), key=lambda kv: (-kv[1], kv[0]))[:20]]
    weights = weights_for(settings.new_listing_age_days)
    ranks: dict[str, list[int | None]] = defaultdict(list)
    latencies: list[float] = []
    for n, case in enumerate(cases):
        lat, lon = venues[case.query_venue]
        t0 = time.perf_counter()
        page = recommend(
            session,
            RecommendationQuery(lat=lat, lon=lon, user_id=case.user, at=case.at, limit=20),
            now=case.at,
            timezone=NEW_YORK,
            weights=weights,
        )
        latencies.append((time.perf_counter() - t0) * 1000)
        ranked_ids = [item.business.id for item in page.items]
        ranks["Dekat recommender (API path)"].append(_rank(id_of[case.target], ranked_ids))
        ranks["most popular overall"].append(_rank(case.target, popular))
        nearest = sorted(venues, key=lambda v: (distance_m(lat, lon, *venues[v]), v))[:20]
        ranks["nearest to the query point"].append(_rank(case.target, nearest))
        mine = sorted(
            case.visits, key=lambda v: (-case.visits[v], -case.last_seen[v].timestamp(), v)
        )[:20]
        ranks["user's most-visited"].append(_rank(case.target, mine))
        if (n + 1) % 200 == 0:
            say(f"  {n + 1}/{len(cases)} users")
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    say(f"recommend() over {len(latencies)} queries: median {p50:.1f} ms, p95 {p95:.1f} ms")
    return {name: Metrics.from_ranks(r) for name, r in ranks.items()}


def published_lines(data_root: Path) -> list[str]:
    """The NYC rows of the published results, for context (other protocols)."""
    path = data_root / "published_results_next_poi.md"
    if not path.exists():
        return []
    keep = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "NYC" in line and (line.startswith("|") or line.startswith("- ")):
            keep.append(line)
    return keep
