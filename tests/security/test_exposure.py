"""Finding 9: what the server exposes — docs, schema, headers, cached photos.

Before: ``/docs`` listed admin operations and schemas to anyone and had no CSP; every
response said ``server: uvicorn`` (see test_trusted_proxies); API JSON had no
``nosniff``; a hidden photo stayed in shared caches for a day (``max-age=86400``).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from directory.app import create_app
from directory.settings import Settings
from tests.moderation_helpers import approve, bearer, image_bytes, make_admin, submit


def test_the_public_schema_has_no_admin_operations(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/v1/businesses/{business_id}" in schema["paths"]
    assert not [p for p in schema["paths"] if p.startswith("/api/v1/admin")]
    assert "AuditPage" not in schema["components"]["schemas"]
    assert "Problem" in schema["components"]["schemas"]


def test_editors_get_the_full_schema(client: TestClient, sessions: sessionmaker[Session]) -> None:
    assert client.get("/api/v1/admin/openapi.json").status_code == 401
    full = client.get("/api/v1/admin/openapi.json", headers=bearer(make_admin(sessions)))
    assert "/api/v1/admin/audit" in full.json()["paths"]


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_pages_have_a_strict_csp(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    if "<script>" in response.text:
        assert "'sha256-" in script_src


def test_docs_can_be_turned_off(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"public_api_docs": False}))
    try:
        with TestClient(app) as client:
            for path in ("/docs", "/redoc", "/openapi.json"):
                assert client.get(path).status_code == 404, path
            assert client.get("/api/v1/categories").status_code == 200
    finally:
        app.state.engine.dispose()


def test_api_json_says_nosniff(client: TestClient) -> None:
    for path in ("/api/v1/categories", "/api/v1/businesses/999999", "/healthz"):
        assert client.get(path).headers["x-content-type-options"] == "nosniff", path


def test_errors_are_not_cached(client: TestClient) -> None:
    assert client.get("/api/v1/businesses/999999").headers["cache-control"] == "no-store"


def test_hidden_photos_cannot_live_on_in_caches(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    sub = submit(client)
    business_id = approve(client, admin, sub["id"])["business_id"]
    photo = client.post(
        f"/api/v1/owner/businesses/{business_id}/photos",
        files={"file": ("a.jpg", image_bytes(), "image/jpeg")}, headers=bearer(sub["edit_token"]),
    ).json()  # fmt: skip
    first = client.get(photo["url"])
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, no-cache"  # every use revalidates
    etag = first.headers["etag"]
    again = client.get(photo["url"], headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    client.post(f"/api/v1/admin/photos/{photo['id']}/hide", headers=bearer(admin))
    # A cache revalidating its copy now learns the photo is gone, and may not store that.
    gone = client.get(photo["url"], headers={"If-None-Match": etag})
    assert gone.status_code == 404
    assert gone.headers["cache-control"] == "no-store"
    thumb = client.get(photo["thumbnail_url"], headers={"If-None-Match": etag})
    assert thumb.status_code == 404
