"""Named token rows, shared by editors' admin tokens and clients' API keys."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from directory.accounts import audit, credentials
from directory.errors import Conflict, NotFound
from directory.models import AdminToken, ApiKey


@pytest.mark.parametrize(("model", "kind"), [(AdminToken, "admin token"), (ApiKey, "API key")])
def test_issue_revoke_and_issue_again_keeps_the_row(
    session: Session, model: type[AdminToken] | type[ApiKey], kind: str
) -> None:
    row, token = credentials.issue(session, model, "client-a", prefix="dk_t_", kind=kind)
    session.flush()
    assert token.startswith("dk_t_")
    assert credentials.find_active(session, model, token) is row
    assert credentials.find_active(session, model, token + "x") is None
    with pytest.raises(Conflict, match=f"an active {kind} named 'client-a'"):
        credentials.issue(session, model, "client-a", prefix="dk_t_", kind=kind)

    assert credentials.revoke(session, model, "client-a", kind=kind, action="revoke") is row
    assert credentials.revoke(session, model, "client-a", kind=kind, action="revoke") is row
    session.flush()
    revoked = [e for e in audit.list_entries(session, limit=10) if e.action == "revoke"]
    assert [(e.actor, e.subject_type, e.subject_id) for e in revoked] == [
        ("cli", model.__tablename__, "client-a")
    ]  # revoking twice records one entry
    assert credentials.find_active(session, model, token) is None

    again, new = credentials.issue(session, model, "client-a", prefix="dk_t_", kind=kind)
    session.flush()
    assert again.id == row.id  # what was written with the old secret stays this holder's
    assert credentials.find_active(session, model, new) is again
    assert credentials.find_active(session, model, token) is None
    assert credentials.list_all(session, model) == [again]
    with pytest.raises(NotFound, match=f"no {kind} named 'nobody'"):
        credentials.revoke(session, model, "nobody", kind=kind, action="revoke")


def test_touch_records_a_use_at_most_once_a_minute(session: Session) -> None:
    row, _ = credentials.issue(session, ApiKey, "client-b", prefix="dk_t_", kind="API key")
    row.scopes = []
    session.flush()
    credentials.touch(session, row)
    first = row.last_used_at
    assert first is not None
    credentials.touch(session, row)
    assert row.last_used_at == first
