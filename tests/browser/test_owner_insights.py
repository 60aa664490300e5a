"""Browser: a reader finds a place and taps its phone number; its owner, in a browser with
JavaScript switched off, sees that on the dashboard and switches the period by a link."""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.conftest import LiveServer
from tests.moderation_helpers import VALID, bearer, make_admin

pytestmark = pytest.mark.browser


def _approved(base: str, sessions: sessionmaker[Session]) -> tuple[str, str, str]:
    """(submission id, edit token, slug) of a listing an editor approved, over real HTTP."""
    sub = httpx.post(f"{base}/api/v1/submissions", json=VALID).json()
    admin = make_admin(sessions)
    approved = httpx.post(
        f"{base}/api/v1/admin/submissions/{sub['id']}/approve", headers=bearer(admin)
    ).json()
    slug = httpx.get(f"{base}/api/v1/businesses/{approved['business_id']}").json()["slug"]
    return sub["id"], sub["edit_token"], slug


def test_owner_dashboard_without_javascript(
    live_server: LiveServer, page: Any, browser: Any, sessions: sessionmaker[Session]
) -> None:
    base = live_server.url
    sid, token, slug = _approved(base, sessions)
    page.goto(f"{base}/cari?q=Kopi+Senja")
    page.locator(f"a[href='/b/{slug}']").first.click()
    page.wait_for_url(f"**/b/{slug}")
    with page.expect_response(lambda r: r.url.endswith("/events")) as answer:
        page.evaluate("document.getElementById('business-phone').click()")
    assert answer.value.status == 202

    owner = browser.new_context(java_script_enabled=False, locale="id-ID")
    try:
        tab = owner.new_page()
        tab.goto(f"{base}/pemilik/{sid}")
        tab.locator("#owner-token").fill(token)
        tab.locator("#owner-link-form button[type=submit]").click()
        tab.wait_for_url(f"**/pemilik/{sid}")
        totals = tab.locator("#insights-totals")
        assert totals.locator("#insights-views td").inner_text() == "1"
        assert totals.locator("#insights-search td").inner_text() == "1"
        assert totals.locator("#insights-phone td").inner_text() == "1"
        chart = tab.locator("#chart-clicks")
        box = chart.bounding_box()
        assert box is not None
        assert box["width"] > 200
        assert box["height"] > 40
        assert chart.locator("rect.bar-phone").count() == 1
        if os.environ.get("DEKAT_SCREENSHOT_DIR"):
            tab.locator("#insights").screenshot(
                path=os.path.join(os.environ["DEKAT_SCREENSHOT_DIR"], "owner-insights.png")
            )
        tab.locator("#insights-period-7").click()
        tab.wait_for_url("**?hari=7*")
        assert tab.locator("#insights-period-7").get_attribute("aria-current") == "page"
        assert tab.locator("#chart-views g.day").count() == 7
    finally:
        owner.close()
