#!/usr/bin/env python3
"""Bounded concurrent load against a real ``dekat serve --workers 2``, then a full audit.

The script makes a scratch database (a temporary SQLite file, or a scratch database on the
PostgreSQL server that ``--database-url`` names), loads demo businesses, starts the server
on 127.0.0.1 with a free port and rate limits raised out of the way, and runs mixed traffic
from many client threads for ``--seconds`` (at most 60): searches, autocomplete, business
pages, recommendations, submissions, reviews and interactions — whichever of these the
server's OpenAPI document offers. Then it stops the server and checks, straight in the
database, that:

* every write the server accepted (2xx) is stored exactly once, with what was sent;
* nothing else was written (no write that the client saw fail is in the database);
* the derived aggregates (rating sums and counts, interaction counts) equal a recount;
* no request failed with a 5xx or "database is locked".

It prints requests/s, p50/p99 latency per operation and the error counts, and exits 1 on
any lost or duplicated write, wrong aggregate, 5xx or lock error::

    .venv/bin/python scripts/load_test.py --seconds 30
    .venv/bin/python scripts/load_test.py --seconds 30 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from serverctl import dekat_command, dekat_env, exit_on_sigterm, running_server
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Connection, make_url

from directory.db import make_engine
from directory.models import Business, Interaction, Review, Submission

MAX_SECONDS = 60
QUERIES = ("kopi", "nasi padang", "bengkel", "apotek", "warung", "bakso", "laundry", "salon")
PLACES = ((-6.3016, 106.6527), (-6.2250, 106.6520), (-6.2700, 106.7450), (-6.3400, 106.7350))
AREAS = ("bsd-city", "alam-sutera", "gading-serpong", "bintaro-jaya", "pamulang", "ciputat")


# ------------------------------------------------------------------------------ records


@dataclass(frozen=True, slots=True)
class Sample:
    """One request: which operation, what came back, how long it took."""

    op: str
    status: int
    latency_s: float
    locked: bool = False
    error: str = ""


@dataclass
class Ledger:
    """Writes the server accepted, keyed by the unique marker each one carried."""

    submissions: dict[str, str] = field(default_factory=dict)  # marker -> submission id
    # reviewer key -> (business, rating, marker) of the last accepted post by that reviewer
    reviews: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    interactions: dict[str, tuple[int, str]] = field(default_factory=dict)  # user -> (biz, kind)
    # Keys of writes that were sent but whose answer never arrived (a timeout, or the
    # server killed mid-request): each may or may not be stored, and both are fine.
    in_doubt: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def uncertain(self) -> int:
        """How many writes are in doubt."""
        return len(self.in_doubt)


@dataclass
class World:
    """What the traffic knows about the server: its operations and some business ids."""

    base_url: str
    paths: set[str]
    business_ids: list[int]
    ledger: Ledger = field(default_factory=Ledger)
    # Headers with an API key of scope interactions:write (``writer_key_headers``).
    api_headers: dict[str, str] = field(default_factory=dict)
    local: threading.local = field(default_factory=threading.local)

    def has(self, method: str, path: str) -> bool:
        return f"{method} {path}" in self.paths

    def sending(self, key: str) -> None:
        """Note the ledger key of the write this thread is about to send."""
        self.local.key = key

    def lost_answer(self, exc: httpx.HTTPError) -> None:
        """The request of this thread got no answer: its write (if any) is in doubt, unless
        the connection was never made (then nothing reached the server)."""
        key = self.local.__dict__.pop("key", None)
        if key is not None and not isinstance(exc, NOT_SENT):
            with self.ledger.lock:
                self.ledger.in_doubt.add(key)

    def answered(self) -> None:
        """The request of this thread got an answer (whatever it was)."""
        self.local.__dict__.pop("key", None)


NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport errors raised before a request left the client."""

Operation = Callable[[httpx.Client, World, random.Random, str], tuple[httpx.Response, bool]]
"""Sends one request; returns the response and whether it was a write."""


# --------------------------------------------------------------------------- operations


def op_search(
    client: httpx.Client, _world: World, rng: random.Random, _marker: str
) -> tuple[httpx.Response, bool]:
    lat, lon = rng.choice(PLACES)
    params: dict[str, Any] = {"q": rng.choice(QUERIES), "limit": 20}
    if rng.random() < 0.5:
        params.update(lat=lat, lon=lon, radius_m=rng.choice((1000, 3000, 10000)))
    elif rng.random() < 0.5:
        params["area"] = rng.choice(AREAS)
    if rng.random() < 0.3:
        params["sort"] = (
            rng.choice(("distance", "rating", "newest")) if "lat" in params else "rating"
        )
    return client.get("/api/v1/businesses", params=params), False


