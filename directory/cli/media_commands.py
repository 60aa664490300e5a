"""``dekat media migrate --to URL``: copy the photo objects to another store.

Exit codes: 0 when every object was copied or already there, 1 when any failed (run it
again: it resumes), 2 for a bad URL or a store that cannot be opened.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from directory.cli.console import err_console, fail, progress_bar
from directory.cli.main import app
from directory.settings import get_settings

media_app = typer.Typer(help="The photo store.", no_args_is_help=True)
app.add_typer(media_app, name="media")

EXIT_SOME_FAILED = 1
EXIT_BAD_USAGE = 2
FAILURES_SHOWN = 10


@media_app.command("migrate")
def migrate(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="Target store: file:///folder or s3://bucket/prefix.",
            show_default=False,
        ),
    ],
    source_url: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Source store (default: the current DEKAT_MEDIA_URL or DEKAT_MEDIA_DIR).",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Objects copied at once.")] = 4,
) -> None:
    """Copy every photo to another store; resumable, skips objects already there."""
    from directory.media_locations import parse_media_url
    from directory.photos.media_migrate import migrate_media
    from directory.photos.storage import S3Credentials, location_of, open_store

    settings = get_settings()
    credentials = S3Credentials.from_settings(settings)
    try:
        source_location = parse_media_url(source_url) if source_url else location_of(settings)
        target_location = parse_media_url(to)
        source = open_store(source_location, credentials)
        target = open_store(target_location, credentials)
    except (ValueError, RuntimeError) as exc:
        fail(escape(str(exc)), EXIT_BAD_USAGE)
    if source.url == target.url:
        fail(escape(f"the source and the target are the same store ({source.url})"), 2)
    err_console.print(f"copying photos from {source.url} to {target.url}", markup=False)
    try:
        with progress_bar("photos") as sink:
            report = migrate_media(source, target, workers=workers, progress=sink)
    except Exception as exc:  # listing the source failed: nothing was copied
        fail(escape(f"could not list {source.url}: {exc}"), EXIT_SOME_FAILED)
    for name, reason in report.failures[:FAILURES_SHOWN]:
        one_line = " ".join(reason.split())
        err_console.print(
            f"failed: {name}: {one_line}", markup=False, highlight=False, soft_wrap=True
        )
    if report.failed > FAILURES_SHOWN:
        err_console.print(f"… and {report.failed - FAILURES_SHOWN} more", highlight=False)
    typer.echo(f"copied {report.copied}, skipped {report.skipped}, failed {report.failed}")
    if report.failed:
        raise typer.Exit(EXIT_SOME_FAILED)
