"""Geocoding through geopy against a local fake Nominatim/Photon, and the gazetteer fallback.

No test reaches the internet: a threading ``http.server`` on 127.0.0.1 (random port)
answers in Nominatim's (``/search``) and Photon's (``/api``) JSON formats.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from directory.app import create_app
from directory.areas.geocoding import (
    GazetteerArea,
    GeopyGeocoder,
    load_gazetteer,
    make_geocoder,
    most_specific_area,
    place_address,
)
from directory.settings import Settings
from directory.shipped_data import load_areas
from directory.textnorm import fold
from tests.moderation_helpers import VALID

CAFE = {"lat": "-6.2990100", "lon": "106.6650200"}
# The shipped gazetteer as plain data, for property tests that need no database.
GAZETTEER = [
    GazetteerArea(i, a.slug, a.kind, None, a.lat, a.lon, a.radius_m**2,
                  tuple(sorted({fold(n) for n in (a.name, *a.aliases)} - {""})))
    for i, a in enumerate(load_areas())
]  # fmt: skip


@dataclass
class FakeGeocoder:
    """What the fake server saw and how it should answer."""

    requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = field(default_factory=list)
    fail: bool = False

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        text = query.get("q", [""])[0].lower()
        if self.fail or "rusak" in text:
            return 500, {"error": "boom"}
        if path == "/api":  # Photon
            if "pahlawan" not in text:
                return 200, {"type": "FeatureCollection", "features": []}
            feature = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [106.66502, -6.29901]},
                "properties": {"name": "Kopi Senja", "type": "house", "osm_key": "amenity"},
            }
            return 200, {"type": "FeatureCollection", "features": [feature]}
        if "pahlawan" in text:
            return 200, [{**CAFE, "display_name": "Kopi Senja", "class": "amenity",
                          "type": "cafe", "addresstype": "amenity", "importance": 0.4}]  # fmt: skip
        if "pamulang" in text:
            return 200, [{"lat": "-6.34", "lon": "106.73", "display_name": "Pamulang",
                          "class": "boundary", "type": "administrative",
                          "addresstype": "city_district"}]  # fmt: skip
        return 200, []


@pytest.fixture
def fake() -> Iterator[tuple[FakeGeocoder, str]]:
    state = FakeGeocoder()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            state.requests.append((parts.path, query, dict(self.headers.items())))
            status, body = state.answer(parts.path, query)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def _nominatim(url: str, delay_s: float = 0.0) -> GeopyGeocoder:
    return GeopyGeocoder(
        kind="nominatim", base_url=url, user_agent="dekat-test/1.0 (ops@example.id)",
        min_delay_s=delay_s, timeout_s=2.0,
    )  # fmt: skip


def test_nominatim_through_geopy(fake: tuple[FakeGeocoder, str]) -> None:
    state, url = fake
    hit = _nominatim(url).geocode("Jl. Pahlawan Seribu No. 7, Serpong")
    assert hit is not None
    assert (hit.lat, hit.lon, hit.approximate) == (-6.29901, 106.66502, False)
    path, query, headers = state.requests[0]
    assert path == "/search"
    assert query["q"] == ["Jl. Pahlawan Seribu No. 7, Serpong"]
    assert query["format"] == ["json"]
    assert headers["User-Agent"] == "dekat-test/1.0 (ops@example.id)"


def test_a_town_sized_result_is_approximate(fake: tuple[FakeGeocoder, str]) -> None:
    _, url = fake
    hit = _nominatim(url).geocode("Pamulang")
    assert hit is not None
    assert hit.approximate is True


def test_nothing_found_or_a_failing_server_gives_none(fake: tuple[FakeGeocoder, str]) -> None:
    state, url = fake
    geocoder = _nominatim(url)
    assert geocoder.geocode("Jl. Entah Berantah") is None
    assert geocoder.geocode("alamat rusak") is None
    closed = _nominatim("http://127.0.0.1:9")  # discard port: connection refused
    assert closed.geocode("Jl. Pahlawan") is None


def test_calls_are_rate_limited(fake: tuple[FakeGeocoder, str]) -> None:
    _, url = fake
    geocoder = _nominatim(url, delay_s=0.3)
    started = time.monotonic()
    for _ in range(3):
        geocoder.geocode("Jl. Pahlawan")
    assert time.monotonic() - started >= 0.55  # two waits of 0.3 s (timer slack allowed)


def test_photon_through_geopy(fake: tuple[FakeGeocoder, str]) -> None:
    state, url = fake
    photon = GeopyGeocoder(kind="photon", base_url=url + "/", user_agent="dekat-test",
                           min_delay_s=0.0)  # fmt: skip
    hit = photon.geocode("Jl. Pahlawan Seribu")
    assert hit is not None
    assert (hit.lat, hit.lon) == (-6.29901, 106.66502)
    assert state.requests[0][0] == "/api"


def test_geocoder_is_off_by_default_and_urls_are_checked() -> None:
    assert Settings(database_url="sqlite://").geocoder == "off"
    assert make_geocoder(Settings(database_url="sqlite://")) is None
    on = make_geocoder(
        Settings(database_url="sqlite://", geocoder="nominatim", geocoder_url="http://x:1")
    )
    assert isinstance(on, GeopyGeocoder)
    with pytest.raises(ValueError, match="http"):
        GeopyGeocoder(kind="nominatim", base_url="ftp://x", user_agent="u", min_delay_s=0)


@pytest.mark.parametrize(
    ("address", "slug"),
    [
        ("Jl. Siliwangi 3, Pondok Benda, Pamulang", "pondok-benda"),
        ("Ruko Golden Boulevard, BSD, Tangerang Selatan", "bsd-city"),
        ("Jl. Raya Puspiptek, Setu, Tangerang Selatan", "setu"),
        ("Jl. Raya Setu, Setu, Kabupaten Bekasi", "setu-kabupaten-bekasi"),
        ("Jl. Pahlawan Seribu, Lengkong Gudang, Serpong", "lengkong-gudang"),
        ("Jl. Raya Serpong KM 7, Serpong Utara", "serpong-utara"),
        ("PAMULANG", "pamulang"),
    ],
)
def test_most_specific_named_area(sessions: sessionmaker[Session], address: str, slug: str) -> None:
    with sessions() as session:
        gazetteer = load_gazetteer(session)
    area = most_specific_area(address, gazetteer)
    assert area is not None
    assert area.slug == slug


def test_addresses_naming_no_area(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        gazetteer = load_gazetteer(session)
    for address in ("Jl. Entah No. 1", "", "Pd. Arenn", "pamulangan raya"):
        assert most_specific_area(address, gazetteer) is None


def test_fallback_when_the_geocoder_fails(
    sessions: sessionmaker[Session], fake: tuple[FakeGeocoder, str]
) -> None:
    state, url = fake
    state.fail = True
    with sessions() as session:
        placed = place_address(session, "Jl. Pahlawan, Pondok Benda, Pamulang",
                               geocoder=_nominatim(url))  # fmt: skip
    assert placed is not None
    assert (placed.source, placed.area_slug, placed.approximate) == ("area", "pondok-benda", True)


def test_submission_by_address_uses_the_configured_geocoder(
    settings: Settings, fake: tuple[FakeGeocoder, str]
) -> None:
    state, url = fake
    app = create_app(
        settings.model_copy(
            update={"geocoder": "nominatim", "geocoder_url": url, "geocoder_min_delay_s": 0.0}
        )
    )
    body = {**VALID, "lat": None, "lon": None}
    try:
        with TestClient(app) as client:
            ok = client.post("/api/v1/submissions", json=body)
            assert ok.status_code == 201, ok.text
            assert ok.json()["location"] == {
                "lat": -6.29901, "lon": 106.66502, "approximate": False, "source": "geocoder",
                "area": None,
            }  # fmt: skip
            state.fail = True
            fallback = client.post("/api/v1/submissions", json=body).json()["location"]
            assert (fallback["source"], fallback["area"]) == ("area", "lengkong-gudang")
            assert fallback["approximate"] is True
            pinned = client.post("/api/v1/submissions", json=VALID).json()["location"]
            assert pinned["source"] == "pin"
    finally:
        app.state.engine.dispose()
    assert len(state.requests) == 2  # a pinned submission is never geocoded


@given(address=st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_any_text_gives_an_area_it_names_or_none(address: str) -> None:
    area = most_specific_area(address, GAZETTEER)
    if area is not None:
        folded = f" {fold(address)} "
        assert any(f" {name} " in folded for name in area.names)
