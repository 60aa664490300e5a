"""Importing interactions (``dekat import interactions FILE``): views, clicks, saves, calls, visits.

Columns: ``user_id``, ``business_external_id`` or ``business_id`` (either; both must then
name the same business), ``kind`` (view, click, save, call, visit) and ``at`` (ISO 8601;
a time without an offset is local time in the directory's time zone). CSV and JSON Lines.

An interaction equal in all four values to one already stored (or earlier in the file)
is skipped, so importing the same file twice adds nothing. Each business's
``interaction_count`` grows by the rows added, in the same transaction, with
``count = count + n`` statements so that concurrent writers are never overwritten.
Bad rows follow the business import's rules: the file is refused unless ``skip_bad``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from directory.errors import FieldError
from directory.io.errors import FormatError, RowError
from directory.io.formats import FileFormat, Progress, Record, RecordReader, estimate_records
from directory.models import Business, Interaction, utcnow

INTERACTION_COLUMNS: Final = ("user_id", "business_external_id", "business_id", "kind", "at")
KINDS: Final = ("view", "click", "save", "call", "visit")
USER_ID_MAX_LEN: Final = 100
EXTERNAL_ID_MAX_LEN: Final = 100
BATCH: Final = 5_000
FUTURE_SLACK: Final = timedelta(days=1)
_IN_CHUNK: Final = 900
IMPORT_SOURCE: Final = "import"
"""``interaction.source`` of imported rows: the operator's own file, no API key."""


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    user_id: str
    external_id: str | None
    business_id: int | None
    kind: str
    at: datetime


@dataclass
class InteractionImportReport:
    """What an interaction import did. ``written`` is False when the file was refused."""

    rows: int = 0
    bad_rows: int = 0
    inserted: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    written: bool = False


def _parse_at(text: str, zone: ZoneInfo, latest: datetime) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        message = f"'{text[:40]}' is not an ISO 8601 time (2024-05-01T19:30:00+07:00)"
        raise ValueError(message) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    if value > latest:
        raise ValueError("is in the future")
    return value.astimezone(latest.tzinfo)


def parse_interaction(record: Record, *, zone: ZoneInfo, latest: datetime) -> _Row:
    """Check one record's fields (not yet whether its business exists)."""
    errors = list(record.errors)
    values = record.values
    user_id = values.get("user_id", "").strip()
    if not user_id:
        errors.append(FieldError("user_id", "is required"))
    elif len(user_id) > USER_ID_MAX_LEN or not user_id.isprintable():
        errors.append(FieldError("user_id", "must be printable and at most 100 characters"))
    external_id = values.get("business_external_id", "").strip() or None
    if external_id is not None and len(external_id) > EXTERNAL_ID_MAX_LEN:
        errors.append(FieldError("business_external_id", "must be at most 100 characters"))
    business_id: int | None = None
    if id_text := values.get("business_id", "").strip():
        if id_text.isdecimal() and 0 < int(id_text) < 2**31:
            business_id = int(id_text)
        else:
            errors.append(FieldError("business_id", "must be a positive whole number"))
    elif external_id is None:
        errors.append(FieldError("business_external_id", "is required (or business_id)"))
    kind = values.get("kind", "").strip().lower()
    if kind not in KINDS:
        errors.append(FieldError("kind", f"must be one of {', '.join(KINDS)}"))
    at = latest
    if at_text := values.get("at", "").strip():
        try:
            at = _parse_at(at_text, zone, latest)
        except ValueError as exc:
            errors.append(FieldError("at", str(exc)))
    else:
        errors.append(FieldError("at", "is required"))
    if errors:
        raise _BadRow(errors)
    return _Row(record.line, user_id, external_id, business_id, kind, at)


