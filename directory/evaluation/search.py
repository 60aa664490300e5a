"""``dekat eval search``: judged relevance of search over demo and real data.

Each data set is loaded into a fresh SQLite database through the product's own paths
(``seed-demo``'s loader for the demo businesses; the business importer for real data),
every judged query of ``benchmarks/relevance/<set>.toml`` is run through
:func:`directory.search.service.search_businesses` exactly as the API would, and the
results are graded by the written rules of :mod:`directory.search.judging`.

Real data: Zomato restaurants of one city from ``../shared/data/zomato_restaurants``
(name, point, address, price range, rating; the cuisines go into the description, the
primary cuisine into a taxonomy category). Without that folder the set is skipped and
the command says so.
"""

from __future__ import annotations

import csv
import gzip
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.db import make_engine, make_session_factory
from directory.errors import InvalidInput, NotFound
from directory.hours import from_json
from directory.models import Business, BusinessCategory, BusinessStatus
from directory.search.area_lookup import AreaFilter, area_filter
from directory.search.catalog import get_catalog, invalidate
from directory.search.judging import (
    JudgedBusiness,
    JudgedQuery,
    QueryResult,
    grade,
    judge_results,
    load_queries,
)
from directory.search.params import SearchParams
from directory.search.text_match import words
from directory.settings import Settings

RELEVANCE_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "relevance"
DEMO_POINT = (-6.2986, 106.6658)
"""The reader's point for demo queries: BSD, as in the issue's examples."""
ZOMATO_CITY = "Gurgaon"
ZOMATO_POINT = (28.4950, 77.0895)
"""The reader's point for Zomato queries: Cyber Hub, Gurgaon."""
EVAL_NOW = datetime(2026, 12, 2, 10, 0)
"""A fixed local time (Wednesday 10:00) so that "buka" queries are reproducible."""
ZOMATO_CATEGORY = {
    "cafe": "kafe", "coffee": "kedai-kopi", "tea": "teh-boba", "beverages": "jus-minuman",
    "juices": "jus-minuman", "bakery": "bakery-roti", "desserts": "es-dessert",
    "ice cream": "es-dessert", "mithai": "es-dessert", "pizza": "cepat-saji",
    "burger": "cepat-saji", "fast food": "cepat-saji", "chinese": "masakan-chinese",
    "japanese": "masakan-jepang", "sushi": "masakan-jepang", "korean": "masakan-korea",
    "thai": "masakan-asia", "asian": "masakan-asia", "italian": "masakan-barat",
    "continental": "masakan-barat", "american": "masakan-barat", "european": "masakan-barat",
    "mexican": "masakan-barat", "seafood": "seafood", "street food": "jajanan",
    "finger food": "jajanan",
}  # fmt: skip
"""Primary Zomato cuisine → taxonomy category; anything else is a restaurant."""

Say = Callable[[str], None]
Tick = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class DataSet:
    """One loaded data set: a database, the judged queries and the reader's point."""

    name: str
    session: Session
    queries: list[JudgedQuery]
    point: tuple[float, float]
    extra_facets: dict[int, frozenset[str]]


def _businesses(session: Session, extra: dict[int, frozenset[str]]) -> list[JudgedBusiness]:
    catalog = get_catalog(session)
    cats: dict[int, set[str]] = {}
    for bid, cid in session.execute(
        select(BusinessCategory.business_id, BusinessCategory.category_id)
    ):
        for anc in catalog.ancestors(cid):
            cats.setdefault(bid, set()).add(catalog.categories[anc].slug)
    out: list[JudgedBusiness] = []
    rows = session.execute(
        select(
            Business.id, Business.name, Business.lat, Business.lon, Business.price_level,
            Business.opening_hours_json, Business.primary_category_id,
        ).where(Business.status == BusinessStatus.PUBLISHED)
    )  # fmt: skip
    for bid, name, lat, lon, price, hours, primary in rows:
        facets = set(cats.get(bid, ()))
        facets.update(catalog.categories[a].slug for a in catalog.ancestors(primary))
        facets.update(extra.get(bid, ()))
        out.append(
            JudgedBusiness(
                id=bid, name_words=frozenset(words(name)), facets=frozenset(facets),
                lat=lat, lon=lon, price_level=price,
                hours=from_json(hours) if hours else None,
            )
        )  # fmt: skip
    return out


def run_queries(data: DataSet, *, tick: Tick | None = None) -> list[QueryResult]:
    """Run and judge every query of a data set."""
    from directory.search.service import search_businesses

    session = data.session
    businesses = _businesses(session, data.extra_facets)
    catalog = get_catalog(session)
    by_slug = {a.slug: a for a in catalog.areas.values()}
    filters: dict[str, AreaFilter] = {}
    now = EVAL_NOW.replace(tzinfo=ZoneInfo("Asia/Jakarta"))
    results: list[QueryResult] = []
    for query in data.queries:
        point = data.point if query.point else None
        in_area: Callable[[JudgedBusiness], bool] | None = None
        if query.area:
            if query.area not in filters:
                filters[query.area] = area_filter(session, by_slug[query.area])
            flt = filters[query.area]

            def in_area(b: JudgedBusiness, flt: AreaFilter = flt) -> bool:
                return flt.contains(b.lat, b.lon)

            # The area's words are a constraint, not words a name must hold.
            named = by_slug[query.area]
            area_words = {w for text in (named.name, named.slug.replace("-", " "),
                                         *named.aliases) for w in words(text)}  # fmt: skip
            query = replace(query, q_words=tuple(w for w in query.q_words if w not in area_words))

        grades = {
            b.id: g
            for b in businesses
            if (g := grade(query, b, point=point, in_area=in_area, now=EVAL_NOW)) > 0
        }
        params = SearchParams(
            q=query.q, lat=point[0] if point else None, lon=point[1] if point else None,
            limit=10,
        )  # fmt: skip
        try:
            page = search_businesses(session, params, now=now)
            returned = [item.id for item in page.items]
        except (NotFound, InvalidInput):
            returned = []
        results.append(judge_results(query, returned, grades))
        if tick:
            tick(1)
    return results


