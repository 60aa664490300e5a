"""``dekat admin``: editors' admin tokens, clients' API keys (and revoking an owner's lost
edit link).

``create-token`` and ``create-key`` print the secret alone on stdout (so it can be piped
into a password manager) and a reminder on stderr; it is shown only this once, the
database keeps a hash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from directory.accounts import admins, apikeys, audit
from directory.cli.console import err_console, fail
from directory.cli.main import app
from directory.db import make_engine, make_session_factory, session_scope
from directory.errors import DirectoryError
from directory.settings import get_settings
from directory.submissions import owners

T = TypeVar("T")

admin_app = typer.Typer(
    name="admin",
    help="Editors' admin tokens, clients' API keys and owner links.",
    no_args_is_help=True,
)
app.add_typer(admin_app, name="admin")


@contextmanager
def _session() -> Iterator[Session]:
    engine = make_engine(get_settings().database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _run(fn: Callable[[Session], T]) -> T:
    try:
        with _session() as session:
            return fn(session)
    except DirectoryError as exc:
        fail(exc.detail)
    except (OperationalError, ProgrammingError) as exc:
        fail(f"database not ready ({type(exc.orig).__name__}); run `dekat migrate` first")


@admin_app.command("create-token")
def create_token(
    name: Annotated[str, typer.Argument(help="Who the token is for, e.g. 'rina'.")],
) -> None:
    """Create an admin token for an editor and print it once."""
    token = _run(lambda s: admins.create_admin_token(s, name))
    typer.echo(token)
    err_console.print(
        f"admin token for {name!r} created; it is shown only this once. Send it as "
        "`Authorization: Bearer <token>`.",
        highlight=False,
    )


@admin_app.command("revoke-token")
def revoke_token(
    name: Annotated[str, typer.Argument(help="Name given to create-token.")],
) -> None:
    """Revoke an editor's admin token; it is refused (401) from now on."""
    _run(lambda s: admins.revoke_admin_token(s, name))
    err_console.print(f"admin token {name!r} revoked", highlight=False)


@admin_app.command("list-tokens")
def list_tokens() -> None:
    """List admin tokens: name, created, last used, revoked (never the tokens)."""

    def rows(session: Session) -> list[tuple[str, str, str, str]]:
        return [
            (
                t.name,
                t.created_at.strftime("%Y-%m-%d %H:%M"),
                t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "-",
                t.revoked_at.strftime("%Y-%m-%d %H:%M") if t.revoked_at else "active",
            )
            for t in admins.list_admin_tokens(session)
        ]

    found = _run(rows)
    if not found:
        err_console.print("no admin tokens; create one with `dekat admin create-token NAME`")
        return
    typer.echo("name\tcreated\tlast_used\tstatus")
    for row in found:
        typer.echo("\t".join(row))


@admin_app.command("revoke-owner-tokens")
def revoke_owner_tokens(
    business_id: Annotated[int, typer.Argument(help="The business whose edit links to end.")],
) -> None:
    """Revoke every owner edit token of a business (a leaked or lost edit link)."""

    def work(session: Session) -> int:
        count = owners.revoke_owner_tokens(session, business_id)
        audit.record(
            session, actor="cli", action="revoke_owner_tokens", subject_type="business",
            subject_id=business_id, detail={"revoked": count},
        )  # fmt: skip
        return count

    err_console.print(f"{_run(work)} owner token(s) revoked", highlight=False)


@admin_app.command("create-key")
def create_key(
    name: Annotated[str, typer.Argument(help="Which client the key is for, e.g. 'kasir-app'.")],
    scope: Annotated[
        list[str],
        typer.Option(
            "--scope",
            help=f"What the key may do; repeat for several. Known: {', '.join(apikeys.SCOPES)}.",
        ),
    ],
) -> None:
    """Create an API key for a client and print it once."""
    token = _run(lambda s: apikeys.create_api_key(s, name, scope))
    typer.echo(token)
    err_console.print(
        f"API key for {name!r} created with scope(s) {', '.join(dict.fromkeys(scope))}; it is "
        "shown only this once. Send it as `Authorization: Bearer <key>`.",
        highlight=False,
    )


@admin_app.command("revoke-key")
def revoke_key(
    name: Annotated[str, typer.Argument(help="Name given to create-key.")],
) -> None:
    """Revoke a client's API key; it is refused (401) from now on."""
    _run(lambda s: apikeys.revoke_api_key(s, name))
    err_console.print(f"API key {name!r} revoked", highlight=False)


@admin_app.command("list-keys")
def list_keys() -> None:
    """List API keys: name, scopes, created, last used, status (never the keys)."""

    def rows(session: Session) -> list[tuple[str, ...]]:
        return [
            (
                k.name,
                ",".join(k.scopes or []),
                k.created_at.strftime("%Y-%m-%d %H:%M"),
                k.last_used_at.strftime("%Y-%m-%d %H:%M") if k.last_used_at else "-",
                k.revoked_at.strftime("%Y-%m-%d %H:%M") if k.revoked_at else "active",
            )
            for k in apikeys.list_api_keys(session)
        ]

    found = _run(rows)
    if not found:
        err_console.print("no API keys; create one with `dekat admin create-key NAME --scope …`")
        return
    typer.echo("name\tscopes\tcreated\tlast_used\tstatus")
    for row in found:
        typer.echo("\t".join(row))