class _BadRow(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("bad row")
        self.errors = errors


class _Importer:
    def __init__(self, session: Session, *, skip_bad: bool, max_errors: int) -> None:
        self.session = session
        self.skip_bad = skip_bad
        self.max_errors = max_errors
        self.report = InteractionImportReport()
        self.counts: Counter[int] = Counter()

    @property
    def writing(self) -> bool:
        return self.skip_bad or self.report.bad_rows == 0

    def bad(self, line: int, errors: Sequence[FieldError]) -> None:
        self.report.bad_rows += 1
        for e in errors:
            self.report.error_count += 1
            if len(self.report.errors) < self.max_errors:
                self.report.errors.append(RowError(line, e.field, e.message))

    def batch(self, rows: list[_Row]) -> None:
        """Resolve businesses, report unknown ones, store the rest (unless refusing)."""
        resolved = self._resolve(rows)
        good: list[tuple[_Row, int]] = []
        for row in rows:
            problem, bid = resolved(row)
            if problem is not None:
                self.bad(row.line, [problem])
            elif bid is not None:
                good.append((row, bid))
        if self.writing:
            self._store(good)

    def _resolve(self, rows: list[_Row]) -> _Resolved:
        ext_ids = sorted({r.external_id for r in rows if r.external_id})
        ids = sorted({r.business_id for r in rows if r.business_id is not None})
        by_ext: dict[str, int] = {}
        for start in range(0, len(ext_ids), _IN_CHUNK):
            by_ext.update(
                (ext, bid)
                for ext, bid in self.session.execute(
                    select(Business.external_id, Business.id).where(
                        Business.external_id.in_(ext_ids[start : start + _IN_CHUNK])
                    )
                )
                if ext is not None
            )
        known: set[int] = set()
        for start in range(0, len(ids), _IN_CHUNK):
            known.update(
                self.session.scalars(
                    select(Business.id).where(Business.id.in_(ids[start : start + _IN_CHUNK]))
                )
            )
        return _Resolved(by_ext, known)

    def _store(self, good: list[tuple[_Row, int]]) -> None:
        if not good:
            return
        stored = self._stored_keys(good)
        now = utcnow()
        new: list[dict[str, object]] = []
        for row, bid in good:
            key = (row.user_id, bid, row.kind, row.at)
            if key in stored:
                self.report.duplicates += 1
                continue
            stored.add(key)
            new.append(
                {"user_id": row.user_id, "business_id": bid, "kind": row.kind, "at": row.at,
                 "created_at": now, "source": IMPORT_SOURCE}
            )  # fmt: skip
            self.counts[bid] += 1
        if new:
            self.session.execute(insert(Interaction), new)
            self.report.inserted += len(new)

    def _stored_keys(self, good: list[tuple[_Row, int]]) -> set[tuple[str, int, str, datetime]]:
        bids = sorted({bid for _, bid in good})
        first = min(row.at for row, _ in good)
        last = max(row.at for row, _ in good)
        keys: set[tuple[str, int, str, datetime]] = set()
        for start in range(0, len(bids), _IN_CHUNK):
            keys.update(
                (u, b, k, a)
                for u, b, k, a in self.session.execute(
                    select(
                        Interaction.user_id,
                        Interaction.business_id,
                        Interaction.kind,
                        Interaction.at,
                    ).where(
                        Interaction.business_id.in_(bids[start : start + _IN_CHUNK]),
                        Interaction.at >= first,
                        Interaction.at <= last,
                    )
                )
            )
        return keys

    def finish_counts(self) -> None:
        """Add the new interactions to each business's counter, relative to its value."""
        if not self.counts:
            return
        table = cast(Table, Business.__table__)
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(interaction_count=table.c.interaction_count + bindparam("n"))
        )
        params = [{"b_id": bid, "n": n} for bid, n in sorted(self.counts.items())]
        self.session.connection().execute(stmt, params)


@dataclass(frozen=True, slots=True)
class _Resolved:
    by_ext: dict[str, int]
    known: set[int]

    def __call__(self, row: _Row) -> tuple[FieldError | None, int | None]:
        bid = None
        if row.external_id is not None:
            bid = self.by_ext.get(row.external_id)
            if bid is None:
                message = f"unknown business '{row.external_id[:60]}'"
                return FieldError("business_external_id", message), None
        if row.business_id is not None:
            if row.business_id not in self.known:
                return FieldError("business_id", f"unknown business {row.business_id}"), None
            if bid is not None and bid != row.business_id:
                message = "names a different business than business_external_id"
                return FieldError("business_id", message), None
            bid = row.business_id
        return None, bid


def _batches(
    reader: RecordReader, run: _Importer, zone: ZoneInfo, latest: datetime
) -> Iterator[tuple[int, list[_Row]]]:
    rows: list[_Row] = []
    seen = 0
    for record in reader:
        seen += 1
        try:
            rows.append(parse_interaction(record, zone=zone, latest=latest))
        except _BadRow as bad:
            run.bad(record.line, bad.errors)
        if seen >= BATCH:
            yield seen, rows
            rows, seen = [], 0
    if seen:
        yield seen, rows


def import_interactions(
    session: Session,
    path: Path,
    *,
    skip_bad: bool = False,
    timezone: str = "Asia/Jakarta",
    now: datetime | None = None,
    max_errors: int = 1000,
    progress: Progress | None = None,
) -> InteractionImportReport:
    """Validate and store an interaction file in one transaction; commits unless refused."""
    zone = ZoneInfo(timezone)
    latest = (now or utcnow()) + FUTURE_SLACK
    run = _Importer(session, skip_bad=skip_bad, max_errors=max_errors)
    allowed = (FileFormat.CSV, FileFormat.JSONL)
    required = ("user_id", "kind", "at")
    try:
        with RecordReader(
            path, columns=INTERACTION_COLUMNS, required=required, allowed=allowed
        ) as reader:
            if reader.header is not None and not {"business_external_id", "business_id"} & set(
                reader.header
            ):
                raise FormatError(
                    f"{path.name}: line 1: missing column business_external_id (or business_id)"
                )
            if progress:
                progress(0, estimate_records(path))
            for count, rows in _batches(reader, run, zone, latest):
                run.report.rows += count
                run.batch(rows)
                if progress:
                    progress(count)
        if run.writing:
            run.finish_counts()
    except BaseException:
        session.rollback()
        raise
    if run.writing:
        session.commit()
        run.report.written = True
    else:
        session.rollback()
        run.report.inserted = run.report.duplicates = 0
    run.report.errors.sort(key=lambda e: e.line)
    return run.report
