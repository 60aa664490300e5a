"""Search benchmark: the project's indexes against PostGIS and pg_trgm on the same data.

Builds (once, then reuses) a database of synthetic businesses made by the demo generator
(``directory/businesses/demo.py``: deterministic, clustered like a real city over Greater Jakarta,
real-looking Indonesian names), and times, in process:

* nearest 20 (all businesses, and within one category),
* everything within 2 km sorted by distance, first page of 20,
* typo text search, top 10: names with one or two typos (substitution by a neighbouring
  key, deletion, insertion or transposition, in words of at least 5 letters, at most one
  per word unless it has 9+ letters: the typos search promises to fix), with the share
  of queries whose intended business (or one with an identical name) is in the top 10,
  of all and of those whose typos the policy corrects (a typo that makes another known
  word, "makan" → "makna", is never corrected: docs/search.md, *Typo policy*),
* autocomplete (the first 3..N characters of a name, with a reader's point),
* area filter: the best rated 20 inside one area's border (kelurahan, kecamatan, townships,
  neighbourhoods, cities; the shipped polygons), and the same with a category word, with
  the share of results that lie inside the border (must be 100 %).

With PostgreSQL reachable (``--pg-url``) the same queries run against PostGIS (``geography``
GiST, ``<->`` KNN ordering, ``btree_gist`` on (category, geography), ``ST_DWithin`` read
in index order) and pg_trgm (GIN, ``<%`` ordered by ``word_similarity``) on the same rows,
printing each anchor index's definition and query plan, and the table shows project / PostGIS
(in the scratch database ``dekat_bench_search``). Then the project's own code path runs on
PostgreSQL too: the same rows copied into a migrated Dekat database (``dekat_bench_search_app``,
PostGIS spatial backend, indexed by ``index_businesses``), and a second table shows the
project's timings on SQLite and on PostgreSQL side by side (``--no-pg-project`` skips it).
The database named in ``--pg-url`` is only used to create those two scratch databases.
``--http`` also measures ``GET /api/v1/businesses`` (nearest 20) with wrk against two
uvicorn workers, on SQLite and (when built) on the PostgreSQL copy.

    .venv/bin/python benchmarks/search.py                  # 1,000,000 businesses
    .venv/bin/python benchmarks/search.py --http           # ... and over HTTP
    .venv/bin/python benchmarks/search.py --count 20000 --queries 200 --no-postgres

Databases live in ``benchmarks/out/`` (and the two PostgreSQL scratch databases) and are
rebuilt only when their parameters change.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import shapely  # noqa: E402
import shapely.prepared  # noqa: E402
from shapely.geometry import shape  # noqa: E402
from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from directory.areas.service import make_locator, seed_areas  # noqa: E402
from directory.areas.taxonomy import seed_categories  # noqa: E402
from directory.bulk_insert import DeferredIndexes  # noqa: E402
from directory.businesses.demo import generate_demo_records  # noqa: E402
from directory.db import make_engine, make_session_factory, session_scope  # noqa: E402
from directory.hours import OpeningHoursError, parse_opening_hours, to_json  # noqa: E402
from directory.io.businesses_io import BULK_TABLES  # noqa: E402
from directory.migrate import upgrade_database  # noqa: E402
from directory.models import Area, Business, BusinessCategory, Category  # noqa: E402
from directory.search.catalog import Catalog, get_catalog  # noqa: E402
from directory.search.indexer import index_businesses, optimize_search_indexes  # noqa: E402
from directory.search.indexing import bulk_search_load  # noqa: E402
from directory.search.params import SearchParams, Sort  # noqa: E402
from directory.search.query_reading import DbVocabulary, is_known_word  # noqa: E402
from directory.search.service import (  # noqa: E402
    autocomplete,
    nearest_candidates,
    search_businesses,
)
from directory.search.text_match import words as fold_words  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
SEED = 20261128
BATCH = 5000
KEYBOARD = {
    "q": "wa", "w": "qes", "e": "wrd", "r": "etf", "t": "ryg", "y": "tuh", "u": "yij",
    "i": "uok", "o": "ipl", "p": "ol", "a": "qsz", "s": "adwx", "d": "sfex", "f": "dgrc",
    "g": "fhtv", "h": "gjyb", "j": "hkun", "k": "jlim", "l": "kop", "z": "asx", "x": "zsdc",
    "c": "xdfv", "v": "cfgb", "b": "vghn", "n": "bhjm", "m": "njk",
}  # fmt: skip


# ---------------------------------------------------------------------- database build


def _stamp_path(db: Path) -> Path:
    return db.with_suffix(".json")


def _hours_json(text_value: str, cache: dict[str, Any]) -> Any:
    if text_value not in cache:
        try:
            cache[text_value] = to_json(parse_opening_hours(text_value)) if text_value else None
        except OpeningHoursError:
            cache[text_value] = None
    return cache[text_value]


def build_sqlite(db: Path, *, count: int, seed: int) -> dict[str, float]:
    """Make the benchmark database: rows by bulk insert, then the search indexes."""
    stamp = {"count": count, "seed": seed, "format": 4}  # 4: demo points inside borders
    if db.exists() and _stamp_path(db).exists():
        saved = json.loads(_stamp_path(db).read_text())
        if {k: saved.get(k) for k in stamp} == stamp:
            engine = make_engine(f"sqlite:///{db}")
            upgrade_database(engine)  # a build from before a new migration gets it now
            engine.dispose()
            if not saved.get("optimized"):  # built before the optimize step was added
                saved.setdefault("timings", {})["optimize_s"] = _optimize_sqlite(db)
                saved["optimized"] = True
                _stamp_path(db).write_text(json.dumps(saved))
            return dict(saved.get("timings", {}))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    _stamp_path(db).unlink(missing_ok=True)
    timings: dict[str, float] = {}
    engine = make_engine(f"sqlite:///{db}")
    upgrade_database(engine)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        seed_categories(session)
        seed_areas(session)
    t0 = time.perf_counter()
    records = generate_demo_records(count=count, seed=seed)
    timings["generate_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    # One transaction, loaded as a first import loads an empty directory (the same rows
    # and index entries, in a fraction of the time): secondary indexes dropped and made
    # once at the end, the search index appended to and its full-text part filled once.
    with session_scope(sessions) as session:
        deferred = DeferredIndexes(session, BULK_TABLES)
        cats = dict(session.execute(select(Category.slug, Category.id)).all())
        locator = make_locator(session)
        hours_cache: dict[str, Any] = {}
        now = datetime(2026, 11, 1, tzinfo=UTC)
        for start in range(0, len(records), 20_000):
            chunk = records[start : start + 20_000]
            areas = locator.locate_many([r.lat for r in chunk], [r.lon for r in chunk])
            rows = []
            for i, (r, area_id) in enumerate(zip(chunk, areas, strict=True), start + 1):
                rating_sum = (r.rating or 0.0) * r.rating_count if r.rating is not None else 0.0
                count_ = r.rating_count if r.rating is not None else 0
                rows.append(
                    {
                        "id": i, "slug": f"b{i}", "external_id": r.external_id, "name": r.name,
                        "description": r.description, "address": r.address, "lat": r.lat,
                        "lon": r.lon, "location_approximate": False, "area_id": area_id,
                        "primary_category_id": cats[r.category], "phone": r.phone or None,
                        "website": r.website or None, "social": {},
                        "opening_hours": r.opening_hours or None,
                        "opening_hours_json": _hours_json(r.opening_hours, hours_cache),
                        "price_level": r.price_level, "base_rating_sum": rating_sum,
                        "base_rating_count": count_, "rating_sum": rating_sum,
                        "rating_count": count_, "interaction_count": 0, "status": "published",
                        "source": "import", "created_at": now, "updated_at": now,
                        "published_at": now,
                    }
                )  # fmt: skip
            session.execute(insert(Business), rows)
            session.execute(
                insert(BusinessCategory),
                [
                    {"business_id": row["id"], "category_id": row["primary_category_id"],
                     "is_primary": True}
                    for row in rows
                ],
            )  # fmt: skip
        timings["insert_rows_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with bulk_search_load(session) as load:
            for start in range(1, count + 1, BATCH):
                ids = list(range(start, min(count, start + BATCH - 1) + 1))
                index_businesses(session, ids)
            load.finish()
        deferred.rebuild()
        timings["index_s"] = time.perf_counter() - t0
    engine.dispose()
    timings["optimize_s"] = _optimize_sqlite(db)
    _stamp_path(db).write_text(json.dumps({**stamp, "optimized": True, "timings": timings}))
    return timings


def _optimize_sqlite(db: Path) -> float:
    """What ``dekat import`` documents for after a bulk load (``optimize_search_indexes``:
    merge the FTS5 segments, refresh planner statistics), then ANALYZE and checkpoint."""
    t0 = time.perf_counter()
    engine = make_engine(f"sqlite:///{db}")
    with session_scope(make_session_factory(engine)) as session:
        optimize_search_indexes(session)
    engine.dispose()
    conn = sqlite3.connect(db)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.perf_counter() - t0


# ---------------------------------------------------------------------- workload


@dataclass(frozen=True)
class Workload:
    points: list[tuple[float, float]]
    categories: list[int]
    typo_queries: list[tuple[str, int, str]]
    prefixes: list[tuple[str, float, float]]
    areas: list[str]
    known_typos: frozenset[int] = frozenset()
    """Typo queries (by position) in which a typo turned a word into another known word
    ("makan" → "makna", "dapur" → "daur"): the typo policy never replaces a known word,
    so search cannot be expected to find the intended business from them."""


def typo_hit_share(hits: Sequence[int], work: Workload) -> str:
    """The share of typo queries with the intended business in the top 10: of all, and of
    those the typo policy can answer (no typo made another known word)."""
    total = len(work.typo_queries)
    fair = [i for i in range(total) if i not in work.known_typos]
    fair_hits = sum(1 for i in hits if i not in work.known_typos)
    return (
        f"intended in top 10: {100.0 * len(hits) / max(1, total):.1f}% of all {total}; "
        f"{100.0 * fair_hits / max(1, len(fair)):.1f}% of the {len(fair)} whose typos the "
        f"policy corrects ({total - len(fair)} turn a word into another known word)"
    )


def made_known_word(name: str, query: str, session: Session, catalog: Catalog) -> bool:
    """Whether a typo in ``query`` turned a word of ``name`` into another word search knows
    (vocabulary, taxonomy, areas, common Indonesian or English): never corrected."""
    typed = [t for a, b in zip(fold_words(name), fold_words(query), strict=False)
             if a != b for t in (b,)]  # fmt: skip
    if not typed:
        return False
    df = DbVocabulary(session).exact_df(typed)
    return any(is_known_word(t, df, catalog) for t in typed)


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word))
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + rng.choice(KEYBOARD.get(word[i], "aeiou")) + word[i:]
    if kind == 2:
        return word[:i] + rng.choice(KEYBOARD.get(word[i], "aeiou")) + word[i + 1 :]
    i = min(i, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def make_typo_query(name: str, rng: random.Random) -> str | None:
    """The name with one or two typos in words of 5+ letters (two in one word: 9+), the
    typos search promises to fix (docs/search.md, *Typo policy*)."""
    tokens = name.split()
    eligible = [i for i, t in enumerate(tokens) if len(t) >= 5 and t.isalpha()]
    if not eligible:
        return None
    typos = rng.choice((1, 2))
    picks = rng.sample(eligible, min(typos, len(eligible)))
    if typos == 2 and len(picks) == 1 and len(tokens[picks[0]]) >= 9:
        picks = picks * 2
    for i in picks:
        changed = _typo(tokens[i], rng)
        tokens[i] = changed if changed != tokens[i] else _typo(tokens[i], rng)
    return " ".join(tokens)


def make_workload(session: Session, *, queries: int, seed: int) -> Workload:
    rng = random.Random(seed)
    max_id = int(session.scalar(select(func.max(Business.id))) or 0)
    sample_ids = sorted(rng.sample(range(1, max_id + 1), min(max_id, queries * 3)))
    rows = {
        r[0]: r
        for start in range(0, len(sample_ids), 900)
        for r in session.execute(
            select(Business.id, Business.name, Business.lat, Business.lon,
                   Business.primary_category_id).where(
                Business.id.in_(sample_ids[start : start + 900])
            )
        )
    }  # fmt: skip
    picked = [rows[i] for i in sample_ids if i in rows]
    rng.shuffle(picked)
    points = []
    for _, _, lat, lon, _ in picked[:queries]:
        # A reader a few hundred metres from some business.
        r_m, theta = 400.0 * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
        points.append(
            (lat + r_m * math.sin(theta) / 111_195.0,
             lon + r_m * math.cos(theta) / (111_195.0 * math.cos(math.radians(lat))))
        )  # fmt: skip
    counts = dict(
        session.execute(
            select(Business.primary_category_id, func.count()).group_by(
                Business.primary_category_id
            )
        ).all()
    )
    cats = [c for c, n in counts.items() if n >= 1000] or list(counts)
    categories = [rng.choice(cats) for _ in range(queries)]
    typo_queries: list[tuple[str, int, str]] = []
    known_typos: set[int] = set()
    catalog = get_catalog(session)
    for bid, name, *_ in picked[queries:]:
        q = make_typo_query(name, rng)
        if q is not None:
            if made_known_word(name, q, session, catalog):
                known_typos.add(len(typo_queries))
            typo_queries.append((q, bid, " ".join(fold_words(name))))
        if len(typo_queries) >= queries:
            break
    prefixes = []
    for (bid, name, *_), (plat, plon) in zip(picked[:queries], points, strict=False):
        cut = rng.randint(3, max(3, len(name)))
        prefixes.append((name[:cut], plat, plon))
        del bid
    kinds = ("city", "kecamatan", "kelurahan", "township", "neighbourhood")
    used_areas = session.execute(select(Business.area_id).distinct()).scalars().all()
    slugs = dict(session.execute(select(Area.id, Area.slug).where(Area.kind.in_(kinds))).all())
    # Areas that hold businesses, plus their parents (cities and kecamatan hold few directly).
    parents = dict(session.execute(select(Area.id, Area.parent_id)).all())
    pool: set[int] = {a for a in used_areas if a is not None}
    for _ in range(2):
        pool |= {p for a in list(pool) if (p := parents.get(a)) is not None}
    candidates = sorted(slugs[a] for a in pool if a in slugs)
    areas = [rng.choice(candidates) for _ in range(queries)] if candidates else []
    return Workload(points, categories, typo_queries, prefixes, areas, frozenset(known_typos))


# ---------------------------------------------------------------------- timing


@dataclass
class Result:
    name: str
    times_ms: list[float]
    extra: str = ""
    cpu_ms: list[float] = field(default_factory=list)
    """This process's CPU time per query: on a shared machine, what the code costs
    without the wait for a core (wall time includes it)."""

    def cpu_pct(self, p: float) -> float:
        data = sorted(self.cpu_ms) or [math.nan]
        return data[min(len(data) - 1, int(round(p / 100 * (len(data) - 1))))]

    def pct(self, p: float) -> float:
        data = sorted(self.times_ms)
        return data[min(len(data) - 1, int(round(p / 100 * (len(data) - 1))))]

    @property
    def qps(self) -> float:
        return 1000.0 * len(self.times_ms) / max(1e-9, sum(self.times_ms))


def timed(name: str, items: Sequence[Any], fn: Callable[[Any], Any], *, warmup: int = 20) -> Result:
    for item in items[:warmup]:
        fn(item)
    times: list[float] = []
    cpu: list[float] = []
    for item in items:
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - t0) * 1000.0)
        cpu.append((time.process_time() - c0) * 1000.0)
    return Result(name, times, cpu_ms=cpu)


def project_results(
    sessions: sessionmaker[Session], work: Workload, *, only: frozenset[str] = frozenset()
) -> dict[str, Result]:
    out: dict[str, Result] = {}

    def want(group: str) -> bool:
        return not only or group in only

    now = datetime.now(UTC)
    with sessions() as s:
        if want("nearest"):
            out["nearest20"] = timed(
                "nearest 20",
                work.points,
                lambda p: nearest_candidates(s, lat=p[0], lon=p[1], limit=20),
            )
            pairs = list(zip(work.points, work.categories, strict=True))
            out["nearest20_cat"] = timed(
                "nearest 20, one category",
                pairs,
                lambda pc: nearest_candidates(
                    s, lat=pc[0][0], lon=pc[0][1], limit=20, category_ids=[pc[1]]
                ),
            )
            out["within2km"] = timed(
                "within 2 km by distance, page 1",
                work.points,
                lambda p: search_businesses(
                    s,
                    SearchParams(lat=p[0], lon=p[1], radius_m=2000, sort=Sort.DISTANCE, limit=20),
                    now=now,
                ),
            )
            out["nearest20_api"] = timed(
                "nearest 20, full result objects",
                work.points,
                lambda p: search_businesses(
                    s, SearchParams(lat=p[0], lon=p[1], sort=Sort.DISTANCE, limit=20), now=now
                ),
            )
        if want("typo"):
            hits: list[int] = []
            position = {item: i for i, item in enumerate(work.typo_queries)}

            def typo(item: tuple[str, int, str]) -> None:
                page = search_businesses(s, SearchParams(q=item[0], limit=10), now=now)
                if any(
                    h.id == item[1] or " ".join(fold_words(h.name)) == item[2] for h in page.items
                ):
                    hits.append(position[item])

            res = timed("typo text search, top 10", work.typo_queries, typo, warmup=0)
            res.extra = typo_hit_share(hits, work)
            out["typo"] = res
        if want("autocomplete"):
            out["autocomplete"] = timed(
                "autocomplete",
                work.prefixes,
                lambda x: autocomplete(s, q=x[0], lat=x[1], lon=x[2]),
            )
        if work.areas and want("area"):
            out.update(_area_results(s, work, now))
    return out


def _area_results(s: Session, work: Workload, now: datetime) -> dict[str, Result]:
    """Area-filtered search, and a check that every result lies inside the border."""
    borders: dict[str, Any] = {}
    checked = inside = 0

    def check(slug: str, page: Any) -> None:
        nonlocal checked, inside
        if slug not in borders:
            polygon = s.scalar(select(Area.polygon).where(Area.slug == slug))
            borders[slug] = shapely.prepared.prep(shape(polygon)) if polygon else None
        border = borders[slug]
        for hit in page.items:
            checked += 1
            inside += border is None or border.covers(shapely.Point(hit.lon, hit.lat))

    def by_rating(slug: str) -> Any:
        return search_businesses(s, SearchParams(area=slug, sort=Sort.RATING, limit=20), now=now)

    words = ["kopi", "warung", "bengkel", "apotek", "laundry", "bakso"]
    pairs = [(slug, words[i % len(words)]) for i, slug in enumerate(work.areas)]

    def with_word(pair: tuple[str, str]) -> Any:
        return search_businesses(s, SearchParams(q=pair[1], area=pair[0], limit=20), now=now)

    out = {
        "area": timed("area filter, best rated 20", work.areas, by_rating),
        "area_text": timed("area filter + word, top 20", pairs, with_word),
    }
    for slug in work.areas[:200]:
        check(slug, by_rating(slug))
    for slug, word in pairs[:200]:
        check(slug, with_word((slug, word)))
    out["area"].extra = f"results inside the border: {100.0 * inside / max(1, checked):.2f}%"
    return out


# ---------------------------------------------------------------------- PostGIS baseline

PG_TABLES = """
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
DROP TABLE IF EXISTS bench_business, bench_business_cat, bench_stamp, bench_cat_tmp;
CREATE TABLE bench_stamp (params text NOT NULL);
CREATE TABLE bench_business (id integer PRIMARY KEY, name text NOT NULL,
    lat double precision NOT NULL, lon double precision NOT NULL, geog geography(Point,4326));
