"""Importing and exporting businesses (``dekat import businesses`` / ``dekat export businesses``).

Import is one transaction. Records are validated as they stream in and written in
batches of 5,000; when any record is bad the writing stops, the rest of the file is still
checked so that every bad value is reported, and the transaction is rolled back: the
database is never left half-written. With ``skip_bad`` the good records are written (still
in one transaction) and the bad ones reported.

Rows are matched on ``external_id``, so importing a file twice updates rather than
duplicates (rows without one are always created). An ``external_id`` that appears twice
in one file is an error on its second line.

Export writes published businesses in id order with the import columns, canonically
formatted, so that export → import → export gives an identical file. ``rating`` and
``rating_count`` are the imported baseline, not the live aggregate with reviews: importing
an export back into the same database therefore changes nothing.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.areas.category_infer import CategoryInferrer
from directory.areas.category_lookup import CategoryLookup
from directory.bulk_insert import DeferredIndexes
from directory.businesses.input import (
    BUSINESS_COLUMNS,
    CATEGORY_DEFAULT,
    CATEGORY_INFERRED,
    REQUIRED_COLUMNS,
    BusinessInput,
)
from directory.businesses.writes import BATCH, BusinessUpserter, Derived
from directory.errors import FieldError
from directory.io.business_validation import (
    UNRESOLVED_CATEGORY,
    Validated,
    ValidationContext,
    auto_workers,
    validated_chunks,
    validated_csv_blocks,
)
from directory.io.errors import RowError
from directory.io.formats import (
    Cell,
    FileFormat,
    Progress,
    RecordReader,
    RecordWriter,
    estimate_records,
)
from directory.models import Business, BusinessStatus, Category
from directory.search import indexing
from directory.search.indexing import optimize_search_indexes
from directory.search.tables import search_doc

EXPORT_BATCH: Final = 5_000
SQLITE_IMPORT_CACHE_KIB: Final = 512 * 1024
GC_EVERY_CHUNKS: Final = 50  # young-generation collections while importing (see below)
# A large import leaves the full-text index in many segments: compact it once at the end
# (see ``optimize_search_indexes``); a bulk load always does (it fills the index unmerged).
OPTIMIZE_FROM_ROWS: Final = 10_000
# A file at least this large (estimated) going into an empty directory is bulk-loaded:
# secondary and search indexes are built once at the end instead of row by row.
BULK_FROM_ROWS: Final = 10_000
# Tables whose secondary indexes a bulk load drops and rebuilds (those it writes).
BULK_TABLES: Final = ("business", "business_category", "search_doc", "search_cell", "search_geo")


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to treat bad rows and categories; see ``docs/import-export.md``."""

    skip_bad: bool = False
    create_categories: bool = False
    default_category: str | None = None  # a slug; None → "lainnya" when it exists
    workers: int | None = None  # validation processes; None → by file size, 0 → none
    max_errors: int = 1000  # errors kept for the report (all are counted)
    source: str = "import"
    infer: bool = True  # guess a missing category from the name (--no-infer: off)
    dry_run: bool = False  # validate and count what would change, then roll back


@dataclass
class ImportReport:
    """What an import did. ``written`` is False when the file was refused."""

    rows: int = 0
    bad_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    written: bool = False
    ignored_columns: tuple[str, ...] = ()
    categories_created: list[str] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[RowError] = field(default_factory=list)  # values partly dropped
    field_changes: dict[str, int] = field(default_factory=dict)  # per field, updated rows
    dry_run: bool = False
    inferred: int = 0  # rows whose category was guessed from the name/description
    defaulted: int = 0  # rows without a category that got the default category
    default_category: str | None = None  # its slug
    bulk_load: bool = False  # indexes were built once at the end (empty directory)


