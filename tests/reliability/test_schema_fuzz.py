"""Schema fuzzing in the suite: every operation of the OpenAPI document, bounded.

Each operation gets ``DEKAT_FUZZ_EXAMPLES`` (default 20) positive and as many negative
cases from schemathesis; the run fails on any 5xx, any response that does not match its
documented status, content type or schema, and any 4xx without the problem body. The long
run is ``scripts/fuzz_api.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from directory.app import create_app
from directory.settings import Settings
from tests.factories import make_business
from tests.reliability.loader import load_script

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


@pytest.fixture
def fuzz_settings(settings: Settings) -> Settings:
    """The test's own database, with rate limits out of the way of the fuzzer."""
    return settings.model_copy(
        update={
            "rate_limit_submissions_per_hour": 1_000_000,
            "rate_limit_reviews_per_hour": 1_000_000,
            "rate_limit_matches_per_minute": 1_000_000,
        }
    )


@pytest.fixture
def fuzz_app(fuzz_settings: Settings, sessions: sessionmaker[Session]) -> Iterator[FastAPI]:
    """An app over a small directory: a few published and one hidden business."""
    with sessions() as session:
        for i in range(4):
            make_business(session, name=f"Warung Fuzz {i}")
        make_business(session, name="Toko Tersembunyi", status="hidden")
    app = create_app(fuzz_settings)
    yield app
    app.state.engine.dispose()


def _headers_for(_label: str) -> dict[str, Any]:
    return {}


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_survives_fuzzing(fuzz_app: FastAPI, label: str) -> None:
    report = fuzz.FuzzReport()
    schema = fuzz.load_schema(fuzz_app, seed=SEED)
    fuzz.fuzz_operation(
        schema,
        label,
        report=report,
        max_examples=EXAMPLES,
        seed=SEED,
        headers_for=_headers_for,
    )
    assert report.total_examples > 0
    assert not report.failures, report.summary()


def test_every_operation_definition_is_usable(fuzz_app: FastAPI) -> None:
    """An operation schemathesis cannot read would silently escape the fuzzer."""
    assert fuzz.schema_errors(fuzz.load_schema(fuzz_app, seed=SEED)) == []


def test_every_route_is_in_the_fuzzed_document() -> None:
    """A route hidden from the OpenAPI document would escape the fuzzer."""
    app = create_app(Settings(database_url="sqlite:///never-opened.db", demo_count=0))
    documented = {label.split(" ", 1)[1] for label in OPERATIONS}
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith("/api/"):
            assert path in documented, f"{path} is missing from /openapi.json"
