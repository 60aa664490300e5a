"""Operator commands: backup and restore."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Annotated

import typer

from directory.backups import backup_database, restore_database
from directory.cli.console import err_console, fail, progress_bar
from directory.cli.main import app
from directory.errors import DirectoryError
from directory.settings import get_settings


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup.")],
) -> None:
    """Take a consistent backup of the database while the server keeps running."""
    settings = get_settings()
    try:
        with progress_bar("backup") as sink:
            last = [0]

            def report(done: int, total: int) -> None:
                sink(done - last[0], total)
                last[0] = done

            backup_database(settings.database_url, file, progress=report)
    except DirectoryError as exc:
        fail(exc.detail)
    except (OSError, subprocess.CalledProcessError) as exc:
        fail(f"backup failed: {exc}")
    err_console.print(f"backup written to {file}", highlight=False)


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A backup made by `dekat backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database's contents with a backup (works while the server runs)."""
    settings = get_settings()
    if not yes and not typer.confirm(f"Replace the contents of the database with {file}?"):
        fail("restore cancelled")
    try:
        with progress_bar("restore") as sink:
            last = [0]

            def report(done: int, total: int) -> None:
                sink(done - last[0], total)
                last[0] = done

            restore_database(settings.database_url, file, progress=report)
    except DirectoryError as exc:
        fail(exc.detail)
    except (OSError, subprocess.CalledProcessError) as exc:
        fail(f"restore failed: {exc}")
    err_console.print(f"database restored from {file}", highlight=False)
