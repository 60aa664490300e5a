"""The shipped taxonomy and gazetteer load, hold what the product relies on, and malformed
entries fail with the entry and field named."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.geo import distance_m
from directory.shipped_data import (
    AREA_KINDS,
    REACHES,
    SLUG_RE,
    AreaSeed,
    CategorySeed,
    ShippedDataError,
    data_dir,
    load_areas,
    load_categories,
)

TANGSEL = "kota-tangerang-selatan"
TANGSEL_KECAMATAN = {
    "serpong",
    "serpong-utara",
    "pondok-aren",
    "ciputat",
    "ciputat-timur",
    "pamulang",
    "setu",
}


@pytest.fixture(scope="module")
def categories() -> list[CategorySeed]:
    return load_categories()


@pytest.fixture(scope="module")
def areas() -> list[AreaSeed]:
    return load_areas()


def _by_slug(seeds: list[AreaSeed]) -> dict[str, AreaSeed]:
    return {s.slug: s for s in seeds}


def test_data_dir_is_the_repository_copy() -> None:
    assert data_dir() == Path(__file__).resolve().parents[2] / "data"
    assert (data_dir() / "categories.toml").is_file()


# ---------------------------------------------------------------- categories


def test_taxonomy_is_large_enough(categories: list[CategorySeed]) -> None:
    groups = [c for c in categories if c.parent is None]
    assert len(categories) >= 60
    assert len(groups) >= 12
    required = {
        "kuliner", "kafe-kopi", "belanja", "kesehatan", "kecantikan", "otomotif",
        "pendidikan", "jasa", "olahraga", "hiburan", "penginapan", "ibadah",
    }  # fmt: skip
    assert required <= {g.slug for g in groups}


def test_taxonomy_has_common_indonesian_business_kinds(categories: list[CategorySeed]) -> None:
    slugs = {c.slug for c in categories}
    expected = {
        "warung-makan", "masakan-padang", "sate", "bakso-mie-ayam", "nasi-goreng", "seafood",
        "martabak", "bakery-roti", "warteg", "kopi-kekinian", "teh-boba", "minimarket",
        "pasar", "toko-bangunan", "apotek", "klinik", "rumah-sakit", "dokter-gigi", "bidan",
        "salon", "barbershop", "spa-pijat", "bengkel-motor", "bengkel-mobil",
        "cuci-kendaraan", "spbu", "les-bimbel", "sekolah", "kampus", "laundry",
        "fotokopi-percetakan", "penjahit", "servis-ac", "servis-elektronik", "gym", "futsal",
        "badminton", "kolam-renang", "bioskop", "karaoke", "taman", "hotel",
        "kos-guest-house", "masjid", "gereja", "vihara-klenteng", "pura", "bank", "atm",
    }  # fmt: skip
    assert expected <= slugs


def test_category_fields_are_well_formed(categories: list[CategorySeed]) -> None:
    slugs = [c.slug for c in categories]
    assert len(slugs) == len(set(slugs))
    seen: set[str] = set()
    for cat in categories:
        assert SLUG_RE.match(cat.slug)
        assert cat.parent is None or cat.parent in seen, f"{cat.slug} before its parent"
        assert cat.reach in REACHES
        assert cat.name_id
        assert cat.name_en
        assert cat.synonyms, f"{cat.slug} has no synonyms"
        assert all(s == s.lower() for s in cat.synonyms)
        seen.add(cat.slug)


def test_synonyms_cover_how_readers_ask(categories: list[CategorySeed]) -> None:
    by_slug = {c.slug: c for c in categories}
    assert {"kopi", "ngopi", "coffee", "cafe"} <= set(by_slug["kafe-kopi"].synonyms)
    assert {"bengkel", "tambal ban"} <= set(by_slug["bengkel-motor"].synonyms)
    assert {"tk", "sd", "smp", "sma", "smk"} <= set(by_slug["sekolah"].synonyms)
    assert by_slug["masakan-padang"].parent == "masakan-nusantara"  # a third level exists


def test_reach_follows_how_far_people_travel(categories: list[CategorySeed]) -> None:
    reach = {c.slug: c.reach for c in categories}
    assert reach["warung-makan"] == reach["kedai-kopi"] == "walk"
    assert reach["bengkel-motor"] == "local"
    assert reach["mal"] == "district"
    assert reach["rumah-sakit"] == "city"


# --------------------------------------------------------------------- areas


def test_area_slugs_unique_and_parents_first(areas: list[AreaSeed]) -> None:
    slugs = [a.slug for a in areas]
    assert len(slugs) == len(set(slugs))
    seen: set[str] = set()
    for area in areas:
        assert SLUG_RE.match(area.slug)
        assert area.kind in AREA_KINDS
        assert (area.parent is None) == (area.kind == "province")
        assert area.parent is None or area.parent in seen
        assert area.radius_m > 0
        seen.add(area.slug)


def test_greater_jakarta_cities_present(areas: list[AreaSeed]) -> None:
    by_slug = _by_slug(areas)
    for province in ("dki-jakarta", "banten", "jawa-barat"):
        assert by_slug[province].kind == "province"
    cities = {
        "jakarta-pusat": "dki-jakarta", "jakarta-utara": "dki-jakarta",
        "jakarta-barat": "dki-jakarta", "jakarta-selatan": "dki-jakarta",
        "jakarta-timur": "dki-jakarta", "kepulauan-seribu": "dki-jakarta",
        "kota-bogor": "jawa-barat", "kabupaten-bogor": "jawa-barat", "kota-depok": "jawa-barat",
        "kota-bekasi": "jawa-barat", "kabupaten-bekasi": "jawa-barat",
        "kota-tangerang": "banten", "kabupaten-tangerang": "banten", TANGSEL: "banten",
    }  # fmt: skip
    for slug, province in cities.items():
        assert by_slug[slug].parent == province
        assert by_slug[slug].kind in ("city", "regency")


def test_tangerang_selatan_has_7_kecamatan_and_54_kelurahan(areas: list[AreaSeed]) -> None:
    kecamatan = [a for a in areas if a.kind == "kecamatan" and a.parent == TANGSEL]
    assert {k.slug for k in kecamatan} == TANGSEL_KECAMATAN
    kelurahan = [a for a in areas if a.kind == "kelurahan" and a.parent in TANGSEL_KECAMATAN]
    assert len(kelurahan) == 54
    by_slug = _by_slug(areas)
    for kel in kelurahan:
        parent = by_slug[str(kel.parent)]
        assert kel.code is not None
        assert parent.code is not None
        assert kel.code.startswith(parent.code + ".")
        # a kelurahan centroid lies near its kecamatan (elongated Setu reaches 1.5 radii)
        assert distance_m(kel.lat, kel.lon, parent.lat, parent.lon) < 2 * parent.radius_m


def test_colliding_kelurahan_slugs_are_prefixed(areas: list[AreaSeed]) -> None:
    by_slug = _by_slug(areas)
    assert by_slug["serpong"].kind == "kecamatan"
    assert by_slug["kelurahan-serpong"].kind == "kelurahan"
    assert by_slug["kelurahan-serpong"].parent == "serpong"
    assert by_slug["kelurahan-ciputat"].parent == "ciputat"


def test_townships_and_aliases(areas: list[AreaSeed]) -> None:
    by_slug = _by_slug(areas)
    tangsel = by_slug[TANGSEL]
    expected = {
        "bsd-city": {"BSD", "Bumi Serpong Damai"},
        "alam-sutera": {"Alsut"},
        "gading-serpong": {"GS", "Summarecon Serpong"},
        "bintaro-jaya": {"Bintaro"},
    }
    for slug, aliases in expected.items():
        town = by_slug[slug]
        assert town.kind == "township"
        assert town.parent == TANGSEL
        assert aliases <= set(town.aliases)
        assert 1000 <= town.radius_m <= 6000
        assert distance_m(town.lat, town.lon, tangsel.lat, tangsel.lon) < 12_000
    assert "Tangsel" in tangsel.aliases
    assert "Jaksel" in by_slug["jakarta-selatan"].aliases
    assert "Ciputim" in by_slug["ciputat-timur"].aliases


def test_tangerang_selatan_radius_matches_its_area(areas: list[AreaSeed]) -> None:
    # Kota Tangerang Selatan covers about 164 km²; an equal-area circle has r ≈ 7.2 km.
    tangsel = _by_slug(areas)[TANGSEL]
    assert math.pi * tangsel.radius_m**2 / 1e6 == pytest.approx(164, rel=0.05)


# ---------------------------------------------------------------- malformed


GOOD_CATEGORY = 'slug = "kopi"\nname_id = "Kopi"\nname_en = "Coffee"\nreach = "walk"\n'
GOOD_AREA = 'slug = "x"\nname = "X"\nkind = "province"\nlat = -6.3\nlon = 106.7\nradius_m = 500\n'


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "data.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[[category]]\n" + GOOD_CATEGORY.replace('name_id = "Kopi"\n', ""), "name_id"),
        ("[[category]]\n" + GOOD_CATEGORY.replace('"walk"', '"far"'), "reach"),
        ("[[category]]\n" + GOOD_CATEGORY.replace('"kopi"', '"Kopi Kita"'), "slug"),
        ("[[category]]\n" + GOOD_CATEGORY + 'parent = "nope"\n', "parent"),
        ("[[category]]\n" + GOOD_CATEGORY + 'synonyms = ["Ngopi"]\n', "synonyms"),
        ("[[category]]\n" + GOOD_CATEGORY + 'synonyms = "kopi"\n', "synonyms"),
        ("[[category]]\n" + GOOD_CATEGORY + 'colour = "brown"\n', "colour"),
        ("[[category]]\n" + GOOD_CATEGORY + "[[category]]\n" + GOOD_CATEGORY, "slug"),
        ("[[category]]\n" + GOOD_CATEGORY.replace('"Coffee"', "3"), "name_en"),
        ("[[category]]\n" + GOOD_CATEGORY + "[[category\n", "category"),
        ('slug = "x"\n', "category"),
    ],
)
def test_malformed_category_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(ShippedDataError) as info:
        load_categories(_write(tmp_path, text))
    assert info.value.field == field
    assert f"'{field}'" in str(info.value)
    assert "data.toml" in str(info.value)


def test_category_error_names_the_entry(tmp_path: Path) -> None:
    bad = GOOD_CATEGORY.replace('"kopi"', '"teh"').replace('"walk"', '"far"')
    path = _write(tmp_path, "[[category]]\n" + GOOD_CATEGORY + "[[category]]\n" + bad)
    with pytest.raises(ShippedDataError, match=r"category #2 'teh'.*'reach'"):
        load_categories(path)


def test_parent_cycle_is_rejected(tmp_path: Path) -> None:
    a = GOOD_CATEGORY.replace('"kopi"', '"a"') + 'parent = "b"\n'
    b = GOOD_CATEGORY.replace('"kopi"', '"b"') + 'parent = "a"\n'
    with pytest.raises(ShippedDataError) as info:
        load_categories(_write(tmp_path, f"[[category]]\n{a}[[category]]\n{b}"))
    assert info.value.field == "parent"


def test_children_listed_first_come_back_after_their_parent(tmp_path: Path) -> None:
    child = GOOD_CATEGORY.replace('"kopi"', '"kopi-susu"') + 'parent = "kopi"\n'
    seeds = load_categories(_write(tmp_path, f"[[category]]\n{child}[[category]]\n{GOOD_CATEGORY}"))
    assert [s.slug for s in seeds] == ["kopi", "kopi-susu"]
    assert seeds[1].parent == "kopi"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (GOOD_AREA.replace("lat = -6.3", "lat = -96.3"), "lat"),
        (GOOD_AREA.replace("lon = 106.7", "lon = 196.7"), "lon"),
        (GOOD_AREA.replace("lat = -6.3\nlon = 106.7", "lat = 0\nlon = 0"), "lat"),
        (GOOD_AREA.replace("lat = -6.3", 'lat = "-6.3"'), "lat"),
        (GOOD_AREA.replace("lon = 106.7\n", ""), "lon"),
        (GOOD_AREA.replace("radius_m = 500", "radius_m = 0"), "radius_m"),
        (GOOD_AREA.replace("radius_m = 500", "radius_m = nan"), "radius_m"),
        (GOOD_AREA.replace('"province"', '"village"'), "kind"),
        (GOOD_AREA + 'parent = "jawa"\n', "parent"),
        (GOOD_AREA + 'aliases = ["A", "A"]\n', "aliases"),
        (GOOD_AREA + "code = 31\n", "code"),
        (GOOD_AREA.replace('name = "X"', 'name = " X"'), "name"),
    ],
)
def test_malformed_area_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(ShippedDataError) as info:
        load_areas(_write(tmp_path, "[[area]]\n" + text))
    assert info.value.field == field
    assert "area #1 'x'" in str(info.value)


def test_error_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="radius_m"):
        load_areas(_write(tmp_path, "[[area]]\n" + GOOD_AREA.replace("500", "-1")))


@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(allow_nan=True, allow_infinity=True),
    lon=st.floats(allow_nan=True, allow_infinity=True),
)
def test_any_coordinates_load_or_fail_on_lat_lon(
    tmp_path_factory: pytest.TempPathFactory, lat: float, lon: float
) -> None:
    def toml_float(x: float) -> str:
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)

    text = GOOD_AREA.replace("lat = -6.3", f"lat = {toml_float(lat)}")
    text = text.replace("lon = 106.7", f"lon = {toml_float(lon)}")
    path = _write(tmp_path_factory.mktemp("areas"), "[[area]]\n" + text)
    valid = (
        math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180
    ) and not (lat == 0 and lon == 0)
    if valid:
        (seed,) = load_areas(path)
        assert (seed.lat, seed.lon) == (lat, lon)
    else:
        with pytest.raises(ShippedDataError) as info:
            load_areas(path)
        assert info.value.field in ("lat", "lon")
