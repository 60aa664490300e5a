"""The hostile corpus against every parameter and body field of the HTTP API.

Each value must get a clear 4xx with the problem body, or be stored safely; no worker may
crash (5xx), no response may carry invalid JSON (``NaN``). Operations are read from the
OpenAPI document, so a new endpoint is covered without touching this file.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest

from directory.app import create_app
from directory.settings import Settings
from tests.factories import BSD
from tests.security import corpus
from tests.security.actors import Actors, bearer
from tests.security.conftest import World
from tests.security.hostile import judge, strict_json

_DOC = create_app(Settings(database_url="sqlite:///never-opened.db", demo_count=0)).openapi()
_METHODS = ("get", "post", "put", "patch", "delete")

# Values that make an otherwise-required parameter valid, so the hostile one is reached.
BASELINE_PARAMS: dict[str, str] = {
    "lat": str(BSD[0]),
    "lon": str(BSD[1]),
    "q": "kopi",
    "name": "Kopi Aman",
    "radius_m": "2000",
    "limit": "10",
    "lang": "id",
}

# A URL cannot carry a megabyte (clients cap it near 64 KiB, uvicorn's h11 lower still);
# the megabyte strings go into bodies instead.
URL_VALUES = tuple(v for v in corpus.ALL_STRINGS if len(v) <= 10_000)


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, item[method])
        for path, item in _DOC["paths"].items()
        for method in _METHODS
        if method in item
    ]


OPERATIONS = _operations()
GET_OPS = [(m, p, op) for m, p, op in OPERATIONS if m == "GET"]
JSON_BODY_OPS = [
    (m, p, op)
    for m, p, op in OPERATIONS
    if "application/json" in op.get("requestBody", {}).get("content", {})
]


def _ids(ops: list[tuple[str, str, dict[str, Any]]]) -> list[str]:
    return [f"{m} {p}" for m, p, _ in ops]


def _escape(value: str) -> str:
    """Percent-encode, keeping lone surrogates as the invalid UTF-8 a raw client would send."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _path_values(actors: Actors) -> dict[str, str]:
    return {
        "submission_id": actors.pending_id,
        "business_id": str(actors.owner_business),
        "review_id": str(actors.review_id),
        "photo_id": str(actors.photo_id),
        "product_id": str(actors.product_id),
        "inquiry_id": actors.inquiry_id,
        "slug": "bsd-city",
    }


def _url(path: str, op: dict[str, Any], actors: Actors, override: dict[str, str]) -> str:
    """The operation's URL with ``override`` placed and required parameters filled in."""
    defaults = _path_values(actors)
    query: list[str] = []
    for param in op.get("parameters", []):
        name = param["name"]
        if param["in"] == "path":
            path = path.replace("{" + name + "}", _escape(override.get(name, defaults[name])))
        elif param["in"] == "query":
            if name in override:
                query.append(f"{name}={_escape(override[name])}")
            elif param.get("required"):
                query.append(f"{name}={_escape(BASELINE_PARAMS.get(name, '1'))}")
    return path + ("?" + "&".join(query) if query else "")


def _auth(path: str, actors: Actors) -> dict[str, str]:
    """Credentials that get a request past authentication to the code under test."""
    if "/admin/" in path:
        return bearer(actors.admin)
    if path.startswith("/api/v1/submissions/{"):
        return bearer(actors.pending_token)
    if path.startswith("/api/v1/inquiries/{"):
        return bearer(actors.inquiry_token)
    if "/owner/" in path:
        return bearer(actors.owner_token)
    if path.endswith("/interactions"):
        return bearer(actors.writer_key)
    return {}


@pytest.mark.parametrize(("method", "path", "op"), GET_OPS, ids=_ids(GET_OPS))
def test_hostile_parameters_get_a_clean_answer(
    world: World, method: str, path: str, op: dict[str, Any]
) -> None:
    """Every query and path parameter of every read operation, every hostile string."""
    failures: list[str] = []
    headers = _auth(path, world.actors)
    for param in op.get("parameters", []):
        if param["in"] not in ("query", "path"):
            continue
        values = URL_VALUES if param["in"] == "query" else corpus.TEXT + corpus.NUMBERS
        for value in values:
            url = _url(path, op, world.actors, {param["name"]: value})
            response = world.client.request(method, url, headers=headers)
            reason = judge(response, f"{method} {path} {param['name']}={value[:40]!r}")
            if reason:
                failures.append(reason)
    assert not failures, "\n".join(failures[:20])


