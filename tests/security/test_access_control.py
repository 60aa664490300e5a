"""Who may do what: every protected operation of the OpenAPI document, every kind of token.

Without the right token nobody reads pending submissions, edits a business, moderates or
sees the audit log; tokens are single-purpose (an owner's token cannot moderate, an
editor's token is not an owner's); a revoked admin token stops working at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts.admins import create_admin_token, revoke_admin_token
from directory.app import create_app
from directory.models import AdminToken, OwnerToken, Submission
from directory.settings import Settings
from tests.security.actors import Actors, bearer, make_actors, png_bytes, submit
from tests.security.hostile import judge

_DOC = create_app(Settings(database_url="sqlite:///never-opened.db", demo_count=0)).openapi()
_METHODS = ("get", "post", "put", "patch", "delete")


def _operations() -> list[tuple[str, str, str | None]]:
    """(method, path, security scheme) of every operation."""
    out = []
    for path, item in _DOC["paths"].items():
        for method in _METHODS:
            if method in item:
                schemes = {name for req in item[method].get("security", []) for name in req}
                out.append((method.upper(), path, next(iter(sorted(schemes)), None)))
    return out


OPERATIONS = _operations()
ADMIN_OPS = [(m, p) for m, p, s in OPERATIONS if s == "AdminToken"]
OWNER_OPS = [(m, p) for m, p, s in OPERATIONS if s == "EditToken"]


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(
        settings.model_copy(
            update={
                "rate_limit_submissions_per_hour": 10**6,
                "rate_limit_reviews_per_hour": 10**6,
            }
        )
    )
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.engine.dispose()


@pytest.fixture
def actors(client: TestClient, sessions: sessionmaker[Session]) -> Actors:
    return make_actors(client, sessions)


def _fill(path: str, actors: Actors, *, business: int | None = None) -> str:
    values = {
        "submission_id": actors.pending_id,
        "business_id": str(business or actors.owner_business),
        "review_id": str(actors.review_id),
        "photo_id": str(actors.photo_id),
        "product_id": str(actors.product_id),
        "inquiry_id": actors.inquiry_id,
        "slug": "bsd-city",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def _call(
    client: TestClient, method: str, path: str, actors: Actors, token: str | None, **kw: Any
) -> Response:
    """The operation with a plausible body, so only the credentials can make it fail."""
    url = _fill(path, actors, **kw)
    headers = bearer(token)
    if path.endswith(("/photos", "/photo")) and method == "POST":
        return client.post(
            url, files={"file": ("x.png", png_bytes(), "image/png")}, headers=headers
        )
    bodies: dict[str, dict[str, Any]] = {
        "/reject": {"reason": "bukan usaha nyata"},
        "/merge": {"business_id": actors.other_business},
        "/hide": {"reason": "kasar"},
        "/answer": {"answer": "Stok ada."},
        "/report": {"reason": "spam"},
    }
    body = next((b for suffix, b in bodies.items() if path.endswith(suffix)), None)
    if path.endswith("/products") and method == "POST":
        body = {"name": "Kopi Bubuk Arabika", "price_idr": 60000}
    if method == "PATCH":
        body = {"description": "diubah oleh penyusup"}
    return client.request(method, url, json=body, headers=headers)


def test_every_admin_and_owner_operation_declares_its_token() -> None:
    """A protected path without a declared scheme would escape the tests below."""
    for method, path, scheme in OPERATIONS:
        if "/admin/" in path:
            assert scheme == "AdminToken", f"{method} {path}"
        if "/owner/" in path:
            assert scheme == "EditToken", f"{method} {path}"
    assert ("GET", "/api/v1/submissions/{submission_id}") in OWNER_OPS
    assert ("GET", "/api/v1/admin/audit") in ADMIN_OPS


def test_only_an_active_admin_token_may_moderate(client: TestClient, actors: Actors) -> None:
    """Every AdminToken operation (one database for all of them: each refusal is cheap)."""
    refused = {
        "no token": None,
        "garbage": "dk_admin_not-a-real-token",
        "owner token": actors.owner_token,
        "submitter token": actors.pending_token,
        "revoked admin token": actors.revoked_admin,
        "admin token with a space": actors.admin + " x",
        "admin hash": "0" * 64,
    }
    failures: list[str] = []
    for method, path in ADMIN_OPS:
        for label, token in refused.items():
            response = _call(client, method, path, actors, token)
            what = f"{method} {path} with {label}"
            if response.status_code != 401:
                failures.append(f"{what}: {response.status_code} {response.text[:200]}")
            elif reason := judge(response, what):
                failures.append(reason)
            elif actors.secret_name in response.text or "pemilik@example.com" in response.text:
                failures.append(f"{what}: leaks the pending submission")
    # Then with the editor's token (state changes from here on: approve, merge, hide…).
    for method, path in ADMIN_OPS:
        allowed = _call(client, method, path, actors, actors.admin)
        if allowed.status_code in (401, 403) or allowed.status_code >= 500:
            failures.append(f"{method} {path} refused the editor: {allowed.text[:200]}")
    assert not failures, "\n".join(failures)


def test_owner_operations_need_that_owners_token(client: TestClient, actors: Actors) -> None:
    """Every EditToken operation: only its own token opens it, for its own resource."""
    failures: list[str] = []
    allowed: list[tuple[str, str, str]] = []
    for method, path in OWNER_OPS:
        on_submission = "{submission_id}" in path
        right = actors.pending_token if on_submission else actors.owner_token
        refused = {
            "no token": None,
            "garbage": "dk_edit_not-a-real-token",
            "admin token": actors.admin,
            "another owner's token": actors.other_token,
        }
        if not on_submission:
            refused["the pending submitter's token"] = actors.pending_token
        for label, token in refused.items():
            response = _call(client, method, path, actors, token)
            what = f"{method} {path} with {label}"
            if response.status_code not in (401, 403, 404):
                failures.append(f"{what}: {response.status_code} {response.text[:200]}")
            elif reason := judge(response, what):
                failures.append(reason)
            elif on_submission and actors.secret_name in response.text:
                failures.append(f"{what}: leaks the pending submission")
        if "{business_id}" in path:
            response = _call(client, method, path, actors, right, business=actors.other_business)
            if response.status_code not in (403, 404):
                failures.append(f"{method} {path} on another business: {response.status_code}")
        allowed.append((method, path, right))
    for method, path, right in allowed:
        response = _call(client, method, path, actors, right)
        if not 200 <= response.status_code < 300:
            failures.append(f"{method} {path} refused its owner: {response.text[:200]}")
    assert not failures, "\n".join(failures)


def test_an_unknown_submission_and_someone_elses_look_the_same(
    client: TestClient, actors: Actors
) -> None:
    """No enumeration: a wrong token on a real id answers like a made-up id."""
    real = client.get(
        f"/api/v1/submissions/{actors.pending_id}", headers=bearer(actors.other_token)
    )
    made_up = client.get(
        "/api/v1/submissions/s_doesnotexist000", headers=bearer(actors.other_token)
    )
    assert real.status_code == made_up.status_code == 404
    assert real.json()["detail"] == made_up.json()["detail"]


def test_pending_submissions_are_invisible_to_readers(client: TestClient, actors: Actors) -> None:
    # Search for the first word; the full name must not come back (pages echo the query).
    hidden = actors.secret_name
    word = hidden.split()[0]
    for url in (
        f"/api/v1/businesses?q={word}",
        f"/api/v1/autocomplete?q={word[:5]}",
        "/api/v1/businesses?limit=100",
        "/",
        f"/cari?q={word}",
        "/api/v1/admin/submissions",
        "/api/v1/admin/audit",
    ):
        response = client.get(url)
        assert response.status_code < 500, url
        assert hidden not in response.text, url


def test_a_revoked_admin_token_stops_working_at_once(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        token = create_admin_token(session, "temp-editor")
        session.commit()
    assert client.get("/api/v1/admin/audit", headers=bearer(token)).status_code == 200
    with sessions() as session:
        revoke_admin_token(session, "temp-editor")
        session.commit()
    response = client.get("/api/v1/admin/audit", headers=bearer(token))
    assert response.status_code == 401
    assert judge(response, "revoked") is None


def test_the_audit_log_names_editors_not_their_tokens(client: TestClient, actors: Actors) -> None:
    response = client.get("/api/v1/admin/audit?limit=100", headers=bearer(actors.admin))
    assert response.status_code == 200
    actors_seen = {e["actor"] for e in response.json()["items"]}
    assert "admin:editor" in actors_seen
    for token in (actors.admin, actors.owner_token, actors.pending_token, actors.revoked_admin):
        assert token not in response.text
        assert token.split("_", 2)[2] not in response.text


def test_tokens_are_stored_only_as_hashes(
    client: TestClient, actors: Actors, sessions: sessionmaker[Session]
) -> None:
    tokens = (actors.admin, actors.revoked_admin, actors.owner_token, actors.pending_token)
    with sessions() as session:
        stored = [
            *session.scalars(select(AdminToken.token_hash)),
            *session.scalars(select(OwnerToken.token_hash)),
            *session.scalars(select(Submission.token_hash)),
        ]
        payloads = [str(p) for p in session.scalars(select(Submission.payload))]
    assert stored
    for token in tokens:
        assert token not in stored
        assert all(token not in p for p in payloads)
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in stored)


def test_a_submitted_token_cannot_publish_or_approve_itself(
    client: TestClient, actors: Actors
) -> None:
    sid, token = submit(client, "Warung Ingin Cepat Tayang")
    approve = client.post(f"/api/v1/admin/submissions/{sid}/approve", headers=bearer(token))
    assert approve.status_code == 401
    patch = client.patch(
        f"/api/v1/owner/businesses/{actors.owner_business}",
        json={"status": "published"},
        headers=bearer(token),
    )
    assert patch.status_code in (401, 403, 404)
    status = client.get(f"/api/v1/submissions/{sid}", headers=bearer(token)).json()["status"]
    assert status == "pending"
