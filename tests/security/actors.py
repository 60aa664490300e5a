"""A small directory with every kind of actor in it, built through the public API.

Readers have nothing; submitters hold an edit token for their pending submission; owners
hold the token of an approved listing; editors hold admin tokens (one of them revoked).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts.admins import create_admin_token, revoke_admin_token
from directory.accounts.apikeys import create_api_key
from tests.factories import BSD


def bearer(token: str | None) -> dict[str, str]:
    """The Authorization header for ``token`` (none for None)."""
    return {"Authorization": f"Bearer {token}"} if token else {}


def png_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    """A small valid PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def submit(client: TestClient, name: str, **fields: Any) -> tuple[str, str]:
    """POST a submission; returns (submission id, edit token)."""
    body = {
        "name": name,
        "category": "kafe-kopi",
        "lat": BSD[0],
        "lon": BSD[1],
        "address": "Jl. Pahlawan Seribu",
        "contact_email": "pemilik@example.com",
        **fields,
    }
    response = client.post("/api/v1/submissions", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    return data["id"], data["edit_token"]


def approve(client: TestClient, admin: str, submission_id: str) -> int:
    """Approve as an editor; returns the new business id."""
    response = client.post(
        f"/api/v1/admin/submissions/{submission_id}/approve", headers=bearer(admin)
    )
    assert response.status_code == 200, response.text
    business_id = response.json()["business_id"]
    assert isinstance(business_id, int)
    return business_id


@dataclass
class Actors:
    """Ids and tokens of everyone in the test directory."""

    admin: str
    revoked_admin: str
    pending_id: str
    pending_token: str
    owner_business: int
    owner_token: str
    other_business: int
    other_token: str
    review_id: int
    photo_id: int
    secret_name: str = "Rahasia Menunggu Moderasi"
    writer_key: str = ""  # an API key with the scope interactions:write
    product_id: int = 0  # a pending product of the owner's business
    inquiry_id: str = ""  # a buyer's inquiry to owner_business
    inquiry_token: str = ""  # its receipt token


def make_actors(client: TestClient, sessions: sessionmaker[Session]) -> Actors:
    """Create the actors: two approved owners, one pending submitter, editors, a review."""
    with sessions() as session:
        admin = create_admin_token(session, "editor")
        writer_key = create_api_key(session, "hostile-writer", ["interactions:write"])
        revoked = create_admin_token(session, "former-editor")
        revoke_admin_token(session, "former-editor")
        session.commit()
    actors_pending = submit(client, "Rahasia Menunggu Moderasi", description="belum terbit")
    owner_id, owner_token = submit(client, "Kopi Pemilik Satu")
    other_id, other_token = submit(client, "Bakso Pemilik Dua", category="bakso-mie-ayam")
    owner_business = approve(client, admin, owner_id)
    other_business = approve(client, admin, other_id)
    review = client.post(
        f"/api/v1/businesses/{owner_business}/reviews",
        json={"rating": 4, "text": "enak"},
        headers={"X-Reviewer-Key": "pembaca-1-abcdefghijklmnop"},
    )
    assert review.status_code == 201, review.text
    photo = client.post(
        f"/api/v1/owner/businesses/{owner_business}/photos",
        files={"file": ("kopi.png", png_bytes(), "image/png")},
        headers=bearer(owner_token),
    )
    assert photo.status_code == 201, photo.text
    product = client.post(
        f"/api/v1/owner/businesses/{owner_business}/products",
        json={"name": "Kopi Bubuk Robusta", "price_idr": 50000},
        headers=bearer(owner_token),
    )
    assert product.status_code == 201, product.text
    inquiry = client.post(
        f"/api/v1/businesses/{owner_business}/inquiries",
        json={"name": "Budi", "contact": "budi@example.com", "message": "Ada stok?"},
    )
    assert inquiry.status_code == 201, inquiry.text
    return Actors(
        admin=admin,
        revoked_admin=revoked,
        pending_id=actors_pending[0],
        pending_token=actors_pending[1],
        owner_business=owner_business,
        owner_token=owner_token,
        other_business=other_business,
        other_token=other_token,
        review_id=review.json()["review"]["id"],
        photo_id=photo.json()["id"],
        writer_key=writer_key,
        product_id=product.json()["id"],
        inquiry_id=inquiry.json()["id"],
        inquiry_token=inquiry.json()["receipt_token"],
    )