class _Importer:
    """One run of an import: collects errors, batches good rows, writes unless refused."""

    def __init__(self, session: Session, options: ImportOptions, fmt: FileFormat) -> None:
        self.session = session
        self.options = options
        self.geojson = fmt is FileFormat.GEOJSON
        self.report = ImportReport()
        self.lookup = CategoryLookup(session)
        self.upserter = BusinessUpserter(session, source=options.source)
        self.pending: list[BusinessInput] = []
        self.derived: list[Derived | None] = []
        self.first_line: dict[str, int] = {}

    def context(self) -> ValidationContext:
        default_id = self.lookup.default_id(self.options.default_category)
        self.report.default_category = self.lookup.slug_of(default_id)
        return ValidationContext(
            categories=dict(self.lookup.keys),
            default_category_id=default_id,
            create_categories=self.options.create_categories,
            inferrer=CategoryInferrer.from_session(self.session) if self.options.infer else None,
        )

    @property
    def writing(self) -> bool:
        return self.options.skip_bad or self.report.bad_rows == 0

    def take(self, result: Validated) -> None:
        self.report.rows += 1
        data = result.data
        errors = list(result.errors)
        if data is not None and data.external_id is not None:
            first = self.first_line.setdefault(data.external_id, result.line)
            if first != result.line:
                errors.append(FieldError("external_id", f"repeats the one on line {first}"))
        if errors or data is None:
            self._bad(result, errors)
            return
        if result.new_category is not None and self.writing:
            data = dataclasses.replace(data, category_id=self.lookup.create(result.new_category))
        if data.category_id == UNRESOLVED_CATEGORY:
            return  # refused anyway: creating categories would be wasted work
        for warning in data.warnings:
            if len(self.report.warnings) < self.options.max_errors:
                self.report.warnings.append(
                    RowError(result.line, warning.field, f"warning: {warning.message}")
                )
        if data.category_origin == CATEGORY_INFERRED:
            self.report.inferred += 1
        elif data.category_origin == CATEGORY_DEFAULT:
            self.report.defaulted += 1
        self.pending.append(data)
        self.derived.append(result.derived)
        if len(self.pending) >= BATCH:
            self.flush()

    def _bad(self, result: Validated, errors: list[FieldError]) -> None:
        self.report.bad_rows += 1
        for error in errors:
            self.report.error_count += 1
            if len(self.report.errors) < self.options.max_errors:
                self.report.errors.append(
                    RowError(
                        line=result.line,
                        field=error.field,
                        message=error.message,
                        feature=result.number if self.geojson else None,
                    )
                )
        if not self.options.skip_bad:
            self.pending.clear()  # the file will be refused: stop writing
            self.derived.clear()

    def flush(self) -> None:
        if self.pending and self.writing:
            self.upserter.upsert(self.pending, derived=self.derived)
        self.pending = []
        self.derived = []


