"""POST /api/v1/submissions and GET /api/v1/submissions/{id}: validation, tokens, duplicates."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts.tokens import bearer_token, hash_token, token_matches
from directory.models import AuditLog, OwnerToken, Submission
from tests.factories import make_business
from tests.moderation_helpers import VALID, bearer, submit


def test_submission_is_pending_with_a_token_shown_once(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    response = client.post("/api/v1/submissions", json=VALID)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "pending"
    assert body["kind"] == "new"
    token = body["edit_token"]
    assert token.startswith("dk_edit_")
    assert len(token) > 40
    assert response.headers["location"] == f"/api/v1/submissions/{body['id']}"
    assert response.headers["cache-control"] == "no-store"
    assert body["location"] == {
        "lat": VALID["lat"], "lon": VALID["lon"], "approximate": False, "source": "pin",
        "area": None,
    }  # fmt: skip
    with sessions() as session:
        stored = session.get(Submission, body["id"])
        assert stored is not None
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in repr(stored.payload)
        assert token not in (stored.contact_email or "")
        owner = session.scalar(select(OwnerToken).where(OwnerToken.submission_id == stored.id))
        assert owner is not None
        assert owner.business_id is None
        assert stored.payload["phone"] == "+6281234567890"  # normalised once, stored
        assert stored.contact_email == "pemilik@example.id"
        actions = session.scalars(select(AuditLog.action).where(AuditLog.subject_id == stored.id))
        assert list(actions) == ["submit"]


def test_every_bad_field_is_named(client: TestClient) -> None:
    body = {
        **VALID,
        "name": "",
        "category": "kapal-selam",
        "lat": 123.0,
        "phone": "12",
        "website": "javascript:alert(1)",
        "opening_hours": "kadang-kadang",
        "price_level": 9,
        "contact_email": "bukan-email",
    }
    response = client.post("/api/v1/submissions", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in response.json()["errors"]}
    expected = {"name", "category", "lat", "phone", "website", "opening_hours", "price_level"}
    assert expected | {"contact_email"} <= fields


def test_wrong_types_and_unknown_fields_are_named(client: TestClient) -> None:
    response = client.post(
        "/api/v1/submissions", json={**VALID, "lat": "utara", "nomor_telepon": "1"}
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"lat", "nomor_telepon"} <= fields


def test_html_and_control_characters_are_stripped(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    body = submit(
        client,
        name="<b>Kopi</b> Senja\x07",
        description="<script>alert(1)</script>Enak <i>sekali</i>",
    )
    with sessions() as session:
        payload = session.get(Submission, body["id"]).payload  # type: ignore[union-attr]
    assert payload["name"] == "Kopi Senja"
    assert payload["description"] == "Enak sekali"


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_coordinates_are_refused(client: TestClient, bad: float) -> None:
    raw = '{"name": "Kopi", "category": "kafe-kopi", "lat": %s, "lon": 106.6}' % (
        "NaN" if bad != bad else "Infinity"
    )
    response = client.post(
        "/api/v1/submissions", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "lat" in {e["field"] for e in response.json()["errors"]}


def test_one_coordinate_alone_is_not_a_location(client: TestClient) -> None:
    response = client.post("/api/v1/submissions", json={**VALID, "lon": None})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["lon"]


def test_address_without_pin_is_placed_at_the_named_area(client: TestClient) -> None:
    body = submit(client, lat=None, lon=None, address="Jl. Siliwangi No. 3, Pondok Benda, Pamulang")
    location = body["location"]
    assert location["approximate"] is True
    assert location["source"] == "area"
    assert location["area"] == "pondok-benda"


def test_address_that_names_no_area_needs_a_pin(client: TestClient) -> None:
    response = client.post(
        "/api/v1/submissions", json={**VALID, "lat": None, "lon": None, "address": "Jl. Entah"}
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {"lat", "lon"}
    assert "set a pin on the map" in errors["lat"]


def test_duplicates_are_reported_with_evidence(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        existing = make_business(
            session, name="Warung Kopi Senja", lat=VALID["lat"], lon=VALID["lon"] + 0.0002
        )
        make_business(session, name="Bengkel Jaya Motor", lat=VALID["lat"], lon=VALID["lon"])
    body = submit(client, name="Kopi Senja")
    assert [d["business"]["id"] for d in body["duplicates"]] == [existing.id]
    dup = body["duplicates"][0]
    assert dup["is_match"] is True
    assert 0.7 <= dup["score"] <= 1.0
    assert dup["evidence"]["name_similarity"] == 1.0
    assert 15 < dup["evidence"]["distance_m"] < 30
    with sessions() as session:
        stored = session.get(Submission, body["id"])
        assert stored is not None
        assert stored.duplicates[0]["business_id"] == existing.id


def test_same_phone_far_away_is_a_candidate(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        far = make_business(
            session,
            name="Kopi Senja",
            lat=VALID["lat"] + 0.0135,
            phone="+6281234567890",
            address=VALID["address"],
        )
    body = submit(client)
    dup = {d["business"]["id"]: d for d in body["duplicates"]}[far.id]
    assert dup["evidence"]["same_phone"] is True
    assert dup["evidence"]["distance_m"] > 1000  # outside the 500 m search box


def _read(client: TestClient, submission_id: str, token: str | None) -> Any:
    headers = bearer(token) if token is not None else {}
    return client.get(f"/api/v1/submissions/{submission_id}", headers=headers)


def test_read_back_needs_the_token(client: TestClient) -> None:
    mine = submit(client)
    other = submit(client, name="Toko Roti Lain", phone=None)
    ok = _read(client, mine["id"], mine["edit_token"])
    assert ok.status_code == 200
    assert ok.json()["status"] == "pending"
    assert ok.json()["fields"]["name"] == VALID["name"]
    assert ok.headers["cache-control"] == "no-store"
    assert "contact_email" not in ok.json()
    assert _read(client, mine["id"], None).status_code == 401
    assert _read(client, mine["id"], other["edit_token"]).status_code == 404
    assert _read(client, mine["id"], "dk_edit_" + "x" * 43).status_code == 404


def test_unknown_id_and_wrong_token_look_the_same(client: TestClient) -> None:
    mine = submit(client)
    wrong_token = _read(client, mine["id"], "dk_edit_tebakan")
    unknown_id = _read(client, "s_tidakadasamasekali", mine["edit_token"])
    assert wrong_token.status_code == unknown_id.status_code == 404
    a, b = wrong_token.json(), unknown_id.json()
    a.pop("instance"), b.pop("instance")
    assert a == b
    no_token_known = _read(client, mine["id"], None)
    no_token_unknown = _read(client, "s_tidakadasamasekali", None)
    assert no_token_known.status_code == no_token_unknown.status_code == 401


def test_no_endpoint_lists_submissions_publicly(client: TestClient) -> None:
    submit(client)
    assert client.get("/api/v1/submissions").status_code == 405
    assert client.get("/api/v1/admin/submissions").status_code == 401


def test_honeypot_gets_a_plausible_answer_and_nothing_is_stored(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    response = client.post(
        "/api/v1/submissions", json={**VALID, "website_url_confirm": "http://spam.example"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending"
    assert body["edit_token"].startswith("dk_edit_")
    with sessions() as session:
        assert session.scalar(select(Submission.id)) is None
    assert _read(client, body["id"], body["edit_token"]).status_code == 404


def test_tokens_never_reach_the_logs(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    body = submit(client)
    _read(client, body["id"], body["edit_token"])
    client.get(f"/api/v1/submissions/{body['id']}", headers=bearer("dk_edit_salah"))
    text = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert body["edit_token"] not in text
    assert "dk_edit_salah" not in text


def test_oversized_body_is_refused_before_parsing(client: TestClient) -> None:
    big = {**VALID, "description": "x" * (7 * 1024 * 1024)}
    response = client.post("/api/v1/submissions", json=big)
    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_chunked_oversized_body_is_refused(client: TestClient) -> None:
    def chunks() -> Any:
        yield b'{"name": "'
        for _ in range(7):
            yield b"a" * (1024 * 1024)
        yield b'"}'

    response = client.post(
        "/api/v1/submissions", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


@given(st.text(max_size=300))
def test_bearer_parsing_never_fails_and_keeps_only_plain_tokens(header: str) -> None:
    token = bearer_token(header)
    if token is not None:
        assert token.isascii()
        assert token.isprintable()
        assert " " not in token
        assert 0 < len(token) <= 200
        assert bearer_token(f"Bearer {token}") == token


@given(st.text(min_size=1, max_size=100), st.text(min_size=1, max_size=100))
def test_a_token_matches_only_its_own_hash(a: str, b: str) -> None:
    assert token_matches(a, hash_token(a))
    assert token_matches(b, hash_token(a)) == (a == b)