def op_autocomplete(
    client: httpx.Client, _world: World, rng: random.Random, _marker: str
) -> tuple[httpx.Response, bool]:
    word = rng.choice(QUERIES)
    return client.get(
        "/api/v1/autocomplete", params={"q": word[: rng.randint(2, len(word))]}
    ), False


def op_business(
    client: httpx.Client, world: World, rng: random.Random, _marker: str
) -> tuple[httpx.Response, bool]:
    return client.get(f"/api/v1/businesses/{rng.choice(world.business_ids)}"), False


def op_recommendations(
    client: httpx.Client, _world: World, rng: random.Random, _marker: str
) -> tuple[httpx.Response, bool]:
    lat, lon = rng.choice(PLACES)
    params: dict[str, Any] = {"lat": lat, "lon": lon, "limit": 10}
    if rng.random() < 0.5:
        params["user_id"] = f"load-user-{rng.randint(1, 50)}"
    return client.get("/api/v1/recommendations", params=params), False


def op_submission(
    client: httpx.Client, world: World, rng: random.Random, marker: str
) -> tuple[httpx.Response, bool]:
    lat, lon = rng.choice(PLACES)
    body = {
        "name": f"Warung Uji {marker}",
        "category": "warung-makan",
        "lat": round(lat + rng.uniform(-0.01, 0.01), 6),
        "lon": round(lon + rng.uniform(-0.01, 0.01), 6),
        "address": f"Jl. Beban No. {rng.randint(1, 999)}",
        "description": f"load {marker}",
    }
    world.sending(marker)
    response = client.post("/api/v1/submissions", json=body)
    if 200 <= response.status_code < 300:
        with world.ledger.lock:
            world.ledger.submissions[marker] = str(response.json().get("id", ""))
    return response, True


def op_review(
    client: httpx.Client, world: World, rng: random.Random, marker: str
) -> tuple[httpx.Response, bool]:
    """A new review, or (one time in five) this client's earlier reviewer reviewing the
    same business again, which must replace the earlier review, not add one."""
    mine: list[tuple[str, int]] = world.local.__dict__.setdefault("reviewers", [])
    if mine and rng.random() < 0.2:
        reviewer, business_id = rng.choice(mine)
    else:
        reviewer, business_id = f"rv-{marker}", rng.choice(world.business_ids)
    rating = rng.randint(1, 5)
    world.sending(reviewer)
    response = client.post(
        f"/api/v1/businesses/{business_id}/reviews",
        json={"rating": rating, "text": f"ulasan {reviewer} {marker}"},
        headers={"X-Reviewer-Key": reviewer},
    )
    if 200 <= response.status_code < 300:
        if (reviewer, business_id) not in mine:
            mine.append((reviewer, business_id))
        with world.ledger.lock:
            world.ledger.reviews[reviewer] = (business_id, rating, marker)
    return response, True


def op_interaction(
    client: httpx.Client, world: World, rng: random.Random, marker: str
) -> tuple[httpx.Response, bool]:
    business_id = rng.choice(world.business_ids)
    kind = rng.choice(("view", "click", "save", "call", "visit"))
    world.sending(marker)
    response = client.post(
        "/api/v1/interactions",
        json={"user_id": marker, "business_id": business_id, "kind": kind},
        headers=world.api_headers,
    )
    if 200 <= response.status_code < 300:
        with world.ledger.lock:
            world.ledger.interactions[marker] = (business_id, kind)
    return response, True


# (name, method, path in the OpenAPI document, weight, function)
OPERATIONS: tuple[tuple[str, str, str, int, Operation], ...] = (
    ("search", "GET", "/api/v1/businesses", 30, op_search),
    ("autocomplete", "GET", "/api/v1/autocomplete", 15, op_autocomplete),
    ("business", "GET", "/api/v1/businesses/{business_id}", 15, op_business),
    ("recommendations", "GET", "/api/v1/recommendations", 15, op_recommendations),
    ("submission", "POST", "/api/v1/submissions", 5, op_submission),
    ("review", "POST", "/api/v1/businesses/{business_id}/reviews", 8, op_review),
    ("interaction", "POST", "/api/v1/interactions", 12, op_interaction),
)


