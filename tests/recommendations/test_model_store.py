"""``refresh_model`` fits the ranker to the site's own visits, or says why it does not."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from directory.recommendations.model_store import current_model, refresh_model
from tests.factories import BSD, make_business
from tests.recommendations.test_trust import store

LAT, LON = BSD


def _site(session: Session, n: int = 24) -> list[int]:
    return [
        make_business(
            session,
            name=f"Warung {i}",
            lat=LAT + 0.002 * (i % 6),
            lon=LON + 0.002 * (i // 6),
            category="warung-makan",
        ).id
        for i in range(n)
    ]


def _habits(places: list[int], readers: int, visits: int) -> list[dict[str, Any]]:
    """Readers who mostly go back to their favourite place."""
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=60)
    items = []
    for r in range(readers):
        favourite = places[r % len(places)]
        for v in range(visits):
            place = favourite if rng.random() < 0.7 else rng.choice(places)
            at = start + timedelta(days=v * 2, hours=rng.randint(0, 10))
            items.append(
                {"user_id": f"r{r}", "business_id": place, "kind": "visit", "at": at.isoformat()}
            )
    return items


def test_too_little_history_keeps_the_defaults_and_says_so(
    client: TestClient, session: Session
) -> None:
    places = _site(session)
    store(session, _habits(places, readers=5, visits=6), source="import", kind="visit")
    said: list[str] = []
    report = refresh_model(session, timezone="Asia/Jakarta", say=said.append)
    assert report.blend_source == "default"
    assert report.blend_report["reason"] == "too little data"
    assert any("too little history" in line for line in said)
    model = current_model(session)
    assert model is not None
    assert model.blend is None


def test_a_site_with_habits_gets_a_fitted_ranker_that_beats_the_baselines(
    client: TestClient, session: Session
) -> None:
    places = _site(session)
    store(session, _habits(places, readers=80, visits=10), source="import", kind="visit")
    said: list[str] = []
    report = refresh_model(session, timezone="Asia/Jakarta", say=said.append)
    assert report.blend_source in ("fitted", "fitted+habit"), said
    chosen = report.blend_report[report.blend_source]
    for baseline in report.blend_report["baselines"].values():
        for key, value in baseline.items():
            assert chosen[key] >= value, (key, chosen, baseline)
    model = current_model(session)
    assert model is not None
    assert model.blend is not None
    assert model.blend.coefficient("habit") > 0
    assert any("ranker fitted" in line for line in said)
    # 80 readers are enough for the blend, not for trees: the blend ranks, and says so.
    assert report.trees == 0
    assert model.ranker is None
    assert any("too little history for the tree ranker" in line for line in said), said
    r = client.get("/api/v1/recommendations", params={"lat": LAT, "lon": LON, "user_id": "r3"})
    assert r.json()["items"][0]["business"]["id"] == places[3]