# --- JSON bodies ----------------------------------------------------------------------


def _baseline_body(path: str, world: World) -> dict[str, Any]:
    """A body each operation accepts, so one hostile field at a time is what is judged."""
    actors = world.actors
    if path.endswith("/submissions"):
        return {
            "name": "Kopi Uji Hostile",
            "category": "kafe-kopi",
            "lat": BSD[0],
            "lon": BSD[1],
            "address": "Jl. Uji",
            "description": "biasa",
        }
    if path.endswith("/reviews"):
        return {"rating": 4, "text": "enak", "reviewer": "hostile-reviewer-0001"}
    if path.endswith("/inquiries"):
        return {"name": "Budi", "contact": "budi@example.com", "message": "Ada stok?"}
    if path.endswith("/answer"):
        return {"answer": "Ada."}
    if path.endswith("/report"):
        return {"reason": "spam"}
    if path.endswith("/claim"):
        return {"contact_name": "Budi", "contact_email": "budi@example.com", "message": "saya"}
    if path.endswith("/reject") or path.endswith("/hide"):
        return {"reason": "spam"}
    if path.endswith("/merge"):
        return {"business_id": actors.other_business}
    if path.endswith("/interactions"):
        return {"user_id": "u-hostile", "business_id": actors.owner_business, "kind": "view"}
    if "/owner/businesses/" in path:
        return {"description": "biasa"}
    return {}


def _string_fields(op: dict[str, Any]) -> list[str]:
    """Names of the string properties of an operation's JSON body (first schema)."""
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    for candidate in [schema, *schema.get("anyOf", [])]:
        ref = candidate.get("$ref")
        if ref:
            component = _DOC["components"]["schemas"][ref.rsplit("/", 1)[1]]
            return [
                name
                for name, prop in component.get("properties", {}).items()
                if prop.get("type") == "string"
                or any(alt.get("type") == "string" for alt in prop.get("anyOf", []))
            ]
    return []


@pytest.mark.parametrize(("method", "path", "op"), JSON_BODY_OPS, ids=_ids(JSON_BODY_OPS))
def test_hostile_text_in_every_body_field(
    world: World, method: str, path: str, op: dict[str, Any]
) -> None:
    """Each string field of each JSON body, with every hostile string and a megabyte."""
    baseline = _baseline_body(path, world)
    url = _url(path, op, world.actors, {})
    headers = _auth(path, world.actors)
    failures: list[str] = []
    fields = _string_fields(op)
    assert fields or path.endswith("/merge"), f"no string fields found for {method} {path}"
    for field in fields:
        for value in (*corpus.TEXT, *corpus.SIZES):
            body = {**baseline, field: value}
            if field in ("reviewer", "user_id") and value:
                body[field] = value[:90]  # one key per value: replacing is fine, crashing is not
            raw = json.dumps(body).encode()  # lone surrogates go as \\ud83d escapes
            response = world.client.request(
                method, url, content=raw, headers={**headers, "content-type": "application/json"}
            )
            reason = judge(response, f"{method} {path} {field}={value[:40]!r}")
            if reason:
                failures.append(reason)
                continue
            if response.status_code < 300 and response.content:
                failures.extend(_stored_unsafely(response, field, value, method, path))
    assert not failures, "\n".join(failures[:20])


def _stored_unsafely(response: Any, field: str, value: str, method: str, path: str) -> list[str]:
    """An accepted value must come back without NUL, raw tags or bidi overrides."""
    text = response.text
    what = f"{method} {path} {field}={value[:40]!r} accepted"
    problems = []
    body = strict_json(text)
    flat = json.dumps(body, ensure_ascii=False)
    if "\x00" in flat:
        problems.append(f"{what}: NUL stored")
    if "&lt;" not in value and re.search(r"<(script|img|svg|iframe)\b", flat, re.I):
        problems.append(f"{what}: markup stored: {flat[:200]}")
    if "\u202e" in flat:
        problems.append(f"{what}: right-to-left override stored")
    return problems


