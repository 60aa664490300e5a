"""The hostile corpus against every text field of the API and the shared input validation.

Each hostile value must get a clear 4xx (problem body) or be stored safely; no worker may
crash (5xx), no response may carry invalid JSON (``NaN``) or raw markup in a page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.app import create_app
from directory.errors import InvalidInput
from directory.services.business_input import (
    BUSINESS_COLUMNS,
    BusinessInput,
    parse_business_fields,
)
from directory.settings import Settings
from tests.factories import BSD, make_business
from tests.security import corpus
from tests.security.hostile import judge

_DOC = create_app(Settings(database_url="sqlite:///never-opened.db", demo_count=0)).openapi()
_METHODS = ("get", "post", "put", "patch", "delete")

# Values that make an otherwise-required parameter valid, so the hostile one is reached.
BASELINE_PARAMS: dict[str, str] = {
    "lat": str(BSD[0]),
    "lon": str(BSD[1]),
    "q": "kopi",
    "radius_m": "2000",
    "limit": "10",
    "lang": "id",
}


def _operations(*, with_body: bool) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for path, item in _DOC["paths"].items():
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            has_body = "requestBody" in op
            if has_body == with_body:
                out.append((method.upper(), path, op))
    return out


# A URL cannot carry a megabyte (clients cap it near 64 KiB, uvicorn's h11 lower still);
# the megabyte strings go into bodies instead.
URL_VALUES = tuple(v for v in corpus.ALL_STRINGS if len(v) <= 10_000)

GET_OPERATIONS = [(m, p, op) for m, p, op in _operations(with_body=False) if m == "GET"]
BODY_OPERATIONS = _operations(with_body=True)


@pytest.fixture
def hostile_client(settings: Settings, sessions: Any) -> Iterator[TestClient]:
    with sessions() as session:
        make_business(session, name="Kopi Aman", description="biasa")
    app = create_app(
        settings.model_copy(
            update={
                "rate_limit_submissions_per_hour": 10**9,
                "rate_limit_reviews_per_hour": 10**9,
                "rate_limit_matches_per_minute": 10**9,
            }
        )
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()


def _escape(value: str) -> str:
    """Percent-encode, keeping lone surrogates as the invalid UTF-8 a raw client would send."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _url(path: str, params: list[dict[str, Any]], override: dict[str, str]) -> str:
    """The operation's URL with ``override`` placed and required parameters filled in."""
    query: list[str] = []
    for param in params:
        name = param["name"]
        if param["in"] == "path":
            path = path.replace("{" + name + "}", _escape(override.get(name, "1")))
        elif param["in"] == "query":
            if name in override:
                query.append(f"{name}={_escape(override[name])}")
            elif param.get("required"):
                query.append(f"{name}={_escape(BASELINE_PARAMS.get(name, '1'))}")
    return path + ("?" + "&".join(query) if query else "")


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    GET_OPERATIONS,
    ids=[f"{m} {p}" for m, p, _ in GET_OPERATIONS],
)
def test_hostile_parameters_get_a_clean_answer(
    hostile_client: TestClient, method: str, path: str, operation: dict[str, Any]
) -> None:
    """Every query and path parameter of every read operation, every hostile string."""
    params = operation.get("parameters", [])
    failures: list[str] = []
    tried = 0
    for param in params:
        if param["in"] not in ("query", "path"):
            continue
        values = URL_VALUES if param["in"] == "query" else corpus.TEXT + corpus.NUMBERS
        for value in values:
            override = {param["name"]: value}
            response = hostile_client.request(method, _url(path, params, override))
            tried += 1
            reason = judge(response, f"{method} {path} {param['name']}={value[:40]!r}")
            if reason:
                failures.append(reason)
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    BODY_OPERATIONS,
    ids=[f"{m} {p}" for m, p, _ in BODY_OPERATIONS],
)
def test_malformed_bodies_get_a_clean_4xx(
    hostile_client: TestClient, method: str, path: str, operation: dict[str, Any]
) -> None:
    """Nesting bombs, broken JSON, invalid UTF-8 and wrong media types never crash."""
    url = _url(path, operation.get("parameters", []), {})
    failures = []
    for body in corpus.MALFORMED_JSON:
        for content_type in ("application/json", "text/plain", "application/x-www-form-urlencoded"):
            response = hostile_client.request(
                method, url, content=body, headers={"content-type": content_type}
            )
            reason = judge(response, f"{method} {path} {content_type} {body[:30]!r}")
            if reason:
                failures.append(reason)
            elif response.status_code < 400 and len(body) > 1000:
                failures.append(f"{method} {path} accepted a {len(body)}-byte nesting bomb")
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    BODY_OPERATIONS,
    ids=[f"{m} {p}" for m, p, _ in BODY_OPERATIONS],
)
def test_oversized_bodies_are_refused(
    hostile_client: TestClient, method: str, path: str, operation: dict[str, Any]
) -> None:
    """A body above ``max_request_bytes`` gets 413 before anything parses it."""
    url = _url(path, operation.get("parameters", []), {})
    body = b'{"name": "' + b"A" * (7 * 1024 * 1024) + b'"}'
    response = hostile_client.request(
        method, url, content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code in (401, 403, 404, 413), response.text[:200]
    assert judge(response, f"{method} {path} 7 MB") is None


# --- the one validation path shared by imports, submissions and owner edits -------------

_fields = st.sampled_from(BUSINESS_COLUMNS)
_hostile = st.sampled_from(corpus.ALL_STRINGS)


def _resolve(text: str) -> int | None:
    return 1 if text == "kafe-kopi" else None


def _parse(raw: dict[str, str]) -> BusinessInput | InvalidInput:
    """The parsed fields, or the InvalidInput they raised (any other exception escapes)."""
    try:
        return parse_business_fields(raw, resolve_category=_resolve, default_category_id=1)
    except InvalidInput as exc:
        return exc


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    raw=st.dictionaries(
        _fields, st.one_of(_hostile, st.text(max_size=50), st.floats().map(str)), max_size=13
    )
)
def test_business_fields_either_parse_or_name_the_bad_field(raw: dict[str, str]) -> None:
    """Any mapping of strings gives a BusinessInput or an InvalidInput — nothing else."""
    data = _parse(raw)
    if isinstance(data, InvalidInput):
        assert data.errors, "InvalidInput without a named field"
        assert all(e.field in BUSINESS_COLUMNS for e in data.errors)
        return
    for text in (data.name, data.address, data.description):
        assert "\x00" not in text
        assert "<script" not in text.lower()
    assert -90 <= data.lat <= 90
    assert -180 <= data.lon <= 180


