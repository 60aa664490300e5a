"""The demo generator: deterministic, plainly fake, shaped like a real city, and every
value something the importer accepts."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import phonenumbers
import pytest
from shapely.geometry import Point, shape

from directory.businesses.demo import (
    BUSINESS_COLUMNS,
    DEMO_MARKER,
    DemoBusiness,
    generate_demo_businesses,
    generate_demo_records,
)
from directory.geo import distance_m, valid_coordinates
from directory.shipped_data import (
    AreaSeed,
    CategorySeed,
    ShippedDataError,
    data_dir,
    load_area_polygons,
    load_areas,
    load_categories,
    load_demo_names,
)

HOURS_RULE = re.compile(
    r"^(24/7|(?:(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))? "
    r"(?:off|\d\d:\d\d-\d\d:\d\d))(?:; (?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))? "
    r"(?:off|\d\d:\d\d-\d\d:\d\d))*)$"
)


@pytest.fixture(scope="module")
def records() -> list[DemoBusiness]:
    return generate_demo_records()


@pytest.fixture(scope="module")
def areas() -> dict[str, AreaSeed]:
    return {a.slug: a for a in load_areas()}


@pytest.fixture(scope="module")
def categories() -> dict[str, CategorySeed]:
    return {c.slug: c for c in load_categories()}


def test_default_run_is_large_and_has_the_file_columns(records: list[DemoBusiness]) -> None:
    rows = [r.as_row() for r in records]
    assert len(rows) >= 2000
    for row in rows:
        assert tuple(row) == BUSINESS_COLUMNS
        assert all(isinstance(v, str) for v in row.values())


def test_rows_are_plainly_fake(records: list[DemoBusiness]) -> None:
    width = len(records[0].external_id) - len("demo-")
    assert [r.external_id for r in records] == [
        f"demo-{i:0{width}d}" for i in range(1, len(records) + 1)
    ]
    assert records[0].external_id == "demo-00001"
    assert all(r.description.startswith(DEMO_MARKER) for r in records)
    websites = [r.website for r in records if r.website]
    assert websites
    for url in websites:
        assert re.fullmatch(r"https://example\.(com|org)/[a-z0-9-]+", url)


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    first = generate_demo_businesses(count=300, seed=7)
    assert first == generate_demo_businesses(count=300, seed=7)
    assert first != generate_demo_businesses(count=300, seed=8)


def test_output_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "import hashlib, json; from directory.businesses.demo import generate_demo_businesses; "
        "print(hashlib.sha256(json.dumps(generate_demo_businesses(count=400)).encode())"
        ".hexdigest())"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(out.stdout.strip())
    expected = hashlib.sha256(json.dumps(generate_demo_businesses(count=400)).encode())
    assert digests == {expected.hexdigest()}


def test_categories_are_leaves_of_the_taxonomy(
    records: list[DemoBusiness], categories: dict[str, CategorySeed]
) -> None:
    parents = {c.parent for c in categories.values()}
    used = {r.category for r in records}
    assert used <= set(categories)
    assert not used & parents
    assert len(used) >= 60


def test_every_point_lies_inside_its_area_border(records: list[DemoBusiness]) -> None:
    borders = {slug: shape(polygon) for slug, polygon in load_area_polygons().items()}
    for r in records:
        assert valid_coordinates(r.lat, r.lon)
        assert borders[r.area_slug].covers(Point(r.lon, r.lat)), (r.name, r.area_slug)


def test_points_of_custom_areas_stay_in_their_circles(areas: dict[str, AreaSeed]) -> None:
    pamulang = [a for a in areas.values() if a.slug == "pamulang" or a.parent == "pamulang"]
    for r in generate_demo_records(count=150, seed=5, areas=pamulang):
        area = areas[r.area_slug]
        assert distance_m(r.lat, r.lon, area.lat, area.lon) <= area.radius_m


def test_spread_is_like_a_city(records: list[DemoBusiness], areas: dict[str, AreaSeed]) -> None:
    kinds = Counter(areas[r.area_slug].kind for r in records)
    assert kinds["kelurahan"] / len(records) > 0.7  # mostly in Tangerang Selatan
    assert kinds["kecamatan"] > 100  # some in the rest of Greater Jakarta
    bsd = areas["bsd-city"]
    near_bsd = sum(distance_m(r.lat, r.lon, bsd.lat, bsd.lon) <= bsd.radius_m for r in records)
    setu_far_east = areas["bakti-jaya"]  # a small kelurahan away from every township
    in_setu = sum(r.area_slug == setu_far_east.slug for r in records)
    assert near_bsd > 10 * in_setu


def test_category_frequencies_are_realistic(records: list[DemoBusiness]) -> None:
    counts = Counter(r.category for r in records)
    assert counts["warung-makan"] > 5 * counts["rumah-sakit"]
    assert counts["warung-makan"] == max(counts.values())
    assert counts["rumah-sakit"] >= 1


def test_names_look_indonesian_and_chains_have_branches(records: list[DemoBusiness]) -> None:
    names = [r.name for r in records]
    assert len(set(names)) == len(names)
    assert any(n.startswith("Warung") for n in names)
    assert any(n.startswith("Apotek") for n in names)
    assert "Kopi Nusantara BSD" in names
    assert sum(n.startswith("Kopi Nusantara ") for n in names) >= 4


def test_phones_are_valid_indonesian_numbers(records: list[DemoBusiness]) -> None:
    phones = [r.phone for r in records if r.phone]
    assert len(phones) > 0.7 * len(records)
    assert any(p.startswith("(021) ") for p in phones)
    assert any(p.startswith("08") for p in phones)
    for phone in phones:
        number = phonenumbers.parse(phone, "ID")
        assert phonenumbers.is_valid_number(number), phone
        assert phonenumbers.region_code_for_number(number) == "ID"


def test_ratings_prices_and_hours_are_in_range(records: list[DemoBusiness]) -> None:
    for r in records:
        assert (r.rating is None) == (r.rating_count == 0)
        assert r.rating is None or 3.0 <= r.rating <= 5.0
        assert r.price_level is None or 1 <= r.price_level <= 4
        assert r.opening_hours == "" or HOURS_RULE.match(r.opening_hours), r.opening_hours
    counts = sorted(r.rating_count for r in records)
    assert counts[len(counts) // 2] < 30  # most places have few reviews
    assert counts[-1] > 200  # a few have many
    assert sum(c == 0 for c in counts) > 50
    hours = Counter(r.opening_hours for r in records)
    assert hours["24/7"] > 0
    assert any(_is_overnight(h) for h in hours)
    assert any("off" in h for h in hours)


def test_addresses_name_the_area(records: list[DemoBusiness], areas: dict[str, AreaSeed]) -> None:
    for r in records[:300]:
        assert areas[r.area_slug].name in r.address
        assert re.match(r"^(Jl\.|Gg\.|Ruko) ", r.address)
    assert any(r.address.endswith(", Tangerang Selatan") for r in records)


def test_custom_areas_and_categories(areas: dict[str, AreaSeed]) -> None:
    pamulang = [a for a in areas.values() if a.slug == "pamulang" or a.parent == "pamulang"]
    taxonomy = [
        CategorySeed("makan", None, "Makan", "Food", ("makan",), "local"),
        CategorySeed("warung-makan", "makan", "Warung Makan", "Food Stall", (), "walk"),
        CategorySeed("kedai-ronde", "makan", "Kedai Ronde", "Ginger Soup", (), "walk"),
    ]
    records = generate_demo_records(count=200, seed=3, areas=pamulang, categories=taxonomy)
    assert len(records) == 200
    assert {r.category for r in records} == {"warung-makan", "kedai-ronde"}
    assert all(areas[r.area_slug].parent == "pamulang" for r in records)
    assert any(r.name.startswith("Kedai Ronde ") for r in records)


def test_zero_rows_and_no_areas() -> None:
    assert generate_demo_businesses(count=0) == []
    with pytest.raises(ValueError, match="no areas"):
        generate_demo_businesses(count=5, areas=[])


def test_name_book_rejects_unknown_placeholders(tmp_path: Path) -> None:
    text = (data_dir() / "demo_names.toml").read_text(encoding="utf-8")
    broken = text.replace('"Warung Makan {owner}"', '"Warung Makan {pemilik}"', 1)
    path = tmp_path / "demo_names.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ShippedDataError, match="pemilik") as info:
        load_demo_names(path)
    assert info.value.field == "names"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('hours = "warung"', 'hours = "siang"', "hours"),
        ("price = [1, 1, 1, 2]", "price = [0, 5]", "price"),
        ("weight = 150", "weight = 0", "weight"),
        ("\n[phones]\n", "\n[telepon]\n", "phones"),
    ],
)
def test_name_book_names_the_broken_field(tmp_path: Path, old: str, new: str, field: str) -> None:
    text = (data_dir() / "demo_names.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "demo_names.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ShippedDataError) as info:
        load_demo_names(path)
    assert info.value.field == field


def test_every_template_names_a_shipped_category(categories: dict[str, CategorySeed]) -> None:
    book = load_demo_names()
    slugs = [t.category for t in book.templates]
    assert len(slugs) == len(set(slugs))
    assert set(slugs) <= set(categories)
    assert {c.category for c in book.chains} <= set(slugs)


def _is_overnight(hours: str) -> bool:
    return any(end < start for start, end in re.findall(r"(\d\d:\d\d)-(\d\d:\d\d)", hours))