def enabled_operations(world: World) -> list[tuple[str, int, Operation]]:
    """The operations this server offers (features land over time)."""
    return [(name, w, fn) for name, method, path, w, fn in OPERATIONS if world.has(method, path)]


# ------------------------------------------------------------------------------ traffic


def _is_locked(response: httpx.Response) -> bool:
    return "database is locked" in response.text.lower()


def client_loop(
    world: World,
    ops: list[tuple[str, int, Operation]],
    *,
    client_no: int,
    deadline: float,
    seed: int,
    samples: list[Sample],
) -> None:
    """One client: random operations back to back until the deadline."""
    rng = random.Random(seed * 1000 + client_no)
    names = [name for name, _, _ in ops]
    weights = [w for _, w, _ in ops]
    fns = {name: fn for name, _, fn in ops}
    local: list[Sample] = []
    seq = 0
    with httpx.Client(base_url=world.base_url, timeout=30.0) as client:
        while time.monotonic() < deadline:
            name = rng.choices(names, weights)[0]
            seq += 1
            marker = f"c{client_no}s{seq}x{uuid.uuid4().hex[:6]}"
            started = time.perf_counter()
            try:
                response, _write = fns[name](client, world, rng, marker)
            except httpx.HTTPError as exc:
                world.lost_answer(exc)
                local.append(Sample(name, 0, time.perf_counter() - started, error=repr(exc)))
                continue
            world.answered()
            latency = time.perf_counter() - started
            error = response.text[:300] if response.status_code >= 500 else ""
            local.append(Sample(name, response.status_code, latency, _is_locked(response), error))
    samples.extend(local)


def run_traffic(world: World, *, seconds: float, clients: int, seed: int) -> list[Sample]:
    """Many clients at once for ``seconds``; returns every sample."""
    ops = enabled_operations(world)
    if not ops:
        raise RuntimeError("the server offers none of the load operations")
    samples: list[Sample] = []
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=client_loop,
            kwargs={
                "world": world,
                "ops": ops,
                "client_no": n,
                "deadline": deadline,
                "seed": seed,
                "samples": samples,
            },
            daemon=True,
        )
        for n in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    return samples


# ----------------------------------------------------------------------------- figures


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


@dataclass
class LoadFigures:
    """What the run achieved."""

    seconds: float
    clients: int
    requests: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    by_operation: dict[str, dict[str, float]]
    statuses: dict[str, int]
    server_errors: int
    locked: int
    transport_errors: int
    accepted_writes: dict[str, int]
    problems: list[str]

    def lines(self) -> list[str]:
        out = [
            f"{self.requests} requests from {self.clients} clients in {self.seconds:.1f} s: "
            f"{self.requests_per_s:.0f} req/s, p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms",
            f"statuses {self.statuses}; 5xx {self.server_errors}; 'database is locked' "
            f"{self.locked}; transport errors {self.transport_errors}",
            f"accepted writes {self.accepted_writes}",
        ]
        for name, f in sorted(self.by_operation.items()):
            out.append(
                f"  {name:16} {int(f['count']):6d} req  p50 {f['p50_ms']:7.1f} ms  "
                f"p99 {f['p99_ms']:7.1f} ms  non-2xx {int(f['non_2xx'])}"
            )
        out.extend(f"PROBLEM: {p}" for p in self.problems)
        out.append(
            "OK: no lost writes, aggregates recount, no 5xx" if not self.problems else "FAILED"
        )
        return out


def figures(
    samples: list[Sample], *, seconds: float, clients: int, ledger: Ledger, problems: list[str]
) -> LoadFigures:
    """Throughput, latency percentiles and error counts from the samples."""
    latencies = [s.latency_s * 1000 for s in samples]
    per_op: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        per_op[s.op].append(s)
    return LoadFigures(
        seconds=seconds,
        clients=clients,
        requests=len(samples),
        requests_per_s=len(samples) / seconds if seconds else 0.0,
        p50_ms=_percentile(latencies, 50),
        p99_ms=_percentile(latencies, 99),
        by_operation={
            name: {
                "count": len(items),
                "p50_ms": _percentile([s.latency_s * 1000 for s in items], 50),
                "p99_ms": _percentile([s.latency_s * 1000 for s in items], 99),
                "non_2xx": sum(1 for s in items if not 200 <= s.status < 300),
            }
            for name, items in per_op.items()
        },
        statuses={str(k): v for k, v in sorted(Counter(s.status for s in samples).items())},
        server_errors=sum(1 for s in samples if s.status >= 500),
        locked=sum(1 for s in samples if s.locked),
        transport_errors=sum(1 for s in samples if s.status == 0),
        accepted_writes={
            "submissions": len(ledger.submissions),
            "reviews": len(ledger.reviews),
            "interactions": len(ledger.interactions),
        },
        problems=problems,
    )


