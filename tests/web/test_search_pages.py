"""Home, search, area and category pages through plain GET forms (no JavaScript)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_business
from tests.web.html import parse, script_json

PAMULANG = (-6.3428, 106.7384)


def _names(html: str) -> list[str]:
    doc = parse(html)
    return [h.text for h in doc.find_all("h3", class_="result-name")]


def test_home_shows_form_areas_categories(client: TestClient, session: Session) -> None:
    make_business(session, name="Kopi Beranda", rating="4.8", rating_count="30")
    doc = parse(client.get("/").text)
    form = doc.by_id("search-form")
    assert form.attrs["method"] == "get"
    assert form.attrs["action"] == "/cari"
    assert doc.by_id("area").attrs["list"] == "area-options"
    assert len(doc.by_id("area-options").find_all("option")) > 100
    chips = [i.attrs["value"] for i in form.find_all("input", name="kategori")]
    assert "kafe-kopi" in chips
    assert "Kopi Beranda" in _names(doc_html := client.get("/").text)
    assert "/area/bsd-city" in doc_html


def test_search_by_misspelt_area_with_reasons_and_map(client: TestClient, session: Session) -> None:
    make_business(session, name="Kopi Pamulang", lat=str(PAMULANG[0]), lon=str(PAMULANG[1]))
    make_business(session, name="Kopi BSD")
    response = client.get("/cari?q=kopi&area=pamulng")
    doc = parse(response.text)
    assert _names(response.text) == ["Kopi Pamulang"]
    assert "Pamulang" in doc.by_id("results-summary").text
    reason = doc.find_all("p", class_="reason")[0].text
    assert "cocok dengan “kopi”" in reason
    assert "di Pamulang" in reason
    markers = script_json(doc, "results-map-data")["markers"]
    assert [(m["name"], m["label"]) for m in markers] == [("Kopi Pamulang", "1")]


def test_paging_with_next_links(client: TestClient, session: Session) -> None:
    for i in range(25):
        make_business(session, name=f"Warkop Uji {i:02d}", category="warkop")
    first = client.get("/cari?kategori=warkop&urut=newest")
    names = _names(first.text)
    assert len(names) == 20
    next_link = parse(first.text).by_id("next-page").attrs["href"]
    assert "cursor=" in next_link
    assert "kategori=warkop" in next_link
    second = client.get(next_link)
    more = _names(second.text)
    assert len(more) == 5
    assert not set(names) & set(more)
    assert parse(second.text).find_all("li", class_="result")[0].attrs["data-rank"] == "21"
    assert "next-page" not in second.text


def test_unknown_area_is_reported_with_suggestions(client: TestClient) -> None:
    response = client.get("/cari?area=Ciputat+Timur+Raya+Jauh+Sekali&q=kopi")
    assert response.status_code == 200
    doc = parse(response.text)
    assert "Tidak ada area yang cocok" in response.text
    suggestions = [a.text for a in doc.by_id("area-suggestions").find_all("a")]
    assert "Ciputat Timur" in suggestions
    assert doc.by_id("area").attrs["value"] == ""  # the next search starts clean


def test_bad_parameters_never_fail_the_page(client: TestClient) -> None:
    for query in (
        "lat=abc&lon=1",
        "bbox=1,2",
        "urut=distance",
        "cursor=%00%01",
        "kategori=tidak-ada",
        "rating=99&harga=7",
        "q=" + "x" * 500,
    ):
        response = client.get(f"/cari?{query}")
        assert response.status_code == 200, query


def test_bbox_and_point_searches(client: TestClient, session: Session) -> None:
    make_business(session, name="Kopi Dalam Peta")
    make_business(session, name="Kopi Luar Peta", lat=str(PAMULANG[0]), lon=str(PAMULANG[1]))
    inside = client.get("/cari?bbox=106.64,-6.31,106.66,-6.29")
    assert _names(inside.text) == ["Kopi Dalam Peta"]
    near = client.get("/cari?lat=-6.3016&lon=106.6527&urut=distance")
    names = _names(near.text)
    assert names[0] == "Kopi Dalam Peta"
    doc = parse(near.text)
    assert doc.find_all("span", class_="distance")[0].text == "10 m"
    assert "dari Anda" in doc.find_all("p", class_="reason")[0].text


def test_area_page(client: TestClient, session: Session) -> None:
    make_business(session, name="Kopi Terbaik BSD", rating="4.9", rating_count="80")
    make_business(session, name="Kopi Biasa BSD", rating="3.1", rating_count="10")
    response = client.get("/area/bsd-city")
    doc = parse(response.text)
    assert doc.by_id("area-name").text == "BSD City"
    assert _names(response.text)[:2] == ["Kopi Terbaik BSD", "Kopi Biasa BSD"]
    reasons = [p.text for p in doc.find_all("p", class_="reason")]
    assert reasons[:2] == ["Alasan muncul: rating baik dari banyak orang"] * 2
    assert client.get("/area/tidak-ada").status_code == 404


def test_category_page_includes_children(client: TestClient, session: Session) -> None:
    make_business(session, name="Warkop Anak Kategori", category="warkop")
    response = client.get("/kategori/kafe-kopi")
    doc = parse(response.text)
    assert doc.by_id("category-name").text == "Kafe & Kopi"
    assert "Warkop Anak Kategori" in _names(response.text)
    english = parse(client.get("/kategori/kafe-kopi?lang=en").text)
    assert english.by_id("category-name").text == "Cafes & Coffee"
    in_area = parse(client.get("/kategori/kafe-kopi?area=pamulang").text)
    best = in_area.find_all("section", aria_labelledby="best-h")[0]
    assert best.find_all("h3", class_="result-name") == []  # none in Pamulang itself
    # ...but the recommender still offers the nearest one, with its reasons.
    recommended = in_area.find_all("section", aria_labelledby="reco-h")[0]
    assert "Warkop Anak Kategori" in recommended.text
    assert recommended.find_all("p", class_="reason")[0].text
    assert client.get("/kategori/tidak-ada").status_code == 404


def test_pages_carry_security_headers(client: TestClient) -> None:
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "dekat_csrf" in response.cookies


def test_static_files_are_cached_and_leaflet_is_licensed(client: TestClient) -> None:
    doc = parse(client.get("/").text)
    css = [link.attrs["href"] for link in doc.find_all("link", rel="stylesheet")]
    leaflet_css = next(h for h in css if "leaflet.css" in h)
    assert "?v=" in leaflet_css
    response = client.get(leaflet_css)
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    licence = client.get("/static/vendor/leaflet/LICENSE")
    assert "BSD 2-Clause" in licence.text
    assert client.get("/static/vendor/leaflet/images/marker-icon.png").status_code == 200


def test_search_page_says_how_the_query_was_read(client: TestClient, session: Session) -> None:
    make_business(session, name="Kopi Kenangan BSD", category="kedai-kopi")
    make_business(
        session, name="Kopi Kenangan Pamulang", category="kedai-kopi",
        lat=str(PAMULANG[0]), lon=str(PAMULANG[1]),
    )  # fmt: skip
    response = client.get("/cari?q=kopi+kenangan+bsd")
    doc = parse(response.text)
    assert _names(response.text) == ["Kopi Kenangan BSD"]
    line = doc.by_id("query-reading").text
    assert "Menampilkan kopi kenangan di BSD City" in line
    literal = doc.by_id("query-literal")
    assert literal.text == "cari “bsd” sebagai teks"
    # One click back: every word as text ("bsd" in the name), and a way to read it again.
    back = client.get(literal.attrs["href"])
    assert "teks=1" in literal.attrs["href"]
    assert _names(back.text) == ["Kopi Kenangan BSD"]
    assert "sebagai teks" in parse(back.text).by_id("query-reading").text


def test_search_page_asks_for_the_location(client: TestClient, session: Session) -> None:
    make_business(session, name="Kopi Dekat")
    doc = parse(client.get("/cari?q=dekat+sini").text)
    assert "lokasi" in doc.by_id("query-location").text
    assert _names(client.get("/cari?q=dekat+sini").text) == []
