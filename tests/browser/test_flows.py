"""Browser: a business goes from the form to search results to a review; text stays text."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from directory.accounts.admins import create_admin_token
from tests.browser.conftest import LiveServer
from tests.factories import make_business

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_token(session: Session) -> str:
    token = create_admin_token(session, "editor-browser")
    session.commit()
    return token


def _fill_business(page: Any, *, name: str, phone: str, **extra: str) -> None:
    page.fill("#name", name)
    page.select_option("#category", "warung-makan")
    page.fill("#address", extra.get("address", "Jl. Siliwangi No. 12"))
    page.fill("#phone", phone)
    page.fill("#opening_hours", "Mo-Su 07:00-21:00")
    page.fill("#description", extra.get("description", "Nasi uduk dan gorengan."))


def _place_pin(page: Any) -> None:
    page.wait_for_selector("#pin-map[data-ready='1']")
    page.locator("#pin-map").scroll_into_view_if_needed()
    page.locator("#pin-map").click(position={"x": 120, "y": 110})
    assert page.input_value("#lat") != ""
    assert page.input_value("#lon") != ""
    assert page.locator("#pin-map .leaflet-marker-icon").count() == 1


def _log_in(page: Any, base: str, token: str) -> None:
    page.goto(base + "/moderasi")
    page.wait_for_url("**/moderasi/masuk")
    page.fill("#token", token)
    page.click("form[action='/moderasi/masuk'] button[type=submit]")
    page.wait_for_url("**/moderasi")


def test_submit_fix_approve_find_and_review(
    live_server: LiveServer, page: Any, admin_token: str
) -> None:
    base = live_server.url
    page.goto(base + "/")
    page.click("a.cta")
    page.wait_for_url("**/daftar")
    _fill_business(page, name="Warung Nasi Uduk Bu Sri", phone="12345")
    _place_pin(page)
    page.click("form.submit-form button[type=submit]")
    # The bad phone comes back as an error tied to the field; everything else is kept.
    page.wait_for_selector("#phone-error")
    assert "0812-3456-7890" in page.inner_text("#phone-error")
    assert page.get_attribute("#phone", "aria-invalid") == "true"
    assert "phone-error" in (page.get_attribute("#phone", "aria-describedby") or "")
    assert page.input_value("#name") == "Warung Nasi Uduk Bu Sri"
    assert page.input_value("#lat") != ""
    page.fill("#phone", "0812-9876-5432")
    page.click("form.submit-form button[type=submit]")
    page.wait_for_url("**/daftar/terkirim")
    edit_link = page.inner_text("#edit-link")
    assert "/pemilik/s_" in edit_link
    assert "#token=dk_edit_" in edit_link

    # The owner opens the private link: the token leaves the URL.
    page.goto(edit_link)
    page.wait_for_url("**/pemilik/s_*")
    assert "token=" not in page.url
    assert page.inner_text("#submission-status") == "Menunggu pemeriksaan"

    # An editor approves it in the queue.
    _log_in(page, base, admin_token)
    item = page.locator("article.queue-item", has_text="Warung Nasi Uduk Bu Sri")
    item.locator("button", has_text="Setujui").click()
    page.wait_for_selector("#moderation-notice")
    assert page.locator("#queue-empty").count() == 1

    # Readers find it by search (with a typo) and review it.
    page.goto(base + "/")
    page.fill("#q", "nasi uduk bu sri")
    page.click("#search-form button[type=submit]")
    page.wait_for_url("**/cari?**")
    page.click("h3.result-name a", timeout=5000)
    page.wait_for_url("**/b/warung-nasi-uduk-bu-sri")
    assert "Belum ada rating" in page.inner_text("#business-rating")
    assert page.get_attribute("a.phone", "href") == "tel:+6281298765432"
    assert page.get_attribute("a.whatsapp", "href") == "https://wa.me/6281298765432"
    page.check("input[name=rating][value='4']")
    page.fill("#review-text", "Nasi uduknya gurih, sambalnya mantap.")
    page.click("form.review-form button[type=submit]")
    page.wait_for_url("**ulasan=terkirim**")
    assert "4,0" in page.inner_text("#business-rating")
    assert "(1 penilaian)" in page.inner_text("#business-rating")
    assert "Nasi uduknya gurih" in page.inner_text("#ulasan")
    # A second review from this browser replaces the first: the rating changes, the count not.
    page.check("input[name=rating][value='2']")
    page.click("form.review-form button[type=submit]")
    page.wait_for_url("**ulasan=terkirim**")
    assert "2,0" in page.inner_text("#business-rating")
    assert "(1 penilaian)" in page.inner_text("#business-rating")
    # The owner's page now offers the edit form.
    page.goto(edit_link.split("?")[0])
    assert page.inner_text("#submission-status") == "Disetujui"
    assert page.input_value("#phone") == "0812-9876-5432"
    assert page.dialogs == []


PAYLOAD = "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;\"'{{7*7}}"
SHOWN = "<img src=x onerror=alert(1)><script>alert(2)</script>\"'{{7*7}}"
STORED = PAYLOAD  # cleaning keeps character references as typed (directory/textnorm.py)
SHORT = "0812<svg onload=alert(4)>\"'"


def test_script_payloads_render_as_text(
    live_server: LiveServer, page: Any, session: Session, admin_token: str
) -> None:
    base = live_server.url
    make_business(
        session,
        name=f"Kopi {PAYLOAD}",
        description=f"Deskripsi {PAYLOAD}",
        address=f"Jl. {PAYLOAD}",
    )
    page.goto(base + "/daftar")
    _fill_business(
        page,
        name=f"Warung {PAYLOAD}",
        phone=SHORT,
        address=f"Jl. {PAYLOAD}",
        description=f"Menu {PAYLOAD}",
    )
    page.fill("#website", f"javascript:alert(1)//{SHOWN}")
    page.fill("#contact_email", f"{SHOWN}@x")
    _place_pin(page)
    page.click("form.submit-form button[type=submit]")
    page.wait_for_selector("#phone-error")
    # Sent-back values are text inside the inputs.
    assert page.input_value("#phone") == SHORT  # maxlength 40
    assert page.input_value("#website") == f"javascript:alert(1)//{SHOWN}"
    assert page.input_value("#contact_email") == f"{SHOWN}@x"
    page.fill("#phone", "0812-5555-6666")
    page.fill("#website", "")
    page.fill("#contact_email", "")
    page.click("form.submit-form button[type=submit]")
    if page.locator("button[name=confirm_new]").count():
        page.click("button[name=confirm_new]")
    page.wait_for_url("**/daftar/terkirim")
    edit_link = page.inner_text("#edit-link")

    # The queue shows the submitted text as text.
    _log_in(page, base, admin_token)
    queue_text = page.inner_text("main")
    assert f"Warung {STORED}" in queue_text
    page.locator("article.queue-item", has_text="Warung").locator(
        "button", has_text="Setujui"
    ).click()
    page.wait_for_selector("#moderation-notice")

    # Search echoes the query; results, reasons and map popups hold the names as text.
    page.goto(base + "/cari?q=" + "kopi%20%3Cscript%3Ealert(3)%3C%2Fscript%3E")
    assert page.input_value("#q") == "kopi <script>alert(3)</script>"
    page.goto(base + "/cari?q=kopi")
    page.wait_for_selector("#results-map[data-ready='1']")
    assert f"Kopi {STORED}" in page.inner_text(".results")
    assert page.locator("#results-map .leaflet-marker-icon").first.get_attribute("title") == (
        f"Kopi {STORED}"
    )
    page.locator("#results-map .leaflet-marker-icon").first.click()
    assert page.inner_text(".leaflet-popup-content") == f"Kopi {STORED}"

    # The business page: heading, address, description, JSON-LD and a review.
    page.click("h3.result-name a")
    page.wait_for_url("**/b/**")
    assert page.inner_text("#business-name") == f"Kopi {STORED}"
    assert STORED in page.inner_text("#business-address")
    assert f"Deskripsi {STORED}" in page.inner_text(".description")
    assert f"Kopi {STORED}" in page.title()
    jsonld = page.evaluate("() => JSON.parse(document.getElementById('jsonld').textContent)")
    assert jsonld["name"] == f"Kopi {STORED}"
    page.check("input[name=rating][value='5']")
    page.fill("#review-text", f"Ulasan {PAYLOAD}")
    page.click("form.review-form button[type=submit]")
    page.wait_for_url("**ulasan=terkirim**")
    assert f"Ulasan {STORED}" in page.inner_text("#ulasan")

    # The owner's page after approval shows the stored text in the form. (Approval cleans
    # the stored text once more, so the decoded tags are gone by now; the rest is text.)
    page.goto(edit_link)
    assert page.input_value("#name").endswith("\"'{{7*7}}")
    assert page.input_value("#description").endswith("\"'{{7*7}}")
    assert page.locator("img[src=x]").count() == 0
    assert page.dialogs == []
