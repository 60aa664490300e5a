"""Next-visit evaluation of the recommender library on Foursquare NYC (leave-last-out).

Protocol (the one STAN and DCHL use for their last-visit test):

* data: ``../shared/data/foursquare_nyc_stan`` (1,083 users, 5,135 venues, 147,938
  check-ins; no categories, no ratings, so every venue is a "venue" of reach "local"
  with no rating);
* each user's check-ins sorted by time; every check-in except each user's last is an
  interaction (kind "visit") fed to ``InteractionModel.fit`` and to that user's history;
* one query per user: at the venue of the second-to-last check-in (the query point and
  the "current place"), at the time of the last check-in, with the user's id; the target
  is the venue of the last check-in;
* candidates: the ``--nearest`` venues nearest to the query point, plus the user's own
  places, plus ``related_items`` of those places and of the current place; every other
  venue counts as ranked below the 20 returned;
* metrics: Acc@1/5/10/20 (target in the top k) and MRR@20, with baselines computed in the
  same run over all venues: most popular, nearest to the query point, the user's
  most-visited places (ties: most recently visited first).

``--split val`` moves everything one check-in back (target: the second-to-last check-in,
and the last is dropped from the interactions); weights were tuned on it so the test
figures stay out of the tuning. Times: ``time_min`` counts minutes from 2012-04-03 17:59
UTC (found by matching check-ins with the GETNext copy of the same data, which carries UTC
times); wall-clock hours are read in America/New_York.

    .venv/bin/python benchmarks/eval_nextpoi_lib.py
    .venv/bin/python benchmarks/eval_nextpoi_lib.py --split val --set revisit=2.5
    .venv/bin/python benchmarks/eval_nextpoi_lib.py --fit

``--fit`` fits the blend of signals and the tree ranker as ``dekat recommender refresh``
does (from the interactions only: ``recommender.holdout``, ``recommender.blend`` and
``recommender.tree_fit``) and ranks with them; ``--no-trees`` leaves the trees out.

Exits 0 with a message when the shared data are absent.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from recommender import (
    DEFAULT_WEIGHTS,
    SIGNALS,
    Candidate,
    Context,
    Event,
    InteractionModel,
    RankingWeights,
    UserHistory,
    build_history,
    rank,
)
from recommender.blend import choose_blend
from recommender.holdout import Places, build_groups
from recommender.tree_fit import choose_ranker

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
ORIGIN = datetime(2012, 4, 3, 17, 59, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")
EARTH_RADIUS_M = 6_371_008.8  # the mean radius directory.geo uses
KS = (1, 5, 10, 20)


@dataclass(frozen=True)
class Query:
    """One user's test case."""

    user_id: str
    context: Context
    history: UserHistory
    candidates: list[Candidate]
    target: int
    own_counts: dict[int, tuple[int, float]]  # place -> (visits, last visit epoch)
    sources: dict[str, frozenset[int]]  # candidate source -> the places it brought


@dataclass(frozen=True)
class Prepared:
    """Everything the rankers need, built once."""

    queries: list[Query]
    model: InteractionModel
    fit_s: float
    venue_ids: NDArray[np.int64]
    venue_lat: NDArray[np.float64]
    venue_lon: NDArray[np.float64]
    interactions: int


