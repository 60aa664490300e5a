"""``dekat``: serve, migrate, seed, import/export, admin, recommender, evaluation."""

from __future__ import annotations

from typing import Annotated

import typer

from directory.cli.console import err_console
from directory.settings import get_settings

app = typer.Typer(
    name="dekat",
    help="Dekat: local business directory and recommendations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema to the newest revision and seed shipped data."""
    from directory.bootstrap import prepare_database

    settings = get_settings()
    report = prepare_database(settings, demo=False)
    err_console.print(f"database at revision {report.revision}", highlight=False)


@app.command("seed-demo")
def seed_demo(
    count: Annotated[int | None, typer.Option(help="How many demo businesses.")] = None,
) -> None:
    """Load the deterministic, plainly fake demo businesses (idempotent)."""
    from directory.bootstrap import prepare_database, seed_demo_data

    settings = get_settings()
    prepare_database(settings, demo=False)
    n = seed_demo_data(settings, count=count)
    err_console.print(f"demo data: {n} businesses", highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    no_demo: Annotated[
        bool, typer.Option("--no-demo", help="Do not load demo data into an empty database.")
    ] = False,
) -> None:
    """Migrate, load demo data into an empty database (unless --no-demo), and serve."""
    import uvicorn

    from directory.bootstrap import prepare_database
    from directory.serving import uvicorn_options

    settings = get_settings()
    report = prepare_database(settings, demo=not no_demo)
    err_console.print(
        f"Dekat on http://{host}:{port} — {report.businesses} businesses "
        f"({settings.database_url.split('://')[0]})",
        highlight=False,
    )
    uvicorn.run(
        "directory.app:create_app",
        factory=True,
        **uvicorn_options(settings, host=host, port=port, workers=workers),
    )


def _register_feature_commands() -> None:
    """Feature modules attach their sub-commands here (import order = help order)."""
    from directory.cli import (
        admin_commands,  # noqa: F401
        io_commands,  # noqa: F401
        media_commands,  # noqa: F401
        ops_commands,  # noqa: F401
        recommender_commands,  # noqa: F401
        search_commands,  # noqa: F401
    )


def main() -> None:
    """Console-script entry point."""
    _register_feature_commands()
    app()
