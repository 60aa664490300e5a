"""The read API of the foundation: businesses, categories, areas, health, docs, problems."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import BSD, make_business

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "errors"}


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["instance"] == response.request.url.path
    for error in body["errors"]:
        assert set(error) == {"field", "message", "location"}
    return body


def test_business_by_id(client: TestClient, session: Session) -> None:
    business = make_business(
        session,
        name="Kopi Fondasi",
        phone="0812-3456-7890",
        opening_hours="Mo-Su 07:00-22:00",
        rating="4.5",
        rating_count="8",
        price_level="2",
    )
    response = client.get(f"/api/v1/businesses/{business.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == business.id
    assert body["name"] == "Kopi Fondasi"
    assert body["slug"] == "kopi-fondasi"
    assert body["category"] == "kafe-kopi"
    assert (body["lat"], body["lon"]) == BSD
    assert body["phone"] == "+6281234567890"
    assert body["rating"] == pytest.approx(4.5)
    assert body["rating_count"] == 8
    assert body["price_level"] == 2
    assert body["area"] is not None
    assert set(body["area"]) == {"id", "slug", "name", "kind"}
    assert body["opening_hours"] == "Mo-Su 07:00-22:00"
    assert len(body["opening_hours_week"]) == 7
    assert isinstance(body["open_now"], bool)


def test_hidden_and_missing_businesses_are_404(client: TestClient, session: Session) -> None:
    hidden = make_business(session, status="hidden")
    for business_id in (hidden.id, 999_999):
        body = assert_problem(client.get(f"/api/v1/businesses/{business_id}"), 404)
        assert body["title"] == "Not found"


def test_bad_path_parameter_is_422_naming_the_field(client: TestClient) -> None:
    body = assert_problem(client.get("/api/v1/businesses/abc"), 422)
    assert body["errors"][0]["field"] == "business_id"
    assert body["errors"][0]["location"] == "path"


def test_wrong_method_is_405_problem(client: TestClient) -> None:
    assert_problem(client.delete("/api/v1/categories"), 405)


def test_unknown_route_is_404_problem(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/nothing-here"), 404)


def test_category_tree(client: TestClient) -> None:
    response = client.get("/api/v1/categories")
    assert response.status_code == 200
    roots = response.json()["items"]
    slugs = [c["slug"] for c in roots]
    assert "kuliner" in slugs
    kuliner = roots[slugs.index("kuliner")]
    assert kuliner["parent"] is None
    children = {c["slug"]: c for c in kuliner["children"]}
    assert children["restoran"]["parent"] == "kuliner"
    nusantara = children["masakan-nusantara"]
    assert "masakan-padang" in [c["slug"] for c in nusantara["children"]]
    assert kuliner["name"] == "Kuliner"
    english = client.get("/api/v1/categories?lang=en").json()["items"]
    assert english[slugs.index("kuliner")]["name"] == "Food & Dining"


def test_area_list_and_kind_filter(client: TestClient) -> None:
    items = client.get("/api/v1/areas").json()["items"]
    assert {"bsd-city", "kota-tangerang-selatan"} <= {a["slug"] for a in items}
    townships = client.get("/api/v1/areas?kind=township").json()["items"]
    assert townships
    assert {a["kind"] for a in townships} == {"township"}
    body = assert_problem(client.get("/api/v1/areas?kind=galaxy"), 422)
    assert body["errors"][0]["field"] == "kind"


def test_area_detail(client: TestClient, session: Session) -> None:
    make_business(session)
    response = client.get("/api/v1/areas/bsd-city")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "BSD City"
    assert body["kind"] == "township"
    assert "BSD" in body["aliases"]
    assert body["parent"] == "kota-tangerang-selatan"
    assert [a["slug"] for a in body["ancestors"]][0] == "kota-tangerang-selatan"
    assert body["geometry"]["type"] in ("Polygon", "MultiPolygon")  # the shipped border
    assert body["has_polygon"] is True
    assert isinstance(body["business_count"], int)
    assert_problem(client.get("/api/v1/areas/atlantis"), 404)


def test_healthz(client: TestClient, session: Session) -> None:
    make_business(session)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] in ("sqlite", "postgresql")
    assert body["revision"]
    assert body["businesses"] == 1


def test_docs_and_openapi(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/api/v1/businesses/{business_id}" in schema["paths"]
    assert "/api/v1/areas/{slug}" in schema["paths"]
    assert "Problem" in schema["components"]["schemas"]