# ---------------------------------------------------------------------------- database


@contextmanager
def scratch_database(url: str | None, work_dir: Path) -> Iterator[str]:
    """A database for this run only: a temp SQLite file, or a new PostgreSQL database."""
    if not url or url.startswith("sqlite"):
        yield f"sqlite:///{work_dir / 'load.db'}"
        return
    name = f"dekat_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def prepare(database_url: str, work_dir: Path, *, businesses: int) -> None:
    """``dekat migrate`` and ``dekat seed-demo`` as an operator would run them."""
    env = dekat_env(database_url, work_dir / "media")
    for args in (["migrate"], ["seed-demo", "--count", str(businesses)]):
        subprocess.run([*dekat_command(), *args], env=env, check=True, capture_output=True)


def writer_key_headers(database_url: str, work_dir: Path) -> dict[str, str]:
    """An API key for POST /api/v1/interactions, made with the operator's CLI."""
    env = dekat_env(database_url, work_dir / "media")
    name = f"load-{uuid.uuid4().hex[:8]}"
    done = subprocess.run(
        [*dekat_command(), "admin", "create-key", name, "--scope", "interactions:write"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return {"Authorization": f"Bearer {done.stdout.strip()}"}


def audit(database_url: str, ledger: Ledger) -> list[str]:
    """Everything accepted is stored exactly once; nothing else is; aggregates recount."""
    problems: list[str] = []
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            if ledger.submissions:
                rows = conn.execute(
                    select(Submission.id, Submission.payload).where(
                        Submission.payload["description"].as_string().like("load %")
                    )
                ).all()
                by_marker = Counter(str(p.get("description", ""))[5:] for _, p in rows)
                problems += _exactly_once("submission", ledger.submissions, by_marker, ledger)
            if ledger.reviews:
                rows = conn.execute(
                    select(Review.business_id, Review.rating, Review.text).where(
                        Review.text.like("ulasan rv-%"), Review.status == "live"
                    )
                ).all()
                by_reviewer = Counter(t.split()[1] for _, _, t in rows)
                problems += _exactly_once("review", ledger.reviews, by_reviewer, ledger)
                stored = {t.split()[1]: (b, r, t.split()[2]) for b, r, t in rows}
                wrong = [
                    k
                    for k, v in ledger.reviews.items()
                    if k in stored and stored[k] != v and k not in ledger.in_doubt
                ]
                if wrong:
                    k = wrong[0]
                    problems.append(
                        f"{len(wrong)} reviewers' live review is not their last accepted one, "
                        f"e.g. {k}: stored {stored[k]}, accepted {ledger.reviews[k]}"
                    )
            if ledger.interactions:
                rows = conn.execute(
                    select(Interaction.user_id, Interaction.business_id, Interaction.kind).where(
                        Interaction.user_id.like("c%s%x%")
                    )
                ).all()
                by_marker = Counter(u for u, _, _ in rows)
                problems += _exactly_once("interaction", ledger.interactions, by_marker, ledger)
            problems += aggregate_problems(conn)
    finally:
        engine.dispose()
    return problems


def _exactly_once(
    kind: str, accepted: dict[str, Any], stored: Counter[str], ledger: Ledger
) -> list[str]:
    problems: list[str] = []
    lost = [m for m in accepted if stored.get(m, 0) == 0]
    doubled = [m for m, n in stored.items() if n > 1]
    extra = [m for m in stored if m not in accepted and m not in ledger.in_doubt]
    if lost:
        problems.append(f"{len(lost)} accepted {kind}s are missing, e.g. {lost[0]}")
    if doubled:
        problems.append(f"{len(doubled)} {kind}s are stored more than once, e.g. {doubled[0]}")
    if extra:
        problems.append(
            f"{len(extra)} {kind}s stored that the server refused or never got, e.g. {extra[0]}"
        )
    return problems


def aggregate_problems(conn: Connection) -> list[str]:
    """rating_sum/rating_count = imported baseline + live reviews; interaction_count = rows."""
    problems: list[str] = []
    reviews = {
        b: (float(s or 0), int(n))
        for b, s, n in conn.execute(
            select(Review.business_id, func.sum(Review.rating), func.count())
            .where(Review.status == "live")
            .group_by(Review.business_id)
        )
    }
    interactions = dict(
        conn.execute(
            select(Interaction.business_id, func.count()).group_by(Interaction.business_id)
        ).all()
    )
    bad_rating = bad_count = 0
    example = ""
    for bid, rsum, rcount, bsum, bcount, icount in conn.execute(
        select(
            Business.id,
            Business.rating_sum,
            Business.rating_count,
            Business.base_rating_sum,
            Business.base_rating_count,
            Business.interaction_count,
        )
    ):
        live_sum, live_n = reviews.get(bid, (0.0, 0))
        if rcount != bcount + live_n or abs(rsum - (bsum + live_sum)) > 1e-6:
            bad_rating += 1
            example = (
                example or f"business {bid}: {rsum}/{rcount} vs {bsum + live_sum}/{bcount + live_n}"
            )
        if icount != interactions.get(bid, 0):
            bad_count += 1
            example = (
                example
                or f"business {bid}: interaction_count {icount} vs {interactions.get(bid, 0)}"
            )
    if bad_rating:
        problems.append(
            f"{bad_rating} businesses' rating aggregates differ from a recount ({example})"
        )
    if bad_count:
        problems.append(
            f"{bad_count} businesses' interaction counts differ from a recount ({example})"
        )
    return problems


def _db_business_ids(database_url: str) -> list[int]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    select(Business.id).where(Business.status == "published").limit(500)
                ).scalars()
            )
    finally:
        engine.dispose()


