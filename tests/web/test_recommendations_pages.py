"""Recommendations on business, area and category pages, each explained in plain words."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_business
from tests.web.html import parse


def _section(html: str, heading_id: str) -> list[tuple[str, str]]:
    doc = parse(html)
    sections = [s for s in doc.find_all("section") if s.attrs.get("aria-labelledby") == heading_id]
    if not sections:
        return []
    return [
        (li.find_all("h3")[0].text, li.find_all("p", class_="reason")[0].text)
        for li in sections[0].find_all("li", class_="result")
    ]


def test_business_page_recommends_nearby_places(client: TestClient, session: Session) -> None:
    here = make_business(session, name="Kopi Pusat", opening_hours="24/7")
    make_business(
        session,
        name="Kopi Tetangga",
        lat="-6.3020",
        lon="106.6530",
        rating="4.6",
        rating_count="12",
        opening_hours="24/7",
    )
    nearby = _section(client.get(f"/b/{here.slug}").text, "nearby-h")
    assert [name for name, _ in nearby] == ["Kopi Tetangga"]
    reason = nearby[0][1]
    # measured from this business, not from the reader
    assert "m dari sini" in reason
    assert "dari Anda" not in reason
    english = _section(client.get(f"/b/{here.slug}?lang=en").text, "nearby-h")
    assert english[0][1] != reason
    assert "m from here" in english[0][1]
    assert "from you" not in english[0][1]


def test_area_page_adds_recommendations_after_the_best(
    client: TestClient, session: Session
) -> None:
    make_business(session, name="Kopi Terbaik", rating="4.9", rating_count="50")
    make_business(session, name="Kopi Di Luar", lat="-6.3428", lon="106.7384")
    html = client.get("/area/bsd-city").text
    best = [name for name, _ in _section(html, "best-h")]
    recommended = [name for name, _ in _section(html, "reco-h")]
    assert best == ["Kopi Terbaik"]
    assert "Kopi Terbaik" not in recommended
    ranks = [li.attrs["data-rank"] for li in parse(html).find_all("li", class_="result")]
    assert ranks == [str(i) for i in range(1, len(ranks) + 1)]


def test_area_page_distances_are_from_the_area_centre(client: TestClient, session: Session) -> None:
    make_business(session, name="Kopi Di Luar", lat="-6.3428", lon="106.7384")  # not in BSD
    reasons = [reason for _, reason in _section(client.get("/area/bsd-city").text, "reco-h")]
    assert len(reasons) == 1
    assert "km dari pusat area" in reasons[0]
    assert "dari Anda" not in reasons[0]
    english = _section(client.get("/area/bsd-city?lang=en").text, "reco-h")
    assert "km from the area centre" in english[0][1]
