"""Buyer inquiries in the pages: the form on the business page, the receipt link, the
owner's answer on the owner page, and the editor's decision on a report."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.models import Business, Inquiry
from directory.product_models import Product, ProductStatus
from tests.inquiry_helpers import BUYER, OWNER_EMAIL, Owned, owned_business
from tests.security.hostile import unescaped_markup
from tests.web.forms import csrf_from, log_in_editor, open_private_link
from tests.web.html import parse


@pytest.fixture
def owned(client: TestClient, sessions: sessionmaker[Session]) -> Owned:
    return owned_business(client, sessions)


@pytest.fixture
def slug(owned: Owned, sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        business = session.get(Business, owned.business_id)
        assert business is not None
        return business.slug


@pytest.fixture
def owner(app: FastAPI, owned: Owned) -> Iterator[TestClient]:
    """The owner's own browser, signed in through the private link."""
    with TestClient(app) as browser:
        opened = open_private_link(browser, f"/pemilik/{owned.submission_id}#token={owned.token}")
        assert opened.status_code == 303
        yield browser


def _send(client: TestClient, slug: str, **overrides: str) -> Any:
    token = csrf_from(client, f"/b/{slug}")
    form = {k: str(v) for k, v in BUYER.items()} | overrides
    return client.post(
        f"/b/{slug}/pertanyaan", data={"csrf_token": token, **form}, follow_redirects=False
    )


def _receipt_link(client: TestClient, slug: str, **overrides: str) -> str:
    sent = _send(client, slug, **overrides)
    assert sent.status_code == 303, sent.text[:2000]
    assert sent.headers["location"] == "/pertanyaan/terkirim"
    page = client.get("/pertanyaan/terkirim")
    href: str = parse(page.text).by_id("inquiry-receipt-link").find_all("a")[0].attrs["href"]
    return href.removeprefix("http://testserver")


def _open_receipt(client: TestClient, link: str) -> Any:
    """What inquiry-link.js does: POST the fragment's token, then follow to the page."""
    path, _, fragment = link.partition("#")
    landing = client.get(path)
    assert landing.status_code == 401
    form = parse(landing.text).by_id("inquiry-link-form")
    csrf = form.find_all("input", name="csrf_token")[0].attrs["value"]
    return client.post(
        f"{path}/masuk",
        data={"csrf_token": csrf, "token": fragment.removeprefix("token=")},
        follow_redirects=False,
    )


def _inquiry_ids(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(Inquiry.id).order_by(Inquiry.created_at)))


def test_the_business_page_has_the_inquiry_form(client: TestClient, slug: str) -> None:
    doc = parse(client.get(f"/b/{slug}").text)
    form = doc.by_id("inquiry-form")
    assert form.attrs["action"] == f"/b/{slug}/pertanyaan"
    names = {i.attrs.get("name") for i in form.find_all("input") + form.find_all("textarea")}
    assert names == {"csrf_token", "website_url_confirm", "name", "company", "contact",
                     "quantity", "message"}  # fmt: skip
    assert "Tanya Kopi Senja Serpong" in doc.by_id("inquiry-h").text


def test_the_buyer_sends_and_opens_the_receipt(
    client: TestClient, sessions: sessionmaker[Session], slug: str
) -> None:
    link = _receipt_link(client, slug)
    [inquiry_id] = _inquiry_ids(sessions)
    assert link.startswith(f"/pertanyaan/{inquiry_id}#token=dk_inquiry_")
    assert "?" not in link
    again = client.get("/pertanyaan/terkirim")  # shown once
    assert "dk_inquiry_" not in again.text
    opened = _open_receipt(client, link)
    assert opened.status_code == 303
    cookie = opened.headers["set-cookie"]
    for part in ("HttpOnly", "SameSite=lax", f"Path=/pertanyaan/{inquiry_id}"):
        assert part in cookie
    page = client.get(f"/pertanyaan/{inquiry_id}")
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    doc = parse(page.text)
    assert doc.by_id("inquiry-status").text == "Menunggu jawaban"
    assert doc.by_id("inquiry-message").text == BUYER["message"]
    assert "dk_inquiry_" not in page.text
    assert OWNER_EMAIL not in page.text


def test_a_wrong_receipt_token_opens_nothing(
    client: TestClient, sessions: sessionmaker[Session], slug: str
) -> None:
    link = _receipt_link(client, slug)
    wrong = _open_receipt(client, link.partition("#")[0] + "#token=dk_inquiry_salah")
    assert wrong.status_code == 401
    assert parse(wrong.text).by_id("inquiry-link-error") is not None
    assert client.get("/pertanyaan/q_tidakada0000").status_code == 401


def test_mistakes_come_back_with_the_fields_marked(
    client: TestClient, sessions: sessionmaker[Session], slug: str
) -> None:
    response = _send(client, slug, name="", contact="bukan kontak")
    assert response.status_code == 422
    doc = parse(response.text)
    assert doc.by_id("inquiry_name-error").text == "Isi nama Anda."
    assert "email atau nomor telepon" in doc.by_id("inquiry_contact-error").text
    assert doc.by_id("inquiry_contact").attrs["aria-invalid"] == "true"
    assert doc.by_id("inquiry_message").text == BUYER["message"]  # kept
    assert _inquiry_ids(sessions) == []


def test_the_honeypot_and_a_missing_csrf_token_store_nothing(
    client: TestClient, sessions: sessionmaker[Session], slug: str
) -> None:
    link = _receipt_link(client, slug, website_url_confirm="http://spam.example")
    assert "#token=dk_inquiry_" in link
    no_csrf = client.post(f"/b/{slug}/pertanyaan", data=dict(BUYER))
    assert no_csrf.status_code == 403
    assert _inquiry_ids(sessions) == []


