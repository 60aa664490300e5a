"""Findings 6, 7, 8: the Host header, CSRF cookies and transport security.

Before: ``Host: evil.example`` became the canonical link, the JSON-LD ``@id`` and the
owner's edit link; the 404 page turned ``//evil.example/x`` into an off-site language
link; any 32–64 character cookie was accepted as a CSRF token; ``Secure`` followed the
request scheme; there was no HSTS.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from directory.app import create_app
from directory.server_secret import server_secret
from directory.settings import Settings
from tests.factories import make_business
from tests.web.forms import csrf_from, valid_submission
from tests.web.html import parse

BASE = "https://direktori.example.id"


@contextmanager
def app_client(settings: Settings, **kw: object) -> Iterator[TestClient]:
    app = create_app(settings)
    try:
        with TestClient(app, **kw) as client:  # type: ignore[arg-type]
            yield client
    finally:
        app.state.engine.dispose()


@pytest.fixture
def slug(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        return make_business(session, name="Kopi Tuan Rumah").slug


# ------------------------------------------------------------------ 6. Host header


def test_an_unknown_host_is_refused(client: TestClient, slug: str) -> None:
    assert client.get(f"/b/{slug}", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/api/v1/categories", headers={"Host": "evil.example"}).status_code == 400
    assert client.get(f"/b/{slug}").status_code == 200  # testserver is allowed by default
    assert client.get("/healthz", headers={"Host": "localhost:8000"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 200


def test_absolute_links_use_the_public_base_url(settings: Settings, slug: str) -> None:
    """Even where every Host is let through, links never come from the Host header."""
    configured = settings.model_copy(update={"allowed_hosts": "*", "public_base_url": BASE})
    with app_client(configured, base_url="https://testserver") as client:
        html = client.get(f"/b/{slug}", headers={"Host": "evil.example"}).text
        doc = parse(html)
        canonical = doc.find_all("link", rel="canonical")[0].attrs["href"]
        jsonld = json.loads("".join(c for c in doc.by_id("jsonld").children if isinstance(c, str)))
        client.cookies.clear()
        token = csrf_from(client, "/daftar")
        sent = client.post(
            "/daftar", data={"csrf_token": token, **valid_submission()}, follow_redirects=False
        )
        assert sent.status_code == 303, (sent.status_code, sent.text[:3000])
        receipt = client.get(sent.headers["location"], headers={"Host": "evil.example"})
    assert canonical == f"{BASE}/b/{slug}"
    assert jsonld["@id"] == f"{BASE}/b/{slug}"
    link = parse(receipt.text).by_id("edit-link").find_all("a")[0].attrs["href"]
    assert link.startswith(f"{BASE}/pemilik/")
    assert "evil.example" not in html + receipt.text


def test_the_base_url_host_is_allowed(settings: Settings) -> None:
    configured = Settings.model_validate({**settings.model_dump(), "public_base_url": BASE + "/"})
    assert configured.public_base_url == BASE
    with app_client(configured) as client:
        assert client.get("/healthz", headers={"Host": "direktori.example.id"}).status_code == 200
        assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400


@pytest.mark.parametrize("path", ["//evil.example/x", "/\\evil.example/x", "///evil.example"])
def test_the_404_pages_language_links_stay_on_site(client: TestClient, path: str) -> None:
    response = client.get(f"http://testserver{path}", headers={"Accept": "text/html"})
    assert response.status_code == 404
    hrefs = [a.attrs.get("href", "") for a in parse(response.text).find_all("a")]
    hrefs += [a.attrs.get("href", "") for a in parse(response.text).find_all("link")]
    for href in hrefs:
        assert not href.startswith(("//", "/\\")), href
        if "://" in href:
            assert href.startswith("http://testserver/"), href


# ------------------------------------------------------------------ 7. CSRF


def _review_form(client: TestClient, slug: str, token: str) -> int:
    return client.post(
        f"/b/{slug}/ulasan", data={"csrf_token": token, "rating": "4"}, follow_redirects=False
    ).status_code


def test_a_planted_csrf_cookie_is_not_accepted(client: TestClient, slug: str) -> None:
    chosen = "a" * 40
    client.cookies.set("dekat_csrf", chosen)
    assert _review_form(client, slug, chosen) == 403


def test_the_servers_own_token_works(client: TestClient, slug: str) -> None:
    token = csrf_from(client, f"/b/{slug}")
    nonce, _, signature = token.partition(".")
    assert len(signature) == 64
    assert _review_form(client, slug, nonce) == 403  # the bare nonce is not enough
    assert _review_form(client, slug, token) == 303


def test_https_sites_use_a_host_prefixed_secure_cookie(settings: Settings, slug: str) -> None:
    https = settings.model_copy(update={"public_base_url": BASE})
    with app_client(https, base_url="https://testserver") as client:
        response = client.get(f"/b/{slug}")
        cookie = next(c for c in response.headers.get_list("set-cookie") if "csrf" in c)
        assert cookie.startswith("__Host-dekat_csrf=")
        assert "Secure" in cookie
        assert "Path=/" in cookie
        assert "Domain" not in cookie
        # The plain name does not count on an https site.
        token = cookie.split(";", 1)[0].split("=", 1)[1]
        client.cookies.clear()
        client.cookies.set("dekat_csrf", token)
        assert _review_form(client, slug, token) == 403


def test_the_secret_is_persisted_or_configured(settings: Settings) -> None:
    first = server_secret(settings)
    assert server_secret(settings) == first  # made once, read back on the next start
    assert (settings.media_dir / ".secret_key").stat().st_mode & 0o077 == 0
    fixed = settings.model_copy(update={"secret_key": "x" * 40})
    assert server_secret(fixed) == b"x" * 40
    with pytest.raises(ValueError, match="secret_key"):
        Settings(secret_key="short")


def test_tokens_survive_a_restart(settings: Settings, slug: str) -> None:
    with app_client(settings) as client:
        token = csrf_from(client, f"/b/{slug}")
        cookies = dict(client.cookies)
    with app_client(settings, cookies=cookies) as again:
        assert _review_form(again, slug, token) == 303


# ------------------------------------------------------------------ 8. transport


def test_secure_cookies_and_hsts_follow_the_base_url(settings: Settings, slug: str) -> None:
    with app_client(settings.model_copy(update={"public_base_url": BASE})) as client:
        page = client.get(f"http://testserver/b/{slug}?lang=en")  # plain http reaches the app
        api = client.get("/api/v1/categories")
    for cookie in page.headers.get_list("set-cookie"):
        assert "Secure" in cookie, cookie
    for response in (page, api):
        assert response.headers["strict-transport-security"] == "max-age=31536000"


def test_a_forwarded_https_scheme_alone_sets_no_secure_cookie(
    settings: Settings, slug: str
) -> None:
    with app_client(settings, base_url="https://testserver") as client:
        page = client.get(f"/b/{slug}?lang=en")
    assert page.status_code == 200
    assert page.headers.get_list("set-cookie")
    for cookie in page.headers.get_list("set-cookie"):
        assert "Secure" not in cookie, cookie
    assert "strict-transport-security" not in page.headers


def test_building_an_app_touches_no_file(settings: Settings) -> None:
    """Tests and tools build apps only to read their schema: no secret file then."""
    app = create_app(settings)
    app.openapi()
    app.state.engine.dispose()
    assert not (settings.media_dir / ".secret_key").exists()
