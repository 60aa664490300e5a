"""Browser: a buyer asks from the business page, opens the private link, reads the answer."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from directory.models import Inquiry, utcnow
from tests.browser.conftest import LiveServer
from tests.factories import make_business

pytestmark = pytest.mark.browser


def test_a_buyer_asks_and_reads_the_answer(
    live_server: LiveServer, page: Any, session: Session
) -> None:
    business = make_business(session, name="Toko Beras Makmur", category="warung-makan")
    base = live_server.url
    page.goto(f"{base}/b/{business.slug}")
    page.fill("#inquiry_name", "Budi Santoso")
    page.fill("#inquiry_contact", "budi@example.com")
    page.fill("#inquiry_quantity", "50 kg")
    page.fill("#inquiry_message", "Berapa harga beras pandan wangi per karung?")
    page.click("#inquiry-send")
    page.wait_for_url("**/pertanyaan/terkirim")
    link = page.inner_text("#inquiry-receipt-link")
    assert "#token=dk_inquiry_" in link

    # The private link: the script posts the token and takes it out of the address bar.
    page.goto(link)
    page.wait_for_selector("#inquiry-status")
    assert "token=" not in page.url
    assert page.inner_text("#inquiry-status") == "Menunggu jawaban"
    assert "pandan wangi" in page.inner_text("#inquiry-message")

    # The owner answers (the owner page has its own tests); the buyer reloads.
    session.execute(
        update(Inquiry).values(
            status="answered", answer="Rp 650.000 per karung.", answered_at=utcnow()
        )
    )
    session.commit()
    page.goto(page.url)
    assert page.inner_text("#inquiry-status") == "Sudah dijawab"
    assert page.inner_text("#inquiry-answer") == "Rp 650.000 per karung."
    assert page.dialogs == []
