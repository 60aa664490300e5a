"""The submission form: field errors tied to inputs, duplicate warning, one-time receipt."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import Photo, Submission
from tests.factories import make_business
from tests.web.forms import csrf_from, submit, valid_submission
from tests.web.html import parse


def test_form_has_labels_for_every_input(client: TestClient) -> None:
    doc = parse(client.get("/daftar").text)
    labelled = {label.attrs.get("for") for label in doc.find_all("label")}
    for control in doc.find_all("input") + doc.find_all("select") + doc.find_all("textarea"):
        if control.attrs.get("type") in ("hidden", "submit"):
            continue
        assert control.attrs.get("id") in labelled, control.attrs


def test_bad_phone_is_reported_at_the_field_and_values_are_kept(client: TestClient) -> None:
    token = csrf_from(client, "/daftar")
    response = client.post(
        "/daftar", data={"csrf_token": token, **valid_submission(phone="12", name="X")}
    )
    assert response.status_code == 422
    doc = parse(response.text)
    phone = doc.by_id("phone")
    assert phone.attrs["aria-invalid"] == "true"
    assert phone.attrs["aria-describedby"] == "phone-hint phone-error"
    assert "0812-3456-7890" in doc.by_id("phone-error").text
    assert phone.attrs["value"] == "12"
    assert doc.by_id("name").attrs["aria-describedby"] == "name-error"
    assert doc.by_id("address").attrs["value"] == "Jl. Rawa Buntu No. 3"
    assert doc.by_id("form-errors").attrs["role"] == "alert"


def test_missing_location_asks_for_a_pin(client: TestClient) -> None:
    token = csrf_from(client, "/daftar?lang=en")
    response = client.post(
        "/daftar", data={"csrf_token": token, **valid_submission(lat="", lon="", address="")}
    )
    assert response.status_code == 422
    assert "tap the map" in parse(response.text).by_id("lat-error").text


def test_likely_duplicate_asks_is_this_yours(client: TestClient, session: Session) -> None:
    existing = make_business(
        session, name="Warung Bu Tini", phone="081277778888", lat="-6.2950", lon="106.6600"
    )
    token = csrf_from(client, "/daftar")
    response = client.post("/daftar", data={"csrf_token": token, **valid_submission()})
    assert response.status_code == 200
    doc = parse(response.text)
    warning = doc.by_id("duplicate-warning")
    assert "Apakah ini bisnis Anda?" in warning.text
    claim = [a.attrs["href"] for a in warning.find_all("a")]
    assert f"/daftar?klaim={existing.slug}" in claim
    assert session.scalar(select(Submission.id)) is None  # nothing stored yet
    confirm = doc.find_all("button", name="confirm_new")[0]
    response = client.post(
        "/daftar",
        data={"csrf_token": token, "confirm_new": confirm.attrs["value"], **valid_submission()},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.rollback()  # end the test's read transaction to see the app's commit
    assert session.scalar(select(Submission.status)) == "pending"


def test_receipt_shows_the_private_link_once(client: TestClient, session: Session) -> None:
    link = submit(client)
    assert link.startswith("/pemilik/s_")
    assert "#token=dk_edit_" in link  # the fragment: never sent to a server
    assert "?" not in link
    again = client.get("/daftar/terkirim")
    assert "dk_edit_" not in again.text
    assert 'id="edit-link"' not in again.text


def test_receipt_and_owner_pages_do_not_leak_the_token(client: TestClient) -> None:
    token = csrf_from(client, "/daftar")
    posted = client.post(
        "/daftar", data={"csrf_token": token, **valid_submission()}, follow_redirects=False
    )
    assert posted.headers["referrer-policy"] == "no-referrer"
    receipt = client.get("/daftar/terkirim")
    assert receipt.headers["referrer-policy"] == "no-referrer"
    assert receipt.headers["cache-control"] == "no-store"
    assert "receipt" not in posted.headers["location"]


def test_photos_sent_with_the_form_are_kept(client: TestClient, session: Session) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 20)).save(buffer, "JPEG")
    token = csrf_from(client, "/daftar")
    response = client.post(
        "/daftar",
        data={"csrf_token": token, **valid_submission()},
        files=[
            ("foto", ("warung.jpg", buffer.getvalue(), "image/jpeg")),
            ("foto", ("bad.jpg", b"not an image", "image/jpeg")),
        ],
        follow_redirects=True,
    )
    assert "1 foto diterima" in response.text
    assert "1 foto tidak bisa dipakai" in response.text
    assert session.scalar(select(Photo.submission_id)) is not None


def test_honeypot_gets_a_receipt_but_nothing_is_stored(
    client: TestClient, session: Session
) -> None:
    token = csrf_from(client, "/daftar")
    response = client.post(
        "/daftar",
        data={"csrf_token": token, "website_url_confirm": "x", **valid_submission()},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "edit-link" in response.text
    assert session.scalar(select(Submission.id)) is None


def test_claim_form(client: TestClient, session: Session) -> None:
    business = make_business(session, name="Bengkel Pak Dul", category="otomotif")
    page = client.get(f"/daftar?klaim={business.slug}")
    assert "Klaim Bengkel Pak Dul" in page.text
    token = parse(page.text).find_all("input", name="csrf_token")[0].attrs["value"]
    bad = client.post(
        f"/daftar/klaim/{business.slug}",
        data={"csrf_token": token, "contact_name": "", "contact_email": "x"},
    )
    assert bad.status_code == 422
    doc = parse(bad.text)
    assert doc.by_id("contact_name").attrs["aria-describedby"] == "contact_name-error"
    assert doc.by_id("contact_email").attrs["aria-invalid"] == "true"
    ok = client.post(
        f"/daftar/klaim/{business.slug}",
        data={"csrf_token": token, "contact_name": "Dul", "contact_email": "dul@example.id"},
        follow_redirects=True,
    )
    assert "dk_edit_" in parse(ok.text).by_id("edit-link").text
    assert session.scalar(select(Submission.kind)) == "claim"


def test_unknown_claim_target_is_404(client: TestClient) -> None:
    assert client.get("/daftar?klaim=tidak-ada").status_code == 404
