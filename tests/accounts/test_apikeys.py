"""API keys: ``dekat admin create-key`` and ``POST /api/v1/interactions`` behind them.

Without a key nobody writes interactions (401), a key without the scope cannot (403), a
revoked key stops at once, each key has its own rate limit, and every stored row says
which key sent it — so the model can cap what one key contributes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from directory.accounts.admins import create_admin_token
from directory.accounts.apikeys import INTERACTIONS_WRITE, KEY_PREFIX
from directory.accounts.tokens import hash_token
from directory.app import create_app
from directory.cli.main import _register_feature_commands
from directory.cli.main import app as cli_app
from directory.models import ApiKey, AuditLog, Interaction, utcnow
from directory.settings import Settings, get_settings
from tests.factories import key_headers, make_api_key, make_business

URL = "/api/v1/interactions"


@pytest.fixture
def dekat(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A CLI runner pointed at the test database."""
    monkeypatch.setenv("DEKAT_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    _register_feature_commands()
    yield CliRunner()
    get_settings.cache_clear()


def _one(business_id: int, user: str = "u1") -> dict[str, object]:
    return {"user_id": user, "business_id": business_id, "kind": "visit"}


def _assert_problem(response, status: int, field: str = "Authorization") -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["detail"]
    assert [e["field"] for e in body["errors"]] == [field]


def test_create_key_prints_it_once_and_stores_only_its_hash(
    dekat: CliRunner, session: Session
) -> None:
    result = dekat.invoke(
        cli_app, ["admin", "create-key", "kasir-app", "--scope", "interactions:write"]
    )
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith(KEY_PREFIX)
    assert len(key) > 40
    assert "shown only this once" in " ".join(result.stderr.split())
    row = session.scalars(select(ApiKey)).one()
    assert row.name == "kasir-app"
    assert row.scopes == [INTERACTIONS_WRITE]
    assert row.token_hash == hash_token(key)
    assert key not in row.token_hash
    audit = session.scalars(select(AuditLog).where(AuditLog.subject_type == "api_key")).one()
    assert audit.action == "create_key"
    assert key not in str(audit.detail)

    listed = dekat.invoke(cli_app, ["admin", "list-keys"])
    assert listed.exit_code == 0
    assert "kasir-app\tinteractions:write\t" in listed.stdout
    assert key not in listed.stdout

    again = dekat.invoke(
        cli_app, ["admin", "create-key", "kasir-app", "--scope", "interactions:write"]
    )
    assert again.exit_code != 0
    assert "revoke it first" in again.output


def test_create_key_refuses_unknown_or_missing_scopes(dekat: CliRunner, session: Session) -> None:
    bad = dekat.invoke(cli_app, ["admin", "create-key", "x", "--scope", "everything"])
    assert bad.exit_code != 0
    assert "unknown scope 'everything'" in bad.output
    missing = dekat.invoke(cli_app, ["admin", "create-key", "x"])
    assert missing.exit_code != 0
    bad_name = dekat.invoke(
        cli_app, ["admin", "create-key", "a b", "--scope", "interactions:write"]
    )
    assert bad_name.exit_code != 0
    assert session.scalars(select(ApiKey)).all() == []


def test_interactions_need_a_valid_key(client: TestClient, session: Session) -> None:
    b = make_business(session)
    admin = create_admin_token(session, "editor")
    session.commit()
    _assert_problem(client.post(URL, json=_one(b.id)), 401)
    _assert_problem(client.post(URL, json=_one(b.id), headers=key_headers("dk_key_made-up")), 401)
    _assert_problem(client.post(URL, json=_one(b.id), headers=key_headers(admin)), 401)
    _assert_problem(
        client.post(URL, json=_one(b.id), headers={"Authorization": "Basic dXNlcjpwdw=="}), 401
    )
    session.expire_all()
    assert session.scalars(select(Interaction)).all() == []


def test_a_key_without_the_scope_is_forbidden(client: TestClient, session: Session) -> None:
    b = make_business(session)
    key = make_api_key(session, name="reader-only")
    row = session.scalars(select(ApiKey).where(ApiKey.name == "reader-only")).one()
    row.scopes = ["recommendations:read"]  # a key made for something else
    session.commit()
    response = client.post(URL, json=_one(b.id), headers=key_headers(key))
    _assert_problem(response, 403)
    assert "interactions:write" in response.json()["detail"]
    session.expire_all()
    assert session.scalars(select(Interaction)).all() == []


def test_bearer_and_x_api_key_both_work_and_rows_name_their_key(
    client: TestClient, session: Session
) -> None:
    b = make_business(session)
    first = make_api_key(session, name="app-satu")
    second = make_api_key(session, name="app-dua")
    assert client.post(URL, json=_one(b.id, "a"), headers=key_headers(first)).status_code == 201
    assert client.post(URL, json=_one(b.id, "b"), headers={"X-API-Key": second}).status_code == 201
    ids = dict(session.execute(select(ApiKey.name, ApiKey.id)).tuples().all())
    session.expire_all()
    sources = dict(session.execute(select(Interaction.user_id, Interaction.source)).tuples().all())
    assert sources == {"a": f"key:{ids['app-satu']}", "b": f"key:{ids['app-dua']}"}
    used = session.scalars(select(ApiKey).where(ApiKey.name == "app-satu")).one()
    assert used.last_used_at is not None


def test_a_revoked_key_stops_at_once(
    dekat: CliRunner, client: TestClient, session: Session
) -> None:
    b = make_business(session)
    key = make_api_key(session, name="bocor")
    assert client.post(URL, json=_one(b.id), headers=key_headers(key)).status_code == 201
    result = dekat.invoke(cli_app, ["admin", "revoke-key", "bocor"])
    assert result.exit_code == 0, result.output
    _assert_problem(client.post(URL, json=_one(b.id), headers=key_headers(key)), 401)
    listed = dekat.invoke(cli_app, ["admin", "list-keys"])
    assert "active" not in listed.stdout.splitlines()[1]
    assert dekat.invoke(cli_app, ["admin", "revoke-key", "nobody"]).exit_code != 0
    # The name can be used again; the row (and so the source id) stays that client's.
    old_id = session.scalars(select(ApiKey.id).where(ApiKey.name == "bocor")).one()
    new = dekat.invoke(cli_app, ["admin", "create-key", "bocor", "--scope", "interactions:write"])
    assert new.exit_code == 0
    session.expire_all()
    assert session.scalars(select(ApiKey.id).where(ApiKey.name == "bocor")).one() == old_id
    new_key = new.stdout.strip()
    assert client.post(URL, json=_one(b.id), headers=key_headers(new_key)).status_code == 201


def test_each_key_has_its_own_rate_limit(settings: Settings, session: Session) -> None:
    app = create_app(settings.model_copy(update={"rate_limit_interactions_per_minute": 3}))
    b = make_business(session)
    busy = make_api_key(session, name="busy")
    calm = make_api_key(session, name="calm")
    try:
        with TestClient(app) as client:
            for _ in range(3):
                assert (
                    client.post(URL, json=_one(b.id), headers=key_headers(busy)).status_code == 201
                )
            over = client.post(URL, json=_one(b.id), headers=key_headers(busy))
            assert over.status_code == 429
            assert over.headers["content-type"].startswith("application/problem+json")
            assert 1 <= int(over.headers["Retry-After"]) <= 120
            assert over.json()["retry_after_s"] == int(over.headers["Retry-After"])
            assert "API key" in over.json()["detail"]
            # Another key is not slowed down by the first one's traffic.
            assert client.post(URL, json=_one(b.id), headers=key_headers(calm)).status_code == 201
    finally:
        app.state.engine.dispose()
    session.expire_all()
    assert len(session.scalars(select(Interaction)).all()) == 4


def test_the_operator_import_needs_no_key_and_is_marked_as_import(
    dekat: CliRunner, session: Session, tmp_path: Path
) -> None:
    make_business(session, external_id="ext-imp")
    path = tmp_path / "interactions.csv"
    at = utcnow().replace(microsecond=0).isoformat()
    path.write_text(f"user_id,business_external_id,kind,at\nu9,ext-imp,visit,{at}\n")
    result = dekat.invoke(cli_app, ["import", "interactions", str(path)])
    assert result.exit_code == 0, result.output
    session.expire_all()
    row = session.scalars(select(Interaction)).one()
    assert (row.user_id, row.source, row.action) == ("u9", "import", None)


def test_the_openapi_document_declares_the_key(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    operation = doc["paths"][URL]["post"]
    schemes = {name for req in operation["security"] for name in req}
    assert schemes == {"ApiKey", "ApiKeyHeader"}
    assert doc["components"]["securitySchemes"]["ApiKeyHeader"]["name"] == "X-API-Key"
