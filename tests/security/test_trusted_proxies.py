"""Finding 1: the client address comes from the peer, and from a trusted proxy alone.

Before: ``dekat serve`` left uvicorn's defaults (``proxy_headers=True`` trusting
127.0.0.1), so ``X-Forwarded-For`` from a local peer gave every request a new budget.
These tests run the app wrapped exactly as ``dekat serve`` configures uvicorn.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from directory.app import create_app
from directory.serving import uvicorn_options
from directory.settings import Settings
from tests.factories import make_business
from tests.moderation_helpers import VALID


@pytest.fixture
def strict(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"rate_limit_submissions_per_hour": 2, "rate_limit_reviews_per_hour": 2}
    )


@contextmanager
def served(settings: Settings, *, peer: str) -> Iterator[TestClient]:
    """The app behind uvicorn's own middleware as ``dekat serve`` sets it up."""
    app = create_app(settings)
    options = uvicorn_options(settings, host="127.0.0.1", port=8000, workers=1)
    config = uvicorn.Config(app, **options)
    config.load()
    try:
        with TestClient(config.loaded_app, client=(peer, 50123)) as client:
            yield client
    finally:
        app.state.engine.dispose()


def _submit(client: TestClient, forwarded: str | None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/api/v1/submissions", json=VALID, headers=headers).status_code


def test_serve_trusts_no_proxy_by_default() -> None:
    options = uvicorn_options(Settings(), host="127.0.0.1", port=8000, workers=2)
    assert options["proxy_headers"] is False
    assert options["forwarded_allow_ips"] == ""
    assert options["server_header"] is False
    config = uvicorn.Config("directory.app:create_app", factory=True, **options)
    assert config.proxy_headers is False


def test_serve_passes_the_trusted_proxies_to_uvicorn() -> None:
    settings = Settings(trusted_proxies=" 10.0.0.2, 192.168.1.0/24 ")
    options = uvicorn_options(settings, host="0.0.0.0", port=80, workers=1)
    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == "10.0.0.2,192.168.1.0/24"


@pytest.mark.parametrize("bad", ["*", "proxy.example", "10.0.0.300"])
def test_trusted_proxies_must_be_addresses(bad: str) -> None:
    with pytest.raises(ValidationError, match="trusted_proxies"):
        Settings(trusted_proxies=bad)


def test_forwarded_for_from_a_local_peer_is_ignored_by_default(strict: Settings) -> None:
    with served(strict, peer="127.0.0.1") as client:
        codes = [_submit(client, f"203.0.113.{n}") for n in range(4)]
    assert codes == [201, 201, 429, 429]


def test_forwarded_for_from_an_untrusted_peer_is_ignored(strict: Settings) -> None:
    settings = strict.model_copy(update={"trusted_proxies": "10.1.1.1"})
    with served(settings, peer="127.0.0.1") as client:
        codes = [_submit(client, f"203.0.113.{n}") for n in range(3)]
    assert codes == [201, 201, 429]


def test_forwarded_for_from_a_trusted_proxy_names_the_client(strict: Settings) -> None:
    settings = strict.model_copy(update={"trusted_proxies": "10.1.1.1"})
    with served(settings, peer="10.1.1.1") as client:
        # A client's own spoofed hop stays to the left of what the proxy appended.
        codes = [_submit(client, f"198.51.100.9, 203.0.113.{n}") for n in range(3)]
        again = [_submit(client, "203.0.113.0") for _ in range(2)]
    assert codes == [201, 201, 201]
    assert again == [201, 429]


def test_reviews_with_forwarded_for_share_the_peer_budget(
    strict: Settings, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        bids = [make_business(session, name=f"Warung {n}").id for n in range(3)]
    with served(strict, peer="127.0.0.1") as client:
        codes = [
            client.post(
                f"/api/v1/businesses/{bid}/reviews", json={"rating": 5},
                headers={"X-Reviewer-Key": f"key-number-{n:03d}",
                         "X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n, bid in enumerate(bids)
        ]  # fmt: skip
    assert codes == [201, 201, 429]


def test_no_server_header(strict: Settings) -> None:
    with served(strict, peer="127.0.0.1") as client:
        response = client.get("/healthz")
    assert "server" not in {k.lower() for k in response.headers}
