"""The owner page's dashboard: what readers did with the listing, as server-drawn charts and
a totals table, with period links that work without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from directory.readers.visitor import pseudonym
from tests.moderation_helpers import VALID, approve, make_admin, submit
from tests.web.forms import open_private_link
from tests.web.html import parse

SAME_ORIGIN = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}


def _owned(client: TestClient, sessions: sessionmaker[Session]) -> tuple[str, dict[str, Any]]:
    """The owner page path of an approved listing (signed in) and its business."""
    sub = submit(client, name="Kopi Senja Serpong")
    business_id = approve(client, make_admin(sessions), sub["id"])["business_id"]
    path = f"/pemilik/{sub['id']}"
    assert open_private_link(client, f"{path}#token={sub['edit_token']}").status_code == 303
    business = client.get(f"/api/v1/businesses/{business_id}").json()
    return path, business


def _total(doc: Any, row: str) -> str:
    return str(doc.by_id(f"insights-{row}").find_all("td")[0].text)


def test_the_owner_sees_views_appearances_and_clicks(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    path, mine = _owned(client, sessions)
    rival = submit(client, name="Warung Sebelah Serpong", lat=VALID["lat"] + 0.001)
    approve(client, make_admin(sessions, name="dedi"), rival["id"])
    reader = TestClient(client.app)  # another browser: a reader, not the owner
    results = reader.get("/cari", params={"q": "Kopi Senja"})
    assert mine["name"] in results.text
    rival_page = reader.get("/b/warung-sebelah-serpong")  # recommends the neighbour
    assert f"/b/{mine['slug']}" in rival_page.text
    page = reader.get(f"/b/{mine['slug']}")
    csrf = parse(page.text).find_all("input", name="csrf_token")[0].attrs["value"]
    for action in ("phone", "website"):
        tapped = reader.post(
            "/events",
            data={"business": str(mine["id"]), "action": action, "csrf_token": csrf},
            headers=SAME_ORIGIN,
        )
        assert tapped.status_code == 202
    reader.get("/cari", params={"q": "Kopi Senja"}, headers={"User-Agent": "bingbot/2.0"})

    owner_page = client.get(path)
    doc = parse(owner_page.text)
    section = doc.by_id("insights")
    assert doc.by_id("insights-h").text == "Bagaimana pembaca menemukan Anda"
    assert "Jumlah 30 hari terakhir" in section.text
    assert _total(doc, "views") == "1"
    assert _total(doc, "search") == "1"
    assert _total(doc, "recommendation") == "1"
    assert (_total(doc, "phone"), _total(doc, "whatsapp")) == ("1", "0")
    assert (_total(doc, "directions"), _total(doc, "website")) == ("0", "1")
    views = doc.by_id("chart-views")
    assert views.attrs["role"] == "img"
    assert doc.by_id("chart-views-title").text == "Kunjungan halaman: 1"
    days = views.find_all("g", class_="day")
    assert len(days) == 30
    assert len(days[-1].find_all("rect")) == 1  # today has a bar
    assert "kunjungan halaman: 1" in days[-1].find_all("title")[0].text
    assert all(not d.find_all("rect") for d in days[:-1])
    clicks = doc.by_id("chart-clicks").find_all("g", class_="day")[-1]
    assert {r.attrs["class"] for r in clicks.find_all("rect")} == {"bar-phone", "bar-website"}
    # Counts only: nothing that identifies the reader is on the page.
    visitor_id = reader.cookies["dekat_vid"]
    assert visitor_id not in owner_page.text
    assert pseudonym(visitor_id) not in owner_page.text


def test_period_links_work_without_javascript(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    path, _ = _owned(client, sessions)
    doc = parse(client.get(path).text)
    assert doc.by_id("insights-period-30").attrs["aria-current"] == "page"
    link = doc.by_id("insights-period-7").attrs["href"]
    assert link == f"{path}?hari=7#insights-h"
    week = parse(client.get(link.split("#")[0]).text)
    assert week.by_id("insights-period-7").attrs["aria-current"] == "page"
    assert "Jumlah 7 hari terakhir" in week.by_id("insights").text
    assert len(week.by_id("chart-appearances").find_all("g", class_="day")) == 7
    ninety = parse(client.get(f"{path}?hari=90").text)
    assert len(ninety.by_id("chart-clicks").find_all("g", class_="day")) == 90
    for odd_value in ("365", "²", "7.0", "-7", "%00"):  # not a period: the default
        odd = client.get(f"{path}?hari={odd_value}")
        assert odd.status_code == 200, odd_value
        assert parse(odd.text).by_id("insights-period-30").attrs["aria-current"] == "page"


@pytest.mark.parametrize("lang", ["en"])
def test_the_dashboard_in_english(
    client: TestClient, sessions: sessionmaker[Session], lang: str
) -> None:
    path, _ = _owned(client, sessions)
    doc = parse(client.get(path, headers={"Accept-Language": lang}).text)
    assert doc.by_id("insights-h").text == "How readers found you"
    assert doc.by_id("insights-search").find_all("th")[0].text == "Shown in search results"


def test_a_pending_listing_has_no_dashboard(client: TestClient) -> None:
    sub = submit(client)
    path = f"/pemilik/{sub['id']}"
    open_private_link(client, f"{path}#token={sub['edit_token']}")
    page = client.get(path)
    assert page.status_code == 200
    assert 'id="insights"' not in page.text
