"""Offline next-visit evaluation through the directory's own code path (``dekat eval nextpoi``).

Every next-visit data set in ``../shared/data`` (STAN NYC leave-last-out, DCHL NYC
sessions, GETNext NYC validation and test; see each loader for its protocol) goes through
exactly what an operator would run: venues are imported as businesses (``dekat import
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

from directory.bootstrap import prepare_database
from directory.db import make_engine, make_session_factory
from directory.geo import distance_m
from directory.io.businesses_io import ImportOptions, import_businesses
from directory.io.interactions_io import import_interactions
from directory.models import Business
from directory.recommendations.model_store import refresh_model
from directory.recommendations.service import RecommendationQuery, recommend, weights_for
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


@dataclass(frozen=True, slots=True)
class DataSet:
    """One next-visit data set in the shape every protocol reduces to.

    ``history`` rows ``(user, venue, at)`` are imported as "visit" interactions (``at``
    aware); ``cases`` are the queries; ``venues`` maps venue id → (lat, lon).
    """

    name: str
    protocol: str
    venues: dict[int, tuple[float, float]]
    history: list[tuple[str, int, datetime]]
    cases: list[_UserCase]


def _rank(target: int, ranked: Sequence[int]) -> int | None:
    return ranked.index(target) if target in ranked else None


def _stan_raw(
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


def _at(minute: int) -> datetime:
    return (ORIGIN + timedelta(minutes=minute)).astimezone(ZoneInfo(NEW_YORK))


def stan_leave_last_out(data_root: Path) -> DataSet | None:
    """STAN NYC, leave-last-out: every check-in but each user's last is history; the query
    is at the second-to-last venue, at the time of the last; the target is the last."""
    data_dir = data_root / "foursquare_nyc_stan"
    if not (data_dir / "checkins.csv.gz").exists():
        return None
    venues, by_user = _stan_raw(data_dir)
    history: list[tuple[str, int, datetime]] = []
    cases: list[_UserCase] = []
    for user, items in sorted(by_user.items(), key=lambda kv: int(kv[0])):
        history.extend((user, vid, _at(minute)) for minute, vid in items[:-1])
        if len(items) >= 2:
            cases.append(_UserCase(user, items[-2][1], _at(items[-1][0]), items[-1][1]))
    return DataSet(
        "STAN NYC (leave-last-out)",
        "history: all but each user's last check-in; query at the second-to-last venue at "
        "the last check-in's time; target: the last venue",
        venues,
        history,
        cases,
    )


def getnext_split(data_root: Path, split: str) -> DataSet | None:
    """GETNext NYC ``split`` ("val" or "test"): GETNext's chronological split.

    ``NYC_train.csv`` is not in the snapshot, but every GETNext row is a STAN check-in
    (same user ids; UTC time = STAN minutes from ``ORIGIN``), so the training period is
    every STAN check-in before the first row of the split (for "test", the validation
    period too). Trajectories are GETNext's (``trajectory_id``, at most 24 h); the target
    is each trajectory's last check-in, asked at the one before it (the trajectory's
    earlier check-ins join the history); trajectories whose user or target venue never
    occurs before are dropped, as GETNext does.
    """
    stan_dir = data_root / "foursquare_nyc_stan"
    path = data_root / "foursquare_nyc_getnext_valtest" / f"NYC_{split}.csv.gz"
    if not path.exists() or not (stan_dir / "checkins.csv.gz").exists():
        return None
    venues, by_user = _stan_raw(stan_dir)
    poi_at = {(u, m): v for u, items in by_user.items() for m, v in items}
    trajectories: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    with gzip.open(path, "rt", newline="") as f:
        for row in csv.DictReader(f):
            when = datetime.fromisoformat(row["UTC_time"])
            minute = int((when - ORIGIN).total_seconds() // 60)
            venue = poi_at.get((row["user_id"], minute))
            if venue is not None:
                trajectories[row["trajectory_id"]].append((minute, row["user_id"], venue))
    start = min(m for items in trajectories.values() for m, _, _ in items)
    history = [
        (user, vid, _at(minute))
        for user, items in by_user.items()
        for minute, vid in items
        if minute < start
    ]
    seen_users = {u for u, _, _ in history}
    seen_venues = {v for _, v, _ in history}
    cases: list[_UserCase] = []
    for _tid, items in sorted(trajectories.items()):
        items.sort()
        if len(items) < 2:
            continue
        history.extend((user, vid, _at(minute)) for minute, user, vid in items[:-1])
        last_min, user, target = items[-1]
        if user in seen_users and target in seen_venues:
            cases.append(_UserCase(user, items[-2][2], _at(last_min), target))
    return DataSet(
        f"GETNext NYC ({split})",
        "history: STAN check-ins before the split (GETNext's chronological train period) "
        "plus each trajectory's earlier check-ins; target: each trajectory's last check-in",
        venues,
        history,
        cases,
    )


def dchl_sessions(data_root: Path) -> DataSet | None:
    """DCHL NYC: train and test sessions are history, the target is each user's label
    (the venue after their last test session), asked at that session's last venue.

    The files carry no times: sessions are placed one day apart (check-ins an hour apart
    from 10:00), so time-of-day signals carry no information here.
    """
    data_dir = data_root / "foursquare_nyc_tky_dchl" / "NYC"
    if not (data_dir / "labels_test.csv").exists():
        return None
    venues: dict[int, tuple[float, float]] = {}
    with (data_dir / "pois.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            venues[int(row["poi_id"])] = (float(row["latitude"]), float(row["longitude"]))
    sessions: dict[str, list[list[int]]] = defaultdict(list)
    for name in ("sessions_train.csv.gz", "sessions_test.csv.gz"):
        with gzip.open(data_dir / name, "rt", newline="") as f:
            for row in csv.DictReader(f):
                sessions[row["user_id"]].append([int(v) for v in row["poi_sequence"].split()])
    zone = ZoneInfo(NEW_YORK)
    base = datetime(2012, 4, 2, 10, 0, tzinfo=zone)
    history: list[tuple[str, int, datetime]] = []
    cases: list[_UserCase] = []
    with (data_dir / "labels_test.csv").open(newline="") as f:
        labels = {row["user_id"]: int(row["next_poi_id"]) for row in csv.DictReader(f)}
    for user, user_sessions in sorted(sessions.items(), key=lambda kv: int(kv[0])):
        last_at = base
        for day, seq in enumerate(user_sessions):
            for step, vid in enumerate(seq):
                last_at = base + timedelta(days=day, hours=step)
                history.append((user, vid, last_at))
        if user in labels and user_sessions and user_sessions[-1]:
            cases.append(
                _UserCase(user, user_sessions[-1][-1], last_at + timedelta(hours=1), labels[user])
            )
    return DataSet(
        "DCHL NYC (sessions)",
        "history: train and test sessions; target: DCHL's test label after the last session",
        venues,
        history,
        cases,
    )


DATASETS: dict[str, Callable[[Path], DataSet | None]] = {
    "stan": stan_leave_last_out,
    "dchl": dchl_sessions,
    "getnext-val": lambda root: getnext_split(root, "val"),
    "getnext-test": lambda root: getnext_split(root, "test"),
}


def _write_inputs(workdir: Path, data: DataSet) -> tuple[Path, Path]:
    businesses = workdir / "venues.csv"
    with businesses.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["external_id", "name", "category", "lat", "lon"])
        for vid, (lat, lon) in sorted(data.venues.items()):
            w.writerow([f"nyc-{vid}", f"Venue {vid}", "venue", repr(lat), repr(lon)])
    interactions = workdir / "checkins.csv"
    with interactions.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["user_id", "business_external_id", "kind", "at"])
        for user, vid, at in data.history:
            w.writerow([user, f"nyc-{vid}", "visit", at.isoformat()])
    return businesses, interactions


def run_nextpoi(
    data_root: Path,
    *,
    datasets: Sequence[str] = tuple(DATASETS),
    limit_users: int | None = None,
    workdir: Path | None = None,
    say: Callable[[str], None] = print,
) -> dict[str, dict[str, Metrics]] | None:
    """Run every data set found; per data set, the metrics by ranker. None when none is
    present (the message names where they were looked for)."""
    results: dict[str, dict[str, Metrics]] = {}
    for key in datasets:
        data = DATASETS[key](data_root)
        if data is None:
            say(f"{key}: data not found under {data_root}; skipped.")
            continue
        say(f"\n== {data.name}: {len(data.cases):,} queries. {data.protocol}")
        results[data.name] = _run_one(data, limit_users=limit_users, workdir=workdir, say=say)
    return results or None


def _run_one(
    data: DataSet, *, limit_users: int | None, workdir: Path | None, say: Callable[[str], None]
) -> dict[str, Metrics]:
    with tempfile.TemporaryDirectory(prefix="dekat-eval-") as tmp:
        folder = Path(tmp) if workdir is None else workdir
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "eval.db").unlink(missing_ok=True)
        settings = Settings(
            database_url=f"sqlite:///{folder / 'eval.db'}", demo_count=0, timezone=NEW_YORK
        )
        started = time.perf_counter()
        prepare_database(settings, demo=False)
        businesses_csv, interactions_csv = _write_inputs(folder, data)
        cases = data.cases[:limit_users] if limit_users else data.cases
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
                refresh = refresh_model(session, timezone=NEW_YORK, say=say)
                say(
                    f"model and ranker ({refresh.blend_source}, {refresh.trees} trees) "
                    "refreshed from "
                    f"{refresh.n_events:,} interactions in {refresh.seconds:.1f} s; "
                    f"setup {time.perf_counter() - started:.1f} s"
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
                return _evaluate(session, cases, data, ext_to_id, settings, say)
        finally:
            engine.dispose()


def _evaluate(
    session: Session,
    cases: list[_UserCase],
    data: DataSet,
    ext_to_id: dict[str, int],
    settings: Settings,
    say: Callable[[str], None],
) -> dict[str, Metrics]:
    venues = data.venues
    id_of = {vid: ext_to_id[f"nyc-{vid}"] for vid in venues if f"nyc-{vid}" in ext_to_id}
    by_user: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    popularity: Counter[int] = Counter()
    for user, vid, at in data.history:
        by_user[user].append((at, vid))
        popularity[vid] += 1
    for items in by_user.values():
        items.sort()
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
        visits: Counter[int] = Counter()
        last_seen: dict[int, datetime] = {}
        for at, vid in by_user[case.user]:
            if at < case.at:
                visits[vid] += 1
                last_seen[vid] = at
        mine = sorted(visits, key=lambda v: (-visits[v], -last_seen[v].timestamp(), v))[:20]
        ranks["user's most-visited"].append(_rank(case.target, mine))
        if (n + 1) % 200 == 0:
            say(f"  {n + 1}/{len(cases)} queries")
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