@contextmanager
def demo_data(workdir: Path, *, count: int = 2500) -> Iterator[DataSet]:
    """The deterministic demo businesses in a fresh database."""
    from directory.bootstrap import prepare_database, seed_demo_data

    settings = Settings(database_url=f"sqlite:///{workdir / 'demo.db'}", demo_count=count)
    prepare_database(settings, demo=False)
    seed_demo_data(settings, count=count)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            invalidate(session)
            yield DataSet(
                name="demo", session=session, point=DEMO_POINT, extra_facets={},
                queries=load_queries(RELEVANCE_DIR / "demo.toml"),
            )  # fmt: skip
    finally:
        engine.dispose()


def _zomato_rows(path: Path, city: str) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="") as f:
        return [r for r in csv.DictReader(f) if r["City"] == city]


def _cuisines(row: dict[str, str]) -> list[str]:
    return [c.strip().lower() for c in row["Cuisines"].split(",") if c.strip()]


@contextmanager
def zomato_data(data_root: Path, workdir: Path, *, city: str = ZOMATO_CITY) -> Iterator[DataSet]:
    """One city's Zomato restaurants, imported through the business importer."""
    from directory.bootstrap import prepare_database
    from directory.io.businesses_io import ImportOptions, import_businesses

    rows = _zomato_rows(data_root / "zomato_restaurants" / "zomato.csv.gz", city)
    settings = Settings(database_url=f"sqlite:///{workdir / 'zomato.db'}", demo_count=0)
    prepare_database(settings, demo=False)
    path = workdir / "zomato.csv"
    cuisines: dict[str, frozenset[str]] = {}
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["external_id", "name", "category", "lat", "lon", "address",
                    "price_level", "rating", "rating_count", "description"])  # fmt: skip
        for row in rows:
            lat, lon = float(row["Latitude"]), float(row["Longitude"])
            if abs(lat) < 1e-6 or abs(lon) < 1e-6:
                continue
            cs = _cuisines(row)
            ext = f"zomato-{row['Restaurant ID']}"
            cuisines[ext] = frozenset(f"cuisine:{c}" for c in cs)
            votes = int(row["Votes"] or 0)
            rating = float(row["Aggregate rating"] or 0)
            w.writerow([
                ext, row["Restaurant Name"], ZOMATO_CATEGORY.get(cs[0] if cs else "", "restoran"),
                repr(lat), repr(lon), row["Address"], row["Price range"],
                f"{rating:.1f}" if votes and rating else "", str(votes) if votes and rating else "",
                "Cuisines: " + row["Cuisines"],
            ])  # fmt: skip
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            import_businesses(session, path, options=ImportOptions(source="eval", workers=0))
            invalidate(session)
            extra = {
                bid: cuisines.get(ext or "", frozenset())
                for bid, ext in session.execute(select(Business.id, Business.external_id))
            }
            yield DataSet(
                name=f"zomato-{city.lower()}", session=session, point=ZOMATO_POINT,
                extra_facets=extra, queries=load_queries(RELEVANCE_DIR / "zomato.toml"),
            )  # fmt: skip
    finally:
        engine.dispose()


def zomato_available(data_root: Path) -> bool:
    """Whether the real data set is on this machine."""
    return (data_root / "zomato_restaurants" / "zomato.csv.gz").is_file()


def evaluate_all(
    data_root: Path,
    *,
    say: Say,
    progress: Callable[[str, int], Tick] | None = None,
    datasets: Sequence[str] = ("demo", "zomato"),
) -> dict[str, list[QueryResult]]:
    """Run every available data set; returns the judged results by data-set name."""
    out: dict[str, list[QueryResult]] = {}
    with tempfile.TemporaryDirectory(prefix="dekat-eval-search-") as tmp:
        work = Path(tmp)
        if "demo" in datasets:
            say("demo: loading the demo businesses …")
            with demo_data(work) as data:
                tick = progress("demo", len(data.queries)) if progress else None
                out[data.name] = run_queries(data, tick=tick)
        if "zomato" in datasets:
            if not zomato_available(data_root):
                say(f"real data not found at {data_root / 'zomato_restaurants'}; skipped")
            else:
                say(f"zomato: importing the restaurants of {ZOMATO_CITY} …")
                with zomato_data(data_root, work) as data:
                    tick = progress(data.name, len(data.queries)) if progress else None
                    out[data.name] = run_queries(data, tick=tick)
    return out
