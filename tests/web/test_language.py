"""Page language: Indonesian by default, English on request, remembered in a cookie."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from directory.web.i18n import LANG_COOKIE
from tests.factories import make_business
from tests.web.html import parse


@pytest.fixture
def slug(session: Session) -> str:
    return make_business(session, name="Kopi Bahasa", opening_hours="Mo-Su 08:00-22:00").slug


def test_indonesian_is_the_default(client: TestClient, slug: str) -> None:
    response = client.get(f"/b/{slug}")
    doc = parse(response.text)
    assert doc.find_all("html")[0].attrs["lang"] == "id"
    assert response.headers["content-language"] == "id"
    assert "Jam buka" in response.text
    assert "Opening hours" not in response.text
    assert LANG_COOKIE not in response.cookies


def test_query_parameter_switches_and_the_cookie_remembers(client: TestClient, slug: str) -> None:
    response = client.get(f"/b/{slug}?lang=en")
    assert "Opening hours" in response.text
    assert "Monday" in response.text
    assert response.cookies.get(LANG_COOKIE) == "en"
    cookie_header = response.headers["set-cookie"]
    assert "HttpOnly" in cookie_header
    assert "SameSite=lax" in cookie_header
    again = client.get(f"/b/{slug}")  # no ?lang: the cookie decides
    assert "Opening hours" in again.text
    back = client.get(f"/b/{slug}?lang=id")
    assert "Jam buka" in back.text
    assert back.cookies.get(LANG_COOKIE) == "id"


def test_accept_language_is_used_without_a_choice(client: TestClient, slug: str) -> None:
    response = client.get(f"/b/{slug}", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "Opening hours" in response.text
    assert LANG_COOKIE not in response.cookies
    cookie_wins = client.get(
        f"/b/{slug}", headers={"Accept-Language": "en", "Cookie": f"{LANG_COOKIE}=id"}
    )
    assert "Jam buka" in cookie_wins.text


def test_accept_language_q_values_rank_the_languages(client: TestClient, slug: str) -> None:
    low_english = client.get(f"/b/{slug}", headers={"Accept-Language": "en;q=0.1, id"})
    assert low_english.headers["content-language"] == "id"
    assert "Jam buka" in low_english.text
    low_indonesian = client.get(f"/b/{slug}", headers={"Accept-Language": "id;q=0.1, en-US"})
    assert low_indonesian.headers["content-language"] == "en"
    assert "Opening hours" in low_indonesian.text


def test_every_page_has_a_switch_to_the_same_page(client: TestClient, slug: str) -> None:
    for path in (
        f"/b/{slug}",
        "/",
        "/cari?q=kopi",
        "/area/bsd-city",
        "/kategori/kafe-kopi",
        "/daftar",
        "/tidak-ada",
    ):
        response = client.get(path, headers={"Accept": "text/html"})
        doc = parse(response.text)
        links = doc.find_all("a", data_lang="en")
        assert len(links) == 1, path
        href = links[0].attrs["href"]
        assert href.split("?")[0] == path.split("?")[0]
        assert "lang=en" in href
        if "q=kopi" in path:
            assert "q=kopi" in href


def test_unsupported_language_falls_back(client: TestClient, slug: str) -> None:
    response = client.get(f"/b/{slug}?lang=fr")
    assert response.status_code == 200
    assert "Jam buka" in response.text
