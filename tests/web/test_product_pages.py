"""Product pages: /produk search, the product page, the business page's products and
JSON-LD, the owner's product forms and the editors' product queue."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.moderation_helpers import approve, bearer, image_bytes, make_admin, submit
from tests.web.forms import csrf_from, log_in_editor, open_private_link
from tests.web.html import parse

OWNER = "/api/v1/owner/businesses/{bid}/products"


def _business(client: TestClient, admin: str, **fields: Any) -> tuple[int, str, str]:
    sub = submit(client, **fields)
    approved = approve(client, admin, sub["id"])
    return int(approved["business_id"]), str(sub["edit_token"]), str(sub["id"])


def _product(client: TestClient, admin: str, bid: int, token: str, **fields: Any) -> int:
    body = {"name": "Keripik Singkong Balado", "price_idr": 15000, "unit": "bungkus", **fields}
    created = client.post(OWNER.format(bid=bid), json=body, headers=bearer(token))
    assert created.status_code == 201, created.text
    pid = int(created.json()["id"])
    done = client.post(f"/api/v1/admin/products/{pid}/approve", headers=bearer(admin))
    assert done.status_code == 200
    return pid


def _slug(client: TestClient, bid: int, token: str) -> str:
    owned = client.get(f"/api/v1/owner/businesses/{bid}", headers=bearer(token)).json()
    return str(owned["business"]["slug"])


def test_products_page_finds_a_typo_and_escapes(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    bid, token, _ = _business(client, admin)
    pid = _product(client, admin, bid, token, name="Keripik <script>alert(1)</script> Pedas")
    empty = client.get("/produk")
    assert empty.status_code == 200
    assert parse(empty.text).by_id("product-search-form").find_all("input", name="q")
    page = client.get("/produk", params={"q": "kripik"})
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    results = parse(page.text).by_id("product-results")
    assert f"/produk/{pid}" in page.text
    assert "Keripik" in results.text
    assert "Rp 15.000" in results.text
    assert "keripik" in parse(page.text).by_id("product-corrections").text
    none = client.get("/produk", params={"q": "zzqqxx"})
    assert parse(none.text).by_id("product-empty")
    unknown_area = client.get("/produk", params={"q": "keripik", "area": "zzzzqqq"})
    assert unknown_area.status_code == 200
    assert "zzzzqqq" in parse(unknown_area.text).by_id("product-notice").text


def test_product_page_shows_price_seller_and_jsonld(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    bid, token, _ = _business(client, admin, name="Batik Tulis Bu Sri")
    priced = _product(client, admin, bid, token, name="Kain Batik Tulis", min_order=2,
                      export_ready=True)  # fmt: skip
    asked = _product(client, admin, bid, token, name="Jahit Kebaya", price_idr=None)
    page = client.get(f"/produk/{priced}")
    assert page.status_code == 200
    doc = parse(page.text)
    assert doc.by_id("product-name").text.strip() == "Kain Batik Tulis"
    assert "Rp 15.000" in doc.by_id("product-price").text
    assert doc.by_id("product-seller").text.strip() == "Batik Tulis Bu Sri"
    assert doc.by_id("product-export")
    data = json.loads(doc.by_id("jsonld").text)
    assert data["@type"] == "Product"
    assert data["offers"]["price"] == 15000
    assert data["offers"]["priceCurrency"] == "IDR"
    hubungi = parse(client.get(f"/produk/{asked}").text)
    assert "price" not in json.loads(hubungi.by_id("jsonld").text)["offers"]
    assert client.get("/produk/999999").status_code == 404
    assert client.get("/produk/abc").status_code == 404


def test_business_page_lists_products_and_makes_offers(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    bid, token, _ = _business(client, admin)
    pid = _product(client, admin, bid, token)
    pending = client.post(OWNER.format(bid=bid), json={"name": "Belum Disetujui"},
                          headers=bearer(token))  # fmt: skip
    assert pending.status_code == 201
    page = client.get(f"/b/{_slug(client, bid, token)}")
    doc = parse(page.text)
    listed = doc.by_id("business-products")
    assert "Keripik Singkong Balado" in listed.text
    assert "Belum Disetujui" not in page.text
    data = json.loads(doc.by_id("jsonld").text)
    offer = data["makesOffer"][0]
    assert offer["@type"] == "Offer"
    assert offer["itemOffered"]["@type"] == "Product"
    assert offer["itemOffered"]["name"] == "Keripik Singkong Balado"
    assert offer["price"] == 15000
    assert offer["priceCurrency"] == "IDR"
    assert offer["itemOffered"]["url"].endswith(f"/produk/{pid}")


def test_owner_adds_edits_and_removes_a_product_on_the_owner_page(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    sub = submit(client)
    approve(client, admin, sub["id"])
    link = f"/pemilik/{sub['id']}#token={sub['edit_token']}"
    assert open_private_link(client, link).status_code == 303
    path = f"/pemilik/{sub['id']}"
    csrf = csrf_from(client, path)
    bad = client.post(f"{path}/produk", data={"csrf_token": csrf, "name": "X",
                                              "price_idr": "abc"})  # fmt: skip
    assert bad.status_code == 422
    form = parse(bad.text).by_id("new-product-form")
    assert form.find_all("input", name="name")[0].attrs.get("aria-invalid") == "true"
    assert form.find_all("input", name="price_idr")[0].attrs.get("aria-invalid") == "true"
    no_csrf = client.post(f"{path}/produk", data={"name": "Sambal Roa"})
    assert no_csrf.status_code in (400, 403)
    added = client.post(
        f"{path}/produk",
        data={"csrf_token": csrf, "name": "Sambal Roa", "price_idr": "35.000", "unit": "botol",
              "export_ready": "1"},
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303
    owner_page = client.get(path)
    doc = parse(owner_page.text)
    item = next(
        li for li in doc.find_all("li") if li.attrs.get("id", "").startswith("owner-product-")
    )
    pid = int(item.attrs["id"].removeprefix("owner-product-"))
    assert "Sambal Roa" in item.text
    status = doc.by_id(f"owner-product-{pid}-status").text.strip()
    assert status in ("Menunggu pemeriksaan", "Waiting for review")
    photo = client.post(
        f"{path}/produk/{pid}/foto", data={"csrf_token": csrf},
        files={"foto": ("s.jpg", image_bytes(), "image/jpeg")}, follow_redirects=False,
    )  # fmt: skip
    assert photo.status_code == 303
    edited = client.post(
        f"{path}/produk/{pid}/ubah",
        data={"csrf_token": csrf, "name": "Sambal Roa Pedas", "price_idr": "40000",
              "unit": "botol"},
        follow_redirects=False,
    )  # fmt: skip
    assert edited.status_code == 303
    removed = client.post(f"{path}/produk/{pid}/hapus", data={"csrf_token": csrf},
                          follow_redirects=False)  # fmt: skip
    assert removed.status_code == 303
    assert f"owner-product-{pid}" not in client.get(path).text


def test_editor_approves_and_rejects_products_on_the_moderation_page(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    bid, token, _ = _business(client, admin)
    first = client.post(OWNER.format(bid=bid), json={"name": "Kopi Bubuk Robusta"},
                        headers=bearer(token)).json()["id"]  # fmt: skip
    second = client.post(OWNER.format(bid=bid), json={"name": "Produk <b>Palsu</b>"},
                         headers=bearer(token)).json()["id"]  # fmt: skip
    csrf = log_in_editor(client, admin)
    queue = client.get("/moderasi/produk")
    assert queue.status_code == 200
    doc = parse(queue.text)
    assert doc.by_id(f"queued-product-{first}")
    assert doc.by_id(f"queued-product-{second}")
    assert "<b>Palsu" not in queue.text
    no_reason = client.post(f"/moderasi/produk/{second}/tolak",
                            data={"csrf_token": csrf, "reason": " "})  # fmt: skip
    assert no_reason.status_code == 422
    ok = client.post(f"/moderasi/produk/{first}/setujui", data={"csrf_token": csrf},
                     follow_redirects=False)  # fmt: skip
    assert ok.status_code == 303
    no = client.post(f"/moderasi/produk/{second}/tolak",
                     data={"csrf_token": csrf, "reason": "Bukan produk nyata"},
                     follow_redirects=False)  # fmt: skip
    assert no.status_code == 303
    assert client.get(f"/api/v1/products/{first}").status_code == 200
    mine = client.get(OWNER.format(bid=bid), headers=bearer(token)).json()["items"]
    assert {p["id"]: p["reject_reason"] for p in mine}[second] == "Bukan produk nyata"
    forged = client.post(f"/moderasi/produk/{first}/sembunyikan", data={"csrf_token": "x"})
    assert forged.status_code in (400, 403)
    client.cookies.clear()
    assert client.get("/moderasi/produk", follow_redirects=False).status_code == 303


def test_product_page_carries_the_inquiry_form_about_that_product(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    bid, token, _ = _business(client, admin)
    pid = _product(client, admin, bid, token, name="Kain Songket")
    form = parse(client.get(f"/produk/{pid}").text).by_id("inquiry-form")
    assert form.attrs["action"] == f"/b/{_slug(client, bid, token)}/pertanyaan"
    assert form.find_all("input", name="product_id")[0].attrs["value"] == str(pid)
    assert "Kain Songket" in form.text
