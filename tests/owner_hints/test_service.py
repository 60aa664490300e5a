"""Ranking hints: every hint is checked by making the edit for real and re-ranking."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts.tokens import EDIT_PREFIX, hash_token, new_token
from directory.models import Business, OwnerToken, Photo
from directory.owner_hints.queries import category_terms, common_searches
from directory.owner_hints.service import Hint, RankingHints, ranking_hints
from directory.recommendations.service import RecommendationQuery, recommend
from directory.search.params import SearchParams
from directory.search.service import search_businesses
from directory.search.tables import search_doc
from directory.submissions import owners
from tests.factories import make_business
from tests.moderation_helpers import approve, make_admin, submit
from tests.web.forms import open_private_link

TZ = "Asia/Jakarta"
# A Wednesday evening in the city; hints about hours pick their own open time.
NOW = datetime(2026, 12, 2, 22, 30, tzinfo=ZoneInfo(TZ))
PAMULANG_BARAT = (-6.34354, 106.73405)
BAKSO = "bakso-mie-ayam"
OPEN = "Mo-Su 08:00-21:00"


def _rivals(session: Session) -> None:
    """Four bakso places around the listing, all with hours and a low price."""
    for i, (dlat, rating, count) in enumerate([(0.001, 4.6, 40), (0.002, 4.2, 12),
                                               (-0.001, 3.9, 5), (0.003, 4.8, 80)]):  # fmt: skip
        make_business(
            session, name=f"Bakso Saingan {i}", category=BAKSO, lat=PAMULANG_BARAT[0] + dlat,
            lon=PAMULANG_BARAT[1], opening_hours=OPEN, price_level=1, rating=rating,
            rating_count=count, description="Bakso urat dan mie ayam, kuah kaldu sapi.",
        )  # fmt: skip


def _listing(session: Session, **fields: Any) -> Business:
    values: dict[str, Any] = {
        "name": "Warung Pak Budi", "category": BAKSO, "lat": PAMULANG_BARAT[0],
        "lon": PAMULANG_BARAT[1] + 0.0005, "address": "Jl. Siliwangi No. 7",
    }  # fmt: skip
    values.update(fields)
    return make_business(session, **values)


def _hints(session: Session, business_id: int, lang: str = "id") -> RankingHints:
    business = session.get(Business, business_id)
    assert business is not None
    result = ranking_hints(session, business, now=NOW, timezone=TZ, lang=lang)
    session.rollback()
    return result


def _owner_token(session: Session, business_id: int) -> str:
    token = new_token(EDIT_PREFIX)
    session.add(OwnerToken(token_hash=hash_token(token), business_id=business_id))
    session.commit()
    return token


def _rank_now(session: Session, hint: Hint, business: Business) -> int | None:
    """Re-run the ranking a hint names, independently of the hints code."""
    at = hint.at
    if hint.context == "search":
        assert hint.query is not None
        ids: list[int] = []
        page = search_businesses(
            session, SearchParams(q=hint.query, lat=hint.lat, lon=hint.lon, limit=100), now=at
        )
        cut = page.interpretation.partial_from if page.interpretation else None
        ids = [item.id for item in page.items][:cut]  # full matches only, as readers see
    else:
        assert hint.context == "recommendations_category"
        page_r = recommend(
            session,
            RecommendationQuery(lat=business.lat, lon=business.lon, category=hint.query,
                                at=at, limit=50, origin="place"),
            now=at, timezone=TZ,
        )  # fmt: skip
        ids = [item.business.id for item in page_r.items]
    return ids.index(business.id) + 1 if business.id in ids else None


def test_every_hint_is_what_the_real_edit_does(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    _rivals(session)
    business_id = _listing(session).id
    token = _owner_token(session, business_id)
    result = _hints(session, business_id)
    assert {(h.field, h.context) for h in result.hints} >= {
        ("opening_hours", "search"), ("opening_hours", "recommendations_category"),
        ("price_level", "search"),
    }  # fmt: skip
    for hint in result.hints:
        business = session.get(Business, business_id)
        assert business is not None
        assert _rank_now(session, hint, business) == hint.before_rank
        # The owner makes exactly the edit the hint is about, through the owner service.
        owners.edit_business(sessions, business_id, token, {hint.field: hint.value})
        session.rollback()  # a new transaction sees the owner's committed edit
        assert _rank_now(session, hint, business) == hint.after_rank
        assert hint.after_rank is not None
        assert hint.before_rank is None or hint.after_rank < hint.before_rank
        assert str(hint.after_rank) in hint.message
        owners.edit_business(sessions, business_id, token, {hint.field: None})
        session.rollback()  # a new transaction sees the owner's committed edit
        assert _rank_now(session, hint, business) == hint.before_rank


def test_hours_hint_names_the_hours_and_the_open_time(session: Session) -> None:
    _rivals(session)
    business_id = _listing(session).id
    hours = next(h for h in _hints(session, business_id).hints if h.context == "search"
                 and h.field == "opening_hours")  # fmt: skip
    assert hours.value == OPEN  # what the rivals nearby have
    assert hours.before_rank is None  # without hours an open-now search cannot list it
    assert hours.query == "bakso mie ayam buka sekarang pamulang barat"
    assert hours.at.hour == 12
    assert hours.message.startswith("Tambahkan jam buka: dengan jam Mo-Su 08:00-21:00")
    assert "Rabu 12.00" in hours.message
    english = _hints(session, business_id, lang="en")
    assert any(h.message.startswith("Add your opening hours") for h in english.hints)


def test_no_hint_for_a_field_already_filled(session: Session) -> None:
    _rivals(session)
    business_id = _listing(
        session, opening_hours=OPEN, price_level=2, phone="081298765432",
        description="Bakso urat, bakso telur dan mie ayam jamur sejak 1998 di Pamulang.",
    ).id  # fmt: skip
    result = _hints(session, business_id)
    assert [h.field for h in result.hints] == []
    assert [n.field for n in result.notes] == ["photo"]


def test_no_hint_for_fields_the_ranker_ignores(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    _rivals(session)
    business_id = _listing(session).id
    token = _owner_token(session, business_id)
    result = _hints(session, business_id)
    assert not {"photo", "phone"} & {h.field for h in result.hints}
    assert {n.field for n in result.notes} == {"photo", "phone"}
    photo_note = next(n for n in result.notes if n.field == "photo")
    assert "tidak mengubah urutan" in photo_note.message
    before = [(p.context, p.query, p.rank) for p in result.positions]
    # Add a photo and a phone for real: every position stays where it was.
    owners.edit_business(sessions, business_id, token, {"phone": "081311112222"})
    session.add(Photo(business_id=business_id, file_name="a.jpg", thumb_name="a-t.jpg",
                      content_type="image/jpeg", width=10, height=10, size_bytes=1))  # fmt: skip
    session.commit()
    after = _hints(session, business_id)
    assert [(p.context, p.query, p.rank) for p in after.positions] == before
    assert after.notes == []


def test_what_ifs_leave_the_stored_listing_unchanged(session: Session) -> None:
    _rivals(session)
    business_id = _listing(session).id

    def snapshot() -> tuple[Any, ...]:
        session.expire_all()
        b = session.get(Business, business_id)
        assert b is not None
        doc = session.execute(
            select(search_doc).where(search_doc.c.business_id == business_id)
        ).one()
        photos = session.scalars(select(Photo.id).where(Photo.business_id == business_id)).all()
        return (b.opening_hours, b.opening_hours_json, b.price_level, b.description, b.phone,
                b.updated_at, tuple(doc), tuple(photos))  # fmt: skip

    stored = snapshot()
    result = _hints(session, business_id)
    assert result.hints
    assert snapshot() == stored


def test_positions_count_the_category_within_1_km(session: Session) -> None:
    _rivals(session)
    make_business(session, name="Bakso Jauh", category=BAKSO, lat=PAMULANG_BARAT[0] + 0.05,
                  lon=PAMULANG_BARAT[1])  # fmt: skip
    business_id = _listing(session).id
    result = _hints(session, business_id)
    nearby = result.positions[0]
    assert nearby.context == "category_1km"
    assert nearby.out_of == 5  # four rivals and the listing; the one 5 km away is not counted
    assert nearby.rank == 5  # no reviews: last by rating
    assert nearby.message == (
        "Kategori Anda (Bakso & Mie Ayam): 5 tempat dalam 1 km, Anda di urutan 5 menurut penilaian."
    )
    queries = [p.query for p in result.positions if p.context == "search"]
    assert queries[:2] == ["bakso mie ayam", "bakso mie ayam pamulang barat"]
    contexts = [p.context for p in result.positions]
    assert contexts[-2:] == ["recommendations", "recommendations_category"]


def test_common_searches_are_the_category_words_alone_and_with_the_area() -> None:
    terms = category_terms("Bakso & Mie Ayam", ["bakso", "baso", "mie ayam"])
    assert terms == ["bakso mie ayam", "bakso", "baso"]
    assert [s.q for s in common_searches(terms[:2], "Pamulang Barat")] == [
        "bakso mie ayam", "bakso mie ayam pamulang barat", "bakso", "bakso pamulang barat",
    ]  # fmt: skip
    assert [s.q for s in common_searches(["bakso"], None)] == ["bakso"]


def test_hints_api_needs_the_owners_token(client: TestClient, session: Session) -> None:
    _rivals(session)
    business_id = _listing(session).id
    token = _owner_token(session, business_id)
    other = _owner_token(session, make_business(session, name="Toko Lain").id)
    url = f"/api/v1/owner/businesses/{business_id}/hints"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer dk_edit_tebakan"}).status_code == 403
    assert client.get(url, headers={"Authorization": f"Bearer {other}"}).status_code == 403
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["business_id"] == business_id
    assert body["category"] == {"slug": BAKSO, "name": "Bakso & Mie Ayam"}
    assert body["area"]["slug"] == "pamulang-barat"
    assert {"context", "query", "rank", "out_of", "complete", "message"} <= set(
        body["positions"][0]
    )
    hint = body["hints"][0]
    assert {"field", "value", "message", "before_rank", "after_rank", "query", "at"} <= set(hint)
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_hints_on_the_owner_page(
    client: TestClient, sessions: sessionmaker[Session], lang: str
) -> None:
    with sessions() as s:
        _rivals(s)
    admin = make_admin(sessions)
    sub = submit(client, name="Warung Pak Budi", category=BAKSO, lat=PAMULANG_BARAT[0],
                 lon=PAMULANG_BARAT[1] + 0.0005, phone=None, opening_hours=None,
                 price_level=None, description=None)  # fmt: skip
    approve(client, admin, sub["id"])
    opened = open_private_link(client, f"/pemilik/{sub['id']}#token={sub['edit_token']}")
    assert opened.status_code == 303
    page = client.get(f"/pemilik/{sub['id']}?lang={lang}")
    assert page.status_code == 200
    html = page.text
    assert 'id="ranking-hints"' in html
    if lang == "id":
        assert "Posisi Anda di pencarian dan rekomendasi" in html
        assert "Tambahkan jam buka: dengan jam Mo-Su 08:00-21:00" in html
    else:
        assert "Your position in search and recommendations" in html
        assert "Add your opening hours: with hours Mo-Su 08:00-21:00" in html


def test_unpublished_listing_gets_no_positions(session: Session) -> None:
    business_id = _listing(session, status="hidden").id
    result = _hints(session, business_id)
    assert (result.positions, result.hints, result.notes) == ([], [], [])
    assert result.category.slug == BAKSO