CREATE TABLE bench_business_cat (category_id integer NOT NULL, id integer NOT NULL,
    geog geography(Point,4326));
"""
PG_INDEXES = """
UPDATE bench_business SET geog = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography;
INSERT INTO bench_business_cat SELECT c.category_id, b.id, b.geog FROM bench_cat_tmp c
    JOIN bench_business b ON b.id = c.id;
DROP TABLE bench_cat_tmp;
CREATE INDEX bench_business_geog ON bench_business USING gist (geog);
CREATE INDEX bench_business_cat_category_geog ON bench_business_cat USING gist (category_id, geog);
CREATE INDEX bench_business_name_trgm ON bench_business USING gin (name gin_trgm_ops);
VACUUM ANALYZE bench_business;
VACUUM ANALYZE bench_business_cat;
"""
# Without PostGIS on the server only the pg_trgm anchor can be built (and is timed).
PG_TABLES_TEXT = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
DROP TABLE IF EXISTS bench_business, bench_business_cat, bench_stamp, bench_cat_tmp;
CREATE TABLE bench_stamp (params text NOT NULL);
CREATE TABLE bench_business (id integer PRIMARY KEY, name text NOT NULL,
    lat double precision NOT NULL, lon double precision NOT NULL);
"""
PG_INDEXES_TEXT = """
DROP TABLE bench_cat_tmp;
CREATE INDEX bench_business_name_trgm ON bench_business USING gin (name gin_trgm_ops);
VACUUM ANALYZE bench_business;
"""


