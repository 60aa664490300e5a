"""Finding 5: datetimes at the ends of Python's range are a 422, never a 500.

Before: ``9999-12-31T23:59:59-23:59`` as ``at`` or ``open_at`` and
``0001-01-01T00:00:00+14:00`` in an interaction overflowed in zone arithmetic (500), the
failing statement's parameters went to the log, and ``1900-01-01`` was stored.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session

from directory.db import make_engine
from directory.settings import Settings
from directory.timerange import out_of_range
from tests.factories import BSD, make_business

HOSTILE = [
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-12:00",
    "0001-01-01T00:00:00",
    "1900-01-01",
    "2200-06-01T10:00",
]


def _assert_422(response, field: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["status"] == 422
    assert any(e["field"].endswith(field) for e in body["errors"]), body


@pytest.mark.parametrize("value", HOSTILE)
def test_recommendations_at_out_of_range(client: TestClient, value: str) -> None:
    response = client.get(
        "/api/v1/recommendations", params={"lat": BSD[0], "lon": BSD[1], "at": value}
    )
    _assert_422(response, "at")


@pytest.mark.parametrize("value", HOSTILE)
def test_businesses_open_at_out_of_range(client: TestClient, value: str) -> None:
    response = client.get(
        "/api/v1/businesses", params={"lat": BSD[0], "lon": BSD[1], "open_at": value}
    )
    _assert_422(response, "open_at")


@pytest.mark.parametrize("value", HOSTILE)
def test_interaction_at_out_of_range(
    client: TestClient, session: Session, writer_headers: dict[str, str], value: str
) -> None:
    bid = make_business(session).id
    session.commit()
    response = client.post(
        "/api/v1/interactions",
        json={"user_id": "u1", "business_id": bid, "kind": "view", "at": value},
        headers=writer_headers,
    )
    _assert_422(response, "at")


def test_ordinary_dates_still_work(
    client: TestClient, session: Session, writer_headers: dict[str, str]
) -> None:
    bid = make_business(session).id
    session.commit()
    ok = client.post(
        "/api/v1/interactions",
        json={"user_id": "u1", "business_id": bid, "kind": "view", "at": "2026-11-30T10:00"},
        headers=writer_headers,
    )
    assert ok.status_code == 201, ok.text
    rec = client.get(
        "/api/v1/recommendations",
        params={"lat": BSD[0], "lon": BSD[1], "at": "2026-12-01T19:30:00+07:00"},
    )
    assert rec.status_code == 200
    search = client.get(
        "/api/v1/businesses", params={"lat": BSD[0], "lon": BSD[1], "open_at": "19:30"}
    )
    assert search.status_code == 200


@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.integers(-23 * 60 - 59, 23 * 60 + 59),
)
def test_range_check_never_overflows(wall: datetime, offset_min: int) -> None:
    value = wall.replace(tzinfo=timezone(timedelta(minutes=offset_min)))
    reason = out_of_range(value)
    if reason is None:  # inside: every conversion the service does must work
        value.astimezone(UTC)
        assert 2000 <= value.astimezone(UTC).year <= 2100


def test_engines_hide_statement_parameters(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    secret = "request-value-7f3a"
    try:
        with engine.connect() as conn, pytest.raises((DBAPIError, StatementError)) as caught:
            conn.execute(text("SELECT * FROM no_such_table WHERE x = :v"), {"v": secret})
    finally:
        engine.dispose()
    assert secret not in str(caught.value)
    assert "hidden due to hide_parameters" in str(caught.value)