def import_businesses(
    session: Session,
    path: Path,
    *,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate and store a business file in one transaction; commits unless refused."""
    options = options or ImportOptions()
    started = time.perf_counter()
    with RecordReader(
        path, columns=BUSINESS_COLUMNS, required=REQUIRED_COLUMNS, point=True
    ) as reader:
        estimate = estimate_records(path)
        run = _Importer(session, options, reader.format)
        run.report.ignored_columns = reader.ignored_columns
        context = run.context()
        workers = auto_workers(estimate) if options.workers is None else options.workers
        if progress:
            progress(0, estimate)
        bulk = not options.dry_run and estimate >= BULK_FROM_ROWS and _empty_directory(session)
        try:
            with (
                _bulk_session(session),
                _young_collections_only(),
                _bulk_load(session, bulk) as finish,
            ):
                for n, chunk in enumerate(_validated(reader, context, workers)):
                    for result in chunk:
                        run.take(result)
                    if n % GC_EVERY_CHUNKS == GC_EVERY_CHUNKS - 1:
                        gc.collect(1)
                    if progress:
                        progress(len(chunk))
                run.flush()
                if run.writing:
                    finish()
        except BaseException:
            session.rollback()
            raise
    report = run.report
    report.bulk_load = bulk and run.writing
    report.created = run.upserter.created
    report.updated = run.upserter.updated
    report.unchanged = run.upserter.unchanged
    report.categories_created = list(run.lookup.created)
    report.field_changes = dict(sorted(run.upserter.field_changes.items()))
    report.dry_run = options.dry_run
    if run.writing and options.dry_run:
        session.rollback()  # everything was written inside the transaction: undo it all
    elif run.writing:
        session.commit()
        report.written = True
        if report.created + report.updated >= OPTIMIZE_FROM_ROWS or report.bulk_load:
            # After the data is safely committed: a failure here loses nothing.
            optimize_search_indexes(session)
            session.commit()
    else:
        session.rollback()
        report.created = report.updated = report.unchanged = 0
        report.inferred = report.defaulted = 0
        report.field_changes = {}
        report.categories_created = []
    if progress:
        progress(0, report.rows)
    report.seconds = time.perf_counter() - started
    return report


def _validated(
    reader: RecordReader, context: ValidationContext, workers: int
) -> Iterator[list[Validated]]:
    """Validated records in file order; with workers, a CSV file is also read by them."""
    # One worker reading and parsing every row would bound the writer (it waits for that
    # worker); with one worker the writer reads the file itself and the worker validates.
    blocks = reader.csv_blocks() if workers > 1 else None
    if blocks is not None:
        return validated_csv_blocks(reader, blocks, context, workers=workers)
    return validated_chunks(reader, context, workers=workers)


def _empty_directory(session: Session) -> bool:
    """No business and no search document stored: a load may skip per-row index upkeep."""
    return (
        session.scalar(select(Business.id).limit(1)) is None
        and session.scalar(select(search_doc.c.business_id).limit(1)) is None
    )


@contextmanager
def _bulk_load(session: Session, enabled: bool) -> Iterator[Callable[[], None]]:
    """A bulk load into an empty directory; yields what finishes it before the commit.

    Inside, the secondary indexes of :data:`BULK_TABLES` are dropped and the search
    indexes only appended to (``indexing.bulk_search_load``); the finishing call writes the
    vocabulary, the full-text index and every dropped index once, in bulk. All of it is
    in the import's transaction: a refused or failed import rolls back to the indexes as
    they were, and one that is never finished is never committed (the caller only commits
    a writing run, and finishes every writing run). Disabled, it does nothing.
    """
    if not enabled:
        yield lambda: None
        return
    deferred = DeferredIndexes(session, BULK_TABLES)
    with indexing.bulk_search_load(session) as load:

        def finish() -> None:
            load.finish()
            deferred.rebuild()

        yield finish


@contextmanager
def _young_collections_only() -> Iterator[None]:
    """Pause the automatic cyclic garbage collector; the loop collects young objects itself.

    An import keeps millions of objects alive (the slug set, the external ids seen, the
    pending batch) and the collector's full passes walk all of them again and again: over a
    quarter of the main process's time on a large file. Collecting the young generations
    every ``GC_EVERY_CHUNKS`` chunks (~100,000 rows) still frees the few cycles the
    batches leave behind (a few hundred objects per chunk).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _bulk_session(session: Session) -> Iterator[None]:
    """On SQLite, a bigger page cache while a large import runs (indexes stay in memory)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_IMPORT_CACHE_KIB:d}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000):d}")


# ------------------------------------------------------------------ export


def _round(value: float, digits: int) -> float:
    rounded = round(value, digits)
    return 0.0 if rounded == 0 else rounded


_ExportRow = tuple[
    str | None,
    str,
    str,
    float,
    float,
    str,
    str | None,
    str | None,
    str | None,
    int | None,
    float,
    int,
    str,
]


def export_row(business: _ExportRow) -> dict[str, Cell]:
    """A business as an import row: the columns of ``BUSINESS_COLUMNS``, canonical values."""
    (ext, name, slug, lat, lon, address, phone, website, hours, price, bsum, bcount, desc) = (
        business
    )
    rating = _round(bsum / bcount, 2) if bcount > 0 else None
    return {
        "external_id": ext,
        "name": name,
        "category": slug,
        "lat": _round(lat, 7),
        "lon": _round(lon, 7),
        "address": address,
        "phone": phone,
        "website": website,
        "opening_hours": hours,
        "price_level": price,
        "rating": rating,
        "rating_count": bcount if rating is not None else 0,
        "description": desc,
    }


def export_businesses(session: Session, path: Path, *, progress: Progress | None = None) -> int:
    """Write every published business to ``path`` (format by extension); returns the count."""
    writer = RecordWriter(path, columns=BUSINESS_COLUMNS, point=True)
    try:
        if progress:
            progress(0, _published_count(session))
        last_id = 0
        while True:
            rows = session.execute(
                select(
                    Business.id,
                    Business.external_id,
                    Business.name,
                    Category.slug,
                    Business.lat,
                    Business.lon,
                    Business.address,
                    Business.phone,
                    Business.website,
                    Business.opening_hours,
                    Business.price_level,
                    Business.base_rating_sum,
                    Business.base_rating_count,
                    Business.description,
                )
                .join(Category, Category.id == Business.primary_category_id)
                .where(Business.status == BusinessStatus.PUBLISHED, Business.id > last_id)
                .order_by(Business.id)
                .limit(EXPORT_BATCH)
            ).all()
            if not rows:
                break
            last_id = rows[-1][0]
            for row in rows:
                writer.write(export_row(tuple(row[1:])))
            if progress:
                progress(len(rows))
    except BaseException:
        writer.discard()
        raise
    return writer.commit()


def _published_count(session: Session) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(Business)
        .where(Business.status == BusinessStatus.PUBLISHED)
    )
    return int(count or 0)
