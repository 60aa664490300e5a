"""Browser-test machinery: a live server in a thread, Debian's chromium, failure screenshots.

Browser tests are marked ``browser``. Without ``/usr/bin/chromium`` they are skipped with
the reason, unless ``DEKAT_REQUIRE_BROWSER=1`` (CI), where a missing browser fails them.
Every request that leaves 127.0.0.1 (map tiles) is aborted: the tests must pass offline.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
FAILURE_DIR = Path(__file__).resolve().parents[2] / "test-output" / "browser-failures"


@dataclass
class LiveServer:
    """A running app: its base URL and the app object (for its settings and engine)."""

    url: str
    app: FastAPI
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def start_server(app: FastAPI) -> LiveServer:
    """Serve ``app`` with uvicorn on 127.0.0.1 and a free port, in a daemon thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    return LiveServer(url=f"http://127.0.0.1:{port}", app=app, _server=server, _thread=thread)


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    """The test's app (own database) served over real HTTP."""
    server = start_server(app)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the whole run."""
    if not CHROMIUM.exists():
        if os.environ.get("DEKAT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and DEKAT_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


def _offline(route: Any) -> None:
    host = re.sub(r"^[a-z]+://([^/:]+).*$", r"\1", route.request.url)
    if host in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def browser_context(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh context (cookies, storage) per test, offline, phone-sized by default."""
    context = browser.new_context(
        viewport={"width": 412, "height": 915},
        locale="id-ID",
        geolocation={"latitude": -6.3016, "longitude": 106.6527},
        permissions=["geolocation"],
    )
    context.set_default_timeout(10_000)
    context.route("**/*", _offline)
    yield context
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        FAILURE_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        for i, open_page in enumerate(context.pages):
            # A failed screenshot must not hide the real failure.
            with contextlib.suppress(Exception):
                open_page.screenshot(path=str(FAILURE_DIR / f"{name}-{i}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(browser_context: Any) -> Any:
    """A page that records every JavaScript dialog (alert/confirm/prompt) it sees."""
    tab = browser_context.new_page()
    tab.dialogs = []

    def on_dialog(dialog: Any) -> None:
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.console_errors = []
    tab.on(
        "console", lambda msg: tab.console_errors.append(msg.text) if msg.type == "error" else None
    )
    return tab


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, so fixtures can see a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