def _has_postgis(conn: Any) -> bool:
    return conn.scalar(text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")) == 1


# The anchor queries. Parameters are cast to the indexed columns' types: psycopg sends a
# small Python int as smallint, and ``integer = smallint`` is not in btree_gist's operator
# class, so without the cast the category index cannot be used (a walk of the whole
# geography index instead: ~200 ms at 1M rows, against ~0.5 ms with it).
POINT = "ST_SetSRID(ST_MakePoint(%s::float8, %s::float8), 4326)::geography"
NEAREST_SQL = f"SELECT id FROM bench_business ORDER BY geog <-> {POINT} LIMIT 20"
NEAREST_CAT_SQL = (
    f"SELECT id FROM bench_business_cat WHERE category_id = %s::integer "
    f"ORDER BY geog <-> {POINT} LIMIT 20"
)
WITHIN_SQL = (
    f"SELECT id FROM bench_business WHERE ST_DWithin(geog, {POINT}, 2000) "
    f"ORDER BY geog <-> {POINT} LIMIT 20"
)
# pg_trgm's word similarity: ``q <% name`` is answered by the GIN trigram index, then the
# candidates are ordered by how well the query matches a stretch of the name.
TYPO_SQL = (
    "SELECT id, name FROM bench_business WHERE %s::text <%% name "
    "ORDER BY word_similarity(%s::text, name) DESC, id LIMIT 10"
)
_BENCH_TABLES = ("bench_business", "bench_business_cat")


def print_anchor_plans(cur: Any, work: Workload, *, postgis: bool = True) -> None:
    """The anchor indexes (as PostgreSQL defines them) and the plan of each anchor query,
    so a reader can check that every PostGIS / pg_trgm row uses its index."""
    cur.execute(
        "SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
        "ORDER BY tablename, indexname",
        (list(_BENCH_TABLES),),
    )
    print("anchor indexes (pg_indexes.indexdef):")
    for _, indexdef in cur.fetchall():
        print(f"  {indexdef}")
    lat, lon = work.points[0]
    name = work.typo_queries[0][0] if work.typo_queries else "kopi"
    samples = (
        (
            ("nearest 20", NEAREST_SQL, (lon, lat)),
            ("nearest 20, one category", NEAREST_CAT_SQL, (work.categories[0], lon, lat)),
            ("within 2 km", WITHIN_SQL, (lon, lat, lon, lat)),
        )
        if postgis
        else ()
    )
    samples += (("typo text search", TYPO_SQL, (name, name)),)
    print("anchor plans (EXPLAIN, index nodes):")
    for label, sql, params in samples:
        cur.execute("EXPLAIN (COSTS OFF) " + sql, params)
        nodes = [r[0].strip() for r in cur.fetchall()]
        used = [n for n in nodes if "Index" in n or "Order By" in n or "Bitmap" in n]
        print(f"  {label}: " + "; ".join(used or nodes))


def _pg_admin(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT")


def build_postgres(url: str, sqlite_db: Path, stamp: str) -> str | None:
    """Copy the rows into PostgreSQL with PostGIS and pg_trgm indexes; the DB's URL or None."""
    try:
        admin = _pg_admin(url)
        with admin.connect() as conn:
            exists = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = 'dekat_bench_search'")
            )
            if not exists:
                conn.execute(text("CREATE DATABASE dekat_bench_search"))
            postgis = _has_postgis(conn)
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        print(f"PostgreSQL not reachable ({type(exc).__name__}); skipping the baseline")
        return None
    bench_url = url.rsplit("/", 1)[0] + "/dekat_bench_search"
    if not postgis:
        print("PostGIS is not installed on this server: only the pg_trgm anchor is built")
        stamp += ":text-only"
    engine = create_engine(bench_url)
    with engine.connect() as conn:
        try:
            saved = conn.scalar(text("SELECT params FROM bench_stamp"))
        except Exception:  # noqa: BLE001 - table missing: build
            conn.rollback()
            saved = None
    if saved == stamp:
        engine.dispose()
        return bench_url
    print("building the PostGIS / pg_trgm baseline ...", flush=True)
    t0 = time.perf_counter()
    lite = create_engine(f"sqlite:///{sqlite_db}")
    parents = {}
    with lite.connect() as lconn:
        parents = dict(lconn.execute(select(Category.id, Category.parent_id)).all())
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for statement in (PG_TABLES if postgis else PG_TABLES_TEXT).split(";"):
                if statement.strip():
                    cur.execute(statement)
            cur.execute("CREATE TABLE bench_cat_tmp (category_id integer, id integer)")
            rows = lconn.execute(
                select(Business.id, Business.name, Business.lat, Business.lon,
                       Business.primary_category_id)
            ).all()  # fmt: skip
            # One COPY at a time: a connection cannot interleave two.
            with cur.copy("COPY bench_business (id, name, lat, lon) FROM STDIN") as copy:
                for bid, name, lat, lon, _ in rows:
                    copy.write_row((bid, name, lat, lon))
            with cur.copy("COPY bench_cat_tmp (category_id, id) FROM STDIN") as copy:
                for bid, *_, cat in rows:
                    node: int | None = cat
                    while node is not None:
                        copy.write_row((node, bid))
                        node = parents.get(node)
            raw.commit()
            raw.driver_connection.autocommit = True  # type: ignore[union-attr]
            for statement in (PG_INDEXES if postgis else PG_INDEXES_TEXT).split(";"):
                if statement.strip():
                    cur.execute(statement)
            cur.execute("INSERT INTO bench_stamp VALUES (%s)", (stamp,))
        finally:
            raw.close()
    lite.dispose()
    engine.dispose()
    print(f"  baseline built in {time.perf_counter() - t0:.0f} s", flush=True)
    return bench_url


def postgis_results(bench_url: str, work: Workload) -> dict[str, Result]:
    engine = create_engine(bench_url)
    raw = engine.raw_connection()
    cur = raw.cursor()
    out: dict[str, Result] = {}

    def run(sql: str, params: tuple[Any, ...]) -> list[Any]:
        cur.execute(sql, params)
        return list(cur.fetchall())

    cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    postgis = cur.fetchone() is not None
    print_anchor_plans(cur, work, postgis=postgis)
    if not postgis:
        print("  (no PostGIS: spatial anchors and the autocomplete anchor not timed)")
    out.update(_spatial_anchors(run, work) if postgis else {})
    hits: list[int] = []
    position = {item: i for i, item in enumerate(work.typo_queries)}

    def typo(item: tuple[str, int, str]) -> None:
        rows = run(TYPO_SQL, (item[0], item[0]))
        if any(r[0] == item[1] or " ".join(fold_words(r[1])) == item[2] for r in rows):
            hits.append(position[item])

    res = timed("typo text search, top 10", work.typo_queries, typo, warmup=0)
    res.extra = typo_hit_share(hits, work)
    out["typo"] = res
    raw.close()
    engine.dispose()
    return out


def _spatial_anchors(
    run: Callable[[str, tuple[Any, ...]], list[Any]], work: Workload
) -> dict[str, Result]:
    """The PostGIS rows: nearest, nearest in one category, within 2 km, autocomplete."""
    point = POINT
    out: dict[str, Result] = {}
    out["nearest20"] = timed(
        "nearest 20",
        work.points,
        lambda p: run(NEAREST_SQL, (p[1], p[0])),
    )  # fmt: skip
    pairs = list(zip(work.points, work.categories, strict=True))
    out["nearest20_cat"] = timed(
        "nearest 20, one category",
        pairs,
        lambda pc: run(NEAREST_CAT_SQL, (pc[1], pc[0][1], pc[0][0])),
    )
    out["within2km"] = timed(
        "within 2 km by distance, page 1",
        work.points,
        lambda p: run(WITHIN_SQL, (p[1], p[0], p[1], p[0])),
    )

    def prefix(x: tuple[str, float, float]) -> None:
        # Like the project's autocomplete, a budget of 1,500 candidates (here: name matches
        # through the trigram index), the nearest 5 of them. "ILIKE ... ORDER BY geog <->"
        # alone walks the GiST index until 5 names match: seconds for a rare prefix.
        pattern = x[0].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        run(
            f"SELECT id FROM (SELECT id, geog FROM bench_business WHERE name ILIKE %s "
            f"LIMIT 1500) m ORDER BY geog <-> {point} LIMIT 5",
            (pattern, x[2], x[1]),
        )

    out["autocomplete"] = timed("autocomplete", work.prefixes, prefix)
    return out


def paired(
    name: str,
    items: Sequence[Any],
    anchor: Callable[[Any], Any],
    project: Callable[[Any], Any],
    *,
    warmup: int = 20,
) -> tuple[Result, Result]:
    """Time the anchor and the project on the same items, alternating query by query
    (which goes first alternates too), so that both see the same load on a shared
    machine: the fair way to take a ratio of their p95."""
    for item in items[:warmup]:
        anchor(item)
        project(item)
    a_res = Result(name, [], cpu_ms=[])
    p_res = Result(name, [], cpu_ms=[])
    for i, item in enumerate(items):
        pair = ((anchor, a_res), (project, p_res))
        for fn, res in pair if i % 2 == 0 else pair[::-1]:
            c0 = time.process_time()
            t0 = time.perf_counter()
            fn(item)
            res.times_ms.append((time.perf_counter() - t0) * 1000.0)
            res.cpu_ms.append((time.process_time() - c0) * 1000.0)
    return a_res, p_res


def pg_against_anchor(bench_url: str, app_url: str, work: Workload) -> None:
    """The project's code on PostgreSQL against the PostGIS anchors, interleaved query by
    query on the same rows; prints one table with the ratio of the p95s."""
    engine = create_engine(bench_url)
    raw = engine.raw_connection()
    cur = raw.cursor()
    cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    if cur.fetchone() is None:
        raw.close()
        engine.dispose()
        return

    def run(sql: str, params: tuple[Any, ...]) -> list[Any]:
        cur.execute(sql, params)
        return list(cur.fetchall())

    app_engine = make_engine(app_url)
    now = datetime.now(UTC)
    pairs = list(zip(work.points, work.categories, strict=True))
    rows: list[tuple[Result, Result, str]] = []
    with make_session_factory(app_engine)() as s:
        rows.append((*paired(
            "nearest 20", work.points,
            lambda p: run(NEAREST_SQL, (p[1], p[0])),
            lambda p: nearest_candidates(s, lat=p[0], lon=p[1], limit=20),
        ), "ids + distances"))  # fmt: skip
        rows.append((*paired(
            "nearest 20, one category", pairs,
            lambda pc: run(NEAREST_CAT_SQL, (pc[1], pc[0][1], pc[0][0])),
            lambda pc: nearest_candidates(
                s, lat=pc[0][0], lon=pc[0][1], limit=20, category_ids=[pc[1]]
            ),
        ), "ids + distances"))  # fmt: skip
        rows.append((*paired(
            "within 2 km, nearest 20", work.points,
            lambda p: run(WITHIN_SQL, (p[1], p[0], p[1], p[0])),
            lambda p: nearest_candidates(s, lat=p[0], lon=p[1], limit=20, max_distance_m=2000),
        ), "ids + distances"))  # fmt: skip
        rows.append((*paired(
            "within 2 km by distance, page 1", work.points,
            lambda p: run(WITHIN_SQL, (p[1], p[0], p[1], p[0])),
            lambda p: search_businesses(
                s,
                SearchParams(lat=p[0], lon=p[1], radius_m=2000, sort=Sort.DISTANCE, limit=20),
                now=now,
            ),
        ), "full result objects; the anchor: ids"))  # fmt: skip
    app_engine.dispose()
    raw.close()
    engine.dispose()
    print(
        "\nthe project's code on PostgreSQL against the PostGIS anchors, alternating query by "
        f"query (same run, same rows); load average {os.getloadavg()[0]:.2f}"
    )
    head = (
        f"{'query':34} {'anchor p50':>10} {'p95':>7} {'project p50':>11} {'p95':>7}"
        f" {'CPU p95':>8} {'ratio p95':>9}  project returns"
    )
    print(head)
    print("-" * len(head))
    for a, p, what in rows:
        print(
            f"{a.name:34} {a.pct(50):10.3f} {a.pct(95):7.3f} {p.pct(50):11.3f} {p.pct(95):7.3f}"
            f" {p.cpu_pct(95):8.3f} {p.pct(95) / a.pct(95):9.2f}  {what}"
        )


# ---------------------------------------------------------------------- project on PostgreSQL

PG_APP_DB = "dekat_bench_search_app"


def _pg_db_url(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def build_project_postgres(url: str, sqlite_db: Path, stamp: str) -> str | None:
    """The same rows in a migrated Dekat database on PostgreSQL (its own scratch database
    ``dekat_bench_search_app``, never the one ``url`` names), indexed by the project's
    own ``index_businesses``; returns its URL, or None when PostgreSQL is not reachable.
    Rebuilt only when the SQLite database's parameters change."""
    app_url = _pg_db_url(url, PG_APP_DB)
    try:
        admin = _pg_admin(url)
        with admin.connect() as conn:
            exists = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_APP_DB}
            )
        if exists:
            probe = create_engine(app_url)
            try:
                with probe.connect() as conn:
                    saved = conn.scalar(text("SELECT params FROM bench_stamp"))
            except Exception:  # noqa: BLE001 - no stamp: half-built, rebuild
                saved = None
            probe.dispose()
            if saved == stamp:
                admin.dispose()
                reused = make_engine(app_url, statement_timeout_ms=3_600_000)
                upgrade_database(reused)  # new migrations, as the SQLite database gets them
                reused.dispose()
                return app_url
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_APP_DB}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_APP_DB}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        print(f"PostgreSQL not reachable ({type(exc).__name__}); skipping the project run")
        return None
    print(f"building the project's database on PostgreSQL ({PG_APP_DB}) ...", flush=True)
    t0 = time.perf_counter()
    engine = make_engine(app_url, statement_timeout_ms=3_600_000)
    upgrade_database(engine)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        seed_categories(session)
        seed_areas(session)
    lite = make_engine(f"sqlite:///{sqlite_db}")
    with lite.connect() as lconn, session_scope(sessions) as session:
        for model in (Category, Area):
            ours = dict(session.execute(select(model.slug, model.id)).all())
            theirs = dict(lconn.execute(select(model.slug, model.id)).all())
            if ours != theirs:
                raise SystemExit(f"{model.__tablename__} ids differ between SQLite and PostgreSQL")
        last = 0
        while True:
            rows = [
                dict(r._mapping)
                for r in lconn.execute(
                    select(Business.__table__)
                    .where(Business.id > last)
                    .order_by(Business.id)
                    .limit(20_000)
                )
            ]
            if not rows:
                break
            last = rows[-1]["id"]
            session.execute(insert(Business.__table__), rows)
            session.execute(
                insert(BusinessCategory.__table__),
                [
                    dict(r._mapping)
                    for r in lconn.execute(
                        select(BusinessCategory.__table__).where(
                            BusinessCategory.business_id.between(rows[0]["id"], last)
                        )
                    )
                ],
            )
        session.execute(
            text("SELECT setval(pg_get_serial_sequence('business', 'id'), :n)"), {"n": last}
        )
    copied = time.perf_counter() - t0
    print(f"  rows copied in {copied:.0f} s; indexing ...", flush=True)
    count = 0
    with lite.connect() as lconn:
        count = int(lconn.scalar(select(func.max(Business.id))) or 0)
    lite.dispose()
    for start in range(1, count + 1, 50 * BATCH):
        with session_scope(sessions) as session:
            for lo in range(start, min(count + 1, start + 50 * BATCH), BATCH):
                index_businesses(session, list(range(lo, min(count, lo + BATCH - 1) + 1)))
    with session_scope(sessions) as session:
        optimize_search_indexes(session)
        session.execute(text("CREATE TABLE bench_stamp (params text NOT NULL)"))
        session.execute(text("INSERT INTO bench_stamp VALUES (:s)"), {"s": stamp})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    print(
        f"  project database built in {time.perf_counter() - t0:.0f} s "
        f"(copy {copied:.0f} s, index {time.perf_counter() - t0 - copied:.0f} s)",
        flush=True,
    )
    return app_url


