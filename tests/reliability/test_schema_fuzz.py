"""Schema fuzzing in the suite: every operation of the OpenAPI document, bounded.

Each operation gets ``DEKAT_FUZZ_EXAMPLES`` (default 20) positive and as many negative
cases from schemathesis; the run fails on any 5xx, any response that does not match its
documented status, content type or schema, and any 4xx without the problem body. The long
run is ``scripts/fuzz_api.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from directory.app import create_app
from directory.settings import Settings
from tests.factories import make_business
from tests.reliability.dbs import database_from_template
from tests.reliability.loader import load_script
from tests.security.actors import make_actors

fuzz = load_script("fuzz_api")

EXAMPLES = int(os.environ.get("DEKAT_FUZZ_EXAMPLES", "20"))
SEED = 20261128
_HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def _operation_labels() -> list[str]:
    """Read at collection time from an app that never touches its database."""
    doc = create_app(Settings(database_url="sqlite:///never-opened.db", demo_count=0)).openapi()
    return [
        f"{method.upper()} {path}"
        for path, item in doc["paths"].items()
        for method in item
        if method in _HTTP_METHODS
    ]


OPERATIONS = _operation_labels()


HIGH_LIMITS = {
    "rate_limit_submissions_per_hour": 10**9,
    "rate_limit_reviews_per_hour": 10**9,
    "rate_limit_matches_per_minute": 10**9,
    "rate_limit_interactions_per_minute": 10**9,
    "rate_limit_inquiries_per_hour": 10**9,
    "inquiry_daily_cap_per_business": 10**9,
    "rate_limit_reviews_per_key_per_hour": 10**9,
    "review_daily_cap_per_business": 10**9,
    "review_burst_per_hour": 10**9,
    "review_hold_other_keys": False,
}


@dataclass(frozen=True)
class FuzzTarget:
    """The app under fuzzing and the credentials that let cases past authentication."""

    app: FastAPI
    admin_token: str
    owner_token: str
    owner_business: int
    writer_key: str


@pytest.fixture(scope="module")
def fuzz_target(template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    """One directory for the whole module (see ``dbs.py``): published, hidden and pending
    listings, a review, an editor and an owner. Cases may add rows; none may break it."""
    work_dir = tmp_path_factory.mktemp("fuzz")
    with database_from_template(template_db, work_dir) as url:
        settings = Settings(
            database_url=url, media_dir=work_dir / "media", demo_count=0, **HIGH_LIMITS
        )
        app = create_app(settings)
        with TestClient(app, raise_server_exceptions=False) as client:
            with app.state.sessions() as session:
                for i in range(4):
                    make_business(session, name=f"Warung Fuzz {i}")
                make_business(session, name="Toko Tersembunyi", status="hidden")
            actors = make_actors(client, app.state.sessions)
        yield FuzzTarget(
            app=app,
            admin_token=actors.admin,
            owner_token=actors.owner_token,
            owner_business=actors.owner_business,
            writer_key=actors.writer_key,
        )
        app.state.engine.dispose()


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_survives_fuzzing(fuzz_target: FuzzTarget, label: str) -> None:
    report = fuzz.FuzzReport()
    schema = fuzz.load_schema(fuzz_target.app, seed=SEED)
    fuzz.fuzz_operation(
        schema,
        label,
        report=report,
        max_examples=EXAMPLES,
        seed=SEED,
        headers_for=fuzz.credential_headers(
            fuzz_target.admin_token, fuzz_target.owner_token, fuzz_target.writer_key
        ),
        owned={"business_id": fuzz_target.owner_business},
    )
    assert report.total_examples > 0
    assert not report.failures, report.summary()


def test_every_operation_definition_is_usable(fuzz_target: FuzzTarget) -> None:
    """An operation schemathesis cannot read would silently escape the fuzzer."""
    assert fuzz.schema_errors(fuzz.load_schema(fuzz_target.app, seed=SEED)) == []


def test_every_route_is_in_the_fuzzed_document() -> None:
    """A route hidden from the OpenAPI document would escape the fuzzer."""
    app = create_app(Settings(database_url="sqlite:///never-opened.db", demo_count=0))
    documented = {label.split(" ", 1)[1] for label in OPERATIONS}
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith("/api/"):
            assert path in documented, f"{path} is missing from /openapi.json"


@pytest.mark.parametrize(
    "label", ["GET /api/v1/admin/audit", "GET /api/v1/owner/businesses/{business_id}"]
)
def test_fuzzed_requests_get_past_authentication(fuzz_target: FuzzTarget, label: str) -> None:
    """Positive cases carry the real tokens, not the random "Bearer …" schemathesis makes
    up from the security scheme (which would only ever meet a 401 and test nothing)."""
    report = fuzz.FuzzReport()
    fuzz.fuzz_operation(
        fuzz.load_schema(fuzz_target.app, seed=SEED),
        label,
        report=report,
        max_examples=10,
        seed=SEED,
        headers_for=fuzz.credential_headers(
            fuzz_target.admin_token, fuzz_target.owner_token, fuzz_target.writer_key
        ),
        owned={"business_id": fuzz_target.owner_business},
        modes=(fuzz.GenerationMode.POSITIVE,),
    )
    assert not report.failures, report.summary()
    assert report.statuses[200] >= 3, report.summary()
    assert report.statuses[401] == 0, report.summary()