def haversine_m(
    lat: float, lon: float, lats: NDArray[np.float64], lons: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Great-circle distances from one point to many (vectorised ``directory.geo.distance_m``)."""
    p1, p2 = np.radians(lat), np.radians(lats)
    dp, dl = p2 - p1, np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    result: NDArray[np.float64] = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return result


def prepare(data_dir: Path, *, holdout: int, nearest: int, related: int) -> Prepared:
    """Load the check-ins, fit the model on the interactions and build every query."""
    raw = np.loadtxt(data_dir / "checkins.csv.gz", delimiter=",", skiprows=1, dtype=np.int64)
    pois = np.loadtxt(data_dir / "pois.csv", delimiter=",", skiprows=1)
    raw = raw[np.lexsort((raw[:, 2], raw[:, 0]))]
    users, places, minutes = raw[:, 0], raw[:, 1], raw[:, 2]
    venue_ids = pois[:, 0].astype(np.int64)
    lat_of = dict(zip(venue_ids.tolist(), pois[:, 1].tolist(), strict=True))
    lon_of = dict(zip(venue_ids.tolist(), pois[:, 2].tolist(), strict=True))
    at = [(ORIGIN + timedelta(minutes=int(m))).astimezone(NEW_YORK) for m in minutes]

    ends = np.r_[np.flatnonzero(np.diff(users)) + 1, users.shape[0]]
    starts = np.r_[0, ends[:-1]]
    kept = np.ones(users.shape[0], dtype=bool)
    for h in range(1, holdout + 1):
        kept[ends - h] = False
    events = [Event(str(users[i]), int(places[i]), at[i], "visit") for i in np.flatnonzero(kept)]
    started = time.perf_counter()
    model = InteractionModel.fit(events)
    fit_s = time.perf_counter() - started

    queries = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        t = e - holdout  # the target check-in
        if t - 1 < s:
            continue
        current = int(places[t - 1])
        own = [(int(places[i]), at[i], "visit") for i in range(s, t)]
        history = build_history(own, user_id=str(users[s]))
        context = Context(lat=lat_of[current], lon=lon_of[current], at=at[t], user_id=str(users[s]))
        candidates, sources = _candidates(
            context, history, model, pois, nearest=nearest, related=related
        )
        own_counts: dict[int, tuple[int, float]] = {}
        for place, when, _ in own:
            visits, _last = own_counts.get(place, (0, 0.0))
            own_counts[place] = (visits + 1, when.timestamp())
        queries.append(
            Query(str(users[s]), context, history, candidates, int(places[t]), own_counts, sources)
        )
    return Prepared(
        queries, model, fit_s, venue_ids, pois[:, 1].copy(), pois[:, 2].copy(), len(events)
    )


def _candidates(
    context: Context,
    history: UserHistory,
    model: InteractionModel,
    pois: NDArray[np.float64],
    *,
    nearest: int,
    related: int,
) -> tuple[list[Candidate], dict[str, frozenset[int]]]:
    """Nearest venues ∪ the user's places ∪ places related to them and to the current one,
    and which places each of those sources brought."""
    distance = haversine_m(context.lat, context.lon, pois[:, 1], pois[:, 2])
    nearest_rows = np.argsort(distance, kind="stable")[:nearest]
    rows = set(nearest_rows.tolist())
    ids = pois[:, 0].astype(np.int64)
    row_of = {int(v): i for i, v in enumerate(ids.tolist())}
    engagement = {int(b): float(np.log1p(n)) for b, n in history.visit_counts.items()}
    sources = {
        "nearest": frozenset(ids[nearest_rows].tolist()),
        "own": frozenset(engagement),
        "related to own": frozenset(b for b, _ in model.related_items(engagement, limit=related)),
        "related to last": frozenset(
            b for b, _ in model.related_items([history.last_business_id], limit=related // 2)
        )
        if history.last_business_id is not None
        else frozenset(),
    }
    wanted = sources["own"] | sources["related to own"] | sources["related to last"]
    rows.update(row_of[b] for b in wanted if b in row_of)
    ordered = sorted(rows)
    popularity = model.activity_of(ids[ordered])
    candidates = [
        Candidate(
            business_id=int(ids[r]),
            lat=float(pois[r, 1]),
            lon=float(pois[r, 2]),
            distance_m=float(distance[r]),
            category="venue",
            reach="local",
            popularity=float(p),
        )
        for r, p in zip(ordered, popularity.tolist(), strict=True)
    ]
    return candidates, sources


@dataclass(frozen=True)
class Metrics:
    """Accuracy at each k and MRR@20 over the queries."""

    acc: dict[int, float]
    mrr: float

    @classmethod
    def from_ranks(cls, ranks: Sequence[int | None]) -> Metrics:
        n = len(ranks)
        acc = {k: sum(1 for r in ranks if r is not None and r < k) / n for k in KS}
        mrr = sum(1.0 / (r + 1) for r in ranks if r is not None and r < 20) / n
        return cls(acc, mrr)


def _rank_of(target: int, ranked: Sequence[int]) -> int | None:
    try:
        return list(ranked).index(target)
    except ValueError:
        return None


def evaluate_recommender(
    prep: Prepared, weights: RankingWeights
) -> tuple[Metrics, list[float], list[int]]:
    """The library's ranking: metrics, per-call latencies (ms) and candidate counts."""
    ranks: list[int | None] = []
    latencies: list[float] = []
    without: list[float] = []
    for q in prep.queries:
        started = time.perf_counter()
        result = rank(
            q.context, q.candidates, history=q.history, model=prep.model, weights=weights, limit=20
        )
        latencies.append((time.perf_counter() - started) * 1000.0)
        ranks.append(_rank_of(q.target, [r.business_id for r in result]))
        if prep.model.ranker is not None:  # the same call without the trees, alternated
            started = time.perf_counter()
            rank(
                q.context,
                q.candidates,
                history=q.history,
                model=prep.model,
                weights=weights,
                limit=20,
                trees=False,
            )
            without.append((time.perf_counter() - started) * 1000.0)
    if without:
        without.sort()
        print(
            f"rank() without the trees, same calls alternated: median "
            f"{statistics.median(without):.2f} ms, "
            f"p95 {without[int(0.95 * (len(without) - 1))]:.2f} ms"
        )
    return Metrics.from_ranks(ranks), latencies, [len(q.candidates) for q in prep.queries]


def evaluate_baseline(prep: Prepared, top20: Callable[[Query], list[int]]) -> Metrics:
    """A baseline that ranks all venues itself."""
    return Metrics.from_ranks([_rank_of(q.target, top20(q)) for q in prep.queries])


def baselines(prep: Prepared) -> dict[str, Callable[[Query], list[int]]]:
    """Most popular overall, nearest to the query point, the user's most-visited places."""
    activity = prep.model.activity_of(prep.venue_ids)
    popular = [int(prep.venue_ids[i]) for i in np.lexsort((prep.venue_ids, -activity))[:20]]

    def nearest(q: Query) -> list[int]:
        d = haversine_m(q.context.lat, q.context.lon, prep.venue_lat, prep.venue_lon)
        return [int(prep.venue_ids[i]) for i in np.lexsort((prep.venue_ids, d))[:20]]

    def most_visited(q: Query) -> list[int]:
        order = sorted(q.own_counts.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
        return [place for place, _ in order[:20]]

    return {
        "most popular overall": lambda _q: popular,
        "nearest to the query point": nearest,
        "user's most-visited": most_visited,
    }


def coverage(prep: Prepared) -> str:
    """How often the target is among the candidates at all, overall and by source."""
    n = len(prep.queries)
    among = sum(1 for q in prep.queries if q.target in {c.business_id for c in q.candidates})
    names = ("own", "nearest", "related to own", "related to last")
    parts = ", ".join(
        f"{name} {sum(1 for q in prep.queries if q.target in q.sources[name]) / n:.1%}"
        for name in names
    )
    return f"target among the candidates: {among / n:.1%} of queries (by source: {parts})"


def _row(name: str, m: Metrics) -> str:
    cells = " | ".join(f"{m.acc[k]:.4f}" for k in KS)
    return f"| {name} | {cells} | {m.mrr:.4f} |"


def print_published(data_root: Path) -> None:
    """The NYC rows of the published results, for scale only."""
    path = data_root / "published_results_next_poi.md"
    if not path.exists():
        return
    print("\nPublished NYC results (OTHER protocols: GETNext's chronological 80/10/10 split with")
    print("24-hour trajectories, or each paper's own; for scale only, not comparable):")
    for line in path.read_text(encoding="utf-8").splitlines():
        table_row = line.startswith("| ") and "| NYC |" in line
        bullet = line.startswith("- ") and "NYC" in line and "Source" not in line
        if table_row or bullet:
            print("  " + line)


def _weights_with(overrides: Sequence[str]) -> RankingWeights:
    changes: dict[str, float] = {}
    for item in overrides:
        name, _, value = item.partition("=")
        changes[name.strip()] = float(value)
    return dataclasses.replace(DEFAULT_WEIGHTS, **changes)  # type: ignore[arg-type]


def _with_fitted_blend(
    prep: Prepared, data_dir: Path, weights: RankingWeights, *, trees: bool
) -> Prepared:
    """The prepared queries with a model carrying the blend (and, with ``trees``, the tree
    ranker) fitted on its own events, as ``dekat recommender refresh`` fits them."""
    pois = np.loadtxt(data_dir / "pois.csv", delimiter=",", skiprows=1)
    places = Places.build([(int(r[0]), r[1], r[2], "venue", "local", "", None, 0) for r in pois])
    started = time.perf_counter()
    data = build_groups(prep.model.events, places, zone=NEW_YORK, weights=weights)
    blend = choose_blend(data.train, data.holdout, data.baselines, SIGNALS, say=print)
    print(f"blend ({blend.source}) fitted in {time.perf_counter() - started:.1f} s")
    ranker = None
    if trees:
        started = time.perf_counter()
        ranker, _report = choose_ranker(
            data.train,
            data.holdout,
            data.baselines,
            blend,
            SIGNALS,
            earlier=data.earlier,
            say=print,
        )
        print(f"tree ranker fitted and checked in {time.perf_counter() - started:.1f} s")
    model = prep.model.with_state(
        blend=blend if blend.source != "default" else None, family_share={}, ranker=ranker
    )
    return dataclasses.replace(prep, model=model)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=("test", "val"), default="test")
    parser.add_argument("--nearest", type=int, default=300, help="nearest venues per query")
    parser.add_argument("--related", type=int, default=100, help="related places per query")
    parser.add_argument("--set", action="append", default=[], help="override a weight: name=value")
    parser.add_argument(
        "--fit", action="store_true", help="fit the blend on the interactions, as refresh does"
    )
    parser.add_argument(
        "--no-trees", action="store_true", help="with --fit: the linear blend only, no trees"
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N queries")
    args = parser.parse_args(argv)

    data_dir = args.data_dir / "foursquare_nyc_stan"
    if not (data_dir / "checkins.csv.gz").exists():
        print(f"Foursquare NYC data not found at {data_dir}; nothing to evaluate (skipped).")
        return 0
    weights = _weights_with(args.set)
    holdout = 1 if args.split == "test" else 2
    started = time.perf_counter()
    prep = prepare(data_dir, holdout=holdout, nearest=args.nearest, related=args.related)
    if args.limit:
        prep = dataclasses.replace(prep, queries=prep.queries[: args.limit])
    print(
        f"NYC next visit, split={args.split}: {len(prep.queries)} queries, "
        f"{prep.interactions:,} interactions, model fit {prep.fit_s:.1f} s, "
        f"prepared in {time.perf_counter() - started:.1f} s"
    )
    if args.fit:
        prep = _with_fitted_blend(prep, data_dir, weights, trees=not args.no_trees)
    metrics, latencies, sizes = evaluate_recommender(prep, weights)
    print("\n| ranker | Acc@1 | Acc@5 | Acc@10 | Acc@20 | MRR@20 |")
    print("|---|---|---|---|---|---|")
    print(_row("Dekat recommender", metrics))
    for name, ranker in baselines(prep).items():
        print(_row(name, evaluate_baseline(prep, ranker)))
    latencies.sort()
    print(
        f"\nrank() latency over {len(latencies)} calls, {statistics.mean(sizes):.0f} candidates "
        f"on average (max {max(sizes)}): median {statistics.median(latencies):.2f} ms, "
        f"p95 {latencies[int(0.95 * (len(latencies) - 1))]:.2f} ms, max {latencies[-1]:.2f} ms"
    )
    print(coverage(prep))
    print_published(args.data_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
