"""The shared list pieces: names in the reader's language, area refs, summary fields."""

from __future__ import annotations

from dataclasses import dataclass

from directory.api.schemas import AreaRef
from directory.api.summary import area_ref, localized_name, summary_fields


@dataclass(frozen=True)
class _Category:
    slug: str
    name_id: str
    name_en: str


@dataclass(frozen=True)
class _Area:
    id: int
    slug: str
    name: str
    kind: str


BAKERY = _Category("toko-roti", "Toko Roti", "Bakery")
PAMULANG = _Area(7, "pamulang", "Pamulang", "kecamatan")


def test_english_only_when_asked_for() -> None:
    assert localized_name(BAKERY, "en") == "Bakery"
    assert localized_name(BAKERY, "id") == "Toko Roti"
    assert localized_name(BAKERY, "fr") == "Toko Roti"  # anything else: the default


def test_area_ref_keeps_the_four_public_fields() -> None:
    assert area_ref(PAMULANG) == AreaRef(id=7, slug="pamulang", name="Pamulang", kind="kecamatan")
    assert area_ref(None) is None


def _fields(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "business_id": 1, "slug": "roti-enak", "external_id": None, "name": "Roti Enak",
        "category": BAKERY, "lat": -6.3, "lon": 106.7, "address": "Jl. Siliwangi",
        "area": PAMULANG, "rating": 4.4567, "rating_count": 3, "price_level": 2,
        "open_now": True, "lang": "en",
    }  # fmt: skip
    values.update(overrides)
    return dict(summary_fields(**values))  # type: ignore[arg-type]


def test_summary_fields_round_name_and_ref() -> None:
    fields = _fields()
    assert fields["id"] == 1
    assert fields["category"] == "toko-roti"
    assert fields["category_name"] == "Bakery"
    assert fields["rating"] == 4.46
    assert fields["area"] == AreaRef(id=7, slug="pamulang", name="Pamulang", kind="kecamatan")


def test_summary_fields_without_category_area_or_rating() -> None:
    fields = _fields(category=None, area=None, rating=None, lang="id")
    assert fields["category"] == ""
    assert fields["category_name"] == ""
    assert fields["area"] is None
    assert fields["rating"] is None
