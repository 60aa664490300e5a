"""POST /api/v1/interactions: single and batch, validation, all-or-nothing, exact counts."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.models import Business, Interaction
from tests.factories import make_business


def _count(session: Session) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(Interaction)) or 0)


def test_single_interaction_by_external_id(
    client: TestClient, session: Session, writer_headers: dict[str, str]
) -> None:
    b = make_business(session, external_id="ext-1")
    r = client.post(
        "/api/v1/interactions",
        headers=writer_headers,
        json={
            "user_id": "u1",
            "business_external_id": "ext-1",
            "kind": "visit",
            "at": "2026-05-01T19:30:00+07:00",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["accepted"] == 1
    row = session.scalars(select(Interaction)).one()
    assert row.business_id == b.id
    assert row.kind == "visit"
    assert row.user_id == "u1"
    assert row.at.hour == 12  # 19:30 WIB is 12:30 UTC
    session.expire_all()
    assert session.get(Business, b.id).interaction_count == 1  # type: ignore[union-attr]


def test_time_without_zone_is_jakarta_local(
    client: TestClient, session: Session, writer_headers: dict[str, str]
) -> None:
    b = make_business(session)
    r = client.post(
        "/api/v1/interactions",
        headers=writer_headers,
        json={"user_id": "u1", "business_id": b.id, "kind": "view", "at": "2026-05-01T08:00:00"},
    )
    assert r.status_code == 201
    assert session.scalars(select(Interaction)).one().at.hour == 1


def test_batch_is_all_or_nothing_and_names_the_bad_item(
    client: TestClient, session: Session, writer_headers: dict[str, str]
) -> None:
    b = make_business(session, external_id="ok")
    items = [
        {"user_id": "u1", "business_id": b.id, "kind": "click"},
        {"user_id": "u1", "business_external_id": "missing", "kind": "click"},
    ]
    r = client.post("/api/v1/interactions", json={"items": items}, headers=writer_headers)
    assert r.status_code == 422
    body = r.json()
    assert body["errors"][0]["field"] == "items[1].business_external_id"
    assert _count(session) == 0


def test_batch_counts_stay_exact(
    client: TestClient, session: Session, writer_headers: dict[str, str]
) -> None:
    a = make_business(session)
    b = make_business(session)
    items = [
        {"user_id": f"u{i % 7}", "business_id": (a.id if i % 3 else b.id), "kind": "visit"}
        for i in range(3000)
    ]
    r = client.post("/api/v1/interactions", json={"items": items}, headers=writer_headers)
    assert r.status_code == 201
    assert r.json()["accepted"] == 3000
    session.expire_all()
    per_business = dict(
        session.execute(
            select(Interaction.business_id, func.count()).group_by(Interaction.business_id)
        )
        .tuples()
        .all()
    )
    for bid in (a.id, b.id):
        assert session.get(Business, bid).interaction_count == per_business[bid]  # type: ignore[union-attr]


def test_bad_fields_get_named_422s(
    client: TestClient, session: Session, writer_headers: dict[str, str]
) -> None:
    b = make_business(session)
    cases = [
        ({"user_id": "u", "business_id": b.id, "kind": "stare"}, "kind"),
        ({"user_id": "", "business_id": b.id, "kind": "view"}, "user_id"),
        ({"user_id": "u", "kind": "view"}, ""),
        ({"user_id": "u", "business_id": b.id, "kind": "view", "at": "yesterday"}, "at"),
        ({"user_id": "u", "business_id": b.id, "kind": "view", "at": "2999-01-01T00:00:00Z"}, "at"),
    ]
    for payload, field in cases:
        r = client.post("/api/v1/interactions", json=payload, headers=writer_headers)
        assert r.status_code == 422, payload
        fields = [e["field"] for e in r.json()["errors"]]
        assert any(field in f for f in fields), (payload, fields)
    too_many = {"items": [{"user_id": "u", "business_id": b.id, "kind": "view"}] * 10_001}
    r = client.post("/api/v1/interactions", json=too_many, headers=writer_headers)
    assert r.status_code in (413, 422)
    assert _count(session) == 0
