"""The home page of a returning reader: "Terakhir dilihat" and "Untuk Anda"."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import BSD, make_business
from tests.web.html import parse

LAT, LON = BSD


def test_a_returning_reader_sees_recent_places_and_places_for_them(
    client: TestClient, session: Session
) -> None:
    first = make_business(session, name="Soto Pertama", lat=LAT, lon=LON, category="warung-makan")
    second = make_business(session, name="Kopi Kedua", lat=LAT + 0.002, lon=LON)
    unseen = make_business(session, name="Bakmi Belum Dilihat", lat=LAT + 0.001, lon=LON + 0.001,
                           category="bakso-mie-ayam")  # fmt: skip
    far = make_business(session, name="Sate Jauh Sekali", lat=-6.17, lon=106.83)

    before = parse(client.get("/").text)
    assert before.find_all("section", id="recently-viewed") == []
    assert before.find_all("section", id="for-you") == []

    for business in (first, second, first):
        assert client.get(f"/b/{business.slug}").status_code == 200

    home = client.get("/")
    assert home.headers["Cache-Control"] == "private, no-cache"
    doc = parse(home.text)
    recent = doc.by_id("recently-viewed")
    assert recent.find_all("h2")[0].text == "Terakhir dilihat"
    # Most recent first, each place once (the repeat view within minutes is not stored).
    names = [a.text for a in doc.by_id("recent-list").find_all("a", class_="place-name")]
    assert names == ["Kopi Kedua", "Soto Pertama"]

    for_you = doc.by_id("for-you")
    assert for_you.find_all("h2")[0].text == "Untuk Anda"
    cards = doc.by_id("for-you-list").find_all("li")
    suggested = [c.find_all("a")[0].text for c in cards]
    assert "Bakmi Belum Dilihat" in suggested
    # Around where this reader goes: the place next door before the one 15 km away.
    assert suggested[0] == "Bakmi Belum Dilihat"
    assert not set(suggested) & {"Kopi Kedua", "Soto Pertama"}  # already in the other list
    bakmi = cards[suggested.index("Bakmi Belum Dilihat")]
    assert "di sekitar tempat yang biasa Anda kunjungi" in bakmi.text
    assert unseen.id
    assert far.id

    english = parse(client.get("/?lang=en").text)
    assert english.by_id("recently-viewed").find_all("h2")[0].text == "Recently viewed"
    assert english.by_id("for-you").find_all("h2")[0].text == "For you"
    assert "around where you usually go" in english.by_id("for-you-list").text


def test_a_reader_who_says_no_gets_no_personal_sections(
    client: TestClient, session: Session
) -> None:
    place = make_business(session, name="Soto Rahasia")
    client.get(f"/b/{place.slug}")
    assert "Soto Rahasia" in parse(client.get("/").text).by_id("recent-list").text
    for header in ({"DNT": "1"}, {"Sec-GPC": "1"}):
        doc = parse(client.get("/", headers=header).text)
        assert doc.find_all("section", id="recently-viewed") == []
        assert doc.find_all("section", id="for-you") == []
    # Another browser never sees this reader's places.
    other = TestClient(client.app)
    assert parse(other.get("/").text).find_all("section", id="recently-viewed") == []
