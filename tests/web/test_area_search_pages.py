"""Area pages and area wording on /cari (issue 12): "Maksud Anda …?", the area used, and
cards that never claim an area they are not in."""

from __future__ import annotations

from functools import cache
from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy.orm import Session

from directory.search.catalog import get_catalog
from directory.shipped_data import load_area_polygons
from tests.factories import make_business
from tests.web.html import parse


@cache
def _inside(slug: str) -> tuple[float, float]:
    point = shape(load_area_polygons()[slug]).representative_point()
    return point.y, point.x


def _kopi(session: Session, slug: str) -> None:
    lat, lon = _inside(slug)
    make_business(session, name=f"Kopi {slug}", lat=lat, lon=lon)


def test_ambiguous_area_offers_maksud_anda_links(client: TestClient, session: Session) -> None:
    _kopi(session, "kramat-pela")  # in Kebayoran Baru
    doc = parse(client.get("/cari?area=kebayoran&q=kopi").text)
    box = doc.by_id("area-suggestions")
    assert box.text.strip().startswith("Maksud Anda")
    assert box.text.strip().endswith("?")
    links = {a.text: a.attrs["href"] for a in box.find_all("a")}
    assert {"Kebayoran Baru", "Kebayoran Lama"} <= set(links)
    assert "Kemayoran" not in links
    assert "Jakarta Selatan" in box.text  # the parent tells same-sounding places apart
    followed = parse(client.get(links["Kebayoran Baru"]).text)
    assert "Kebayoran Baru" in followed.by_id("results-summary").text
    assert [h.text for h in followed.find_all("h3", class_="result-name")] == ["Kopi kramat-pela"]


def test_did_you_mean_in_english(client: TestClient) -> None:
    doc = parse(client.get("/cari?area=kebayoran&lang=en").text)
    assert doc.by_id("area-suggestions").text.strip().startswith("Did you mean")


def test_page_states_the_area_used_and_a_correction(client: TestClient, session: Session) -> None:
    _kopi(session, "pamulang-barat")
    doc = parse(client.get("/cari?area=pamulng").text)
    summary = doc.by_id("results-summary").text
    assert "Pamulang" in summary
    assert "pamulng" in summary  # what was typed, so the reader sees the correction
    doc = parse(client.get("/cari?area=Pondok+Indah").text)
    assert "Pondok Indah" in doc.by_id("results-summary").text


def test_cards_under_an_area_are_in_that_area(client: TestClient, session: Session) -> None:
    catalog = get_catalog(session)
    in_pamulang = ["pamulang-barat", "pondok-benda", "benda-baru"]
    in_ciputat = ["kelurahan-cipayung", "serua", "kelurahan-ciputat", "sawah-baru"]
    for slug in in_pamulang + in_ciputat:
        _kopi(session, slug)
    doc = parse(client.get("/cari?area=pamulang").text)
    cards = doc.find_all("li", class_="result")
    names = sorted(c.find_all("h3", class_="result-name")[0].text for c in cards)
    assert names == sorted(f"Kopi {s}" for s in in_pamulang)
    for card in cards:
        assert "di Pamulang" in card.find_all("p", class_="reason")[0].text
        area_link = next(a for a in card.find_all("a") if a.attrs["href"].startswith("/area/"))
        slug = area_link.attrs["href"].removeprefix("/area/")
        area = next(a for a in catalog.areas.values() if a.slug == slug)
        assert catalog.areas[area.parent_id or 0].slug == "pamulang"


def test_new_area_pages_link_to_searches_of_that_area(client: TestClient, session: Session) -> None:
    _kopi(session, "bangka")  # Kemang
    doc = parse(client.get("/area/kemang").text)
    chip = next(a for a in doc.find_all("a") if a.attrs.get("href", "").startswith("/cari?"))
    area_value = parse_qs(urlparse(chip.attrs["href"]).query)["area"][0]
    body = client.get("/api/v1/businesses", params={"area": area_value}).json()
    assert body["area_match"]["slug"] == "kemang"
    # A name two areas share links by slug, so the link means this area.
    doc = parse(client.get("/area/cipayung-kota-depok").text)
    chip = next(a for a in doc.find_all("a") if a.attrs.get("href", "").startswith("/cari?"))
    assert parse_qs(urlparse(chip.attrs["href"]).query)["area"][0] == "cipayung-kota-depok"
