"""Validating business records in bulk, in this process or in worker processes.

Validation (text cleaning, phone numbers, URLs, hours) costs about as much as writing the
row; a large import therefore validates in worker processes while the main process writes
the previous batch. Workers receive plain records and return plain
results, in file order; they never touch the database. Only a few in-flight chunks are
queued, so memory stays flat however long the file is.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, fields, replace
from typing import Final

from directory.areas.category_infer import CategoryInferrer
from directory.areas.category_lookup import resolve_category
from directory.businesses.input import BusinessInput, parse_business_fields
from directory.businesses.writes import Derived, derive
from directory.errors import FieldError, InvalidInput
from directory.io.errors import FormatError
from directory.io.formats import CsvLayout, Record, RecordReader, parse_csv_block
from directory.search.text_match import TextTerms

CHUNK_RECORDS: Final = 2_000
PARALLEL_FROM_RECORDS: Final = 20_000  # below this, starting workers costs more than it saves
UNRESOLVED_CATEGORY: Final = -1
_RECORD_LEVEL: Final = frozenset({"row", "feature", "properties"})
MISSING_CATEGORY_HINT: Final = (
    " (nothing in the name says what kind of place it is: give a category, or use "
    "--default-category SLUG, e.g. --default-category lainnya)"
)


@dataclass(frozen=True, slots=True)
class ValidationContext:
    """What a validator needs, small enough to hand to each worker once."""

    categories: dict[str, int]
    default_category_id: int | None
    create_categories: bool
    inferrer: CategoryInferrer | None = None  # None: --no-infer


@dataclass(frozen=True, slots=True)
class Validated:
    """A record's outcome: ``data`` when good, else ``errors``.

    ``new_category`` is set when the row is good except that its category does not exist
    yet and may be created (``--create-categories``); ``data.category_id`` is then a
    placeholder. ``derived`` is what the writer would otherwise compute from ``data`` in
    the main process: the slug base and the search index's folded words.
    """

    line: int
    number: int
    data: BusinessInput | None
    errors: tuple[FieldError, ...] = ()
    new_category: str | None = None
    derived: Derived | None = None


@dataclass
class _Resolver:
    context: ValidationContext
    unknown: list[str] = field(default_factory=list)

    def __call__(self, text: str) -> int | None:
        found = resolve_category(self.context.categories, text)
        if found is None and self.context.create_categories:
            self.unknown.append(text)
            return UNRESOLVED_CATEGORY
        return found


def validate_record(record: Record, context: ValidationContext) -> Validated:
    """Check one record: reading problems first, then every field."""
    errors = list(record.errors)
    if any(e.field in _RECORD_LEVEL for e in errors):
        return Validated(record.line, record.number, None, tuple(errors))
    resolver = _Resolver(context)
    try:
        data = parse_business_fields(
            record.values,
            resolve_category=resolver,
            default_category_id=context.default_category_id,
            infer_category=context.inferrer.infer if context.inferrer else None,
            missing_category_hint=MISSING_CATEGORY_HINT,
        )
    except InvalidInput as exc:
        errors.extend(exc.errors)
        return Validated(record.line, record.number, None, tuple(errors))
    if errors:
        return Validated(record.line, record.number, None, tuple(errors))
    new_category = resolver.unknown[0] if resolver.unknown else None
    data = replace(data, present=frozenset(record.values))
    return Validated(record.line, record.number, data, (), new_category, derive(data))


def validate_records(records: Sequence[Record], context: ValidationContext) -> list[Validated]:
    """:func:`validate_record` for a chunk."""
    return [validate_record(r, context) for r in records]


_worker_context: ValidationContext | None = None


def _init_worker(context: ValidationContext) -> None:
    global _worker_context
    _worker_context = context


_FIELDS: Final = tuple(f.name for f in fields(BusinessInput))
# What crosses the process boundary: plain tuples, which pickle cheaper than
# dataclasses (line, number, BusinessInput fields or None, errors, new category,
# slug base and folded words or None).
_Packed = tuple[
    int,
    int,
    tuple[object, ...] | None,
    tuple[FieldError, ...],
    str | None,
    tuple[str, TextTerms] | None,
]


def _pack(result: Validated) -> _Packed:
    data, derived = result.data, result.derived
    values = None if data is None else tuple(getattr(data, name) for name in _FIELDS)
    extra = None if derived is None else (derived.slug_base, derived.terms)
    return (result.line, result.number, values, result.errors, result.new_category, extra)


def _unpack(packed: _Packed, line_offset: int = 0, number_offset: int = 0) -> Validated:
    line, number, values, errors, new_category, extra = packed
    data = None if values is None else BusinessInput(*values)  # type: ignore[arg-type]
    derived = None if extra is None else Derived(*extra)
    return Validated(
        line + line_offset, number + number_offset, data, errors, new_category, derived
    )


def _validate_in_worker(records: list[Record]) -> list[_Packed]:
    assert _worker_context is not None
    return [_pack(validate_record(r, _worker_context)) for r in records]


# A CSV block's outcome: its packed results (lines and numbers within the block), its
# line and record counts, the reading error that stopped it and whether it ended inside
# a quoted cell (see ``formats.CsvBlock``).
_PackedBlock = tuple[list[_Packed], int, int, tuple[int, str] | None, bool]


def _read_and_validate_in_worker(data: bytes, layout: CsvLayout) -> _PackedBlock:
    assert _worker_context is not None
    block = parse_csv_block(data, layout)
    packed = [_pack(validate_record(r, _worker_context)) for r in block.records]
    return packed, block.lines, block.count, block.error, block.open_end


def auto_workers(estimated_records: int) -> int:
    """Worker processes worth starting for a file of this size (0 = validate in-process)."""
    if estimated_records < PARALLEL_FROM_RECORDS:
        return 0
    cpus = os.cpu_count() or 1
    # One core is left to the writer from three cores on. On two, two workers beat one
    # (1M rows: 119.8 s / 59.8 s first / repeated import against 125.8 s / 83.7 s): they
    # also read the CSV, and the writer no longer waits for a single worker.
    return min(4, max(cpus - 1, min(cpus, 2)))


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def validated_chunks(
    records: Iterable[Record], context: ValidationContext, *, workers: int
) -> Iterator[list[Validated]]:
    """Validated records, chunk by chunk, in file order; ``workers`` processes (0 = none)."""
    if workers <= 0:
        for chunk in _chunks(records, CHUNK_RECORDS):
            yield validate_records(chunk, context)
        return
    # spawn, not fork: a forked child would share the parent's database connections.
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(context,),
    )
    pending: deque[Future[list[_Packed]]] = deque()
    try:
        for chunk in _chunks(records, CHUNK_RECORDS):
            pending.append(pool.submit(_validate_in_worker, chunk))
            if len(pending) >= 3 * workers:
                yield [_unpack(p) for p in pending.popleft().result()]
        while pending:
            yield [_unpack(p) for p in pending.popleft().result()]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def validated_csv_blocks(
    reader: RecordReader, blocks: Iterator[bytes], context: ValidationContext, *, workers: int
) -> Iterator[list[Validated]]:
    """Like :func:`validated_chunks` for a CSV file, but the workers also read the rows.

    The main process only cuts the file's bytes into blocks at line ends
    (``RecordReader.csv_blocks``); each worker decodes and parses its block as
    ``RecordReader`` would and validates the records. Blocks are taken in file order. One
    that ends inside a quoted cell (a value holding a line break) was cut in the wrong
    place: it is parsed again joined with the next block, whose own (wrongly started)
    result is dropped. Every block taken therefore starts at a record boundary, so the
    records, line numbers and errors are exactly those of reading the file in one go.
    """
    layout = reader.csv_layout()
    pool = ProcessPoolExecutor(
        max_workers=max(1, workers),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(context,),
    )
    depth = 3 * max(1, workers)
    pending: deque[tuple[bytes, Future[_PackedBlock]]] = deque()
    line, number = 1, 0  # the header is line 1

    def submit(data: bytes) -> tuple[bytes, Future[_PackedBlock]]:
        return data, pool.submit(_read_and_validate_in_worker, data, layout)

    try:
        more = True
        while True:
            while more and len(pending) < depth:
                data = next(blocks, None)
                if data is None:
                    more = False
                else:
                    pending.append(submit(data))
            if not pending:
                return
            data, future = pending.popleft()
            packed, lines, count, error, open_end = future.result()
            if open_end:
                following = pending.popleft()[0] if pending else next(blocks, None)
                if following is not None:
                    pending.appendleft(submit(data + following))
                    continue
            yield [_unpack(p, line, number) for p in packed]
            if error is not None:
                at, message = error
                raise FormatError(f"{reader.path.name}: line {at + line}: {message}")
            line += lines
            number += count
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