@pytest.mark.parametrize("field", ["name", "address", "description"])
@pytest.mark.parametrize("value", corpus.TEXT + corpus.SIZES, ids=repr)
def test_hostile_text_is_refused_or_stored_clean(field: str, value: str) -> None:
    raw = {"name": "Kopi Aman", "lat": str(BSD[0]), "lon": str(BSD[1]), field: value}
    data = _parse(raw)
    if isinstance(data, InvalidInput):
        assert [e.field for e in data.errors] == [field]
        return
    stored = getattr(data, field)
    assert "\x00" not in stored
    assert not any(ord(c) < 32 and c not in "\n\t" for c in stored)
    assert not any("\u202a" <= c <= "\u202e" for c in stored), "bidi override kept"
    if "&lt;" not in value:
        # Tags are stripped; an entity-escaped tag is decoded to plain text on purpose
        # (it is what the writer meant to show) and must be escaped on output.
        assert "<script" not in stored.lower()
        assert "<img" not in stored.lower()
    assert len(stored) <= 2000


@pytest.mark.parametrize("value", corpus.NUMBERS)
@pytest.mark.parametrize("field", ["lat", "lon", "rating", "rating_count", "price_level"])
def test_hostile_numbers_are_refused_or_in_range(field: str, value: str) -> None:
    raw = {"name": "Kopi Aman", "lat": str(BSD[0]), "lon": str(BSD[1]), field: value}
    data = _parse(raw)
    if isinstance(data, InvalidInput):
        assert {e.field for e in data.errors} <= {field, "rating"}
        return
    assert -90 <= data.lat <= 90
    assert -180 <= data.lon <= 180
    assert data.rating is None or 1 <= data.rating <= 5
    assert 0 <= data.rating_count <= 10_000_000
    assert data.price_level in (None, 1, 2, 3, 4)
