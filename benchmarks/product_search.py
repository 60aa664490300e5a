"""Product search latency (``GET /api/v1/products``' service) against catalogue size.

Product search scores every published product in memory (``directory/products/search.py``);
this prints how long one query takes at a few catalogue sizes, so the point where it
needs an index is measured, not guessed. SQLite in a temporary folder; synthetic
products spread over 500 businesses around BSD City.

    .venv/bin/python benchmarks/product_search.py [--sizes 1000,5000,20000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from directory.areas.service import seed_areas
from directory.areas.taxonomy import seed_categories
from directory.businesses.input import parse_business_fields
from directory.businesses.writes import create_business
from directory.db import make_engine, make_session_factory, session_scope
from directory.migrate import upgrade_database
from directory.models import Category
from directory.product_models import Product, ProductStatus
from directory.products.search import ProductQuery, search_products

WORDS = (
    "keripik",
    "singkong",
    "tempe",
    "pisang",
    "sambal",
    "roa",
    "batik",
    "tulis",
    "cap",
    "kain",
    "kopi",
    "bubuk",
    "robusta",
    "arabika",
    "madu",
    "hutan",
    "rendang",
    "kering",
    "abon",
    "sapi",
    "kue",
    "lapis",
    "legit",
    "dodol",
    "tenun",
    "songket",
    "anyaman",
    "rotan",
    "tas",
    "sepatu",
    "kulit",
    "jasa",
    "jahit",
    "kebaya",
    "catering",
    "nasi",
    "kotak",
)
QUERIES = (
    ProductQuery(q="kripik"),
    ProductQuery(q="batk tulis"),
    ProductQuery(q="kopi", area="serpong"),
    ProductQuery(q="sambal", lat=-6.30, lon=106.65),
)
BUSINESSES = 500


def _fill(url: str, size: int, rng: random.Random) -> None:
    engine = make_engine(url)
    upgrade_database(engine)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        seed_categories(session)
        seed_areas(session)
        by_slug = dict(session.execute(select(Category.slug, Category.id)))
        ids = []
        for n in range(BUSINESSES):
            raw = {"name": f"Toko Uji {n}", "lat": str(-6.30 + rng.uniform(-0.05, 0.05)),
                   "lon": str(106.65 + rng.uniform(-0.05, 0.05)), "category": "kafe-kopi",
                   "address": f"Jl. Uji {n}"}  # fmt: skip
            data = parse_business_fields(raw, resolve_category=by_slug.get)
            ids.append(create_business(session, data, source="import").id)
        session.add_all(
            Product(business_id=rng.choice(ids), name=" ".join(rng.sample(WORDS, 3)).title(),
                    description=" ".join(rng.sample(WORDS, 8)), unit="pcs",
                    price_idr=rng.randrange(1_000, 500_000), export_ready=False,
                    status=ProductStatus.PUBLISHED)
            for _ in range(size)
        )  # fmt: skip
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            _fill(url, size, random.Random(size))
            engine = make_engine(url)
            sessions = make_session_factory(engine)
            for query in QUERIES:
                times = []
                with sessions() as session:
                    search_products(session, query)  # warm the catalogue and word lists
                    for _ in range(5):
                        start = time.perf_counter()
                        page = search_products(session, query)
                        times.append((time.perf_counter() - start) * 1000)
                label = f"q={query.q!r} area={query.area!r} point={query.point is not None}"
                print(f"{size:>6} products  {label:<45} median {statistics.median(times):7.1f} ms"
                      f"  ({len(page.items)} shown)")  # fmt: skip
            engine.dispose()


if __name__ == "__main__":
    main()
