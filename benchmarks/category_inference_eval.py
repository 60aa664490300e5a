"""Accuracy of category inference (``directory/areas/category_infer.py``) on labelled names.

Two labelled sets, scored on the top-level group of the expected category (a coffee shop
inferred as "kafe" instead of "kedai-kopi" counts as right; a cafe inferred as a
restaurant does not):

- demo: names from the demo generator (``data/demo_names.toml``) with their category;
- zomato: the real Zomato restaurant list in ``../shared/data/zomato_restaurants`` (name,
  with the cuisines as the description). Cafés (first cuisine Cafe, Coffee and Tea, Tea,
  Juices, Beverages, Bubble Tea) are labelled "kafe-kopi", every other restaurant
  "kuliner". Rows with no inference count as wrong (they would land in "lainnya").

    .venv/bin/python benchmarks/category_inference_eval.py [--zomato PATH]
"""

from __future__ import annotations

import argparse
import csv
import gzip
from collections import Counter
from pathlib import Path

from directory.areas.category_infer import CategoryInferrer
from directory.businesses.demo import generate_demo_records
from directory.shipped_data import load_categories

CAFE_CUISINES = {"cafe", "coffee and tea", "tea", "juices", "beverages", "bubble tea"}
DEFAULT_ZOMATO = (
    Path(__file__).resolve().parents[1].parent / "shared/data/zomato_restaurants/zomato.csv.gz"
)


def taxonomy() -> tuple[CategoryInferrer, dict[int, str], dict[str, str]]:
    cats = load_categories()
    paths: dict[str, str] = {}
    rows = []
    for i, c in enumerate(cats):
        paths[c.slug] = (paths[c.parent] if c.parent else "/") + c.slug + "/"
        rows.append((i, c.slug, c.name_id, c.name_en, c.synonyms, paths[c.slug]))
    group = {slug: path.strip("/").split("/")[0] for slug, path in paths.items()}
    return CategoryInferrer.from_rows(rows), {i: c.slug for i, c in enumerate(cats)}, group


def score(name: str, pairs: list[tuple[str, str, str]]) -> None:
    inferrer, slugs, group = taxonomy()
    right = unknown = 0
    misses: Counter[tuple[str, str]] = Counter()
    for text, description, expected in pairs:
        found = inferrer.infer(text, description)
        got = group[slugs[found]] if found is not None else "lainnya"
        if found is None:
            unknown += 1
        if got == group[expected]:
            right += 1
        else:
            misses[(group[expected], got)] += 1
    n = len(pairs)
    print(
        f"{name}: {n} names, group accuracy {right / n:.1%}, "
        f"not inferred {unknown / n:.1%}; commonest misses {misses.most_common(4)}"
    )


def demo_pairs(count: int) -> list[tuple[str, str, str]]:
    return [(r.name, "", r.category) for r in generate_demo_records(count=count, seed=7)]


def zomato_pairs(path: Path) -> list[tuple[str, str, str]]:
    pairs = []
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        for row in csv.DictReader(f):
            cuisines = [c.strip().casefold() for c in row["Cuisines"].split(",") if c.strip()]
            if not cuisines:
                continue
            label = "kafe-kopi" if cuisines[0] in CAFE_CUISINES else "kuliner"
            pairs.append((row["Restaurant Name"], row["Cuisines"], label))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--zomato", type=Path, default=DEFAULT_ZOMATO)
    parser.add_argument("--demo", type=int, default=5000)
    args = parser.parse_args()
    score("demo", demo_pairs(args.demo))
    if args.zomato.exists():
        score("zomato", zomato_pairs(args.zomato))
    else:
        print(f"zomato: {args.zomato} not found, skipped")


if __name__ == "__main__":
    main()
