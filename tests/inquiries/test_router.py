"""Buyer inquiries through the API: asking, the receipt, the owner's answers and reports,
the editors' decisions, and the limits around all of it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts.tokens import hash_token
from directory.app import create_app
from directory.models import AuditLog, Inquiry, utcnow
from directory.product_models import Product, ProductStatus
from directory.settings import Settings
from tests.factories import make_business
from tests.inquiry_helpers import BUYER, OWNER_EMAIL, Owned, ask, owned_business, token_of
from tests.moderation_helpers import bearer


@pytest.fixture
def owned(client: TestClient, sessions: sessionmaker[Session]) -> Owned:
    return owned_business(client, sessions)


def _read(client: TestClient, inquiry_id: str, token: str | None) -> Any:
    headers = bearer(token) if token else {}
    return client.get(f"/api/v1/inquiries/{inquiry_id}", headers=headers)


def _owner_url(owned: Owned, suffix: str = "") -> str:
    return f"/api/v1/owner/businesses/{owned.business_id}/inquiries{suffix}"


def test_an_inquiry_is_stored_before_the_answer_returns(
    client: TestClient, sessions: sessionmaker[Session], owned: Owned
) -> None:
    response = ask(client, owned.business_id)
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "status", "receipt_url", "receipt_token", "created_at"}
    assert body["status"] == "new"
    assert (
        body["receipt_url"] == f"http://testserver/pertanyaan/{body['id']}#token={token_of(body)}"
    )
    assert body["receipt_token"] == token_of(body)
    assert response.headers["location"] == f"/api/v1/inquiries/{body['id']}"
    assert response.headers["cache-control"] == "no-store"
    # A new connection sees it: committed, not waiting in the request's transaction.
    with sessions() as session:
        row = session.get(Inquiry, body["id"])
        assert row is not None
        assert (row.buyer_name, row.company, row.contact, row.quantity, row.message) == (
            BUYER["name"], BUYER["company"], BUYER["contact"], BUYER["quantity"],
            BUYER["message"],
        )  # fmt: skip
        assert row.business_id == owned.business_id
        assert row.receipt_token_hash == hash_token(body["receipt_token"])
        assert body["receipt_token"] not in str(row.__dict__)
        assert len(row.client_hash) == 64
        assert "testclient" not in row.client_hash


def test_the_buyer_reads_the_inquiry_with_the_receipt_token_only(
    client: TestClient, owned: Owned
) -> None:
    created = ask(client, owned.business_id).json()
    token = token_of(created)
    assert _read(client, created["id"], None).status_code == 401
    wrong = _read(client, created["id"], "dk_inquiry_tebakan")
    made_up = _read(client, "q_doesnotexist00000", token)
    assert wrong.status_code == made_up.status_code == 404
    assert wrong.json()["detail"] == made_up.json()["detail"]
    assert _read(client, created["id"], owned.token).status_code == 404  # the owner's token
    mine = _read(client, created["id"], token)
    assert mine.status_code == 200
    assert mine.headers["cache-control"] == "no-store"
    data = mine.json()
    assert data["status"] == "new"
    assert data["answer"] is None
    assert data["business"]["id"] == owned.business_id
    assert data["message"] == BUYER["message"]
    assert data["quantity"] == "50 kg"
    assert OWNER_EMAIL not in mine.text


def test_missing_and_bad_fields_are_named_together(client: TestClient, owned: Owned) -> None:
    response = ask(client, owned.business_id, name="  ", contact=..., message="")
    assert response.status_code == 422
    problem = response.json()
    assert {e["field"] for e in problem["errors"]} == {"name", "contact", "message"}
    assert all(e["location"] == "body" for e in problem["errors"])
    bad = ask(client, owned.business_id, contact="bukan kontak")
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["contact"]
    assert "e-mail address or a phone number" in bad.json()["errors"][0]["message"]
    assert ask(client, owned.business_id, contact="budi@@example").status_code == 422
    unknown = ask(client, owned.business_id, price=5)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "price"


@pytest.mark.parametrize(
    ("field", "limit"), [("name", 200), ("company", 200), ("quantity", 100), ("message", 2000)]
)
def test_size_limits_name_the_field(
    client: TestClient, owned: Owned, field: str, limit: int
) -> None:
    assert ask(client, owned.business_id, **{field: "x" * limit}).status_code == 201
    response = ask(client, owned.business_id, **{field: "x" * (limit + 1)})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == field
    assert f"at most {limit}" in error["message"]


def test_a_body_above_the_request_limit_is_refused_unread(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"max_request_bytes": 4096}))
    with TestClient(app) as client:
        with app.state.sessions() as session:
            business = make_business(session)
            business_id = business.id
        response = ask(client, business_id, message="x" * 5000)
        assert response.status_code == 413
        with app.state.sessions() as session:
            assert session.scalars(select(Inquiry)).all() == []
    app.state.engine.dispose()


def test_text_is_cleaned_and_contacts_normalised(client: TestClient, owned: Owned) -> None:
    ask(client, owned.business_id, name="<b>Budi</b>", contact="0812-3456-7890", quantity=200)
    ask(client, owned.business_id, contact="Budi@Example.COM")
    items = client.get(_owner_url(owned), headers=bearer(owned.token)).json()["items"]
    by_kind = {i["contact_kind"]: i for i in items}
    assert by_kind["phone"]["contact"] == "+6281234567890"
    assert by_kind["phone"]["name"] == "Budi"
    assert by_kind["phone"]["quantity"] == "200"
    assert by_kind["email"]["contact"] == "Budi@example.com"


def test_the_honeypot_looks_the_same_and_stores_nothing(
    client: TestClient, sessions: sessionmaker[Session], owned: Owned
) -> None:
    response = ask(client, owned.business_id, website_url_confirm="http://spam.example")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "new"
    assert token_of(body)
    with sessions() as session:
        assert session.scalars(select(Inquiry)).all() == []
    assert _read(client, body["id"], token_of(body)).status_code == 404


def test_only_published_businesses_take_inquiries(
    client: TestClient, session: Session, owned: Owned
) -> None:
    assert ask(client, 987_654).status_code == 404
    closed = make_business(session, status="closed")
    assert ask(client, closed.id).status_code == 404
    hidden = make_business(session, status="hidden")
    assert ask(client, hidden.id).status_code == 404


def test_a_product_id_is_kept_with_the_product_name(
    client: TestClient, sessions: sessionmaker[Session], owned: Owned
) -> None:
    with sessions() as session:
        product = Product(business_id=owned.business_id, name="Kopi Bubuk Robusta",
                          status=ProductStatus.PUBLISHED)  # fmt: skip
        session.add(product)
        session.commit()
        product_id = product.id
    created = ask(client, owned.business_id, product_id=product_id).json()
    with sessions() as session:
        row = session.get(Inquiry, created["id"])
        assert row is not None
        assert row.product_id == product_id
        assert row.product_name == "Kopi Bubuk Robusta"
    assert ask(client, owned.business_id, product_id=product_id + 1).status_code == 422
    assert ask(client, owned.business_id, product_id=0).status_code == 422
    assert ask(client, owned.business_id, product_id="sabun").status_code == 422


def test_the_hourly_limit_per_client(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"rate_limit_inquiries_per_hour": 3}))
    with TestClient(app) as client:
        with app.state.sessions() as session:
            ids = [make_business(session).id for _ in range(4)]
        assert [ask(client, i).status_code for i in ids[:2]] == [201, 201]
        assert ask(client, ids[2], contact="").status_code == 422  # counted too
        refused = ask(client, ids[3])
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["retry_after_s"] >= 1
    app.state.engine.dispose()


def test_the_daily_cap_per_business(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"inquiry_daily_cap_per_business": 2}))
    with TestClient(app) as client:
        with app.state.sessions() as session:
            first, second = make_business(session).id, make_business(session).id
        assert ask(client, first, contact="salah").status_code == 422  # not counted
        assert [ask(client, first).status_code for _ in range(3)] == [201, 201, 429]
        assert ask(client, second).status_code == 201
    app.state.engine.dispose()


def test_the_owner_lists_answers_and_the_buyer_reads(
    client: TestClient, sessions: sessionmaker[Session], owned: Owned
) -> None:
    older = ask(client, owned.business_id, message="Pertama").json()
    newer = ask(client, owned.business_id, message="Kedua").json()
    listed = client.get(_owner_url(owned), headers=bearer(owned.token))
    assert listed.status_code == 200
    assert listed.headers["cache-control"] == "no-store"
    assert [i["id"] for i in listed.json()["items"]] == [newer["id"], older["id"]]
    assert listed.json()["items"][0]["contact"] == BUYER["contact"]
    page = client.get(_owner_url(owned), params={"limit": 1}, headers=bearer(owned.token)).json()
    rest = client.get(
        _owner_url(owned), params={"limit": 1, "cursor": page["next_cursor"]},
        headers=bearer(owned.token),
    ).json()  # fmt: skip
    assert [i["id"] for i in page["items"] + rest["items"]] == [newer["id"], older["id"]]
    assert rest["next_cursor"] is None

    answer = client.post(
        _owner_url(owned, f"/{older['id']}/answer"),
        json={"answer": "Rp 25.000 per kg.\nMinimal 10 kg."}, headers=bearer(owned.token),
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "answered"
    read = _read(client, older["id"], token_of(older)).json()
    assert read["status"] == "answered"
    assert read["answer"] == "Rp 25.000 per kg.\nMinimal 10 kg."
    assert read["answered_at"] is not None
    only_new = client.get(_owner_url(owned), params={"status": "new"}, headers=bearer(owned.token))
    assert [i["id"] for i in only_new.json()["items"]] == [newer["id"]]
    with sessions() as session:
        actions = session.scalars(
            select(AuditLog.action).where(AuditLog.subject_id == older["id"])
        ).all()
    assert actions == ["answer_inquiry"]


def test_an_empty_answer_is_refused(client: TestClient, owned: Owned) -> None:
    created = ask(client, owned.business_id).json()
    url = _owner_url(owned, f"/{created['id']}/answer")
    for body in ({}, {"answer": "   "}, {"answer": "x" * 4001}):
        response = client.post(url, json=body, headers=bearer(owned.token))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "answer"


def test_owner_endpoints_need_this_businesss_token(
    client: TestClient, sessions: sessionmaker[Session], owned: Owned
) -> None:
    other = owned_business(client, sessions, name="Bakso Lain", admin_name="budi", phone=None)
    created = ask(client, owned.business_id).json()
    elsewhere = ask(client, other.business_id).json()
    answer = _owner_url(owned, f"/{created['id']}/answer")
    for url, body in ((_owner_url(owned), None), (answer, {"answer": "ya"})):
        method = "GET" if body is None else "POST"
        assert client.request(method, url, json=body).status_code == 401
        for token in ("dk_edit_tebakan", other.token, owned.admin, token_of(created)):
            assert client.request(method, url, json=body, headers=bearer(token)).status_code == 403
    # The right owner, but another business's inquiry: as if it did not exist.
    response = client.post(
        _owner_url(owned, f"/{elsewhere['id']}/answer"), json={"answer": "ya"},
        headers=bearer(owned.token),
    )  # fmt: skip
    assert response.status_code == 404


def test_reports_go_to_editors_who_hide_or_restore(
    client: TestClient, sessions: sessionmaker[Session], owned: Owned
) -> None:
    spam = ask(client, owned.business_id, message="Beli followers murah!").json()
    fine = ask(client, owned.business_id).json()
    report = client.post(
        _owner_url(owned, f"/{spam['id']}/report"), json={"reason": "spam"},
        headers=bearer(owned.token),
    )  # fmt: skip
    assert report.status_code == 200
    assert report.json()["status"] == "reported"
    assert report.json()["reported_reason"] == "spam"
    blocked = client.post(
        _owner_url(owned, f"/{spam['id']}/answer"), json={"answer": "?"},
        headers=bearer(owned.token),
    )  # fmt: skip
    assert blocked.status_code == 409

    admin = bearer(owned.admin)
    assert client.get("/api/v1/admin/inquiries").status_code == 401
    assert client.get("/api/v1/admin/inquiries", headers=bearer(owned.token)).status_code == 401
    reported = client.get("/api/v1/admin/inquiries", headers=admin)
    assert reported.status_code == 200
    assert [i["id"] for i in reported.json()] == [spam["id"]]
    assert reported.json()[0]["business_name"] == "Kopi Senja Serpong"
    assert reported.json()[0]["reported_reason"] == "spam"

    hidden = client.post(f"/api/v1/admin/inquiries/{spam['id']}/hide", json={}, headers=admin)
    assert hidden.status_code == 200
    assert hidden.json()["status"] == "hidden"
    mine = client.get(_owner_url(owned), headers=bearer(owned.token)).json()["items"]
    assert [i["id"] for i in mine] == [fine["id"]]
    assert _read(client, spam["id"], token_of(spam)).json()["status"] == "hidden"
    gone = client.post(
        _owner_url(owned, f"/{spam['id']}/report"), json={}, headers=bearer(owned.token)
    )
    assert gone.status_code == 404

    restored = client.post(f"/api/v1/admin/inquiries/{spam['id']}/restore", headers=admin)
    assert restored.json()["status"] == "new"
    assert len(client.get(_owner_url(owned), headers=bearer(owned.token)).json()["items"]) == 2
    with sessions() as session:
        actions = session.scalars(
            select(AuditLog.action).where(AuditLog.subject_id == spam["id"]).order_by(AuditLog.id)
        ).all()
    assert actions == ["report_inquiry", "hide_inquiry", "restore_inquiry"]
    unknown = client.post("/api/v1/admin/inquiries/q_unknown000/hide", headers=admin)
    assert unknown.status_code == 404


def test_a_restored_answered_inquiry_is_answered_again(client: TestClient, owned: Owned) -> None:
    created = ask(client, owned.business_id).json()
    client.post(
        _owner_url(owned, f"/{created['id']}/answer"), json={"answer": "Ada."},
        headers=bearer(owned.token),
    )  # fmt: skip
    client.post(_owner_url(owned, f"/{created['id']}/report"), headers=bearer(owned.token))
    restored = client.post(
        f"/api/v1/admin/inquiries/{created['id']}/restore", headers=bearer(owned.admin)
    )
    assert restored.json()["status"] == "answered"


def test_the_owners_contact_never_reaches_the_buyer(client: TestClient, owned: Owned) -> None:
    created = ask(client, owned.business_id)
    token = token_of(created.json())
    client.post(
        _owner_url(owned, f"/{created.json()['id']}/answer"), json={"answer": "Siap."},
        headers=bearer(owned.token),
    )  # fmt: skip
    read = _read(client, created.json()["id"], token)
    for response in (created, read):
        assert OWNER_EMAIL not in response.text
        assert owned.token not in response.text
        assert owned.submission_id not in response.text


def test_old_inquiries_are_deleted_after_the_retention_period(
    client: TestClient, sessions: sessionmaker[Session], owned: Owned
) -> None:
    old = ask(client, owned.business_id).json()
    with sessions() as session:
        session.execute(
            update(Inquiry)
            .where(Inquiry.id == old["id"])
            .values(created_at=utcnow() - timedelta(days=366))
        )
        session.commit()
    new = ask(client, owned.business_id).json()
    with sessions() as session:
        assert session.get(Inquiry, old["id"]) is None
        assert session.get(Inquiry, new["id"]) is not None
