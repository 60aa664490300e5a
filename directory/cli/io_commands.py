"""``dekat import ...`` and ``dekat export ...``: moving businesses, areas and interactions.

Exit codes (``docs/import-export.md``): 0 when every row was imported; 1 when nothing was
written (a file-level error, or bad rows without ``--skip-bad``); 2 when ``--skip-bad``
imported the good rows and some rows were bad. Every bad value is one line on stderr:
``line 12: lat: must be between -90 and 90``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from directory.cli.console import err_console, fail, progress_bar
from directory.cli.main import app
from directory.db import make_engine, make_session_factory
from directory.errors import DirectoryError
from directory.io.errors import RowError
from directory.settings import Settings, get_settings

T = TypeVar("T")
EXIT_REFUSED = 1
EXIT_SOME_BAD = 2
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

import_app = typer.Typer(
    name="import",
    help="Import businesses, area boundaries or interactions from a file.",
    no_args_is_help=True,
)
export_app = typer.Typer(name="export", help="Export businesses to a file.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

FileArg = Annotated[
    Path, typer.Argument(help="A .csv, .geojson/.json or .jsonl/.ndjson file.", show_default=False)
]
SkipBad = Annotated[
    bool,
    typer.Option(
        "--skip-bad",
        help="Import the good rows and report the bad ones (exit code 2) instead of "
        "refusing the whole file.",
    ),
]
MaxErrors = Annotated[
    int, typer.Option(min=0, help="Bad values listed at most (0 = all); all are counted.")
]


def _one_line(text: str) -> str:
    """Control characters shown escaped, so that every report stays one line."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def _say(message: str) -> None:
    err_console.print(_one_line(message), markup=False, highlight=False, soft_wrap=True)


def _fail(message: str) -> NoReturn:
    fail(escape(_one_line(message)))


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    """A migrated database (an import may be the first command run) and one session."""
    from directory.bootstrap import prepare_database

    prepare_database(settings, demo=False)
    engine = make_engine(settings.database_url)
    try:
        session = make_session_factory(engine)()
        try:
            yield session
        finally:
            session.close()
    finally:
        engine.dispose()


def _run(action: Callable[[Session], T]) -> T:
    """Run a service call, turning every expected failure into one line and exit 1."""
    settings = get_settings()
    try:
        with _session(settings) as session:
            return action(session)
    except DirectoryError as exc:
        _fail(exc.detail)
    except OSError as exc:
        _fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    except SQLAlchemyError as exc:
        _fail(f"database error: {type(exc).__name__}: {str(exc).splitlines()[0]}")


