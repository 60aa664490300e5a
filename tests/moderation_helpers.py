"""Shared helpers of the submission, owner, moderation, review and photo tests."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts.admins import create_admin_token
from tests.factories import BSD

# A complete, valid submission near the centre of BSD City.
VALID: dict[str, Any] = {
    "name": "Kopi Senja Serpong",
    "category": "kafe-kopi",
    "lat": BSD[0] + 0.01,
    "lon": BSD[1] + 0.01,
    "address": "Jl. Pahlawan Seribu No. 7, Lengkong Gudang, Serpong",
    "phone": "0812-3456-7890",
    "website": "kopisenja.example.id",
    "opening_hours": "Mo-Fr 08:00-22:00; Sa-Su 09:00-23:00",
    "price_level": 2,
    "description": "Kopi susu gula aren dan roti bakar.",
    "contact_email": "pemilik@example.id",
}


def bearer(token: str) -> dict[str, str]:
    """The Authorization header carrying a token."""
    return {"Authorization": f"Bearer {token}"}


def make_admin(sessions: sessionmaker[Session], name: str = "rina") -> str:
    """A fresh admin token, as ``dekat admin create-token`` makes it."""
    with sessions() as session:
        token = create_admin_token(session, name)
        session.commit()
    return token


def submit(client: TestClient, **overrides: Any) -> dict[str, Any]:
    """POST a valid submission (with overrides); asserts 201 and returns the body."""
    body = {**VALID, **overrides}
    body = {k: v for k, v in body.items() if v is not ...}
    response = client.post("/api/v1/submissions", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def approve(client: TestClient, admin: str, submission_id: str) -> dict[str, Any]:
    """Approve a submission as an editor; asserts 200."""
    response = client.post(
        f"/api/v1/admin/submissions/{submission_id}/approve", headers=bearer(admin)
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), **save: Any) -> bytes:
    """A small real image in the given format."""
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    image = Image.new(mode, size, (200, 120, 40, 255) if mode == "RGBA" else (200, 120, 40))
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()
