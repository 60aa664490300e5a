"""Owner page behind the private link, and the moderation queue with its protections."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from directory.accounts.admins import create_admin_token
from tests.factories import make_business
from tests.web.forms import csrf_from, log_in_editor, open_private_link, submit
from tests.web.html import parse


@pytest.fixture
def admin_token(session: Session) -> str:
    token = create_admin_token(session, "editor-uji")
    session.commit()
    return token


def _queue_ids(client: TestClient) -> list[str]:
    doc = parse(client.get("/moderasi").text)
    return [a.attrs["id"].removeprefix("antrian-") for a in doc.find_all("article")]


def test_private_link_moves_the_token_into_a_cookie(client: TestClient) -> None:
    link = submit(client)
    path = link.split("#")[0]
    first = open_private_link(client, link)
    assert first.status_code == 303
    assert first.headers["location"] == path
    assert first.headers["referrer-policy"] == "no-referrer"
    cookie = first.headers["set-cookie"]
    for part in ("HttpOnly", "SameSite=strict", f"Path={path}"):
        assert part in cookie
    page = client.get(path)
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "Menunggu pemeriksaan" in parse(page.text).by_id("submission-status").text
    assert "dk_edit_" not in page.text


def test_owner_page_without_or_with_a_wrong_token(client: TestClient) -> None:
    link = submit(client)
    path = link.split("#")[0]
    client.cookies.clear()
    assert client.get(path).status_code == 401
    wrong = client.get(f"{path}?token=dk_edit_wrong", follow_redirects=False)
    assert wrong.status_code == 404
    assert client.get("/pemilik/s_doesnotexist?token=dk_edit_x").status_code == 404


def test_queue_needs_a_login_and_csrf(client: TestClient, admin_token: str) -> None:
    submit(client)
    assert client.get("/moderasi", follow_redirects=False).headers["location"] == (
        "/moderasi/masuk"
    )
    token = csrf_from(client, "/moderasi/masuk")
    refused = client.post("/moderasi/masuk", data={"csrf_token": token, "token": "dk_admin_x"})
    assert refused.status_code == 401
    assert parse(refused.text).by_id("token").attrs["aria-describedby"] == "token-error"
    mod_csrf = log_in_editor(client, admin_token)
    [sid] = _queue_ids(client)
    # The public double-submit token is not the moderation token.
    public = client.cookies.get("dekat_csrf")
    assert client.post(f"/moderasi/{sid}/setujui", data={"csrf_token": public}).status_code == 403
    assert client.post(f"/moderasi/{sid}/setujui", data={}).status_code == 403
    assert _queue_ids(client) == [sid]
    done = client.post(f"/moderasi/{sid}/setujui", data={"csrf_token": mod_csrf})
    assert done.status_code == 200
    assert _queue_ids(client) == []


def test_reject_with_reason_reaches_the_owner(client: TestClient, admin_token: str) -> None:
    link = submit(client, name="Warung Ditolak")
    owner_cookie_path = link.split("#")[0]
    open_private_link(client, link)
    mod_csrf = log_in_editor(client, admin_token)
    [sid] = _queue_ids(client)
    empty = client.post(f"/moderasi/{sid}/tolak", data={"csrf_token": mod_csrf, "reason": " "})
    assert empty.status_code == 422
    assert parse(empty.text).by_id(f"reason-{sid}-error").text
    client.post(
        f"/moderasi/{sid}/tolak",
        data={"csrf_token": mod_csrf, "reason": "Foto <b>tidak</b> jelas"},
    )
    page = parse(client.get(owner_cookie_path).text)
    assert page.by_id("submission-status").text == "Ditolak"
    assert page.by_id("rejection-reason").text == "Foto tidak jelas"


def test_merge_into_the_duplicate(client: TestClient, session: Session, admin_token: str) -> None:
    existing = make_business(session, name="Warung Bu Tini", lat="-6.2950", lon="106.6600")
    token = csrf_from(client, "/daftar")
    from tests.web.forms import valid_submission

    client.post("/daftar", data={"csrf_token": token, "confirm_new": "1", **valid_submission()})
    mod_csrf = log_in_editor(client, admin_token)
    queue = parse(client.get("/moderasi").text)
    [item] = queue.find_all("article", class_="queue-item")
    assert existing.name in item.text  # the candidate is shown beside the submission
    sid = item.attrs["id"].removeprefix("antrian-")
    merged = client.post(
        f"/moderasi/{sid}/gabung",
        data={"csrf_token": mod_csrf, "business_id": str(existing.id)},
    )
    assert "Digabungkan" in merged.text
    session.rollback()
    session.refresh(existing)
    assert existing.phone == "+6281277778888"  # filled in from the submission


def test_owner_edits_after_approval(client: TestClient, admin_token: str) -> None:
    link = submit(client, name="Warung Milik Saya")
    path = link.split("#")[0]
    open_private_link(client, link)
    mod_csrf = log_in_editor(client, admin_token)
    [sid] = _queue_ids(client)
    client.post(f"/moderasi/{sid}/setujui", data={"csrf_token": mod_csrf})
    page = client.get(path)
    doc = parse(page.text)
    assert doc.by_id("phone").attrs["value"] == "0812-7777-8888"
    csrf = doc.find_all("input", name="csrf_token")[0].attrs["value"]
    values = {
        el.attrs["name"]: el.attrs.get("value", "")
        for el in doc.find_all("input")
        if el.attrs.get("name")
        in ("name", "lat", "lon", "address", "phone", "website", "opening_hours")
    }
    values.update(category="warung-makan", price_level="1", description="Baru")
    bad = client.post(f"{path}/ubah", data={"csrf_token": csrf, **values, "phone": "99"})
    assert bad.status_code == 422
    assert parse(bad.text).by_id("phone").attrs["aria-invalid"] == "true"
    saved = client.post(
        f"{path}/ubah",
        data={
            "csrf_token": csrf,
            **values,
            "opening_hours": "Mo-Su 06:00-22:00",
            "name": "Warung Milik Saya Baru",
        },
    )
    assert saved.status_code == 200
    assert "Tersimpan" in parse(saved.text).by_id("owner-notice").text
    public = client.get("/b/warung-milik-saya")
    assert "06.00–22.00" in public.text  # applied at once
    assert "Warung Milik Saya Baru" not in public.text  # the name waits for an editor
    closed = client.post(f"{path}/status", data={"csrf_token": csrf, "status": "closed"})
    assert "tutup permanen" in closed.text
    assert "tutup permanen" in client.get("/b/warung-milik-saya").text


def test_editor_hides_a_review(client: TestClient, session: Session, admin_token: str) -> None:
    business = make_business(session, name="Kopi Kasar")
    token = csrf_from(client, f"/b/{business.slug}")
    client.post(
        f"/b/{business.slug}/ulasan",
        data={"csrf_token": token, "rating": "1", "text": "kata kasar"},
    )
    mod_csrf = log_in_editor(client, admin_token)
    listing = parse(client.get(f"/moderasi/ulasan?bisnis=/b/{business.slug}").text)
    [review] = listing.find_all("li", class_="review")
    review_id = review.attrs["id"].removeprefix("review-")
    hidden = client.post(
        f"/moderasi/ulasan/{review_id}/sembunyikan",
        data={"csrf_token": mod_csrf, "reason": "kasar", "bisnis": business.slug},
    )
    assert "Ulasan disembunyikan" in hidden.text
    page = client.get(f"/b/{business.slug}").text
    assert "kata kasar" not in page
    assert "Belum ada rating" in page


def test_a_second_decision_on_the_same_submission_says_it_was_decided(
    client: TestClient, admin_token: str
) -> None:
    """Two editors approve the same submission: the later one is told, nothing changes."""
    submit(client)
    mod_csrf = log_in_editor(client, admin_token)
    [sid] = _queue_ids(client)
    first = client.post(
        f"/moderasi/{sid}/setujui", data={"csrf_token": mod_csrf}, follow_redirects=False
    )
    assert first.headers["location"] == "/moderasi?ok=approved"
    again = client.post(
        f"/moderasi/{sid}/tolak",
        data={"csrf_token": mod_csrf, "reason": "duplikat"},
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert again.headers["location"] == "/moderasi?ok=decided"
