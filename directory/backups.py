"""Online backup and restore.

SQLite uses the online backup API (``sqlite3.Connection.backup``): a consistent copy is
taken page by page while the server keeps serving, and a restore copies the backup's
pages into the live file under SQLite's own locking, so running workers see the restored
data on their next transaction. PostgreSQL uses ``pg_dump``/``pg_restore`` (custom format).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from directory.db import is_sqlite
from directory.errors import InvalidInput

ProgressFn = Callable[[int, int], None]


def sqlite_path(url: str) -> Path:
    """The file behind a SQLite URL (in-memory databases cannot be backed up)."""
    database = make_url(url).database
    if not database or database == ":memory:":
        raise InvalidInput(detail="an in-memory SQLite database cannot be backed up")
    return Path(database)


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    u = make_url(url)
    args = ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres"]
    env = {"PGPASSWORD": u.password} if u.password else {}
    return args + ["-d", u.database or "postgres"], env


def backup_database(url: str, target: Path, *, progress: ProgressFn | None = None) -> Path:
    """Write a consistent copy of the database to ``target`` while it stays in use."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if is_sqlite(url):
        source = sqlite3.connect(sqlite_path(url), timeout=60)
        partial = target.with_suffix(target.suffix + ".partial")
        partial.unlink(missing_ok=True)
        dest = sqlite3.connect(partial)
        try:
            with dest:
                source.backup(
                    dest,
                    pages=1024,
                    progress=(lambda _s, rem, total: progress(total - rem, total))
                    if progress
                    else None,
                )
            check = dest.execute("PRAGMA integrity_check").fetchone()
            if not check or check[0] != "ok":
                raise InvalidInput(detail=f"backup failed its integrity check: {check}")
        finally:
            dest.close()
            source.close()
        partial.replace(target)
        return target
    if shutil.which("pg_dump") is None:
        raise InvalidInput(detail="pg_dump is not installed; install the PostgreSQL client")
    args, env = _pg_args(url)
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args],
        check=True,
        env={**_base_env(), **env},
    )
    return target


def restore_database(url: str, source: Path, *, progress: ProgressFn | None = None) -> None:
    """Replace the database's contents with a backup made by ``backup_database``."""
    if not source.is_file():
        raise InvalidInput(detail=f"no backup file at {source}")
    if is_sqlite(url):
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            check = backup.execute("PRAGMA integrity_check").fetchone()
            if not check or check[0] != "ok":
                raise InvalidInput(detail=f"{source} is not a healthy SQLite database")
            live = sqlite3.connect(sqlite_path(url), timeout=60)
            try:
                backup.backup(
                    live,
                    pages=1024,
                    progress=(lambda _s, rem, total: progress(total - rem, total))
                    if progress
                    else None,
                )
            finally:
                live.close()
        except sqlite3.DatabaseError as exc:
            raise InvalidInput(detail=f"{source} is not a SQLite backup: {exc}") from exc
        finally:
            backup.close()
        return
    if shutil.which("pg_restore") is None:
        raise InvalidInput(detail="pg_restore is not installed; install the PostgreSQL client")
    args, env = _pg_args(url)
    subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *args,
            str(source),
        ],
        check=True,
        env={**_base_env(), **env},
    )


def _base_env() -> dict[str, str]:
    import os

    return dict(os.environ)