def test_the_form_page_of_its_own_takes_a_product(
    client: TestClient, sessions: sessionmaker[Session], slug: str
) -> None:
    with sessions() as session:
        business = session.scalars(select(Business).where(Business.slug == slug)).one()
        product = Product(business_id=business.id, name="Kopi Bubuk Robusta",
                          status=ProductStatus.PUBLISHED)  # fmt: skip
        session.add(product)
        session.commit()
        pid = str(product.id)
    doc = parse(client.get(f"/b/{slug}/pertanyaan?produk={pid}").text)
    assert doc.by_id("inquiry-form").find_all("input", name="product_id")[0].attrs["value"] == pid
    assert "Kopi Bubuk Robusta" in doc.by_id("inquiry-h").text
    token = doc.find_all("input", name="csrf_token")[0].attrs["value"]
    sent = client.post(
        f"/b/{slug}/pertanyaan",
        data={"csrf_token": token, "product_id": pid, **BUYER},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    with sessions() as session:
        [row] = session.scalars(select(Inquiry)).all()
        assert row.product_id == int(pid)
        assert row.product_name == "Kopi Bubuk Robusta"


def test_the_owner_answers_and_the_buyer_reads_it(
    client: TestClient, owner: TestClient, owned: Owned, slug: str,
    sessions: sessionmaker[Session],
) -> None:  # fmt: skip
    link = _receipt_link(client, slug)
    [inquiry_id] = _inquiry_ids(sessions)
    owner_path = f"/pemilik/{owned.submission_id}"
    page = owner.get(owner_path)
    item = parse(page.text).by_id(f"inquiry-{inquiry_id}")
    assert BUYER["message"] in item.text
    assert BUYER["contact"] in item.text
    assert BUYER["company"] in item.text
    csrf = parse(page.text).find_all("input", name="csrf_token")[0].attrs["value"]
    empty = owner.post(f"{owner_path}/pertanyaan/{inquiry_id}/jawab", data={"csrf_token": csrf})
    assert empty.status_code == 422
    assert parse(empty.text).by_id(f"answer-{inquiry_id}-error").text.startswith("Tulis jawaban")
    answered = owner.post(
        f"{owner_path}/pertanyaan/{inquiry_id}/jawab",
        data={"csrf_token": csrf, "answer": "Rp 25.000 per kg, kirim besok."},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    assert answered.headers["location"] == f"{owner_path}?ok=jawaban#pertanyaan"
    assert _open_receipt(client, link).status_code == 303
    doc = parse(client.get(f"/pertanyaan/{inquiry_id}").text)
    assert doc.by_id("inquiry-status").text == "Sudah dijawab"
    assert doc.by_id("inquiry-answer").text == "Rp 25.000 per kg, kirim besok."
    assert OWNER_EMAIL not in client.get(f"/pertanyaan/{inquiry_id}").text


def test_a_reported_inquiry_goes_to_the_editor(
    client: TestClient, owner: TestClient, owned: Owned, slug: str,
    sessions: sessionmaker[Session],
) -> None:  # fmt: skip
    _receipt_link(client, slug, message="Jual followers murah, hubungi kami!")
    [inquiry_id] = _inquiry_ids(sessions)
    owner_path = f"/pemilik/{owned.submission_id}"
    csrf = parse(owner.get(owner_path).text).find_all("input", name="csrf_token")[0].attrs["value"]
    reported = owner.post(
        f"{owner_path}/pertanyaan/{inquiry_id}/lapor",
        data={"csrf_token": csrf, "reason": "spam"},
        follow_redirects=False,
    )
    assert reported.status_code == 303
    assert (
        "Dilaporkan ke editor"
        in parse(owner.get(owner_path).text).by_id(f"inquiry-{inquiry_id}").text
    )

    with TestClient(client.app) as editor:
        mod_csrf = log_in_editor(editor, owned.admin)
        queue = parse(editor.get("/moderasi").text)
        entry = queue.by_id(f"reported-{inquiry_id}")
        assert "spam" in entry.text
        assert "followers" in entry.text
        hidden = editor.post(
            f"/moderasi/pertanyaan/{inquiry_id}/sembunyikan",
            data={"csrf_token": mod_csrf, "reason": "iklan"},
            follow_redirects=False,
        )
        assert hidden.status_code == 303
        after = parse(editor.get("/moderasi").text)
        assert not after.find_all(id=f"reported-{inquiry_id}")
    assert not parse(owner.get(owner_path).text).find_all(id=f"inquiry-{inquiry_id}")
    with sessions() as session:
        row = session.get(Inquiry, inquiry_id)
        assert row is not None
        assert row.status == "hidden"


def test_hostile_text_stays_text_on_every_page(
    client: TestClient, owner: TestClient, owned: Owned, slug: str,
    sessions: sessionmaker[Session],
) -> None:  # fmt: skip
    hostile = "&lt;script&gt;alert(1)&lt;/script&gt;<img src=x onerror=alert(2)>"
    bounced = _send(client, slug, name=hostile, contact="<svg/onload=alert(3)>")
    assert bounced.status_code == 422
    assert unescaped_markup(bounced.text) is None
    link = _receipt_link(client, slug, name=hostile, company=hostile, message=hostile)
    assert _open_receipt(client, link).status_code == 303
    [inquiry_id] = _inquiry_ids(sessions)
    for page in (
        client.get(f"/pertanyaan/{inquiry_id}").text,
        owner.get(f"/pemilik/{owned.submission_id}").text,
    ):
        assert unescaped_markup(page) is None
        assert "<script>alert(1)" not in page
        assert "onerror=alert(2)" not in page  # the tag was stripped on the way in
