"""Owners: edits through the edit token, review of name/location/category, closing, claims."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from directory.models import Business, BusinessCategory, Category
from tests.factories import make_business
from tests.moderation_helpers import VALID, approve, bearer, make_admin, submit


def _published(client: TestClient, sessions: sessionmaker[Session]) -> tuple[str, str, int]:
    """(admin token, owner token, business id) of an approved submission."""
    admin = make_admin(sessions)
    sub = submit(client)
    business_id = approve(client, admin, sub["id"])["business_id"]
    return admin, sub["edit_token"], business_id


def _patch(client: TestClient, business_id: int, token: str, **changes: Any) -> Any:
    return client.patch(
        f"/api/v1/owner/businesses/{business_id}", json=changes, headers=bearer(token)
    )


def test_owner_reads_their_listing_and_nobody_else_does(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin, token, business_id = _published(client, sessions)
    url = f"/api/v1/owner/businesses/{business_id}"
    mine = client.get(url, headers=bearer(token))
    assert mine.status_code == 200
    assert mine.json()["business"]["id"] == business_id
    assert mine.json()["pending_edits"] == []
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer("dk_edit_tebakan")).status_code == 403
    assert client.get(url, headers=bearer(admin)).status_code == 403
    other = submit(client, name="Toko Lain", phone=None)
    assert client.get(url, headers=bearer(other["edit_token"])).status_code == 403  # pending
    assert client.get("/api/v1/owner/businesses/987654", headers=bearer(token)).status_code == 403


def test_a_rejected_submissions_token_cannot_edit(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin, _, business_id = _published(client, sessions)
    spam = submit(client, name="Toko Spam", phone=None)
    client.post(
        f"/api/v1/admin/submissions/{spam['id']}/reject", json={"reason": "spam"},
        headers=bearer(admin),
    )  # fmt: skip
    response = _patch(client, business_id, spam["edit_token"], phone="0811111111")
    assert response.status_code == 403


def test_small_changes_apply_at_once(client: TestClient, sessions: sessionmaker[Session]) -> None:
    _, token, business_id = _published(client, sessions)
    response = _patch(
        client, business_id, token,
        phone="0813-9999-8888", website=None, opening_hours="24/7", price_level=3,
        description="Sekarang juga ada <b>teh</b>.",
    )  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["pending_review"] is None
    assert body["applied"] == ["phone", "website", "opening_hours", "price_level", "description"]
    live = client.get(f"/api/v1/businesses/{business_id}").json()
    assert live["phone"] == "+6281399998888"
    assert live["website"] is None
    assert live["opening_hours"] == "24/7"
    assert live["price_level"] == 3
    assert live["description"] == "Sekarang juga ada teh."


def test_name_and_location_changes_wait_for_an_editor(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin, token, business_id = _published(client, sessions)
    response = _patch(
        client, business_id, token, name="Kopi Fajar", lat=VALID["lat"] + 0.001, phone="0811222333"
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["applied"] == ["phone"]
    review = body["pending_review"]
    assert review["kind"] == "edit"
    assert review["status"] == "pending"
    assert review["fields"] == {"name": "Kopi Fajar", "lat": VALID["lat"] + 0.001}
    live = client.get(f"/api/v1/businesses/{business_id}").json()
    assert live["name"] == VALID["name"]
    assert live["lat"] == VALID["lat"]
    assert live["phone"] == "+62811222333"
    # The owner follows the edit with the same token; editors see it in the queue.
    mine = client.get(f"/api/v1/submissions/{review['id']}", headers=bearer(token))
    assert mine.status_code == 200
    assert mine.json()["status"] == "pending"
    queue = client.get("/api/v1/admin/submissions?kind=edit", headers=bearer(admin)).json()
    assert [i["id"] for i in queue["items"]] == [review["id"]]
    assert queue["items"][0]["current"]["name"] == VALID["name"]
    approve(client, admin, review["id"])
    live = client.get(f"/api/v1/businesses/{business_id}").json()
    assert live["name"] == "Kopi Fajar"
    assert live["lat"] == VALID["lat"] + 0.001
    assert live["phone"] == "+62811222333"


def test_a_newer_edit_supersedes_a_pending_one(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin, token, business_id = _published(client, sessions)
    first = _patch(client, business_id, token, name="Kopi Satu").json()["pending_review"]
    second = _patch(client, business_id, token, name="Kopi Dua").json()["pending_review"]
    old = client.get(f"/api/v1/submissions/{first['id']}", headers=bearer(token)).json()
    assert old["status"] == "superseded"
    owner_view = client.get(f"/api/v1/owner/businesses/{business_id}", headers=bearer(token))
    assert [e["id"] for e in owner_view.json()["pending_edits"]] == [second["id"]]
    late = client.post(f"/api/v1/admin/submissions/{first['id']}/approve", headers=bearer(admin))
    assert late.status_code == 409


def test_invalid_edit_names_the_field_and_changes_nothing(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    _, token, business_id = _published(client, sessions)
    response = _patch(client, business_id, token, phone="12", price_level=7, name="")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"phone", "price_level", "name"}
    live = client.get(f"/api/v1/businesses/{business_id}").json()
    assert live["phone"] == "+6281234567890"


def test_owner_marks_the_business_closed_and_reopens_it(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    _, token, business_id = _published(client, sessions)
    closed = _patch(client, business_id, token, status="closed")
    assert closed.status_code == 200
    assert closed.json()["applied"] == ["status"]
    assert client.get(f"/api/v1/businesses/{business_id}").json()["status"] == "closed"
    found = client.get("/api/v1/businesses", params={"q": "senja"}).json()["items"]
    assert business_id not in [hit["id"] for hit in found if hit["status"] == "published"]
    reopened = _patch(client, business_id, token, status="published")
    assert reopened.json()["business"]["status"] == "published"
    with sessions() as session:
        session.get(Business, business_id).status = "hidden"  # type: ignore[union-attr]
        session.commit()
    assert _patch(client, business_id, token, status="published").status_code == 403


def test_edits_keep_secondary_categories_and_the_rating_baseline(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    with sessions() as session:
        business = make_business(session, name="Roti Bakar 88", rating="4.4", rating_count="25")
        bakery = session.scalar(select(Category.id).where(Category.slug != "kafe-kopi"))
        session.execute(
            insert(BusinessCategory).values(
                business_id=business.id, category_id=bakery, is_primary=False
            )
        )
        session.commit()
        business_id, before = business.id, (business.rating_sum, business.rating_count)
    claim = client.post(
        f"/api/v1/businesses/{business_id}/claim",
        json={"contact_name": "Bu Sari", "contact_email": "sari@example.id"},
    ).json()
    approve(client, admin, claim["id"])
    assert _patch(client, business_id, claim["edit_token"], phone="0812000111").status_code == 200
    with sessions() as session:
        stored = session.get(Business, business_id)
        assert stored is not None
        assert (stored.rating_sum, stored.rating_count) == before
        cats = set(
            session.scalars(
                select(BusinessCategory.category_id).where(
                    BusinessCategory.business_id == business_id
                )
            )
        )
        assert bakery in cats
        assert len(cats) == 2


def test_claim_turns_the_token_into_an_owner_token_on_approval(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    with sessions() as session:
        imported = make_business(session, name="Warung Bu Tini").id
    response = client.post(
        f"/api/v1/businesses/{imported}/claim",
        json={
            "contact_name": "Tini",
            "contact_email": "tini@example.id",
            "contact_phone": "0812-1111-2222",
            "message": "Saya pemiliknya; telepon saja.",
        },
    )
    assert response.status_code == 201, response.text
    claim = response.json()
    assert claim["kind"] == "claim"
    assert claim["status"] == "pending"
    token = claim["edit_token"]
    assert _patch(client, imported, token, phone="0812000111").status_code == 403
    queue = client.get("/api/v1/admin/submissions?kind=claim", headers=bearer(admin)).json()
    item = queue["items"][0]
    assert item["current"]["id"] == imported
    assert item["contact_email"] == "tini@example.id"
    assert item["fields"]["contact_name"] == "Tini"
    approve(client, admin, claim["id"])
    assert _patch(client, imported, token, phone="0812000111").status_code == 200


def test_a_rejected_claim_grants_nothing(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    with sessions() as session:
        imported = make_business(session, name="Warung Bu Tini").id
    claim = client.post(
        f"/api/v1/businesses/{imported}/claim",
        json={"contact_name": "Bukan Tini", "contact_email": "x@example.id"},
    ).json()
    client.post(
        f"/api/v1/admin/submissions/{claim['id']}/reject",
        json={"reason": "Tidak bisa diverifikasi"}, headers=bearer(admin),
    )  # fmt: skip
    assert _patch(client, imported, claim["edit_token"], phone="0812000111").status_code == 403
    seen = client.get(f"/api/v1/submissions/{claim['id']}", headers=bearer(claim["edit_token"]))
    assert seen.json()["reason"] == "Tidak bisa diverifikasi"


def test_claim_validation_and_unknown_business(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        imported = make_business(session).id
    bad = client.post(
        f"/api/v1/businesses/{imported}/claim",
        json={"contact_name": "<b></b>", "contact_email": "bukan"},
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"contact_name", "contact_email"}
    missing = client.post(
        "/api/v1/businesses/424242/claim",
        json={"contact_name": "A", "contact_email": "a@example.id"},
    )
    assert missing.status_code == 404
