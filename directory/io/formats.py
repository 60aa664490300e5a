"""Import and export files: CSV, GeoJSON FeatureCollections and JSON Lines.

The format follows from the file name: ``.csv``; ``.geojson`` or ``.json`` (a GeoJSON
FeatureCollection of Point features whose ``properties`` hold the other columns);
``.jsonl`` or ``.ndjson`` (one JSON object per line). Readers stream, so a million-row
file is never held in memory, and every record knows the line it starts on.

Readers hand out every value as text (JSON numbers are turned back into their text), so
one validator serves all formats. Problems confined to one record (bad UTF-8, a JSON value
that is an object, a CSV row with too many cells) become that record's field errors;
problems with the file itself (unknown extension, missing header column, not a
FeatureCollection) raise :class:`FormatError`.

CSV and spreadsheets: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return is run as a formula by Excel and LibreOffice ("CSV injection"). The CSV writer puts
an apostrophe in front of such text cells (numbers are written as numbers and never
escaped), and one more in front of text that already starts with apostrophes followed by
such a character; the CSV reader removes exactly one leading apostrophe from cells of
that shape. Export then import therefore gives back the stored text unchanged.

Numbers are written canonically: floats with at most 7 decimals, trailing zeros trimmed
(``106.6527``, ``4.5``), integers as integers.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Protocol, TextIO

from directory.errors import FieldError
from directory.io.encoding import Utf8Text, bad_byte_errors, has_bad_bytes
from directory.io.errors import FormatError
from directory.io.geojson_stream import iter_features

Cell = str | int | float | None
CSV_FIELD_LIMIT: Final = 16 << 20  # a 1 MB description is read (then refused as too long)
CSV_BLOCK_BYTES: Final = 1 << 19  # ~1,700 rows of a typical business file
_FORMULA_START: Final = frozenset("=+-@\t\r")
# A sign followed by a plain number ("+6281234567890", "-6.3016", "+62 21 5312"): a
# spreadsheet reads it as a number, never runs it; such cells are left alone.
_SIGNED_NUMBER: Final = re.compile(r"[+-][0-9][0-9 .]*")


class Progress(Protocol):
    """Where long runs report progress (the CLI's progress bar fits): rows done, and the
    expected total when it becomes known."""

    def __call__(self, advance: int, total: int | None = None) -> None: ...


class FileFormat(StrEnum):
    CSV = "csv"
    GEOJSON = "geojson"
    JSONL = "jsonl"


EXTENSIONS: Final = {
    ".csv": FileFormat.CSV,
    ".geojson": FileFormat.GEOJSON,
    ".json": FileFormat.GEOJSON,
    ".jsonl": FileFormat.JSONL,
    ".ndjson": FileFormat.JSONL,
}


def format_for(path: Path) -> FileFormat:
    """The format named by the file's extension, or FormatError."""
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(EXTENSIONS)
        raise FormatError(f"{path.name}: unknown file type '{path.suffix}' (use {known})")
    return fmt


# ------------------------------------------------------------------ formula escaping


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would evaluate the cell: it starts with ``=``, ``@``, a tab,
    a carriage return, or ``+``/``-`` followed by anything but a plain number (so E.164
    phones and signed numbers are data, ``+SUM(A1)`` and ``-1+2`` are formulas)."""
    first = text[:1]
    if not first or first not in _FORMULA_START:
        return False
    return not (first in "+-" and _SIGNED_NUMBER.fullmatch(text))


def escape_formula(text: str) -> str:
    """``=1+1`` → ``'=1+1`` (and ``'=x`` → ``''=x``); other text unchanged."""
    if not text:
        return text
    return "'" + text if is_formula(text.lstrip("'")) else text


def unescape_formula(text: str) -> str:
    """The inverse of :func:`escape_formula`: drop one apostrophe before a formula start."""
    if text[:1] == "'" and is_formula(text.lstrip("'")):
        return text[1:]
    return text


def format_number(value: int | float) -> str:
    """Canonical text of a number: ``106.6527``, ``4.5``, ``12``, ``0`` (never ``-0``)."""
    if isinstance(value, int):
        return str(value)
    text = f"{value:.7f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _json_number(value: int | float) -> int | float:
    if isinstance(value, int):
        return value
    rounded = round(value, 7)
    return 0.0 if rounded == 0 else rounded


# ------------------------------------------------------------------ reading


@dataclass(frozen=True, slots=True)
class Record:
    """One row / feature / line: its values as text and any problems found reading it."""

    line: int
    number: int
    values: dict[str, str]
    errors: tuple[FieldError, ...] = ()


class RecordReader:
    """The records of one file, in file order. Use as a context manager.

    ``columns`` are the names kept (others are ignored; for CSV they are listed in
    ``ignored_columns``); a CSV header must name every column in ``required``. With
    ``point=True`` a GeoJSON Point geometry supplies ``lat`` and ``lon``.
    """

    def __init__(
        self,
        path: Path,
        *,
        columns: Sequence[str],
        required: Sequence[str] = (),
        point: bool = False,
        allowed: Sequence[FileFormat] = tuple(FileFormat),
    ) -> None:
        self.path = path
        self.format = format_for(path)
        if self.format not in allowed:
            names = ", ".join(f.value for f in allowed)
            raise FormatError(
                f"{path.name}: a {self.format.value} file cannot be used here (use {names})"
            )
        self.columns = tuple(columns)
        self.point = point
        self.ignored_columns: tuple[str, ...] = ()
        self.header: tuple[str, ...] | None = None  # a CSV file's column names
        try:
            self._text = Utf8Text(path, newline="" if self.format is FileFormat.CSV else "\n")
        except OSError as exc:
            raise FormatError(f"cannot read {path}: {exc.strerror or exc}") from None
        self._csv: Any = None
        self._header: list[tuple[str, int]] = []
        self._width = 0
        if self.format is FileFormat.CSV:
            try:
                self._read_header(required)
            except BaseException:
                self.close()
                raise

    def __enter__(self) -> RecordReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._text.close()

    def __iter__(self) -> Iterator[Record]:
        if self.format is FileFormat.CSV:
            return self._csv_records()
        if self.format is FileFormat.JSONL:
            return self._jsonl_records()
        return self._geojson_records()

    # -- CSV

    def _read_header(self, required: Sequence[str]) -> None:
        csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
        self._csv = csv.reader(self._text.text, strict=True)
        try:
            header = next(self._csv, None)
        except csv.Error as exc:
            raise FormatError(f"{self.path.name}: line 1: {exc}") from None
        if header is None:
            raise FormatError(f"{self.path.name}: the file is empty (expected a header row)")
        names = [unescape_formula(h).strip().lower() for h in header]
        if any(has_bad_bytes(n) for n in names):
            raise FormatError(f"{self.path.name}: line 1: the header is not valid UTF-8")
        dupes = sorted({n for n in names if n and names.count(n) > 1})
        if dupes:
            raise FormatError(f"{self.path.name}: line 1: repeated column(s): {', '.join(dupes)}")
        missing = [c for c in required if c not in names]
        if missing:
            raise FormatError(
                f"{self.path.name}: line 1: missing required column(s): {', '.join(missing)} "
                f"(columns are: {', '.join(self.columns)})"
            )
        self.header = tuple(names)
        self._header = [(n, i) for i, n in enumerate(names) if n in self.columns]
        self.ignored_columns = tuple(n for n in names if n and n not in self.columns)
        self._width = len(names)

    def _csv_records(self) -> Iterator[Record]:
        reader, layout, text = self._csv, self.csv_layout(), self._text
        number = 0
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader, None)
            except csv.Error as exc:
                raise FormatError(f"{self.path.name}: line {start}: {exc}") from None
            if row is None:
                return
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            number += 1
            yield _csv_record(row, layout, start, number, text.saw_bad_bytes)

    def csv_layout(self) -> CsvLayout:
        """Which cell of a CSV row holds which kept column (after the header was read)."""
        return CsvLayout(tuple(self._header), self._width)

    def csv_blocks(self, size: int | None = None) -> Iterator[bytes] | None:
        """The raw bytes after a CSV file's header, in blocks of about ``size`` bytes that
        end at a line end, for parsing in other processes (:func:`parse_csv_block`);
        None when the file cannot be split this simply (not CSV, or a header that is not
        exactly the first ``\\n``-terminated line). A block may end inside a quoted cell
        that goes on in the next one: the parser says so and the caller joins them.
        """
        if self.format is not FileFormat.CSV or self._csv.line_num != 1:
            return None
        with open(self.path, "rb") as raw:
            first = raw.readline()
        if not first.endswith(b"\n") or b"\r" in first[:-2]:
            return None
        return _raw_blocks(self.path, len(first), size or CSV_BLOCK_BYTES)

    # -- JSON Lines

    def _jsonl_records(self) -> Iterator[Record]:
        number = 0
        for line_no, line in enumerate(self._text.text, start=1):
            if not line.strip():
                continue
            number += 1
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                error = FieldError("row", f"is not valid JSON: {exc.msg}")
                yield Record(line=line_no, number=number, values={}, errors=(error,))
                continue
            except RecursionError:  # [[[[…]]]] thousands deep: a bomb, not a record
                error = FieldError("row", "is nested too deeply to be a record")
                yield Record(line=line_no, number=number, values={}, errors=(error,))
                continue
            if not isinstance(obj, dict):
                error = FieldError("row", "is not a JSON object")
                yield Record(line=line_no, number=number, values={}, errors=(error,))
                continue
            values, errors = self._scalars(obj)
            yield Record(line=line_no, number=number, values=values, errors=tuple(errors))

    def _scalars(self, obj: Mapping[str, Any]) -> tuple[dict[str, str], list[FieldError]]:
        values: dict[str, str] = {}
        errors: list[FieldError] = []
        for key in self.columns:
            value = obj.get(key)
            if value is None:
                if key in obj:  # null: present and empty (clears the field on update)
                    values[key] = ""
                continue
            if isinstance(value, str):
                values[key] = value
            elif isinstance(value, int | float) and not isinstance(value, bool):
                values[key] = str(value)
            else:
                errors.append(FieldError(key, "must be text or a number"))
        if self._text.saw_bad_bytes:
            errors.extend(bad_byte_errors(values))
        return values, errors

    # -- GeoJSON

    def _geojson_records(self) -> Iterator[Record]:
        for raw in iter_features(self._text.text):
            values, errors = self._feature_values(raw.data)
            yield Record(line=raw.line, number=raw.number, values=values, errors=tuple(errors))

    def _feature_values(self, feature: Any) -> tuple[dict[str, str], list[FieldError]]:
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            return {}, [FieldError("feature", "is not a GeoJSON Feature object")]
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            return {}, [FieldError("properties", "must be a JSON object")]
        values, errors = self._scalars(props)
        geometry = feature.get("geometry")
        if self.point and geometry is not None:
            lat_lon = _point(geometry, errors)
            if lat_lon is not None:
                values["lat"], values["lon"] = lat_lon
        return values, errors


def _point(geometry: Any, errors: list[FieldError]) -> tuple[str, str] | None:
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        errors.append(FieldError("geometry", f"must be a Point, not {str(kind)[:40]}"))
        return None
    coords = geometry.get("coordinates")
    if (
        not isinstance(coords, list)
        or len(coords) not in (2, 3)
        or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords)
    ):
        errors.append(FieldError("geometry", "coordinates must be [lon, lat]"))
        return None
    return str(coords[1]), str(coords[0])


# ------------------------------------------------------------------ CSV in blocks


@dataclass(frozen=True, slots=True)
class CsvLayout:
    """A CSV file's kept columns (name, cell index) and its header's width."""

    header: tuple[tuple[str, int], ...]
    width: int


def _csv_record(
    row: list[str], layout: CsvLayout, line: int, number: int, check_bytes: bool
) -> Record:
    errors: list[FieldError] = []
    width = layout.width
    if len(row) != width:
        errors.append(FieldError("row", f"has {len(row)} cells but the header has {width} columns"))
        row = (row + [""] * width)[:width]
    values = {name: row[i] for name, i in layout.header}
    for name, value in values.items():
        if value[:1] == "'":
            values[name] = unescape_formula(value)
    if check_bytes:
        errors.extend(bad_byte_errors(values))
    return Record(line=line, number=number, values=values, errors=tuple(errors))


def _raw_blocks(path: Path, offset: int, size: int) -> Iterator[bytes]:
    with open(path, "rb") as raw:
        raw.seek(offset)
        tail = b""
        while chunk := raw.read(size):
            data = tail + chunk
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                tail = data  # no line end yet: keep reading
                continue
            tail = data[cut:]
            yield data[:cut]
        if tail:
            yield tail


_END_OF_DATA: Final = "unexpected end of data"


@dataclass(frozen=True, slots=True)
class CsvBlock:
    """What :func:`parse_csv_block` found: records numbered from 1 within the block, how
    many lines and records it held, and the reading error that stopped it, if any
    (its line within the block, the message). ``open_end``: the block ended inside a
    quoted cell, so it continues in the next block (or, at the end of the file, the
    file is cut short)."""

    records: list[Record]
    lines: int
    count: int
    error: tuple[int, str] | None = None
    open_end: bool = False


def parse_csv_block(data: bytes, layout: CsvLayout) -> CsvBlock:
    """The records of one block of :meth:`RecordReader.csv_blocks`, read exactly as
    :class:`RecordReader` reads them (line numbers relative to the block)."""
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    text = Utf8Text.decode(data)
    stream = io.StringIO(text.value, newline="")
    reader = csv.reader(stream, strict=True)
    records: list[Record] = []
    number = 0
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader, None)
        except csv.Error as exc:
            at_end = stream.tell() == len(text.value)
            open_end = at_end and str(exc) == _END_OF_DATA
            return CsvBlock(records, reader.line_num, number, (start, str(exc)), open_end)
        if row is None:
            return CsvBlock(records, reader.line_num, number)
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        number += 1
        records.append(_csv_record(row, layout, start, number, text.bad))


# ------------------------------------------------------------------ writing


class RecordWriter:
    """Writes records to a temporary file that replaces ``path`` only on :meth:`commit`.

    An export that fails half-way therefore never leaves a truncated file behind.
    """

    def __init__(self, path: Path, *, columns: Sequence[str], point: bool = False) -> None:
        self.path = path
        self.format = format_for(path)
        self.columns = tuple(columns)
        self.point = point and self.format is FileFormat.GEOJSON
        self._tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            self._file: TextIO = open(  # noqa: SIM115 - closed by commit()/discard()
                self._tmp, "w", encoding="utf-8", newline=""
            )
        except OSError as exc:
            raise FormatError(f"cannot write {path}: {exc.strerror or exc}") from None
        self._count = 0
        if self.format is FileFormat.CSV:
            # CRLF (RFC 4180): the csv module then also quotes cells holding a lone CR.
            self._csv = csv.writer(self._file, lineterminator="\r\n")
            self._csv.writerow(self.columns)
        elif self.format is FileFormat.GEOJSON:
            self._file.write('{"type":"FeatureCollection","features":[\n')

    def write(self, row: Mapping[str, Cell]) -> None:
        """Append one record; ``row`` maps column names to typed values (None = empty)."""
        if self.format is FileFormat.CSV:
            self._csv.writerow([_csv_cell(row.get(c)) for c in self.columns])
        elif self.format is FileFormat.JSONL:
            obj = {c: _json_cell(row.get(c)) for c in self.columns}
            self._file.write(_dumps(obj) + "\n")
        else:
            self._file.write(("" if self._count == 0 else ",\n") + _dumps(self._feature(row)))
        self._count += 1

    def _feature(self, row: Mapping[str, Cell]) -> dict[str, Any]:
        geometry = None
        props = self.columns
        if self.point:
            props = tuple(c for c in self.columns if c not in ("lat", "lon"))
            lat, lon = row.get("lat"), row.get("lon")
            if isinstance(lat, int | float) and isinstance(lon, int | float):
                geometry = {"type": "Point", "coordinates": [_json_number(lon), _json_number(lat)]}
        return {
            "type": "Feature",
            "geometry": geometry,
            "properties": {c: _json_cell(row.get(c)) for c in props},
        }

    def commit(self) -> int:
        """Finish the file and move it into place; returns the number of records."""
        if self.format is FileFormat.GEOJSON:
            self._file.write("\n]}\n" if self._count else "]}\n")
        self._file.close()
        os.replace(self._tmp, self.path)
        return self._count

    def discard(self) -> None:
        """Throw the partial file away."""
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_formula(value)
    return format_number(value)


def _json_cell(value: Cell) -> Cell:
    if isinstance(value, str):
        return value or None
    if value is None:
        return None
    return _json_number(value)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def estimate_records(path: Path) -> int:
    """A quick count of the records in a file (for progress bars; may be a little off)."""
    fmt = format_for(path)
    needle = b'"Feature"' if fmt is FileFormat.GEOJSON else b"\n"
    count = 0
    tail = b""  # shorter than the needle, so it never holds a match counted before
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            data = tail + chunk
            count += data.count(needle)
            tail = data[len(data) - len(needle) + 1 :]
    return max(0, count - 1) if fmt is FileFormat.CSV else count
