"""/docs and /redoc load only same-origin assets, and those assets are served."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from directory.api.docs import install_api_docs
from tests.web.html import Element, parse

CONTENT_TYPES = {
    ".js": "javascript",
    ".css": "text/css",
    ".png": "image/png",
}


def asset_urls(page: Element) -> list[str]:
    """Every URL the page makes the browser load (scripts, styles, icons, images)."""
    urls = [el.attrs["src"] for el in page.find_all("script") if el.attrs.get("src")]
    urls += [el.attrs["href"] for el in page.find_all("link") if el.attrs.get("href")]
    urls += [el.attrs["src"] for el in page.find_all("img") if el.attrs.get("src")]
    return urls


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_page_loads_only_same_origin_assets(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "http://" not in response.text
    assert "https://" not in response.text
    urls = asset_urls(parse(response.text))
    assert any(url.endswith(".js") for url in urls), urls
    for url in urls:
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        suffix = url[url.rindex(".") :]
        assert CONTENT_TYPES[suffix] in asset.headers["content-type"], url
        assert len(asset.content) > 1_000, url


def test_swagger_ui_reads_the_local_schema_and_never_the_validator(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "url: '/openapi.json'" in page
    assert '"validatorUrl": null' in page
    assert "/api/v1/businesses" in client.get("/openapi.json").json()["paths"]
    redirect = client.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200
    assert "swaggerUIRedirectOauth2" in redirect.text


def test_docs_pages_are_not_in_the_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/docs", "/redoc"))]


def test_a_page_switched_off_stays_off() -> None:
    app = FastAPI(docs_url=None, redoc_url="/redoc")
    install_api_docs(app)
    client = TestClient(app)
    assert client.get("/docs").status_code == 404
    assert client.get("/docs/oauth2-redirect").status_code == 404
    page = client.get("/redoc").text
    assert '<script src="/docs/assets/redoc.standalone.js">' in page


def test_all_pages_off_serves_no_assets() -> None:
    app = FastAPI(docs_url=None, redoc_url=None)
    install_api_docs(app)
    assert TestClient(app).get("/docs/assets/swagger-ui.css").status_code == 404


def test_assets_follow_the_root_path_behind_a_proxy() -> None:
    app = FastAPI()
    install_api_docs(app)
    page = TestClient(app, root_path="/dekat").get("/docs").text
    assert all(url.startswith("/dekat/docs/assets/") for url in asset_urls(parse(page)))
    assert "url: '/dekat/openapi.json'" in page


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_docs_pages_forbid_other_origins(client: TestClient, path: str) -> None:
    policy = client.get(path).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["img-src"] == "'self' data:"
    assert all("http" not in value and "*" not in value for value in directives.values())
