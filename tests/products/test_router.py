"""Products: owners list them (edit token), editors moderate, readers search across
businesses with the business search's typo and area rules."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from directory.bootstrap import seed_demo_data
from directory.businesses.demo import DEMO_MARKER
from directory.settings import Settings
from tests.factories import BSD
from tests.moderation_helpers import approve, bearer, image_bytes, make_admin, submit

OWNER = "/api/v1/owner/businesses/{bid}/products"


def _owner(client: TestClient, admin: str, **fields: Any) -> tuple[int, str]:
    """An approved business and its owner token."""
    sub = submit(client, **fields)
    approved = approve(client, admin, sub["id"])
    return int(approved["business_id"]), str(sub["edit_token"])


def _add(client: TestClient, bid: int, token: str, **fields: Any) -> dict[str, Any]:
    body = {"name": "Keripik Singkong Balado", "price_idr": 15000, "unit": "bungkus", **fields}
    response = client.post(OWNER.format(bid=bid), json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def _publish(client: TestClient, admin: str, product_id: int) -> None:
    response = client.post(f"/api/v1/admin/products/{product_id}/approve", headers=bearer(admin))
    assert response.status_code == 200, response.text


def test_owner_adds_a_product_that_readers_see_after_approval(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    bid, token = _owner(client, admin)
    product = _add(client, bid, token, description="Pedas manis", min_order=10,
                   export_ready=True)  # fmt: skip
    assert product["status"] == "pending"
    assert product["awaiting_review"] is True
    assert client.get(f"/api/v1/products/{product['id']}").status_code == 404
    assert client.get("/api/v1/products?q=keripik").json()["items"] == []
    queue = client.get("/api/v1/admin/products", headers=bearer(admin)).json()["items"]
    assert [p["id"] for p in queue] == [product["id"]]
    _publish(client, admin, product["id"])
    public = client.get(f"/api/v1/products/{product['id']}").json()
    assert public["name"] == "Keripik Singkong Balado"
    assert public["price_idr"] == 15000
    assert public["price_on_request"] is False
    assert public["min_order"] == 10
    assert public["export_ready"] is True
    assert public["business"]["id"] == bid
    assert public["business"]["slug"]
    assert public["url"] == f"/produk/{product['id']}"
    listed = client.get(OWNER.format(bid=bid), headers=bearer(token)).json()["items"]
    assert [p["status"] for p in listed] == ["published"]


def test_price_may_be_hubungi(client: TestClient, sessions: sessionmaker[Session]) -> None:
    admin = make_admin(sessions)
    bid, token = _owner(client, admin)
    product = _add(client, bid, token, name="Jasa Jahit Kebaya", price_idr=None)
    _publish(client, admin, product["id"])
    public = client.get(f"/api/v1/products/{product['id']}").json()
    assert public["price_idr"] is None
    assert public["price_on_request"] is True


def test_bad_fields_get_a_422_naming_each(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    bid, token = _owner(client, admin)
    url = OWNER.format(bid=bid)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "Kopi", "price_idr": -1}, "price_idr"),
        ({"name": "Kopi", "price_idr": 1500.5}, "price_idr"),
        ({"name": "Kopi", "price_idr": "15000"}, "price_idr"),
        ({"name": "K"}, "name"),
        ({"name": "<b></b>"}, "name"),
        ({"price_idr": 100}, "name"),
        ({"name": "Kopi", "unit": "u" * 41}, "unit"),
        ({"name": "Kopi", "min_order": 0}, "min_order"),
        ({"name": "Kopi", "export_ready": "maybe"}, "export_ready"),
        ({"name": "Kopi", "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        response = client.post(url, json=body, headers=bearer(token))
        assert response.status_code == 422, (body, response.text)
        assert field in response.text, (body, response.text)


def test_only_the_owner_token_manages_products(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    bid, token = _owner(client, admin)
    other_bid, other_token = _owner(client, admin, name="Batik Tulis Bu Sri")
    product = _add(client, bid, token)
    url = OWNER.format(bid=bid)
    assert client.get(url).status_code == 401
    assert client.post(url, json={"name": "Kopi"}).status_code == 401
    assert client.get(url, headers=bearer(other_token)).status_code == 403
    assert client.post(url, json={"name": "Kopi"}, headers=bearer(other_token)).status_code == 403
    item = f"{url}/{product['id']}"
    assert client.patch(item, json={"price_idr": 1}, headers=bearer(other_token)).status_code == 403
    assert client.delete(item, headers=bearer(other_token)).status_code == 403
    # The other owner's own business does not reach this product either.
    other_item = f"{OWNER.format(bid=other_bid)}/{product['id']}"
    assert client.delete(other_item, headers=bearer(other_token)).status_code == 404
    assert client.get("/api/v1/admin/products", headers=bearer(token)).status_code == 401


def test_text_changes_wait_for_an_editor_price_changes_at_once(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    bid, token = _owner(client, admin)
    product = _add(client, bid, token)
    _publish(client, admin, product["id"])
    item = f"{OWNER.format(bid=bid)}/{product['id']}"
    changed = client.patch(
        item, json={"name": "Keripik Pisang", "price_idr": 20000}, headers=bearer(token)
    ).json()
    assert changed["name"] == "Keripik Singkong Balado"
    assert changed["pending_changes"] == {"name": "Keripik Pisang"}
    public = client.get(f"/api/v1/products/{product['id']}").json()
    assert public["name"] == "Keripik Singkong Balado"
    assert public["price_idr"] == 20000
    rejected = client.post(
        f"/api/v1/admin/products/{product['id']}/reject", json={"reason": "Nama tidak jelas"},
        headers=bearer(admin),
    ).json()  # fmt: skip
    assert rejected["status"] == "published"
    assert rejected["reject_reason"] == "Nama tidak jelas"
    assert rejected["pending_changes"] is None
    client.patch(item, json={"name": "Keripik Pisang"}, headers=bearer(token))
    _publish(client, admin, product["id"])
    assert client.get(f"/api/v1/products/{product['id']}").json()["name"] == "Keripik Pisang"


def test_rejected_hidden_and_deleted_products_are_not_shown(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    bid, token = _owner(client, admin)
    first = _add(client, bid, token, name="Batik Cap Mega Mendung")
    second = _add(client, bid, token, name="Batik Tulis Parang")
    third = _add(client, bid, token, name="Batik Kombinasi")
    no_reason = client.post(
        f"/api/v1/admin/products/{first['id']}/reject", json={"reason": ""}, headers=bearer(admin)
    )
    assert no_reason.status_code == 422
    reject = client.post(
        f"/api/v1/admin/products/{first['id']}/reject", json={"reason": "Foto bukan produk"},
        headers=bearer(admin),
    )  # fmt: skip
    assert reject.json()["status"] == "rejected"
    _publish(client, admin, second["id"])
    _publish(client, admin, third["id"])
    hide = client.post(
        f"/api/v1/admin/products/{second['id']}/hide", json={"reason": "palsu"},
        headers=bearer(admin),
    )  # fmt: skip
    assert hide.json()["status"] == "hidden"
    deleted = client.delete(f"{OWNER.format(bid=bid)}/{third['id']}", headers=bearer(token))
    assert deleted.status_code == 204
    assert client.get("/api/v1/products?q=batik").json()["items"] == []
    for p in (first, second, third):
        assert client.get(f"/api/v1/products/{p['id']}").status_code == 404
    # The owner sees the reason; a corrected product goes back to the queue.
    mine = client.get(OWNER.format(bid=bid), headers=bearer(token)).json()["items"]
    assert {p["id"]: p["reject_reason"] for p in mine}[first["id"]] == "Foto bukan produk"
    again = client.patch(
        f"{OWNER.format(bid=bid)}/{first['id']}", json={"name": "Batik Cap Kawung"},
        headers=bearer(token),
    ).json()  # fmt: skip
    assert again["status"] == "pending"
    assert again["reject_reason"] is None


def test_products_of_a_closed_business_are_not_shown(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    bid, token = _owner(client, admin)
    product = _add(client, bid, token)
    _publish(client, admin, product["id"])
    client.patch(f"/api/v1/owner/businesses/{bid}", json={"status": "closed"},
                 headers=bearer(token))  # fmt: skip
    assert client.get(f"/api/v1/products/{product['id']}").status_code == 404
    assert client.get("/api/v1/products?q=keripik").json()["items"] == []


def test_product_photo_upload_serve_and_hide(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    bid, token = _owner(client, admin)
    product = _add(client, bid, token)
    url = f"{OWNER.format(bid=bid)}/{product['id']}/photo"
    bad = client.post(url, files={"file": ("x.txt", b"not an image", "text/plain")},
                      headers=bearer(token))  # fmt: skip
    assert bad.status_code == 415
    up = client.post(url, files={"file": ("k.jpg", image_bytes(), "image/jpeg")},
                     headers=bearer(token))  # fmt: skip
    assert up.status_code == 201, up.text
    assert client.get(f"/api/v1/products/{product['id']}/photo").status_code == 404  # pending
    _publish(client, admin, product["id"])
    public = client.get(f"/api/v1/products/{product['id']}").json()
    assert public["photo_url"] == f"/api/v1/products/{product['id']}/photo"
    image = client.get(public["photo_url"])
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert client.get(public["thumbnail_url"]).status_code == 200
    photo_id = up.json()["photo_id"]
    assert client.post(f"/api/v1/admin/photos/{photo_id}/hide", headers=bearer(admin)).is_success
    assert client.get(public["photo_url"]).status_code == 404
    assert client.get(f"/api/v1/products/{product['id']}").json()["photo_url"] is None


def _searchable(client: TestClient, admin: str, bid: int, token: str, **fields: Any) -> int:
    product = _add(client, bid, token, **fields)
    _publish(client, admin, product["id"])
    return int(product["id"])


def test_search_tolerates_typos_like_business_search(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    bid, token = _owner(client, admin)
    keripik = _searchable(client, admin, bid, token, name="Keripik Singkong Balado")
    batik = _searchable(client, admin, bid, token, name="Kain Batik Tulis", price_idr=None)
    found = client.get("/api/v1/products", params={"q": "kripik"}).json()
    assert [p["id"] for p in found["items"]] == [keripik]
    assert found["interpretation"]["corrections"] == [{"word": "kripik", "to": "keripik"}]
    assert [p["id"] for p in client.get("/api/v1/products?q=batk").json()["items"]] == [batik]
    # Under five letters no correction: "bati" is no typo of anything (as for businesses).
    hit = client.get("/api/v1/products?q=kain").json()["items"][0]
    assert hit["business"] == {
        "id": bid, "name": hit["business"]["name"], "slug": hit["business"]["slug"],
        "area": hit["business"]["area"],
    }  # fmt: skip


def test_search_by_area_uses_the_border_and_gives_distances(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    inside_bid, inside_token = _owner(client, admin, name="Toko Oleh Oleh Serpong")
    far_bid, far_token = _owner(
        client, admin, name="Toko Oleh Oleh Bandung", lat=-6.9175, lon=107.6191,
        address="Jl. Braga No. 1, Bandung",
    )  # fmt: skip
    near = _searchable(client, admin, inside_bid, inside_token, name="Keripik Tempe")
    far = _searchable(client, admin, far_bid, far_token, name="Keripik Pedas")
    everywhere = client.get("/api/v1/products?q=keripik").json()["items"]
    assert {p["id"] for p in everywhere} == {near, far}
    area = everywhere[0]["business"]["area"] if everywhere[0]["id"] == near else None
    area = area or next(p["business"]["area"] for p in everywhere if p["id"] == near)
    assert area is not None
    in_area = client.get("/api/v1/products", params={"q": "keripik", "area": area["slug"]})
    assert [p["id"] for p in in_area.json()["items"]] == [near]
    assert in_area.json()["area"]["slug"] == area["slug"]
    named = client.get("/api/v1/products", params={"q": f"keripik di {area['name']}"}).json()
    assert [p["id"] for p in named["items"]] == [near]
    assert named["interpretation"]["area"]["slug"] == area["slug"]
    unknown = client.get("/api/v1/products", params={"area": "zzzzqqq"})
    assert unknown.status_code == 404
    by_point = client.get(
        "/api/v1/products", params={"q": "keripik", "lat": BSD[0], "lon": BSD[1]}
    ).json()["items"]
    distances = {p["id"]: p["distance_m"] for p in by_point}
    assert distances[near] < 5_000 < 100_000 < distances[far]


def test_search_pages_with_a_cursor(client: TestClient, sessions: sessionmaker[Session]) -> None:
    admin = make_admin(sessions)
    bid, token = _owner(client, admin)
    ids = {_searchable(client, admin, bid, token, name=f"Sambal Roa Varian {n}") for n in range(5)}
    seen: list[int] = []
    page = client.get("/api/v1/products", params={"q": "sambal", "limit": 2}).json()
    while True:
        seen += [p["id"] for p in page["items"]]
        if not page["next_cursor"]:
            break
        page = client.get(
            "/api/v1/products", params={"q": "sambal", "limit": 2, "cursor": page["next_cursor"]}
        ).json()
    assert sorted(seen) == sorted(ids)
    wrong = client.get("/api/v1/products", params={"q": "roa", "cursor": "abc"})
    assert wrong.status_code == 422
    assert "cursor" in wrong.text


def test_area_filter_follows_the_border_between_neighbours(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    """Rempoa (Tangerang Selatan) lies inside Jakarta Selatan's bounding box but outside
    its border: a product there is not "in Jaksel" (as for business search)."""
    from shapely.geometry import shape

    from directory.shipped_data import load_area_polygons

    def inside(slug: str) -> tuple[float, float]:
        point = shape(load_area_polygons()[slug]).representative_point()
        return point.y, point.x

    admin = make_admin(sessions)
    (t_lat, t_lon), (j_lat, j_lon) = inside("rempoa"), inside("pondok-pinang")
    tangsel_bid, tangsel_token = _owner(client, admin, name="Oleh Oleh Rempoa", lat=t_lat,
                                        lon=t_lon, address="Jl. Rempoa Raya 1")  # fmt: skip
    jaksel_bid, jaksel_token = _owner(
        client, admin, name="Oleh Oleh Pondok Pinang", lat=j_lat, lon=j_lon,
        address="Jl. Pondok Pinang 2",
    )  # fmt: skip
    _searchable(client, admin, tangsel_bid, tangsel_token, name="Keripik Tempe Rempoa")
    jaksel = _searchable(client, admin, jaksel_bid, jaksel_token, name="Keripik Tempe Pinang")
    found = client.get("/api/v1/products", params={"q": "keripik", "area": "jaksel"}).json()
    assert [p["id"] for p in found["items"]] == [jaksel]


def test_demo_data_brings_a_few_products(client: TestClient, settings: Settings) -> None:
    seed_demo_data(settings, count=400)
    found = client.get("/api/v1/products", params={"q": "kripik"}).json()["items"]
    assert found
    assert all(p["name"] == "Keripik Singkong Balado" for p in found)
    assert all(p["description"].startswith(DEMO_MARKER) for p in found)
    before = client.get("/api/v1/products", params={"limit": 100}).json()["items"]
    seed_demo_data(settings, count=400)  # idempotent
    assert client.get("/api/v1/products", params={"limit": 100}).json()["items"] == before