def _finish(
    *,
    errors: Sequence[RowError],
    error_count: int,
    bad_rows: int,
    rows: int,
    written: bool,
    summary: str,
    max_errors: int,
) -> None:
    """Print each bad value, then one summary line; exit 1 (refused) or 2 (some skipped)."""
    shown = errors if max_errors == 0 else errors[:max_errors]
    for error in shown:
        _say(str(error))
    if error_count > len(shown):
        _say(f"... and {error_count - len(shown)} more bad values (--max-errors 0 lists all)")
    if not bad_rows:
        _say(summary)
        return
    if not written:
        _fail(
            f"refused: {bad_rows} of {rows} rows are bad; nothing was written "
            "(fix them, or use --skip-bad to import the good rows)"
        )
    _say(summary)
    err_console.print(
        f"[yellow]warning:[/yellow] skipped {bad_rows} bad rows of {rows}",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(EXIT_SOME_BAD)


@import_app.command("businesses")
def import_businesses_command(
    file: FileArg,
    skip_bad: SkipBad = False,
    create_categories: Annotated[
        bool,
        typer.Option(
            "--create-categories",
            help="Create unknown categories (under 'lainnya' when it exists) instead of "
            "rejecting their rows.",
        ),
    ] = False,
    default_category: Annotated[
        str | None,
        typer.Option(
            metavar="SLUG",
            help="Category for rows whose category is empty and whose name says nothing "
            "(default: 'lainnya', the shipped 'Other' category).",
        ),
    ] = None,
    no_infer: Annotated[
        bool,
        typer.Option(
            "--no-infer",
            help="Do not guess a missing category from the name and description; such "
            "rows get the default category.",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Check the file and print what would change (per field), writing nothing.",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(min=0, max=32, help="Validation processes (default: by file size)."),
    ] = None,
    max_errors: MaxErrors = 1000,
) -> None:
    """Import businesses; rows are matched on external_id, so re-importing updates."""
    from directory.io.businesses_io import ImportOptions, ImportReport, import_businesses

    options = ImportOptions(
        skip_bad=skip_bad,
        create_categories=create_categories,
        default_category=default_category,
        workers=workers,
        max_errors=max_errors if max_errors else 10**9,
        infer=not no_infer,
        dry_run=dry_run,
    )

    def action(session: Session) -> ImportReport:
        with progress_bar("import businesses") as sink:
            return import_businesses(session, file, options=options, progress=sink)

    report = _run(action)
    if report.ignored_columns:
        _say(f"warning: ignored unknown column(s): {', '.join(report.ignored_columns)}")
    for slug in report.categories_created:
        _say(f"created category '{slug}'")
    for warning in report.warnings:
        _say(str(warning))
    if report.written and (report.inferred or report.defaulted):
        _say(
            f"categories: {report.inferred} inferred from the name, {report.defaulted} "
            f"uncategorised (given '{report.default_category}')"
        )
    rate = report.rows / report.seconds if report.seconds > 0 else 0.0
    changes = ", ".join(f"{name} {n}" for name, n in report.field_changes.items())
    if report.updated:
        _say(f"changed fields: {changes or 'categories only'}")
    verb = "dry run, nothing written: would import" if report.dry_run else "imported"
    would = "would be " if report.dry_run else ""
    _finish(
        errors=report.errors,
        error_count=report.error_count,
        bad_rows=report.bad_rows,
        rows=report.rows,
        written=report.written,
        max_errors=max_errors,
        summary=(
            f"{verb} {file.name}: {report.rows - report.bad_rows} businesses — "
            f"{report.created} {would}created, {report.updated} {would}updated, "
            f"{report.unchanged} unchanged ({report.seconds:.1f} s, {rate:,.0f} rows/s)"
        ),
    )


@import_app.command("osm")
def import_osm_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="An OpenStreetMap file: .osm.pbf, .osm, Overpass JSON (.json) or GeoJSON.",
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would happen, write nothing.")
    ] = False,
    max_errors: MaxErrors = 1000,
) -> None:
    """Import OpenStreetMap points of interest (named nodes and ways with a POI tag);
    re-importing updates, matched existing listings only get their empty fields filled."""
    from directory.io.osm.importer import OsmImportReport, import_osm

    def action(session: Session) -> OsmImportReport:
        with progress_bar("import osm") as sink:
            return import_osm(session, file, dry_run=dry_run, progress=sink)

    report = _run(action)
    shown = report.warnings if max_errors == 0 else report.warnings[:max_errors]
    for warning in shown:
        _say(f"warning: {warning}")
    if report.warning_count > len(shown):
        _say(f"... and {report.warning_count - len(shown)} more warnings")
    for reason, count in sorted(report.skipped.items(), key=lambda item: -item[1]):
        _say(f"skipped {count}: {reason}")
    verb = "dry run, nothing written: would import" if dry_run else "imported"
    _say(
        f"{verb} {file.name}: {report.objects} tagged objects — {report.imported} new, "
        f"{report.matched} matched existing listings, {report.updated} updated, "
        f"{report.unchanged} unchanged, {sum(report.skipped.values())} skipped "
        f"({report.seconds:.1f} s); data © OpenStreetMap contributors, ODbL"
    )


@import_app.command("areas")
def import_areas_command(
    file: FileArg, skip_bad: SkipBad = False, max_errors: MaxErrors = 1000
) -> None:
    """Import area boundaries (GeoJSON Polygon/MultiPolygon features with name and kind),
    then re-assign every business to its area."""
    from directory.io.areas_io import AreaImportReport, import_areas

    def action(session: Session) -> AreaImportReport:
        with progress_bar("import areas") as sink:
            return import_areas(session, file, skip_bad=skip_bad, progress=sink)

    report = _run(action)
    _finish(
        errors=report.errors,
        error_count=len(report.errors),
        bad_rows=report.bad_features,
        rows=report.features,
        written=report.written,
        max_errors=max_errors,
        summary=(
            f"imported {file.name}: {report.created} areas created, {report.updated} updated; "
            f"{report.businesses_reassigned} businesses moved to another area"
        ),
    )


@import_app.command("interactions")
def import_interactions_command(
    file: FileArg, skip_bad: SkipBad = False, max_errors: MaxErrors = 1000
) -> None:
    """Import interactions (user_id, business_external_id or business_id, kind, at)."""
    from directory.io.interactions_io import InteractionImportReport, import_interactions

    settings = get_settings()

    def action(session: Session) -> InteractionImportReport:
        with progress_bar("import interactions") as sink:
            return import_interactions(
                session,
                file,
                skip_bad=skip_bad,
                timezone=settings.timezone,
                max_errors=max_errors if max_errors else 10**9,
                progress=sink,
            )

    report = _run(action)
    _finish(
        errors=report.errors,
        error_count=report.error_count,
        bad_rows=report.bad_rows,
        rows=report.rows,
        written=report.written,
        max_errors=max_errors,
        summary=(
            f"imported {file.name}: {report.inserted} interactions added, "
            f"{report.duplicates} already present"
        ),
    )


@export_app.command("businesses")
def export_businesses_command(file: FileArg) -> None:
    """Export published businesses with the import columns (format by file extension)."""
    from directory.io.businesses_io import export_businesses

    def action(session: Session) -> int:
        with progress_bar("export businesses") as sink:
            return export_businesses(session, file, progress=sink)

    count = _run(action)
    _say(f"exported {count} businesses to {file}")
