"""Browser: Swagger UI and ReDoc render offline and send nothing to another origin."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


@dataclass
class Traffic:
    """What a page asked for: other origins, and what failed (URL → reason)."""

    outside: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def escaped(self) -> list[str]:
        """Cross-origin requests not stopped by the page's own CSP (the test context
        aborts them anyway; online they would have left the machine)."""
        return [url for url in self.outside if self.failed.get(url) != "csp"]


def watch(page: Any, origin: str) -> Traffic:
    traffic = Traffic()
    page.on(
        "request", lambda r: None if r.url.startswith(origin) else traffic.outside.append(r.url)
    )
    page.on("requestfailed", lambda r: traffic.failed.__setitem__(r.url, str(r.failure)))
    return traffic


def test_swagger_ui_renders_the_operations_offline(live_server: LiveServer, page: Any) -> None:
    traffic = watch(page, live_server.url)
    page.goto(f"{live_server.url}/docs")
    page.wait_for_selector(".opblock-summary-path[data-path='/api/v1/businesses']")
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Dekat")
    assert traffic.outside == []
    assert traffic.failed == {}
    assert page.console_errors == []


def test_redoc_renders_offline(live_server: LiveServer, page: Any) -> None:
    traffic = watch(page, live_server.url)
    page.goto(f"{live_server.url}/redoc")
    page.wait_for_selector("h1:has-text('Dekat')")
    assert "/api/v1/businesses" in page.inner_text("body")
    # ReDoc's bundle hard-codes a remote logo: the page's policy stops it, ReDoc hides it.
    assert traffic.escaped() == []
    assert {u: r for u, r in traffic.failed.items() if u.startswith(live_server.url)} == {}
    page.wait_for_function("!document.querySelector(\"img[alt='redocly logo']\")")
