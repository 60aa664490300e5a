"""The business page: visible facts, contact links, hours, JSON-LD that matches, escaping."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from directory.models import Area, Business
from tests.factories import make_business
from tests.web.html import parse, script_json


def _rich(session: Session, **overrides: str) -> Business:
    fields: dict[str, Any] = {
        "name": "Kopi Senja Serpong",
        "phone": "0812-3456-7890",
        "opening_hours": "Mo-Fr 08:00-21:00; Sa 09:00-02:00",
        "rating": "4.5",
        "rating_count": "12",
        "price_level": "2",
        "website": "https://www.kopisenja.id/menu",
        "description": "Kopi susu gula aren.\nAda wifi.",
        "address": "Jl. Pahlawan Seribu No. 8",
    }
    fields.update(overrides)
    return make_business(session, **fields)


def test_business_page_shows_contact_hours_and_map(client: TestClient, session: Session) -> None:
    business = _rich(session)
    response = client.get(f"/b/{business.slug}")
    assert response.status_code == 200
    doc = parse(response.text)
    assert doc.by_id("business-name").text == "Kopi Senja Serpong"
    phone = doc.by_id("business-phone")
    assert phone.attrs["href"] == "tel:+6281234567890"
    assert phone.text == "0812-3456-7890"
    assert doc.find_all("a", class_="whatsapp")[0].attrs["href"] == "https://wa.me/6281234567890"
    assert "Jl. Pahlawan Seribu No. 8" in doc.by_id("business-address").text
    rows = [
        [cell.text for cell in row.find_all() if cell.tag in ("th", "td")]
        for row in doc.find_all("tr")
    ]
    assert rows[0] == ["Senin", "08.00–21.00"]
    assert rows[5] == ["Sabtu", "09.00–02.00"]
    assert rows[6] == ["Minggu", "Tutup"]
    assert len(doc.find_all("tr", class_="today")) == 1
    markers = script_json(doc, "business-map-data")["markers"]
    assert markers == [
        {
            "lat": business.lat,
            "lon": business.lon,
            "name": "Kopi Senja Serpong",
            "url": "",
            "label": "",
        }
    ]
    assert doc.find_all("a", rel="nofollow ugc noopener noreferrer")[0].text == "kopisenja.id/menu"


def test_landline_has_no_whatsapp_link(client: TestClient, session: Session) -> None:
    business = _rich(session, phone="021-5312-3456")
    doc = parse(client.get(f"/b/{business.slug}").text)
    assert doc.by_id("business-phone").attrs["href"] == "tel:+622153123456"
    assert doc.find_all("a", class_="whatsapp") == []


def test_json_ld_is_valid_and_matches_the_page(client: TestClient, session: Session) -> None:
    business = _rich(session)
    doc = parse(client.get(f"/b/{business.slug}?lang=en").text)
    data = script_json(doc, "jsonld")
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "LocalBusiness"
    assert data["name"] == doc.by_id("business-name").text
    assert data["telephone"] == doc.by_id("business-phone").attrs["href"].removeprefix("tel:")
    assert data["geo"] == {
        "@type": "GeoCoordinates",
        "latitude": round(business.lat, 6),
        "longitude": round(business.lon, 6),
    }
    assert data["address"]["streetAddress"] in doc.by_id("business-address").text
    area = session.get(Area, business.area_id)
    assert area is not None  # the point lies inside a shipped border
    assert data["address"]["addressLocality"] == area.name
    rating = data["aggregateRating"]
    assert rating["ratingValue"] == 4.5
    assert rating["ratingCount"] == 12
    assert "4.5" in doc.by_id("business-rating").text
    assert "(12 ratings)" in doc.by_id("business-rating").text
    specs = data["openingHoursSpecification"]
    assert {"opens": "09:00", "closes": "02:00"}.items() <= specs[1].items()
    assert specs[1]["dayOfWeek"] == ["https://schema.org/Saturday"]
    assert len(specs[0]["dayOfWeek"]) == 5
    assert data["priceRange"] == "RpRp"
    assert data["url"].endswith(f"/b/{business.slug}")


def test_json_ld_without_rating_or_hours_leaves_them_out(
    client: TestClient, session: Session
) -> None:
    business = make_business(session, name="Bengkel Maju")
    data = script_json(parse(client.get(f"/b/{business.slug}").text), "jsonld")
    assert "aggregateRating" not in data
    assert "openingHoursSpecification" not in data
    assert "telephone" not in data


def test_script_breaking_text_is_escaped_everywhere(client: TestClient, session: Session) -> None:
    # Stored text may hold raw "<", ">" (imported before cleaning kept references as
    # written, or written by an operator); every output must still escape them.
    stored = "Kopi </script><script>alert(1)</script> & Co"
    business = _rich(session, name="placeholder", description="x")
    business.name, business.description = stored, "<!-- x --> end"
    session.commit()
    html = client.get(f"/b/{business.slug}").text
    assert business.name == stored
    assert "<script>alert(1)" not in html
    assert html.count("</script>") == html.count("<script")  # no early close
    doc = parse(html)
    assert doc.by_id("business-name").text == stored
    assert script_json(doc, "jsonld")["name"] == stored
    assert script_json(doc, "business-map-data")["markers"][0]["name"] == stored
    raw_jsonld = "".join(c for c in doc.by_id("jsonld").children if isinstance(c, str))
    for char in "<>&":
        assert char not in raw_jsonld
    assert json.loads(raw_jsonld)["description"].startswith("<!-- x -->")


def test_unknown_or_unpublished_business_is_an_html_404(
    client: TestClient, session: Session
) -> None:
    pending = make_business(session, name="Belum Tayang", status="pending")
    for path in ("/b/tidak-ada", f"/b/{pending.slug}", "/b/BAD%20SLUG"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
        assert "<h1>" in response.text


def test_closed_business_is_shown_with_a_notice(client: TestClient, session: Session) -> None:
    business = make_business(session, name="Warung Lama", status="closed")
    response = client.get(f"/b/{business.slug}?lang=en")
    assert response.status_code == 200
    assert "permanently closed" in response.text
