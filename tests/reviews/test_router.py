"""Reviews: one live review per reviewer, pagination, hiding, exact aggregates."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.models import AuditLog, Business, Review
from directory.settings import Settings
from tests.factories import make_business
from tests.moderation_helpers import bearer, make_admin
from tests.security.conftest import MANY_REVIEWERS

KEY = "reviewer-key-0001"


def _post(
    client: TestClient, business_id: int, rating: Any, text: str | None = None, key: str = KEY
) -> Any:
    body: dict[str, Any] = {"rating": rating}
    if text is not None:
        body["text"] = text
    return client.post(
        f"/api/v1/businesses/{business_id}/reviews", json=body, headers={"X-Reviewer-Key": key}
    )


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Many reviewers from the one test client: the stuffing screen has its own tests
    (tests/security/test_review_stuffing.py); here it must not get in the way."""
    return settings.model_copy(update=MANY_REVIEWERS)


@pytest.fixture
def business_id(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return make_business(session, name="Sate Pak Kumis", rating="4.0", rating_count="10").id


def _aggregate(sessions: sessionmaker[Session], business_id: int) -> tuple[float, int]:
    with sessions() as session:
        b = session.get(Business, business_id)
        assert b is not None
        return b.rating_sum, b.rating_count


def test_posting_adds_to_the_imported_baseline(
    client: TestClient, sessions: sessionmaker[Session], business_id: int
) -> None:
    response = _post(client, business_id, 5, "Enak <script>alert(1)</script>sekali\x00!")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["replaced"] is False
    assert body["review"]["text"] == "Enak sekali!"
    assert body["rating_count"] == 11
    assert body["rating"] == round(45 / 11, 2)
    assert _aggregate(sessions, business_id) == (45.0, 11)
    with sessions() as session:
        stored = session.scalar(select(Review))
        assert stored is not None
        assert stored.reviewer_hash != KEY
        assert KEY not in stored.reviewer_hash
        assert stored.reviewer_hash == hashlib.sha256(f"dekat-reviewer:{KEY}".encode()).hexdigest()


def test_a_second_review_replaces_the_first(
    client: TestClient, sessions: sessionmaker[Session], business_id: int
) -> None:
    _post(client, business_id, 5, "pertama")
    other = _post(client, business_id, 3, "orang lain", key="someone-else-99")
    assert other.status_code == 201
    again = _post(client, business_id, 1, "kedua")
    assert again.json()["replaced"] is True
    assert _aggregate(sessions, business_id) == (40.0 + 1 + 3, 12)
    items = client.get(f"/api/v1/businesses/{business_id}/reviews").json()["items"]
    assert [i["text"] for i in items] == ["kedua", "orang lain"]  # the replacement is newest


def test_reviewer_key_from_header_cookie_or_body(
    client: TestClient, sessions: sessionmaker[Session], business_id: int
) -> None:
    url = f"/api/v1/businesses/{business_id}/reviews"
    client.cookies.set("dekat_reviewer", "cookie-reviewer-1")
    assert client.post(url, json={"rating": 4}).status_code == 201
    assert client.post(url, json={"rating": 2}).json()["replaced"] is True
    client.cookies.clear()
    assert client.post(url, json={"rating": 5, "reviewer": "body-reviewer-1"}).status_code == 201
    missing = client.post(url, json={"rating": 5})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "X-Reviewer-Key"
    short = client.post(url, json={"rating": 5}, headers={"X-Reviewer-Key": "abc"})
    assert short.status_code == 422
    assert _aggregate(sessions, business_id) == (40.0 + 2 + 5, 12)


@pytest.mark.parametrize("rating", [0, 6, 4.5, "lima", None])
def test_rating_must_be_one_to_five(client: TestClient, business_id: int, rating: Any) -> None:
    response = _post(client, business_id, rating)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "rating"


def test_too_long_text_is_refused(client: TestClient, business_id: int) -> None:
    response = _post(client, business_id, 4, "a" * 2001)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "text"


def test_only_visible_businesses_take_reviews(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        hidden = make_business(session, status="hidden").id
    assert _post(client, hidden, 5).status_code == 404
    assert _post(client, 99_999, 5).status_code == 404
    assert client.get(f"/api/v1/businesses/{hidden}/reviews").status_code == 404


def test_list_is_newest_first_and_paginated(client: TestClient, business_id: int) -> None:
    for i in range(5):
        assert (
            _post(
                client, business_id, 1 + i % 5, f"ulasan {i}", key=f"reviewer-{i:04d}"
            ).status_code
            == 201
        )
    first = client.get(f"/api/v1/businesses/{business_id}/reviews?limit=2").json()
    assert [i["text"] for i in first["items"]] == ["ulasan 4", "ulasan 3"]
    assert first["rating_count"] == 15
    second = client.get(
        f"/api/v1/businesses/{business_id}/reviews?limit=2&cursor={first['next_cursor']}"
    ).json()
    third = client.get(
        f"/api/v1/businesses/{business_id}/reviews?limit=2&cursor={second['next_cursor']}"
    ).json()
    assert [i["text"] for i in second["items"] + third["items"]] == [
        "ulasan 2", "ulasan 1", "ulasan 0",
    ]  # fmt: skip
    assert third["next_cursor"] is None
    bad = client.get(f"/api/v1/businesses/{business_id}/reviews?cursor=%%%")
    assert bad.status_code == 422


def test_editor_hides_a_review(
    client: TestClient, sessions: sessionmaker[Session], business_id: int
) -> None:
    admin = make_admin(sessions)
    review_id = _post(client, business_id, 1, "kata kasar").json()["review"]["id"]
    _post(client, business_id, 5, "bagus", key="reviewer-good-1")
    url = f"/api/v1/admin/reviews/{review_id}/hide"
    assert client.post(url).status_code == 401
    hidden = client.post(url, json={"reason": "kasar"}, headers=bearer(admin))
    assert hidden.status_code == 200
    assert hidden.json()["status"] == "hidden"
    assert client.post(url, headers=bearer(admin)).status_code == 200  # idempotent
    assert _aggregate(sessions, business_id) == (45.0, 11)
    texts = [
        i["text"] for i in client.get(f"/api/v1/businesses/{business_id}/reviews").json()["items"]
    ]
    assert texts == ["bagus"]
    # Posting again does not bring a hidden review back.
    again = _post(client, business_id, 2, "masih kasar")
    assert again.json()["review"]["status"] == "hidden"
    assert _aggregate(sessions, business_id) == (45.0, 11)
    with sessions() as session:
        entry = session.scalar(select(AuditLog).where(AuditLog.action == "hide_review"))
        assert entry is not None
        assert entry.actor == "admin:rina"
        assert entry.subject_id == str(review_id)
        assert entry.detail["reason"] == "kasar"
    shown = client.post(f"/api/v1/admin/reviews/{review_id}/show", headers=bearer(admin))
    assert shown.json()["status"] == "live"
    assert _aggregate(sessions, business_id) == (47.0, 12)
    assert client.post("/api/v1/admin/reviews/99999/hide", headers=bearer(admin)).status_code == 404