def openapi_paths(base_url: str) -> set[str]:
    doc = httpx.get(f"{base_url}/openapi.json", timeout=30).json()
    return {
        f"{method.upper()} {path}"
        for path, item in doc.get("paths", {}).items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


# --------------------------------------------------------------------------------- main


def _say(message: str) -> None:
    sys.stderr.write(f"[load] {message}\n")
    sys.stderr.flush()


def run_load(
    *,
    seconds: float,
    clients: int,
    database_url: str | None,
    businesses: int,
    workers: int,
    seed: int,
) -> LoadFigures:
    """Set up, load, stop, audit; the whole run as a function (the test suite calls it)."""
    seconds = min(seconds, MAX_SECONDS)
    with tempfile.TemporaryDirectory(prefix="dekat-load-") as tmp:
        work_dir = Path(tmp)
        with scratch_database(database_url, work_dir) as url:
            _say(f"preparing {url.split('://')[0]} database with {businesses} businesses")
            prepare(url, work_dir, businesses=businesses)
            ids = _db_business_ids(url)
            _say("starting dekat serve")
            with running_server(url, work_dir, workers=workers) as server:
                _say(f"{clients} clients for {seconds:.0f} s against {server.base_url}")
                world = World(
                    base_url=server.base_url,
                    paths=openapi_paths(server.base_url),
                    business_ids=ids,
                    api_headers=writer_key_headers(url, work_dir),
                )
                started = time.monotonic()
                samples = run_traffic(world, seconds=seconds, clients=clients, seed=seed)
                elapsed = time.monotonic() - started
                _say("traffic done; stopping the server")
            _say("auditing the database")
            problems = audit(url, world.ledger)
            result = figures(
                samples, seconds=elapsed, clients=clients, ledger=world.ledger, problems=problems
            )
            if result.server_errors:
                first = next(s for s in samples if s.status >= 500)
                result.problems.append(
                    f"{result.server_errors} 5xx answers, e.g. {first.op}: {first.error}"
                )
            if result.locked:
                result.problems.append(f"{result.locked} answers said 'database is locked'")
            if result.transport_errors:
                first = next(s for s in samples if s.status == 0)
                result.problems.append(
                    f"{result.transport_errors} requests got no answer, e.g. {first.error}"
                )
            return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=float, default=30.0, help=f"traffic time (≤ {MAX_SECONDS})"
    )
    parser.add_argument("--clients", type=int, default=24, help="concurrent client threads")
    parser.add_argument("--database-url", help="PostgreSQL server to make a scratch database on")
    parser.add_argument("--businesses", type=int, default=2000, help="demo businesses to load")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    exit_on_sigterm()
    result = run_load(
        seconds=args.seconds,
        clients=args.clients,
        database_url=args.database_url,
        businesses=args.businesses,
        workers=args.workers,
        seed=args.seed,
    )
    sys.stdout.write("\n".join(result.lines()) + "\n")
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=2))
    return 1 if result.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
