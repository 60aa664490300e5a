"""Issue 17's whole flow through the API: an owner lists a product, a buyer finds it by a
typo'd search in an area, asks about it, the owner answers, the buyer reads the answer,
and the owner's dashboard shows the reader's view, the search appearance and the inquiry.

Each piece has its own tests (products, inquiries, insights); this one checks that they
fit together as a buyer and an owner would use them.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.inquiry_helpers import OWNER_EMAIL, owned_business, token_of
from tests.moderation_helpers import bearer
from tests.web.html import parse

SAME_ORIGIN = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
PRODUCT = {
    "name": "Keripik Singkong Balado",
    "description": "Keripik singkong pedas manis, digoreng setiap pagi.",
    "price_idr": 25_000,
    "unit": "bungkus 250 g",
    "min_order": 20,
    "export_ready": True,
}


def _view_page_as_reader(client: TestClient, slug: str, business_id: int) -> None:
    """What the business page's script does when a reader opens it: one ``view`` event."""
    page = client.get(f"/b/{slug}")
    assert page.status_code == 200
    csrf = parse(page.text).find_all("input", name="csrf_token")[0].attrs["value"]
    sent = client.post(
        "/events",
        data={"business": str(business_id), "action": "view", "csrf_token": csrf},
        headers=SAME_ORIGIN,
    )
    assert sent.status_code in (200, 202, 204), sent.text


def _insights(client: TestClient, business_id: int, token: str) -> dict[str, Any]:
    r = client.get(
        f"/api/v1/owner/businesses/{business_id}/insights",
        params={"days": 7},
        headers=bearer(token),
    )
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def test_owner_lists_a_product_a_buyer_finds_asks_and_reads_the_answer(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    owned = owned_business(client, sessions, name="Dapur Keripik Bu Sari")
    owner = bearer(owned.token)
    business = client.get(f"/api/v1/businesses/{owned.business_id}").json()
    area = business["area"]
    assert area is not None, business

    # The owner lists a product; readers see it only after an editor approves it.
    created = client.post(
        f"/api/v1/owner/businesses/{owned.business_id}/products", json=PRODUCT, headers=owner
    )
    assert created.status_code == 201, created.text
    product_id = created.json()["id"]
    assert created.json()["status"] == "pending"
    assert client.get("/api/v1/products", params={"q": "keripik"}).json()["items"] == []
    approved = client.post(
        f"/api/v1/admin/products/{product_id}/approve", headers=bearer(owned.admin)
    )
    assert approved.status_code == 200, approved.text

    # A buyer misspells it and limits the search to the business's area.
    found = client.get(
        "/api/v1/products", params={"q": "kripik singkong", "area": area["slug"]}
    ).json()
    assert [p["id"] for p in found["items"]] == [product_id]
    hit = found["items"][0]
    assert hit["business"]["id"] == owned.business_id
    assert hit["price_idr"] == 25_000
    assert found["area"]["slug"] == area["slug"]
    elsewhere = client.get("/api/v1/products", params={"q": "kripik", "area": "pamulang"})
    assert elsewhere.status_code == 200
    assert product_id not in [p["id"] for p in elsewhere.json()["items"]]

    # The buyer also finds the business itself, opens its page, then asks about the product.
    listed = client.get("/api/v1/businesses", params={"q": "dapur keripik bu sari"}).json()
    assert owned.business_id in [b["id"] for b in listed["items"]]
    _view_page_as_reader(client, business["slug"], owned.business_id)
    asked = client.post(
        f"/api/v1/businesses/{owned.business_id}/inquiries",
        json={
            "name": "Rudi Hartono",
            "company": "PT Oleh Oleh Nusantara",
            "contact": "rudi@example.com",
            "quantity": "200 bungkus",
            "message": "Bisa kirim 200 bungkus ke Surabaya bulan depan?",
            "product_id": product_id,
        },
    )
    assert asked.status_code == 201, asked.text
    receipt = token_of(asked.json())
    inquiry_id = asked.json()["id"]

    # The owner reads it (with the product it is about) and answers.
    inbox = client.get(
        f"/api/v1/owner/businesses/{owned.business_id}/inquiries", headers=owner
    ).json()
    mine = next(i for i in inbox["items"] if i["id"] == inquiry_id)
    assert "200 bungkus" in mine["quantity"]
    assert mine["product_name"] == PRODUCT["name"]
    answered = client.post(
        f"/api/v1/owner/businesses/{owned.business_id}/inquiries/{inquiry_id}/answer",
        json={"answer": "Bisa, Rp 22.000 per bungkus untuk 200 bungkus."},
        headers=owner,
    )
    assert answered.status_code == 200, answered.text

    # The buyer reads the answer with the receipt link; the owner's own e-mail stays private.
    read = client.get(f"/api/v1/inquiries/{inquiry_id}", headers=bearer(receipt))
    assert read.status_code == 200, read.text
    assert read.json()["answer"] == "Bisa, Rp 22.000 per bungkus untuk 200 bungkus."
    assert OWNER_EMAIL not in read.text

    # The dashboard: the reader's view and the search appearance are counted, no identities.
    insights = _insights(client, owned.business_id, owned.token)
    assert insights["totals"]["views"] >= 1
    assert insights["totals"]["search_appearances"] >= 1
    assert "rudi" not in str(insights).lower()
