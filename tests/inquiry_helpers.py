"""Shared helpers of the inquiry tests: an owned business and a buyer who asks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from tests.moderation_helpers import VALID, approve, make_admin, submit

OWNER_EMAIL = VALID["contact_email"]  # the owner's own contact: never shown to a buyer
BUYER: dict[str, Any] = {
    "name": "Budi Santoso",
    "company": "CV Maju Jaya",
    "contact": "budi@example.com",
    "quantity": "50 kg",
    "message": "Berapa harga per kg untuk pesanan rutin?",
}


@dataclass(frozen=True)
class Owned:
    """An approved listing and everyone around it."""

    admin: str
    token: str
    business_id: int
    submission_id: str


def owned_business(
    client: TestClient, sessions: sessionmaker[Session], *, name: str = "Kopi Senja Serpong",
    admin_name: str = "rina", **fields: Any,
) -> Owned:  # fmt: skip
    """Submit a listing through the API and approve it; the submitter owns it."""
    admin = make_admin(sessions, admin_name)
    sub = submit(client, name=name, **fields)
    business_id = approve(client, admin, sub["id"])["business_id"]
    return Owned(admin, sub["edit_token"], business_id, sub["id"])


def ask(client: TestClient, business_id: int, **overrides: Any) -> Response:
    """POST an inquiry (``BUYER`` with overrides; ``...`` drops a field)."""
    body = {k: v for k, v in {**BUYER, **overrides}.items() if v is not ...}
    return client.post(f"/api/v1/businesses/{business_id}/inquiries", json=body)


def token_of(created: dict[str, Any]) -> str:
    """The receipt token, as a client takes it from the receipt URL's fragment."""
    fragment = str(created["receipt_url"]).partition("#")[2]
    assert fragment.startswith("token=dk_inquiry_"), created
    return fragment.removeprefix("token=")
