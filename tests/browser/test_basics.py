"""Browser: the business page map draws its marker offline, and the language switch sticks."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.conftest import LiveServer
from tests.factories import make_business

pytestmark = pytest.mark.browser


def test_business_map_shows_marker_without_tiles(
    live_server: LiveServer, page: Any, session: Session
) -> None:
    business = make_business(session, name="Kopi Peta", phone="081234567890")
    page.goto(f"{live_server.url}/b/{business.slug}")
    page.wait_for_selector("#business-map[data-ready='1']")
    assert page.locator("#business-map .leaflet-marker-icon").count() == 1
    assert page.locator("a.phone").get_attribute("href") == "tel:+6281234567890"
    assert page.dialogs == []


def test_language_switch_is_remembered(
    live_server: LiveServer, page: Any, session: Session
) -> None:
    business = make_business(session, name="Kopi Bahasa", opening_hours="Mo-Su 08:00-22:00")
    page.goto(f"{live_server.url}/b/{business.slug}")
    assert page.locator("#hours-h").inner_text() == "Jam buka"
    page.click("a[data-lang='en']")
    page.wait_for_url("**lang=en")
    assert page.locator("#hours-h").inner_text() == "Opening hours"
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("a.brand")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(f"{live_server.url}/b/{business.slug}")
    assert page.locator("#hours-h").inner_text() == "Opening hours"
    page.click("a[data-lang='id']")
    page.wait_for_url("**lang=id")
    assert page.locator("#hours-h").inner_text() == "Jam buka"


def test_phone_layout_never_scrolls_sideways(
    live_server: LiveServer, page: Any, session: Session
) -> None:
    business = make_business(session, name="Kopi Lebar", opening_hours="Mo-Su 08:00-22:00")
    for path in (
        "/",
        "/cari?q=kopi",
        "/area/bsd-city",
        "/kategori/kafe-kopi",
        f"/b/{business.slug}",
        "/daftar",
        "/moderasi/masuk",
    ):
        page.goto(live_server.url + path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], path
