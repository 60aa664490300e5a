"""``dekat admin create-token / list-tokens / revoke-token / revoke-owner-tokens``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from directory.cli.main import _register_feature_commands, app
from directory.models import OwnerToken
from directory.settings import Settings, get_settings
from tests.moderation_helpers import approve, bearer, submit


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("DEKAT_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    _register_feature_commands()
    yield CliRunner()
    get_settings.cache_clear()


def test_create_list_and_revoke_tokens(cli: CliRunner, client: TestClient) -> None:
    created = cli.invoke(app, ["admin", "create-token", "rina"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith("dk_admin_")
    assert "\n" not in token
    assert "shown only this once" in created.stderr
    assert client.get("/api/v1/admin/submissions", headers=bearer(token)).status_code == 200

    listed = cli.invoke(app, ["admin", "list-tokens"])
    assert listed.exit_code == 0
    assert "rina" in listed.stdout
    assert "active" in listed.stdout
    assert token not in listed.stdout

    duplicate = cli.invoke(app, ["admin", "create-token", "rina"])
    assert duplicate.exit_code == 1
    assert "revoke it first" in duplicate.stderr
    bad = cli.invoke(app, ["admin", "create-token", "bad name!"])
    assert bad.exit_code == 1

    revoked = cli.invoke(app, ["admin", "revoke-token", "rina"])
    assert revoked.exit_code == 0
    assert client.get("/api/v1/admin/submissions", headers=bearer(token)).status_code == 401
    row = next(r for r in cli.invoke(app, ["admin", "list-tokens"]).stdout.splitlines()
               if r.startswith("rina"))  # fmt: skip
    assert not row.endswith("active")
    assert cli.invoke(app, ["admin", "revoke-token", "nobody"]).exit_code == 1


def test_revoke_owner_tokens(
    cli: CliRunner, client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = cli.invoke(app, ["admin", "create-token", "rina"]).stdout.strip()
    sub = submit(client)
    business_id = approve(client, admin, sub["id"])["business_id"]
    url = f"/api/v1/owner/businesses/{business_id}"
    assert client.get(url, headers=bearer(sub["edit_token"])).status_code == 200
    result = cli.invoke(app, ["admin", "revoke-owner-tokens", str(business_id)])
    assert result.exit_code == 0
    assert "1 owner token(s) revoked" in result.stderr
    assert client.get(url, headers=bearer(sub["edit_token"])).status_code == 403
    with sessions() as session:
        row = session.scalar(select(OwnerToken).where(OwnerToken.business_id == business_id))
        assert row is not None
        assert row.revoked_at is not None
