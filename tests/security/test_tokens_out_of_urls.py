"""Finding 2: the owner's edit token never travels in a query string.

Before: the receipt after ``POST /daftar`` linked to ``/pemilik/{id}?token=dk_edit_…``, so
the token reached request lines and proxy logs.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from directory.app import create_app
from directory.settings import Settings
from tests.web.forms import csrf_from, open_private_link, valid_submission
from tests.web.html import parse


class RequestLog:
    """Every request line the app saw (what a proxy's access log would hold)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.lines: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"").decode("latin-1")
            self.lines.append(f"{scope['method']} {scope['path']}" + (f"?{query}" if query else ""))
        await self.app(scope, receive, send)


def _receipt_link(client: TestClient) -> str:
    token = csrf_from(client, "/daftar")
    sent = client.post(
        "/daftar", data={"csrf_token": token, **valid_submission()}, follow_redirects=False
    )
    assert sent.status_code == 303
    receipt = client.get(sent.headers["location"])
    href: str = parse(receipt.text).by_id("edit-link").find_all("a")[0].attrs["href"]
    return href


def test_the_receipt_links_with_a_fragment(client: TestClient) -> None:
    link = _receipt_link(client)
    assert "#token=dk_edit_" in link
    assert "?" not in link


def test_no_request_line_ever_carries_the_token(settings: Settings) -> None:
    app = create_app(settings)
    log = RequestLog(app)
    try:
        with TestClient(log) as client:  # type: ignore[arg-type]
            link = _receipt_link(client).removeprefix("http://testserver")
            token = link.partition("#token=")[2]
            opened = open_private_link(client, link)
            page = client.get(link.partition("#")[0])
    finally:
        app.state.engine.dispose()
    assert opened.status_code == 303
    assert "HttpOnly" in opened.headers["set-cookie"]
    assert page.status_code == 200
    assert "dk_edit_" not in page.text
    assert log.lines
    assert not [line for line in log.lines if token in line or "dk_edit_" in line]


def test_the_landing_page_takes_the_token_from_the_fragment(client: TestClient) -> None:
    link = _receipt_link(client).removeprefix("http://testserver")
    client.cookies.clear()
    landing = client.get(link.partition("#")[0])
    assert landing.status_code == 401
    doc = parse(landing.text)
    form = doc.by_id("owner-link-form")
    assert form.attrs["method"] == "post"
    scripts = [s.attrs.get("src", "") for s in doc.find_all("script")]
    assert any("/static/js/owner-link.js" in src for src in scripts)
    script = client.get("/static/js/owner-link.js").text
    assert "location.hash" in script
    assert "replaceState" in script


def test_a_wrong_token_in_the_form_opens_nothing(client: TestClient) -> None:
    link = _receipt_link(client).removeprefix("http://testserver")
    client.cookies.clear()
    wrong = open_private_link(client, link.partition("#")[0] + "#token=dk_edit_tebakan")
    assert wrong.status_code == 401
    assert parse(wrong.text).by_id("owner-link-error") is not None
    assert "set-cookie" not in wrong.headers or "dekat_owner" not in wrong.headers["set-cookie"]


def test_old_query_links_are_moved_out_of_the_url(client: TestClient) -> None:
    """Links handed out before this version still open the page, once, then leave the URL."""
    link = _receipt_link(client).removeprefix("http://testserver")
    path, _, fragment = link.partition("#")
    old = client.get(f"{path}?{fragment}", follow_redirects=False)
    assert old.status_code == 303
    assert old.headers["location"] == path
    assert client.get(path).status_code == 200
