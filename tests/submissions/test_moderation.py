"""Moderation: admin tokens, the queue, approve / reject / merge, the audit log."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts.admins import authenticate_admin, create_admin_token, revoke_admin_token
from directory.errors import Conflict, Unauthorized
from directory.models import AdminToken, Business, OwnerToken, Submission
from directory.submissions.moderation import approve_submission
from tests.factories import make_business
from tests.moderation_helpers import VALID, approve, bearer, make_admin, submit


def test_admin_tokens_are_stored_hashed_and_revocable(sessions: sessionmaker[Session]) -> None:
    token = make_admin(sessions, "rina")
    with sessions() as session:
        row = session.scalar(select(AdminToken).where(AdminToken.name == "rina"))
        assert row is not None
        assert token not in row.token_hash
        assert len(row.token_hash) == 64
        assert authenticate_admin(session, token).name == "rina"
        with pytest.raises(Conflict):
            create_admin_token(session, "rina")
        revoke_admin_token(session, "rina")
        session.commit()
        with pytest.raises(Unauthorized):
            authenticate_admin(session, token)
        again = create_admin_token(session, "rina")  # a revoked name can be given a new token
        session.commit()
        assert authenticate_admin(session, again).name == "rina"
        with pytest.raises(Unauthorized):
            authenticate_admin(session, token)


def test_admin_endpoints_refuse_missing_wrong_revoked_and_owner_tokens(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    sub = submit(client)
    url = "/api/v1/admin/submissions"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer("dk_admin_tebakan")).status_code == 401
    assert client.get(url, headers={"Authorization": f"Basic {admin}"}).status_code == 401
    # The submitter's edit token, even once it is an owner token, cannot moderate.
    assert client.get(url, headers=bearer(sub["edit_token"])).status_code == 401
    approve(client, admin, sub["id"])
    assert client.get(url, headers=bearer(sub["edit_token"])).status_code == 401
    decision = client.post(f"{url}/{sub['id']}/reject", json={"reason": "x"},
                           headers=bearer(sub["edit_token"]))  # fmt: skip
    assert decision.status_code == 401
    with sessions() as session:
        revoke_admin_token(session, "rina")
        session.commit()
    response = client.get(url, headers=bearer(admin))
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_queue_shows_pending_with_duplicates_oldest_first(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    with sessions() as session:
        existing = make_business(session, name="Kopi Senja", lat=VALID["lat"], lon=VALID["lon"])
    first = submit(client)
    second = submit(client, name="Bakso Pak Kumis", lat=VALID["lat"] + 0.05, phone=None)
    page = client.get("/api/v1/admin/submissions?status=pending", headers=bearer(admin))
    assert page.status_code == 200
    items = page.json()["items"]
    assert [i["id"] for i in items] == [first["id"], second["id"]]
    assert items[0]["duplicates"][0]["business"]["id"] == existing.id
    assert items[0]["duplicates"][0]["is_match"] is True
    assert items[0]["contact_email"] == "pemilik@example.id"
    assert items[1]["duplicates"] == []
    one = client.get("/api/v1/admin/submissions?limit=1", headers=bearer(admin)).json()
    assert [i["id"] for i in one["items"]] == [first["id"]]
    rest = client.get(
        f"/api/v1/admin/submissions?limit=1&cursor={one['next_cursor']}", headers=bearer(admin)
    ).json()
    assert [i["id"] for i in rest["items"]] == [second["id"]]
    assert rest["next_cursor"] is None
    bad = client.get("/api/v1/admin/submissions?cursor=zzz", headers=bearer(admin))
    assert bad.status_code == 422


def test_approve_publishes_at_once_and_links_the_owner_token(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    sub = submit(client)
    decided = approve(client, admin, sub["id"])
    assert decided["status"] == "approved"
    business_id = decided["business_id"]
    public = client.get(f"/api/v1/businesses/{business_id}")
    assert public.status_code == 200
    assert public.json()["name"] == VALID["name"]
    assert public.json()["source"] == "submission"
    found = client.get("/api/v1/businesses", params={"q": "senja"}).json()["items"]
    assert business_id in [hit["id"] for hit in found]
    with sessions() as session:
        owner = session.scalar(select(OwnerToken).where(OwnerToken.submission_id == sub["id"]))
        assert owner is not None
        assert owner.business_id == business_id
    mine = client.get(f"/api/v1/submissions/{sub['id']}", headers=bearer(sub["edit_token"]))
    assert mine.json()["status"] == "approved"
    assert mine.json()["business_id"] == business_id
    again = client.post(f"/api/v1/admin/submissions/{sub['id']}/approve", headers=bearer(admin))
    assert again.status_code == 409


def test_reject_with_a_reason_the_owner_sees(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    sub = submit(client)
    response = client.post(
        f"/api/v1/admin/submissions/{sub['id']}/reject",
        json={"reason": "Alamat tidak ditemukan <b>sama sekali</b>"},
        headers=bearer(admin),
    )
    assert response.status_code == 200
    mine = client.get(f"/api/v1/submissions/{sub['id']}", headers=bearer(sub["edit_token"]))
    assert mine.json()["status"] == "rejected"
    assert mine.json()["reason"] == "Alamat tidak ditemukan sama sekali"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Business)) == 0
    empty = client.post(
        f"/api/v1/admin/submissions/{sub['id']}/reject", json={"reason": ""}, headers=bearer(admin)
    )
    assert empty.status_code == 422
    late = client.post(f"/api/v1/admin/submissions/{sub['id']}/approve", headers=bearer(admin))
    assert late.status_code == 409


def test_merge_fills_gaps_without_overwriting(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    with sessions() as session:
        existing = make_business(
            session, name="Kopi Senja", lat=VALID["lat"], lon=VALID["lon"],
            address="Jl. Lama 1", description=None,
        )  # fmt: skip
    sub = submit(client)
    response = client.post(
        f"/api/v1/admin/submissions/{sub['id']}/merge",
        json={"business_id": existing.id},
        headers=bearer(admin),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "merged"
    assert response.json()["business_id"] == existing.id
    with sessions() as session:
        kept = session.get(Business, existing.id)
        assert kept is not None
        assert kept.name == "Kopi Senja"
        assert kept.address == "Jl. Lama 1"
        assert kept.phone == "+6281234567890"  # filled in
        assert kept.description == VALID["description"]
        assert session.scalar(select(func.count()).select_from(Business)) == 1
        owner = session.scalar(select(OwnerToken).where(OwnerToken.submission_id == sub["id"]))
        assert owner is not None
        assert owner.business_id is None
    audit = client.get(
        "/api/v1/admin/audit", params={"subject_id": sub["id"]}, headers=bearer(admin)
    ).json()["items"]
    merge = next(e for e in audit if e["action"] == "merge")
    assert merge["actor"] == "admin:rina"
    assert set(merge["detail"]["filled"]) >= {"phone", "description"}


def test_merge_into_unknown_business_changes_nothing(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    sub = submit(client)
    response = client.post(
        f"/api/v1/admin/submissions/{sub['id']}/merge",
        json={"business_id": 999_999},
        headers=bearer(admin),
    )
    assert response.status_code == 404
    with sessions() as session:
        assert session.get(Submission, sub["id"]).status == "pending"  # type: ignore[union-attr]


def test_every_decision_is_audited_with_who_and_when(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions, "budi")
    a, b = submit(client), submit(client, name="Toko Buku Cahaya", phone=None)
    approve(client, admin, a["id"])
    client.post(
        f"/api/v1/admin/submissions/{b['id']}/reject", json={"reason": "spam"},
        headers=bearer(admin),
    )  # fmt: skip
    entries = client.get("/api/v1/admin/audit", headers=bearer(admin)).json()["items"]
    decided = {(e["action"], e["subject_id"]) for e in entries if e["actor"] == "admin:budi"}
    assert ("approve", a["id"]) in decided
    assert ("reject", b["id"]) in decided
    assert all(e["at"] for e in entries)
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids, reverse=True)
    older = client.get(
        "/api/v1/admin/audit", params={"before_id": ids[1], "limit": 1}, headers=bearer(admin)
    ).json()
    assert [e["id"] for e in older["items"]] == [ids[2]]


def test_two_editors_approving_at_once_publish_one_business(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    sub = submit(client)
    results: list[Any] = []
    barrier = threading.Barrier(4)

    def decide() -> None:
        barrier.wait()
        try:
            results.append(approve_submission(sessions, sub["id"], actor="admin:x").status)
        except Conflict:
            results.append("conflict")

    threads = [threading.Thread(target=decide) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["approved", "conflict", "conflict", "conflict"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Business)) == 1
