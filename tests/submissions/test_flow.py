"""The whole path by hand: submit → duplicate warning → approve → search → owner edit → review."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from directory.models import Business
from tests.factories import make_business
from tests.moderation_helpers import VALID, approve, bearer, make_admin, submit


def test_full_flow(client: TestClient, sessions: sessionmaker[Session]) -> None:
    admin = make_admin(sessions)
    with sessions() as session:
        imported = make_business(
            session, name="Kopi Senja", lat=VALID["lat"] + 0.003, lon=VALID["lon"],
            address="Jl. Lain No. 90",
        ).id  # fmt: skip

    # 1. A stranger submits; a similar listing 330 m away is shown as a possible duplicate.
    sub = submit(client)
    assert sub["status"] == "pending"
    assert [d["business"]["id"] for d in sub["duplicates"]] == [imported]
    assert sub["duplicates"][0]["evidence"]["distance_m"] > 300

    # 2. Not visible to readers while pending.
    found = client.get("/api/v1/businesses", params={"q": "senja serpong"}).json()["items"]
    assert all(hit["id"] == imported for hit in found)

    # 3. The editor sees it with its duplicate side by side and approves (not the same place).
    queue = client.get("/api/v1/admin/submissions", headers=bearer(admin)).json()["items"]
    assert queue[0]["id"] == sub["id"]
    assert queue[0]["duplicates"][0]["business"]["id"] == imported
    business_id = approve(client, admin, sub["id"])["business_id"]

    # 4. Searchable and recommended at once.
    found = client.get("/api/v1/businesses", params={"q": "kopi senja"}).json()["items"]
    assert business_id in [hit["id"] for hit in found]
    near = {"lat": VALID["lat"], "lon": VALID["lon"], "limit": 50}
    recommended = client.get("/api/v1/recommendations", params=near)
    assert recommended.status_code == 200, recommended.text
    assert business_id in [item["business"]["id"] for item in recommended.json()["items"]]

    # 5. The owner edits with the same token: the phone at once, the name after review.
    edit = client.patch(
        f"/api/v1/owner/businesses/{business_id}",
        json={"phone": "0813-1111-2222", "name": "Kopi Senja Sore"},
        headers=bearer(sub["edit_token"]),
    ).json()
    assert edit["applied"] == ["phone"]
    assert edit["pending_review"]["fields"] == {"name": "Kopi Senja Sore"}
    approve(client, admin, edit["pending_review"]["id"])
    profile = client.get(f"/api/v1/businesses/{business_id}").json()
    assert profile["name"] == "Kopi Senja Sore"
    assert profile["phone"] == "+6281311112222"

    # 6. A reader reviews it; the aggregate follows.
    review = client.post(
        f"/api/v1/businesses/{business_id}/reviews",
        json={"rating": 4, "text": "Kopinya mantap"},
        headers={"X-Reviewer-Key": "reader-key-0001"},
    )
    assert review.status_code == 201
    profile = client.get(f"/api/v1/businesses/{business_id}").json()
    assert (profile["rating"], profile["rating_count"]) == (4.0, 1)
    with sessions() as session:
        stored = session.get(Business, business_id)
        assert stored is not None
        assert (stored.rating_sum, stored.rating_count) == (4.0, 1)

    # 7. Every change of state is in the audit log.
    actions = [
        (e["actor"], e["action"])
        for e in client.get("/api/v1/admin/audit", headers=bearer(admin)).json()["items"]
    ]
    for expected in [
        ("submitter", "submit"), ("admin:rina", "approve"), ("admin:rina", "create"),
        ("admin:rina", "edit"),
    ]:  # fmt: skip
        assert expected in actions
    assert any(actor.startswith("owner:") and action == "edit" for actor, action in actions)
