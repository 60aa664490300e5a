"""Browser: issue 17's whole flow on the pages. The owner adds a product on the owner page,
an editor approves it, a buyer finds it on /produk with a typo in the owner's area, asks
from the product page, the owner answers, the buyer reads the answer by the private link,
and the owner's dashboard shows the buyer's view and the inquiry."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.conftest import LiveServer
from tests.moderation_helpers import VALID, bearer, make_admin

pytestmark = pytest.mark.browser

NAME = "Dapur Keripik Bu Sari"


def _approved_listing(base: str, admin: str) -> tuple[str, str, dict[str, Any]]:
    """(submission id, edit token, business) of a listing an editor approved, over HTTP."""
    sub = httpx.post(f"{base}/api/v1/submissions", json={**VALID, "name": NAME}).json()
    approved = httpx.post(
        f"{base}/api/v1/admin/submissions/{sub['id']}/approve", headers=bearer(admin)
    ).json()
    business = httpx.get(f"{base}/api/v1/businesses/{approved['business_id']}").json()
    return sub["id"], sub["edit_token"], business


def _owner_logs_in(tab: Any, base: str, sid: str, token: str) -> None:
    tab.goto(f"{base}/pemilik/{sid}")
    tab.locator("#owner-token").fill(token)
    tab.locator("#owner-link-form button[type=submit]").click()
    tab.wait_for_url(f"**/pemilik/{sid}**")


def _editor_logs_in(tab: Any, base: str, admin: str) -> None:
    tab.goto(base + "/moderasi")
    tab.wait_for_url("**/moderasi/masuk")
    tab.fill("#token", admin)
    tab.click("form[action='/moderasi/masuk'] button[type=submit]")
    tab.wait_for_url("**/moderasi")


def test_product_to_inquiry_to_answer_in_the_browser(
    live_server: LiveServer, page: Any, browser: Any, sessions: sessionmaker[Session]
) -> None:
    base = live_server.url
    admin = make_admin(sessions)
    sid, token, business = _approved_listing(base, admin)
    area = business["area"]
    assert area is not None

    owner_ctx = browser.new_context(locale="id-ID")
    editor_ctx = browser.new_context(locale="id-ID")
    try:
        owner = owner_ctx.new_page()
        _owner_logs_in(owner, base, sid, token)
        owner.fill("#new-product-name", "Keripik Singkong Balado")
        owner.fill("#new-product-description", "Keripik singkong pedas manis.")
        owner.fill("#new-product-price", "25000")
        owner.fill("#new-product-unit", "bungkus")
        owner.fill("#new-product-min-order", "20")
        owner.click("#new-product-form button[type=submit]")
        owner.wait_for_selector("li[id^='owner-product-'] .badge")
        assert "Menunggu" in owner.inner_text("li[id^='owner-product-'] .badge")

        editor = editor_ctx.new_page()
        _editor_logs_in(editor, base, admin)
        editor.goto(base + "/moderasi/produk")
        item = editor.locator("section[id^='queued-product-']", has_text="Keripik Singkong")
        item.locator("form[action$='/setujui'] button[type=submit]").click()
        editor.wait_for_selector("#products-queue-empty")

        # The buyer: a typo, the owner's area, then the product page and the inquiry form.
        page.goto(base + "/produk")
        page.fill("#product-q", "kripik singkong")
        page.fill("#product-area", area["name"])
        page.click("#product-search-form button[type=submit]")
        page.wait_for_url("**/produk?**")
        results = page.locator("#product-results li.product")
        assert results.count() == 1
        assert "Keripik Singkong Balado" in results.first.inner_text()
        results.first.locator("h3.product-name a").click()
        page.wait_for_url("**/produk/*")
        assert page.inner_text("#product-name") == "Keripik Singkong Balado"
        assert page.inner_text("#product-seller") == NAME
        page.fill("#inquiry_name", "Rudi Hartono")
        page.fill("#inquiry_contact", "rudi@example.com")
        page.fill("#inquiry_quantity", "200 bungkus")
        page.fill("#inquiry_message", "Bisa kirim 200 bungkus ke Surabaya bulan depan?")
        page.click("#inquiry-send")
        page.wait_for_url("**/pertanyaan/terkirim")
        link = page.inner_text("#inquiry-receipt-link")
        page.goto(link)
        page.wait_for_selector("#inquiry-status")
        assert page.inner_text("#inquiry-status") == "Menunggu jawaban"

        # The owner sees the inquiry (about the product) and answers it.
        owner.reload()
        inquiry = owner.locator("li.inquiry", has_text="Surabaya")
        assert "Keripik Singkong Balado" in inquiry.inner_text()
        assert "200 bungkus" in inquiry.inner_text()
        inquiry.locator("textarea[name=answer]").fill("Bisa, Rp 22.000 per bungkus.")
        inquiry.locator("button[id^='answer-send-']").click()
        owner.wait_for_selector("li.inquiry")

        page.goto(page.url)
        assert page.inner_text("#inquiry-status") == "Sudah dijawab"
        assert page.inner_text("#inquiry-answer") == "Bisa, Rp 22.000 per bungkus."

        # The dashboard counts the buyer's visit to the business page as a view.
        page.goto(f"{base}/b/{business['slug']}")
        page.wait_for_load_state("networkidle")
        owner.goto(f"{base}/pemilik/{sid}?hari=7")
        views = int(owner.locator("#insights-views td").inner_text())
        assert views >= 1
        assert page.dialogs == []
    finally:
        owner_ctx.close()
        editor_ctx.close()
