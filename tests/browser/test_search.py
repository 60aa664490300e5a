"""Browser: search with a misspelt area (list and map agree), map bounds, "near me", no JS."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.conftest import LiveServer
from tests.factories import make_business

pytestmark = pytest.mark.browser

PAMULANG = (-6.3428, 106.7384)


@pytest.fixture
def places(session: Session) -> None:
    for i, (dlat, dlon) in enumerate([(0.0, 0.0), (0.002, 0.001), (-0.001, 0.002)]):
        make_business(
            session,
            name=f"Kopi Pamulang {i + 1}",
            lat=str(PAMULANG[0] + dlat),
            lon=str(PAMULANG[1] + dlon),
            rating="4.5",
            rating_count=str(10 + i),
        )
    make_business(session, name="Kopi BSD Dekat", rating="4.0", rating_count="5")
    make_business(
        session,
        name="Bengkel Pamulang",
        category="otomotif",
        lat=str(PAMULANG[0]),
        lon=str(PAMULANG[1] + 0.001),
    )


def _result_names(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("h3.result-name").all_inner_texts()]


def test_typo_area_search_shows_list_and_markers(
    live_server: LiveServer, page: Any, places: None
) -> None:
    page.goto(live_server.url + "/")
    page.fill("#q", "kopi")
    page.fill("#area", "pamulng")
    page.click("#search-form button[type=submit]")
    page.wait_for_url("**/cari?**")
    page.wait_for_selector("#results-map[data-ready='1']")
    names = _result_names(page)
    assert sorted(names) == ["Kopi Pamulang 1", "Kopi Pamulang 2", "Kopi Pamulang 3"]
    assert "Pamulang" in page.inner_text("#results-summary")
    pins = page.locator("#results-map .leaflet-marker-icon")
    assert pins.count() == 3
    titles = sorted(pins.nth(i).get_attribute("title") for i in range(3))
    assert titles == sorted(names)
    assert page.locator("#results-map .pin").first.inner_text() == "1"
    pins.first.click()
    assert page.locator(".leaflet-popup-content a").inner_text() in names
    assert page.dialogs == []


def test_search_this_map_area(live_server: LiveServer, page: Any, places: None) -> None:
    page.goto(live_server.url + "/cari?q=kopi&area=pamulang")
    page.wait_for_selector("#results-map[data-ready='1']")
    assert page.is_hidden("#search-map-area")
    page.locator("#results-map").scroll_into_view_if_needed()
    box = page.locator("#results-map").bounding_box()
    x, y = box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.8  # clear of the pins
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 40, steps=5)
    page.mouse.up()
    page.wait_for_selector("#search-map-area", state="visible")
    page.click("#search-map-area")
    page.wait_for_url("**bbox=**")
    assert "area=" not in page.url.split("?")[1].replace("area=&", "")
    assert page.is_checked("input[name=bbox]")
    assert all(n.startswith("Kopi Pamulang") for n in _result_names(page))


def test_near_me_uses_the_browser_location(
    live_server: LiveServer, page: Any, places: None
) -> None:
    page.goto(live_server.url + "/cari?q=kopi")
    page.wait_for_selector("#near-me", state="visible")
    page.click("#near-me")
    page.wait_for_url("**lat=**")
    assert "urut=distance" in page.url
    assert _result_names(page)[0] == "Kopi BSD Dekat"
    assert page.locator(".result .distance").first.inner_text() == "10 m"


def test_search_and_paging_work_without_javascript(
    browser: Any, live_server: LiveServer, session: Session
) -> None:
    for i in range(23):
        make_business(session, name=f"Warkop Tanpa JS {i:02d}", category="warkop")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        assert page.is_hidden("#near-me")
        page.fill("#q", "warkop")
        page.click("#search-form button[type=submit]")
        page.wait_for_url("**/cari?**")
        assert len(_result_names(page)) == 20
        page.click("#next-page")
        page.wait_for_url("**cursor=**")
        assert len(_result_names(page)) == 3
        assert page.locator("li.result").first.get_attribute("data-rank") == "21"
    finally:
        context.close()


def test_boxes_suggest_as_you_type(live_server: LiveServer, page: Any, places: None) -> None:
    page.goto(live_server.url + "/")
    assert page.locator("#area-options option").count() > 100  # the list without JS
    page.fill("#area", "pamulng")
    page.wait_for_function(
        "() => { const o = [...document.querySelectorAll('#area-options option')];"
        " return o.length < 20 && o.some(x => x.value === 'Pamulang'); }"
    )
    page.fill("#q", "kopi pam")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#q-suggestions option')]"
        ".some(x => x.value.startsWith('Kopi Pamulang'))"
    )
