"""The default mix on the demo city: what readers go out for, not errands.

The demo businesses (``directory.businesses.demo``) are loaded as a fresh site has them: no
interactions, so the shipped prior decides the families.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.bootstrap import seed_demo_data
from directory.models import Business, Category
from directory.recommendations.mix_profile import RESTRICTED
from directory.search.catalog import get_catalog
from directory.settings import Settings
from directory.web.recommend import recommend_for_place

POINT = {"lat": -6.2986, "lon": 106.6658}  # the README's BSD point
OUTINGS = {"kuliner", "kafe-kopi", "belanja", "hiburan"}


@pytest.fixture
def demo(settings: Settings) -> None:
    seed_demo_data(settings, count=2500)


def _family(session: Session, slug: str) -> str:
    catalog = get_catalog(session)
    info = catalog.category_by_slug[slug]
    return catalog.categories[catalog.ancestors(info.id)[-1]].slug


@pytest.mark.parametrize("hour", ["07:30", "12:30", "15:30", "20:00"])
def test_top_ten_at_the_bsd_point_is_what_readers_go_out_for(
    demo: None, client: TestClient, session: Session, hour: str
) -> None:
    r = client.get(
        "/api/v1/recommendations", params={**POINT, "limit": 10, "at": f"2026-12-02T{hour}"}
    )
    assert r.status_code == 200, r.text
    families = [_family(session, i["business"]["category"]) for i in r.json()["items"]]
    assert len(families) == 10
    assert not set(families) & RESTRICTED, families
    assert Counter(families)["kesehatan"] <= 1, families
    assert sum(f in OUTINGS for f in families) >= 7, families


@pytest.mark.parametrize("hour", ["12:30", "22:45"])
def test_asking_brings_errands_back(
    demo: None, client: TestClient, session: Session, hour: str
) -> None:
    """Also late at night, when the mosques' listed hours have ended and places that only
    carry the word in their address are still open: what was asked for comes first."""
    r = client.get(
        "/api/v1/recommendations",
        params={**POINT, "limit": 10, "q": "masjid", "at": f"2026-12-02T{hour}"},
    )
    families = [_family(session, i["business"]["category"]) for i in r.json()["items"]]
    assert families[0] == "ibadah"
    assert families[:3] == ["ibadah"] * 3, families


@pytest.mark.parametrize("hour", ["12:30", "23:00"])
def test_a_dish_asked_for_fills_the_top_before_anything_else(
    demo: None, client: TestClient, session: Session, hour: str
) -> None:
    """Typed words turn the three-per-category rule off, as a category does: every open or
    closed nasi goreng place near the point comes before places that do not serve it."""
    r = client.get(
        "/api/v1/recommendations",
        params={**POINT, "limit": 10, "q": "nasi goreng", "at": f"2026-12-02T{hour}"},
    )
    categories = [i["business"]["category"] for i in r.json()["items"]]
    served = [n for n, c in enumerate(categories) if c == "nasi-goreng"]
    assert len(served) > 3, categories
    assert served == list(range(len(served))), categories
    r = client.get("/api/v1/recommendations", params={**POINT, "limit": 10, "category": "apotek"})
    assert {i["business"]["category"] for i in r.json()["items"]} == {"apotek"}


@pytest.mark.parametrize("hour", ["09:00", "22:45"])
def test_what_was_asked_for_comes_before_what_only_mentions_it(
    demo: None, client: TestClient, session: Session, hour: str
) -> None:
    """Search's reading of the words decides what was asked for: "kopi" is coffee, and a
    photocopy shop ("fotokopi") or a street named after a word only follows, whatever the
    hour and whichever is open."""
    r = client.get(
        "/api/v1/recommendations",
        params={**POINT, "limit": 20, "q": "kopi", "at": f"2026-12-02T{hour}"},
    )
    items = r.json()["items"]
    families = [_family(session, i["business"]["category"]) for i in items]
    assert families[:5] == ["kafe-kopi"] * 5, families
    coffee = [n for n, f in enumerate(families) if f == "kafe-kopi"]
    photocopy = [
        n for n, i in enumerate(items) if i["business"]["category"] == "fotokopi-percetakan"
    ]
    assert all(p > coffee[-1] for p in photocopy), (families, photocopy)


def test_breakfast_coffee_dinner_by_time_of_day(
    demo: None, client: TestClient, session: Session
) -> None:
    def top_categories(hour: str) -> list[str]:
        r = client.get(
            "/api/v1/recommendations", params={**POINT, "limit": 10, "at": f"2026-12-02T{hour}"}
        )
        return [i["business"]["category"] for i in r.json()["items"]]

    morning, afternoon, night = (
        top_categories("07:00"),
        top_categories("15:30"),
        top_categories("20:00"),
    )
    coffee = {"kedai-kopi", "kopi-kekinian", "kafe", "warkop", "teh-boba", "jus-minuman"}
    dinner = {
        "restoran",
        "sate",
        "seafood",
        "nasi-goreng",
        "ayam-penyetan",
        "angkringan",
        "martabak",
    }
    breakfast = {"soto-bubur", "bakery-roti", "warung-makan", "warteg"}
    assert sum(c in breakfast for c in morning) > sum(c in breakfast for c in night)
    assert sum(c in coffee for c in afternoon) >= sum(c in coffee for c in morning)
    assert sum(c in dinner for c in night) > sum(c in dinner for c in morning)


def test_a_coffee_shops_also_nearby_lists_similar_places(
    demo: None, client: TestClient, session: Session
) -> None:
    shop = session.scalars(
        select(Business)
        .join(Category, Category.id == Business.primary_category_id)
        .where(Category.slug == "kedai-kopi")
        .order_by(Business.id)
    ).first()
    assert shop is not None
    settings = client.app.state.settings  # type: ignore[attr-defined]
    nearby = recommend_for_place(
        session,
        settings=settings,
        lat=shop.lat,
        lon=shop.lon,
        lang="id",
        at=datetime(2026, 12, 2, 15, 0, tzinfo=ZoneInfo("Asia/Jakarta")),
        origin="place",
        exclude={shop.id},
        limit=6,
        anchor_id=shop.id,
    )
    slugs = [session.get(Business, v.summary.id).primary_category.slug for v in nearby]  # type: ignore[union-attr]
    families = [_family(session, s) for s in slugs]
    assert not set(families) & RESTRICTED, families
    assert families.count("kafe-kopi") >= 3, families
    assert all(f in {"kafe-kopi", "kuliner", "belanja", "hiburan"} for f in families), families