def print_backends(sqlite: dict[str, Result], pg: dict[str, Result]) -> None:
    """The project's own code path on both backends, side by side."""
    head = (
        f"{'query':36} {'SQLite p50':>10} {'p95':>8} {'p99':>8} {'q/s':>7}"
        f" {'PG p50':>8} {'p95':>8} {'p99':>8} {'q/s':>7}"
    )
    print(head)
    print("-" * len(head))
    for key, a in sqlite.items():
        b = pg.get(key)
        line = f"{a.name:36} {a.pct(50):10.3f} {a.pct(95):8.3f} {a.pct(99):8.3f} {a.qps:7.0f}"
        if b is not None:
            line += f" {b.pct(50):8.3f} {b.pct(95):8.3f} {b.pct(99):8.3f} {b.qps:7.0f}"
        print(line)
    for key, a in sqlite.items():
        b = pg.get(key)
        if a.extra:
            print(f"  {a.name}: SQLite {a.extra}" + (f"; PostgreSQL {b.extra}" if b else ""))


# ---------------------------------------------------------------------- HTTP

WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def _tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process and its children (the uvicorn workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pending.extend(int(c) for c in children)
    return total


def _worker_rss_mib(pid: int) -> list[float]:
    """Resident memory (VmRSS, MiB) of each process started by the server ``pid`` (the
    uvicorn workers), read from /proc; empty where /proc is not there."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    sizes = []
    for child in children:
        try:
            status = Path(f"/proc/{child}/status").read_text()
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" in cmdline:
            continue
        rss = next(
            (line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")), ""
        )
        if rss.isdigit():
            sizes.append(int(rss) / 1024)
    return sizes


def serve_and_wrk(
    database_url: str,
    paths: Sequence[str],
    *,
    label: str,
    seconds: int,
    port: int | None = None,
    connections: int = 32,
    script_name: str = "paths.lua",
    wrk_cpu: int | None = None,
) -> str:
    """Serve ``database_url`` with two uvicorn workers and drive ``paths`` (rotating) with
    wrk; one line with requests/s and latency, or why it was skipped. Also the CPU time
    the server's processes used per request (from /proc): on a shared machine the rate
    depends on what else runs, the CPU per request does not, and 1000 / (ms per request)
    is what one dedicated core could serve. ``wrk_cpu`` pins wrk to one CPU (taskset)."""
    if shutil.which("wrk") is None:
        return "wrk not installed (apt-get install -y wrk); HTTP benchmark skipped"
    if port is None:
        # A free port, not a fixed one: on a shared machine another server may hold it,
        # and wrk would measure that server instead.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
    env = {
        **os.environ,
        "DEKAT_DATABASE_URL": database_url,
        "DEKAT_DEMO_COUNT": "0",
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "directory.app:create_app", "--factory",
         "--workers", "2", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        import httpx

        ready = False
        for _ in range(200):
            try:
                if httpx.get(f"http://127.0.0.1:{port}{paths[0]}", timeout=5).status_code == 200:
                    ready = True
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        if not ready:
            return f"{label}: server did not answer 200 on {paths[0]}; skipped"
        # Warm both workers (caches, the recommender model) before measuring.
        for path in paths[:50]:
            httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10)
        script = OUT / script_name
        script.write_text(WRK_SCRIPT % ", ".join(f'"{x}"' for x in paths))
        if wrk_cpu is None and os.environ.get("DEKAT_BENCH_WRK_CPU", "").isdigit():
            wrk_cpu = int(os.environ["DEKAT_BENCH_WRK_CPU"])  # what recommend.py passes on
        pin = ["taskset", "-c", str(wrk_cpu)] if wrk_cpu is not None else []
        cpu0 = _tree_cpu_s(server.pid)
        done = subprocess.run(
            [*pin, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
             str(script), f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        server_cpu = _tree_cpu_s(server.pid) - cpu0
        rss = _worker_rss_mib(server.pid)
        lines = done.stdout.splitlines()
        total = next((x for x in lines if "requests in" in x), "")
        served = int(total.split()[0]) if total.strip()[:1].isdigit() else 0
        rps = next((x for x in lines if "Requests/sec" in x), done.stdout + done.stderr)
        latency = next((x for x in lines if x.strip().startswith("Latency ")), "")
        pcts = [x.split() for x in lines if x.strip()[:3] in ("50%", "90%", "99%")]
        errors = [x.strip() for x in lines if "Non-2xx" in x or "Socket errors" in x]
        return (
            f"{label}: {rps.strip()}"
            + (f" ({' '.join(latency.split())})" if latency else "")
            + (" latency " + ", ".join(f"p{a[0].rstrip('%')} {a[1]}" for a in pcts) if pcts else "")
            + (f" [{'; '.join(errors)}]" if errors else "")
            + f"; wrk -t1 -c{connections} -d{seconds}s"
            + (f" pinned to CPU {wrk_cpu} (taskset)" if wrk_cpu is not None else "")
            + ", 2 uvicorn workers"
            + (
                f"; workers' CPU {1000.0 * server_cpu / served:.2f} ms per request "
                f"({server_cpu:.1f} CPU-s for {served} requests)"
                if served
                else ""
            )
            + (
                "; RSS per worker " + " / ".join(f"{r:.0f}" for r in rss) + " MiB (after the run)"
                if rss
                else ""
            )
            + f"; load average {os.getloadavg()[0]:.2f}"
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def http_benchmark(
    database_url: str, work: Workload, *, label: str, seconds: int, wrk_cpu: int | None = None
) -> str:
    paths = [
        f"/api/v1/businesses?lat={lat:.6f}&lon={lon:.6f}&sort=distance&limit=20"
        for lat, lon in work.points
    ]
    return serve_and_wrk(
        database_url, paths, label=f"nearest 20 over HTTP, {label}", seconds=seconds,
        script_name="nearest.lua", wrk_cpu=wrk_cpu,
    )  # fmt: skip


# ---------------------------------------------------------------------- report


def print_table(project: dict[str, Result], baseline: dict[str, Result] | None) -> None:
    head = f"{'query':36} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'q/s':>8}"
    head += f" {'CPU p50':>8} {'CPU p95':>8}"
    if baseline:
        head += f" {'PostGIS p95':>12} {'ratio p95':>10} {'PostGIS q/s':>12}"
    print(head)
    print("-" * len(head))
    for key, res in project.items():
        line = (
            f"{res.name:36} {res.pct(50):8.3f} {res.pct(95):8.3f} {res.pct(99):8.3f} {res.qps:8.0f}"
            f" {res.cpu_pct(50):8.3f} {res.cpu_pct(95):8.3f}"
        )
        base = (baseline or {}).get(key)
        if base is not None:
            line += f" {base.pct(95):12.3f} {res.pct(95) / base.pct(95):10.3f} {base.qps:12.0f}"
        print(line)
    for key, res in project.items():
        if res.extra:
            base = (baseline or {}).get(key)
            extra = f"; pg_trgm {base.extra}" if base is not None and base.extra else ""
            print(f"  {res.name}: project {res.extra}{extra}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "DEKAT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--no-pg-project",
        action="store_true",
        help="skip the project's own search code on a PostgreSQL copy of the rows",
    )
    parser.add_argument("--build-only", action="store_true", help="build the databases, no timing")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated groups to time in process: nearest, typo, autocomplete, area",
    )
    parser.add_argument("--http", action="store_true", help="also run wrk over HTTP")
    parser.add_argument("--http-seconds", type=int, default=15)
    parser.add_argument(
        "--wrk-cpu", type=int, default=None, help="pin wrk to this CPU (taskset -c N)"
    )
    parser.add_argument(
        "--http-only", action="store_true", help="skip the in-process timings (with --http)"
    )
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"search_{args.count}_{args.seed}.db"
    print(f"database: {db} ({args.count:,} businesses, seed {args.seed})", flush=True)
    t0 = time.perf_counter()
    timings = build_sqlite(db, count=args.count, seed=args.seed)
    print(f"  ready in {time.perf_counter() - t0:.1f} s; build timings: "
          + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()), flush=True)  # fmt: skip
    if args.build_only:
        if not args.no_postgres:
            stamp = f"{args.count}:{args.seed}"
            build_postgres(args.pg_url, db, stamp)
            if not args.no_pg_project:
                build_project_postgres(args.pg_url, db, stamp)
        return
    engine = make_engine(f"sqlite:///{db}")
    sessions = make_session_factory(engine)
    with sessions() as s:
        work = make_workload(s, queries=args.queries, seed=args.seed + 1)
    only = frozenset(g.strip() for g in args.only.split(",") if g.strip())
    if args.http_only:
        engine.dispose()
        http_only(args, db, work)
        return
    project = project_results(sessions, work, only=only)
    engine.dispose()
    print(f"\n{len(work.points)} query points, {len(work.typo_queries)} typo queries, "
          f"{len(work.prefixes)} prefixes; in process, one thread; load average "
          f"{os.getloadavg()[0]:.2f}")  # fmt: skip
    print_table(project, None)
    baseline = None
    pg_app_url = None
    bench_url = None
    if not args.no_postgres:
        stamp = f"{args.count}:{args.seed}"
        bench_url = build_postgres(args.pg_url, db, stamp)
        if bench_url:
            baseline = postgis_results(bench_url, work)
        if not args.no_pg_project:
            pg_app_url = build_project_postgres(args.pg_url, db, stamp)
    if baseline:
        print(
            "\nagainst PostGIS / pg_trgm on the same rows (ratio = project p95 / PostGIS p95); "
            f"load average {os.getloadavg()[0]:.2f}"
        )
        print_table(project, baseline)
    if pg_app_url:
        pg_engine = make_engine(pg_app_url)
        pg_project = project_results(make_session_factory(pg_engine), work, only=only)
        pg_engine.dispose()
        print(
            "\nthe project's own search code on both backends (same rows, same queries; "
            f"PostgreSQL 15 + PostGIS, DEKAT_DATABASE_URL-style database); load average "
            f"{os.getloadavg()[0]:.2f}"
        )
        print_backends(project, pg_project)
        if bench_url and (not only or "nearest" in only):
            pg_against_anchor(bench_url, pg_app_url, work)
    if args.http:
        print()
        print(http_benchmark(f"sqlite:///{db}", work, label="SQLite", seconds=args.http_seconds,
                             wrk_cpu=args.wrk_cpu))  # fmt: skip
        if pg_app_url:
            print(http_benchmark(pg_app_url, work, label="PostgreSQL", seconds=args.http_seconds,
                                 wrk_cpu=args.wrk_cpu))  # fmt: skip


def http_only(args: argparse.Namespace, db: Path, work: Workload) -> None:
    """``--http --http-only``: the HTTP rows alone (the databases must already exist)."""
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(http_benchmark(f"sqlite:///{db}", work, label="SQLite", seconds=args.http_seconds,
                         wrk_cpu=args.wrk_cpu))  # fmt: skip
    if not args.no_postgres and not args.no_pg_project:
        app_url = build_project_postgres(args.pg_url, db, f"{args.count}:{args.seed}")
        if app_url:
            print(http_benchmark(app_url, work, label="PostgreSQL", seconds=args.http_seconds,
                                 wrk_cpu=args.wrk_cpu))  # fmt: skip


if __name__ == "__main__":
    main()
