"""Finding 3: one client with many reviewer keys cannot move a listing.

Before: 30 reviews with 30 ``X-Reviewer-Key`` values from one address were all live and
took a listing from 3.0★ (31 ratings) to 5.0★ and to the top of the results.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.app import create_app
from directory.models import Business, Review
from directory.settings import Settings
from tests.factories import make_business
from tests.moderation_helpers import bearer, make_admin


@pytest.fixture
def target(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return make_business(session, name="Warung Target", rating="3.0", rating_count="31").id


def _post(client: TestClient, business_id: int, key: str, rating: int = 5) -> Any:
    return client.post(
        f"/api/v1/businesses/{business_id}/reviews", json={"rating": rating, "text": "mantap"},
        headers={"X-Reviewer-Key": key},
    )  # fmt: skip


def _rating(sessions: sessionmaker[Session], business_id: int) -> tuple[float, int]:
    with sessions() as session:
        b = session.get(Business, business_id)
        assert b is not None
        return b.rating_sum / b.rating_count, b.rating_count


def test_thirty_keys_from_one_client_cannot_move_a_listing(
    client: TestClient, sessions: sessionmaker[Session], target: int
) -> None:
    before, count_before = _rating(sessions, target)
    codes = [_post(client, target, f"stuffing-key-{n:04d}").status_code for n in range(30)]
    live = client.get(f"/api/v1/businesses/{target}/reviews").json()
    after, count_after = _rating(sessions, target)
    # The first is a review like any other; the second (another key, same client) is held;
    # the rest are refused.
    assert codes[:2] == [201, 201]
    assert set(codes[2:]) == {429}
    assert count_after == count_before + 1
    assert len(live["items"]) == 1
    assert after - before < 0.07  # one 5★ vote among 32
    with sessions() as session:
        statuses = sorted(session.scalars(select(Review.status)))
    assert statuses == ["held", "live"]


def test_a_second_key_from_the_same_client_is_held_for_moderation(
    client: TestClient, sessions: sessionmaker[Session], target: int
) -> None:
    assert _post(client, target, "first-key-0001").json()["review"]["status"] == "live"
    second = _post(client, target, "second-key-0002")
    assert second.status_code == 201
    body = second.json()
    assert body["review"]["status"] == "held"
    assert body["rating_count"] == 32  # the held one is not counted
    admin = make_admin(sessions)
    held = client.get("/api/v1/admin/reviews/held", headers=bearer(admin)).json()
    assert [r["id"] for r in held] == [body["review"]["id"]]
    assert client.get("/api/v1/admin/reviews/held").status_code == 401
    shown = client.post(f"/api/v1/admin/reviews/{body['review']['id']}/show", headers=bearer(admin))
    assert shown.json()["status"] == "live"
    assert _rating(sessions, target)[1] == 33
    assert client.get("/api/v1/admin/reviews/held", headers=bearer(admin)).json() == []


def test_the_same_reviewer_may_correct_their_review(
    client: TestClient, sessions: sessionmaker[Session], target: int
) -> None:
    assert _post(client, target, "honest-key-01", rating=2).status_code == 201
    again = _post(client, target, "honest-key-01", rating=4)
    assert again.status_code == 201
    assert again.json()["replaced"] is True
    assert again.json()["review"]["status"] == "live"
    assert _rating(sessions, target)[1] == 32


def test_one_key_is_limited_across_businesses(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    with sessions() as session:
        ids = [make_business(session, name=f"Toko {n}").id for n in range(7)]
    limit = settings.rate_limit_reviews_per_key_per_hour
    codes = [_post(client, bid, "one-busy-key-01").status_code for bid in ids]
    assert codes == [201] * limit + [429] * (len(ids) - limit)


def test_a_burst_on_one_business_from_many_clients_is_held(
    settings: Settings, sessions: sessionmaker[Session], target: int
) -> None:
    """A campaign spread over many addresses: beyond the hourly burst, reviews wait."""
    burst = settings.review_burst_per_hour
    app = create_app(settings)
    try:
        statuses = []
        for n in range(burst + 3):
            with TestClient(app, client=(f"198.51.100.{n + 1}", 4000)) as client:
                statuses.append(
                    _post(client, target, f"campaign-key-{n:04d}").json()["review"]["status"]
                )
    finally:
        app.state.engine.dispose()
    assert statuses == ["live"] * burst + ["held"] * 3
    assert _rating(sessions, target)[1] == 31 + burst


def test_the_page_form_is_screened_too(
    client: TestClient, sessions: sessionmaker[Session], target: int
) -> None:
    from tests.web.forms import csrf_from

    with sessions() as session:
        slug = session.get(Business, target).slug  # type: ignore[union-attr]
    for n in range(2):
        client.cookies.clear()
        token = csrf_from(client, f"/b/{slug}")
        response = client.post(
            f"/b/{slug}/ulasan", data={"csrf_token": token, "rating": "5", "text": "x"},
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303
        assert response.headers["location"].endswith(
            "ulasan=terkirim#ulasan" if n == 0 else "ulasan=ditahan#ulasan"
        )
    assert _rating(sessions, target)[1] == 32