@pytest.mark.parametrize(("method", "path", "op"), JSON_BODY_OPS, ids=_ids(JSON_BODY_OPS))
def test_malformed_bodies_get_a_clean_4xx(
    world: World, method: str, path: str, op: dict[str, Any]
) -> None:
    """Nesting bombs, broken JSON, invalid UTF-8 and wrong media types never crash."""
    url = _url(path, op, world.actors, {})
    headers = _auth(path, world.actors)
    failures = []
    for body in corpus.MALFORMED_JSON:
        for content_type in ("application/json", "text/plain", "application/x-www-form-urlencoded"):
            response = world.client.request(
                method, url, content=body, headers={**headers, "content-type": content_type}
            )
            reason = judge(response, f"{method} {path} {content_type} {body[:30]!r}")
            if reason:
                failures.append(reason)
            elif response.status_code < 400 and len(body) > 1000:
                failures.append(f"{method} {path} accepted a {len(body)}-byte nesting bomb")
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize(("method", "path", "op"), JSON_BODY_OPS, ids=_ids(JSON_BODY_OPS))
def test_oversized_bodies_are_refused(
    world: World, method: str, path: str, op: dict[str, Any]
) -> None:
    """A body above ``max_request_bytes`` gets 413 before anything parses it."""
    url = _url(path, op, world.actors, {})
    body = b'{"name": "' + b"A" * (7 * 1024 * 1024) + b'"}'
    response = world.client.request(
        method,
        url,
        content=body,
        headers={**_auth(path, world.actors), "content-type": "application/json"},  # fmt: skip
    )
    assert response.status_code == 413, response.text[:200]
    assert judge(response, f"{method} {path} 7 MB") is None


# --- numbers ----------------------------------------------------------------------------

NUMBER_BODIES = [
    b'{"lat": NaN, "lon": 106.65}',
    b'{"lat": Infinity, "lon": 106.65}',
    b'{"lat": -Infinity, "lon": 106.65}',
    b'{"lat": -6.3, "lon": 1e999}',
    b'{"lat": 91, "lon": 106.65}',
    b'{"lat": -6.3, "lon": -181}',
    b'{"lat": 0, "lon": 0}',
    b'{"lat": "-6.3", "lon": "106.65x"}',
    b'{"lat": -6.3, "lon": 106.65, "price_level": 99999999999999999999999}',
    b'{"lat": -6.3, "lon": 106.65, "price_level": -1}',
    b'{"lat": -6.3, "lon": 106.65, "price_level": 2.5}',
]


def test_non_finite_and_out_of_range_coordinates_are_refused(world: World) -> None:
    failures = []
    for fragment in NUMBER_BODIES:
        doc = fragment.decode()[:-1] + ', "name": "Kopi Angka", "category": "kafe-kopi"}'
        response = world.client.post(
            "/api/v1/submissions",
            content=doc.encode(),
            headers={"content-type": "application/json"},
        )
        if response.status_code != 422 or judge(response, doc) is not None:
            failures.append(f"{doc}: {response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)


def test_negative_zero_is_a_normal_coordinate(world: World) -> None:
    response = world.client.get(
        "/api/v1/businesses", params={"lat": "-0.0", "lon": str(BSD[1]), "radius_m": "-0"}
    )
    assert response.status_code in (200, 422)
    assert judge(response, "-0") is None


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "-1"},
        {"limit": "0"},
        {"limit": "1000000000000000000000"},
        {"limit": "1e3"},
        {"radius_m": "-5", "lat": "-6.3", "lon": "106.65"},
        {"radius_m": "1e308", "lat": "-6.3", "lon": "106.65"},
        {"radius_m": "NaN", "lat": "-6.3", "lon": "106.65"},
        {"radius_m": "inf", "lat": "-6.3", "lon": "106.65"},
        {"lat": "nan", "lon": "106.65"},
        {"lat": "-6.3", "lon": "Infinity"},
        {"bbox": "nan,nan,nan,nan"},
        {"bbox": "106,-6,107,-7"},
        {"bbox": "-181,-91,181,91"},
        {"min_rating": "NaN"},
        {"cursor": "eyJpZCI6IDF9"},
        {"cursor": "A" * 2048},
        {"open_at": "25:99"},
        {"open_at": "9999-99-99T99:99"},
    ],
    ids=repr,
)
def test_search_limits_and_cursors_get_a_clean_answer(world: World, params: dict[str, str]) -> None:
    response = world.client.get("/api/v1/businesses", params=params)
    assert judge(response, repr(params)) is None
    if response.status_code == 200:
        assert len(response.json()["items"]) <= 100
