"""Browser: a reader opens a place, taps WhatsApp and the phone number, and the home page
then remembers it ("Terakhir dilihat") and suggests places around it ("Untuk Anda");
a browser that sends Global Privacy Control is not recorded at all."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import Interaction
from tests.browser.conftest import LiveServer
from tests.factories import BSD, make_business

pytestmark = pytest.mark.browser
LAT, LON = BSD


def _actions(session: Session, *, want: int, timeout_s: float = 10.0) -> list[str]:
    """The stored page actions, once at least ``want`` arrived (beacons are asynchronous)."""
    deadline = time.monotonic() + timeout_s
    while True:
        session.commit()  # a fresh read each time
        actions = list(
            session.scalars(
                select(Interaction.action)
                .where(Interaction.source == "page")
                .order_by(Interaction.id)
            )
        )
        if len(actions) >= want or time.monotonic() > deadline:
            return [a or "" for a in actions]
        time.sleep(0.1)


def _stay_on_page(page: Any) -> None:
    """Answer the WhatsApp site and tel: locally, so taps do not leave the test offline."""
    page.route(
        "https://wa.me/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>WhatsApp</p>"),
    )


def test_views_and_taps_are_recorded_and_the_home_page_remembers(
    live_server: LiveServer, page: Any, session: Session
) -> None:
    place = make_business(session, name="Kopi Catatan", phone="0812-3456-7890", lat=LAT, lon=LON)
    make_business(session, name="Bakmi Tetangga", lat=LAT + 0.001, lon=LON + 0.001,
                  category="bakso-mie-ayam")  # fmt: skip
    _stay_on_page(page)
    page.goto(f"{live_server.url}/b/{place.slug}")
    assert _actions(session, want=1) == ["view"]

    with page.expect_request(lambda r: r.url.endswith("/events")):
        page.locator("#business-whatsapp").click()
    assert _actions(session, want=2) == ["view", "whatsapp"]
    page.goto(f"{live_server.url}/b/{place.slug}")  # back; a repeat view within minutes
    with page.expect_response(lambda r: r.url.endswith("/events")) as answer:
        page.evaluate("document.getElementById('business-phone').click()")
    assert answer.value.status == 202
    assert answer.value.json() == {"recorded": True, "reason": None}
    assert _actions(session, want=3) == ["view", "whatsapp", "phone"]
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["dekat_vid"]["httpOnly"] is True
    assert cookies["dekat_vid"]["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("dekat_vid") == -1  # not readable by scripts

    page.goto(f"{live_server.url}/")
    assert page.locator("#recent-h").inner_text() == "Terakhir dilihat"
    assert page.locator("#recent-list a.place-name").all_inner_texts() == ["Kopi Catatan"]
    assert page.locator("#for-you-h").inner_text() == "Untuk Anda"
    first = page.locator("#for-you-list li").first
    assert first.locator("a").inner_text() == "Bakmi Tetangga"
    assert "di sekitar tempat yang biasa Anda kunjungi" in first.inner_text()
    page.goto(live_server.url + page.locator("#privacy-link").get_attribute("href"))
    assert "3 catatan tersimpan" in page.locator("#privacy-status").inner_text()
    # Map tiles are blocked offline; any other script error would show here.
    assert [e for e in page.console_errors if "Failed to load resource" not in e] == []


def test_global_privacy_control_records_nothing(
    live_server: LiveServer, browser: Any, session: Session
) -> None:
    place = make_business(session, name="Kopi Privat", phone="0812-3456-7890")
    context = browser.new_context(extra_http_headers={"Sec-GPC": "1"})
    try:
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(live_server.url)
                else route.fulfill(status=200, content_type="text/html", body="<p>elsewhere</p>")
            ),
        )
        tab = context.new_page()
        tab.goto(f"{live_server.url}/b/{place.slug}")
        assert tab.locator("script[src*='events.js']").count() == 0
        tab.locator("#business-whatsapp").click()
        tab.goto(f"{live_server.url}/")
        assert tab.locator("#recently-viewed").count() == 0
        assert [c["name"] for c in context.cookies() if c["name"] == "dekat_vid"] == []
    finally:
        context.close()
    assert _actions(session, want=1, timeout_s=1.0) == []
