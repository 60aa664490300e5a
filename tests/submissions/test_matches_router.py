"""GET /api/v1/businesses/match: candidates, scores in [0, 1], evidence, routing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import BSD, make_business

URL = "/api/v1/businesses/match"


def _match(client: TestClient, **params: Any) -> Any:
    response = client.get(URL, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_match_is_routed_before_the_business_id_route(client: TestClient) -> None:
    response = client.get(URL, params={"name": "x", "lat": BSD[0], "lon": BSD[1]})
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert client.get("/api/v1/businesses/match").status_code == 422  # name is required
    detail = {e["field"] for e in client.get("/api/v1/businesses/match").json()["errors"]}
    assert detail == {"name"}  # not "business_id": the id route never saw it


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("Rumah Makan Sederhana", "RM Sederhana Cabang Bintaro"),
        ("Warung Kopi Kenangan", "Kopi Kenangan"),
        ("Toko Bangunan Sinar Jaya", "Bangunan Sinar Jaya"),
        ("PT Sumber Rejeki", "CV Sumber Rejeki"),
        ("Bakmi GM - Alam Sutera", "Bakmi GM"),
    ],
)
def test_generic_words_and_branch_suffixes_do_not_matter(
    client: TestClient, sessions: sessionmaker[Session], stored: str, query: str
) -> None:
    with sessions() as session:
        business = make_business(session, name=stored, lat=BSD[0], lon=BSD[1])
    body = _match(client, name=query, lat=BSD[0], lon=BSD[1] + 0.0003)
    top = body["items"][0]
    assert top["business"]["id"] == business.id
    assert top["is_match"] is True
    assert body["threshold"] == pytest.approx(0.7)
    assert 0.0 <= top["score"] <= 1.0
    assert top["evidence"]["name_similarity"] >= 0.9
    assert 25 < top["evidence"]["distance_m"] < 45


def test_candidates_are_ranked_with_evidence(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        same = make_business(session, name="Sate Pak Budi", lat=BSD[0], lon=BSD[1])
        similar = make_business(session, name="Sate Pak Bud", lat=BSD[0] + 0.002, lon=BSD[1])
        make_business(session, name="Soto Pak Budi", lat=BSD[0], lon=BSD[1])
        make_business(session, name="Sate Pak Budi", lat=BSD[0] + 0.05, lon=BSD[1])  # 5.5 km
        make_business(session, name="Sate Pak Budi", lat=BSD[0], lon=BSD[1], status="hidden")
    body = _match(client, name="Sate Pak Budi", lat=BSD[0], lon=BSD[1], min_score=0)
    ids = [i["business"]["id"] for i in body["items"]]
    assert ids[:2] == [same.id, similar.id]
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert len(ids) == 3  # the far one is outside 500 m, the hidden one is no candidate
    soto = body["items"][2]
    assert soto["is_match"] is False
    assert soto["evidence"]["distance_m"] == 0.0


def test_same_phone_is_found_anywhere(client: TestClient, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        far = make_business(
            session, name="Klinik Gigi Senyum", lat=BSD[0] + 0.1, phone="021-5555-1234"
        )
    by_phone_only = _match(client, name="Klinik Gigi Senyum", phone="+62 21 5555 1234")
    item = by_phone_only["items"][0]
    assert item["business"]["id"] == far.id
    assert item["evidence"]["same_phone"] is True
    assert item["evidence"]["distance_m"] is None
    nearby_query = _match(
        client, name="Klinik Gigi Senyum", lat=BSD[0], lon=BSD[1], phone="02155551234", min_score=0
    )
    assert [i["business"]["id"] for i in nearby_query["items"]] == [far.id]


def test_limit_and_min_score(client: TestClient, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        for i in range(4):
            make_business(session, name=f"Apotek Sehat {i}", lat=BSD[0], lon=BSD[1] + i * 1e-4)
    assert len(_match(client, name="Apotek Sehat", lat=BSD[0], lon=BSD[1], limit=2,
                      min_score=0)["items"]) == 2  # fmt: skip
    strict = _match(client, name="Apotek Sehat", lat=BSD[0], lon=BSD[1], min_score=1)
    assert strict["items"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"name": "Kopi", "lat": BSD[0]}, "lon"),
        ({"name": "Kopi", "lon": BSD[1]}, "lat"),
        ({"name": "Kopi"}, "lat"),
        ({"name": "<b></b>", "lat": BSD[0], "lon": BSD[1]}, "name"),
        ({"name": "Kopi", "lat": 91, "lon": BSD[1]}, "lat"),
        ({"name": "Kopi", "lat": "nan", "lon": BSD[1]}, "lat"),
        ({"name": "Kopi", "lat": BSD[0], "lon": BSD[1], "min_score": 2}, "min_score"),
    ],
)
def test_bad_queries_name_the_field(client: TestClient, params: dict[str, Any], field: str) -> None:
    response = client.get(URL, params=params)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
