"""A directory shared by a security test module: app, client and every kind of actor."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from directory.app import create_app
from directory.settings import Settings
from tests.factories import make_business
from tests.reliability.dbs import database_from_template
from tests.security.actors import Actors, make_actors

MANY_REVIEWERS = {
    "rate_limit_reviews_per_key_per_hour": 10**9,
    "review_daily_cap_per_business": 10**9,
    "review_burst_per_hour": 10**9,
    "review_hold_other_keys": False,
}
HIGH_LIMITS = {
    "rate_limit_submissions_per_hour": 10**9,
    "rate_limit_reviews_per_hour": 10**9,
    "rate_limit_matches_per_minute": 10**9,
    "rate_limit_interactions_per_minute": 10**9,
    "rate_limit_inquiries_per_hour": 10**9,
    "inquiry_daily_cap_per_business": 10**9,
    **MANY_REVIEWERS,
}


@dataclass
class World:
    """Everything a module's hostile requests need."""

    app: FastAPI
    client: TestClient
    actors: Actors
    url: str

    @property
    def sessions(self) -> sessionmaker[Session]:
        factory: sessionmaker[Session] = self.app.state.sessions
        return factory


@pytest.fixture(scope="module")
def world(template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One database per module, with published listings and every actor."""
    work_dir = tmp_path_factory.mktemp("hostile")
    with database_from_template(template_db, work_dir) as url:
        settings = Settings(
            database_url=url, media_dir=work_dir / "media", demo_count=0, **HIGH_LIMITS
        )
        app = create_app(settings)
        with TestClient(app, raise_server_exceptions=False) as client:
            with app.state.sessions() as session:
                make_business(session, name="Kopi Aman", description="biasa")
            yield World(app=app, client=client, actors=make_actors(client, app.state.sessions),
                        url=url)  # fmt: skip
        app.state.engine.dispose()
