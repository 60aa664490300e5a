"""Screenshot every page of Dekat on a temporary demo database.

    .venv/bin/python scripts/screenshots.py [--out test-output/screenshots] [--demo 400]

Starts the app with uvicorn on 127.0.0.1 (a free port) over a fresh SQLite database in a
temporary folder (migrated, seeded with the taxonomy, gazetteer and fake demo businesses),
walks through the pages with Debian's chromium (headless, offline: map tiles are blocked,
so maps show their markers on grey) and saves one PNG per page, phone-sized, plus a few
desktop-sized ones. Nothing outside the temporary folder and the output folder is touched.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from directory.accounts.admins import create_admin_token  # noqa: E402
from directory.app import create_app  # noqa: E402
from directory.bootstrap import prepare_database  # noqa: E402
from directory.db import make_engine, make_session_factory, session_scope  # noqa: E402
from directory.settings import Settings  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 412, "height": 915}
DESKTOP = {"width": 1366, "height": 900}


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The app on 127.0.0.1 and a free port, for the length of the block."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _offline(route: Any) -> None:
    url: str = route.request.url
    if url.startswith(("http://127.0.0.1", "http://localhost")):
        route.continue_()
    else:
        route.abort()


class Shooter:
    """Saves numbered full-page screenshots and remembers what it saved."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.saved: list[Path] = []

    def shot(self, page: Any, name: str) -> None:
        page.wait_for_load_state("networkidle")
        for selector in ("[data-map]",):
            for i in range(page.locator(selector).count()):
                page.locator(selector).nth(i).get_attribute("data-ready", timeout=5000)
        path = self.out / f"{len(self.saved) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.saved.append(path)


def walk(base: str, admin_token: str, shooter: Shooter, browser: Any) -> None:
    """Visit every page in the order a reader, an owner and an editor meet them."""
    context = browser.new_context(
        viewport=PHONE,
        locale="id-ID",
        geolocation={"latitude": -6.3016, "longitude": 106.6527},
        permissions=["geolocation"],
    )
    context.route("**/*", _offline)
    page = context.new_page()
    page.goto(base + "/")
    shooter.shot(page, "home")
    page.goto(base + "/cari?q=kopi&area=pamulng")
    shooter.shot(page, "search-typo-area")
    page.goto(base + "/cari?q=bengkel&buka=1&urut=rating")
    shooter.shot(page, "search-filters")
    page.goto(base + "/area/bsd-city")
    shooter.shot(page, "area")
    page.goto(base + "/kategori/kafe-kopi")
    shooter.shot(page, "category")
    page.goto(base + "/cari?q=kopi&area=bsd")
    page.click("h3.result-name a")
    page.wait_for_url("**/b/**")
    shooter.shot(page, "business")
    page.goto(base + "/daftar")
    shooter.shot(page, "submit-form")
    page.fill("#name", "Warung Contoh Screenshot")
    page.select_option("#category", "warung-makan")
    page.fill("#phone", "12345")
    page.fill("#lat", "-6.2950")
    page.fill("#lon", "106.6600")
    page.click("form.submit-form button[type=submit]")
    page.wait_for_selector("#phone-error")
    shooter.shot(page, "submit-errors")
    page.fill("#phone", "0812-1234-9876")
    page.fill("#opening_hours", "Mo-Sa 08:00-20:00")
    page.click("form.submit-form button[type=submit]")
    if page.locator("button[name=confirm_new]").count():
        shooter.shot(page, "submit-duplicate-warning")
        page.click("button[name=confirm_new]")
    page.wait_for_url("**/daftar/terkirim")
    shooter.shot(page, "submit-receipt")
    edit_link = page.inner_text("#edit-link")
    page.goto(edit_link)
    shooter.shot(page, "owner-pending")
    page.goto(base + "/moderasi/masuk")
    shooter.shot(page, "moderation-login")
    page.fill("#token", admin_token)
    page.click("form[action='/moderasi/masuk'] button[type=submit]")
    page.wait_for_url("**/moderasi")
    shooter.shot(page, "moderation-queue")
    page.locator("article.queue-item").first.locator("button", has_text="Setujui").click()
    page.wait_for_selector("#moderation-notice")
    page.goto(edit_link.split("?")[0])
    shooter.shot(page, "owner-approved-edit")
    page.goto(base + "/moderasi/ulasan?bisnis=warung-contoh-screenshot")
    shooter.shot(page, "moderation-reviews")
    page.goto(base + "/tidak-ada-halaman")
    shooter.shot(page, "not-found")
    context.close()

    wide = browser.new_context(viewport=DESKTOP, locale="en-US")
    wide.route("**/*", _offline)
    page = wide.new_page()
    page.goto(base + "/?lang=en")
    shooter.shot(page, "desktop-home-en")
    page.goto(base + "/cari?q=coffee&area=alam+sutra")
    shooter.shot(page, "desktop-search-en")
    page.goto(base + "/b/warung-contoh-screenshot")
    shooter.shot(page, "desktop-business-en")
    wide.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-output" / "screenshots")
    parser.add_argument("--demo", type=int, default=400, help="demo businesses to load")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.stderr.write(f"{CHROMIUM} is missing: apt-get install chromium\n")
        return 2
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dekat-shots-") as tmp:
        settings = Settings(
            database_url=f"sqlite:///{tmp}/demo.db",
            media_dir=Path(tmp) / "media",
            demo_count=args.demo,
        )
        report = prepare_database(settings, demo=True)
        engine = make_engine(settings.database_url)
        with session_scope(make_session_factory(engine)) as session:
            admin_token = create_admin_token(session, "screenshots")
        engine.dispose()
        shooter = Shooter(args.out)
        with serve(settings) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                walk(base, admin_token, shooter, browser)
            finally:
                browser.close()
    lines = [f"{report.businesses} demo businesses; {len(shooter.saved)} screenshots:"]
    lines += [f"  {p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}" for p in shooter.saved]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
