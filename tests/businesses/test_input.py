"""Every field error comes back at once; an oversized field never hides the others."""

from __future__ import annotations

from fastapi.testclient import TestClient

from directory.businesses.input import MAX_LEN


def test_oversized_name_does_not_hide_other_errors(client: TestClient) -> None:
    response = client.post(
        "/api/v1/submissions",
        json={"name": "N" * 5000, "lat": 91, "lon": 106.6, "phone": "12",
              "website": "not a url", "opening_hours": "Senin kecuali", "category": "x" * 3000,
              "description": "d" * 20_000},
    )  # fmt: skip
    assert response.status_code == 422, response.text
    problem = response.json()
    fields = {e["field"]: e["message"] for e in problem["errors"]}
    assert {"name", "lat", "phone", "website", "opening_hours", "category", "description"} <= (
        set(fields)
    )
    assert "200" in fields["name"]  # the real limit, as stated in the docs
    assert "1000" not in fields["name"]


def test_stated_limit_is_the_enforced_one(client: TestClient) -> None:
    ok = {"lat": -6.3, "lon": 106.65, "category": "warung-makan"}
    at_limit = client.post("/api/v1/submissions", json={**ok, "name": "N" * MAX_LEN["name"]})
    assert at_limit.status_code == 201, at_limit.text
    over = client.post("/api/v1/submissions", json={**ok, "name": "N" * (MAX_LEN["name"] + 1)})
    assert over.status_code == 422
    assert MAX_LEN["name"] == 200
