"""Concurrent load on a real ``dekat serve --workers 2``, bounded; and the audit behind it.

``scripts/load_test.py`` is the harness: it runs mixed traffic from many clients, then
checks in the database that every accepted write is stored exactly once, that nothing the
server refused is stored, and that the aggregates equal a recount. Here it runs for a few
seconds on the suite's backend; the long run (60 s) and its figures are in
``docs/reliability.md``. The audit is tested on its own first, so that a green load test
means something: it must report a lost, a doubled and a stray write, and a bad aggregate.
"""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from directory.models import Interaction, Review
from directory.settings import Settings
from tests.conftest import PG_URL
from tests.factories import key_headers, make_api_key, make_business
from tests.reliability.loader import load_script

load = load_script("load_test")

LOAD_SECONDS = 8.0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """One test client writes many reviews here: the review-stuffing limits are for
    another test (tests/security/test_review_stuffing.py)."""
    return settings.model_copy(
        update={
            "rate_limit_reviews_per_key_per_hour": 10**9,
            "review_daily_cap_per_business": 10**9,
            "review_burst_per_hour": 10**9,
            "review_hold_other_keys": False,
        }
    )


def _honest_writes(client: TestClient, sessions: sessionmaker[Session], *, rounds: int = 4) -> Any:
    """Interactions, reviews (some replacing earlier ones) and submissions, all accepted."""
    with sessions() as session:
        ids = [make_business(session, name=f"Warung Audit {i}").id for i in range(3)]
        headers = key_headers(make_api_key(session))
    world = load.World(
        base_url=str(client.base_url), paths=set(), business_ids=ids, api_headers=headers
    )
    rng = random.Random(3)
    ops = (load.op_interaction, load.op_review, load.op_submission, load.op_review)
    for n in range(rounds * len(ops)):
        response, _ = ops[n % len(ops)](client, world, rng, f"c1s{n}xaudit")
        assert response.status_code < 300, response.text
    return world


def test_audit_passes_honest_writes(
    client: TestClient, sessions: sessionmaker[Session], db_url: str
) -> None:
    world = _honest_writes(client, sessions)
    ledger = world.ledger
    assert ledger.interactions
    assert ledger.reviews
    assert ledger.submissions
    assert load.audit(db_url, ledger) == []


def test_audit_reports_lost_doubled_stray_and_miscounted_writes(
    client: TestClient, sessions: sessionmaker[Session], db_url: str
) -> None:
    ledger = _honest_writes(client, sessions).ledger
    lost, doubled = sorted(ledger.interactions)[:2]
    reviewer = sorted(ledger.reviews)[0]
    with sessions() as session:
        row = session.execute(
            select(Interaction.business_id, Interaction.kind, Interaction.at).where(
                Interaction.user_id == doubled
            )
        ).one()
        # A write the server acknowledged disappears (its count stays: a recount differs).
        session.execute(delete(Interaction).where(Interaction.user_id == lost))
        # One is stored twice, and one is stored that the server never acknowledged.
        for user in (doubled, "c9s9xstray"):
            session.execute(
                insert(Interaction).values(
                    user_id=user, business_id=row.business_id, kind=row.kind, at=row.at
                )
            )
        # A reviewer's live review is not what they last sent.
        session.execute(
            update(Review)
            .where(Review.text.like(f"ulasan {reviewer} %"), Review.status == "live")
            .values(rating=Review.rating % 5 + 1)
        )
        session.commit()

    problems = "\n".join(load.audit(db_url, ledger))
    assert "1 accepted interactions are missing" in problems
    assert "1 interactions are stored more than once" in problems
    assert "1 interactions stored that the server refused or never got" in problems
    assert "interaction counts differ from a recount" in problems
    assert f"live review is not their last accepted one, e.g. {reviewer}" in problems
    assert "rating aggregates differ from a recount" in problems

    # A write whose answer never arrived may or may not be stored: no complaint either way.
    ledger.in_doubt.add("c9s9xstray")
    assert "refused or never got" not in "\n".join(load.audit(db_url, ledger))


def test_only_requests_that_left_the_client_are_in_doubt() -> None:
    world = load.World(base_url="http://127.0.0.1:9", paths=set(), business_ids=[])
    world.sending("c1s1xrefused")
    world.lost_answer(httpx.ConnectError("connection refused"))
    world.sending("c1s2xanswered")
    world.answered()
    world.sending("c1s3xcutoff")
    world.lost_answer(httpx.RemoteProtocolError("server disconnected"))
    assert world.ledger.in_doubt == {"c1s3xcutoff"}


@pytest.mark.slow
def test_concurrent_load_loses_no_write() -> None:
    """Two workers, mixed traffic from many clients: no lost or doubled write, aggregates
    recount, no 5xx and no "database is locked"."""
    result = load.run_load(
        seconds=LOAD_SECONDS,
        clients=12,
        database_url=PG_URL,
        businesses=300,
        workers=2,
        seed=11,
    )
    report = "\n".join(result.lines())
    assert result.problems == [], report
    assert result.server_errors == 0, report
    assert result.locked == 0, report
    assert result.transport_errors == 0, report
    # The audit had something to audit: every kind of write was accepted many times over.
    assert set(result.by_operation) >= {"search", "recommendations", "review", "interaction"}
    assert all(n >= 5 for n in result.accepted_writes.values()), report
    assert result.requests >= 100, report
