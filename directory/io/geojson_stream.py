"""Streaming the features out of a GeoJSON FeatureCollection without loading the file.

A million Point features are a few hundred megabytes of JSON; ``json.load`` would turn them
into gigabytes of Python objects before the first one could be checked. This scanner walks
the top-level object with the standard library's ``raw_decode``, one member at a time, and
yields each element of ``features`` as soon as it is parsed, with the line it starts on.
Memory stays at one read buffer plus the largest single feature.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final, TextIO

from directory.io.errors import FormatError

CHUNK_CHARS: Final = 1 << 20
MAX_VALUE_CHARS: Final = 128 << 20  # one feature (a detailed province boundary) at most
_WS: Final = re.compile(r"[ \t\n\r]*")
_DECODER: Final = json.JSONDecoder()


class GeoJSONError(FormatError):
    """The file is not a GeoJSON FeatureCollection (a file-level problem, not a row's)."""


@dataclass(frozen=True, slots=True)
class RawFeature:
    """One element of ``features`` as parsed JSON, with where it starts in the file."""

    line: int
    number: int
    data: Any


class _Scanner:
    """A growing window over the text; positions only move forward."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._line = 1  # line number at self._mark
        self._mark = 0

    def fill(self) -> bool:
        """Append more text (at least doubling a large buffer); False at end of file."""
        if self.eof:
            return False
        chunk = self._stream.read(max(CHUNK_CHARS, len(self.buf) - self.pos))
        if not chunk:
            self.eof = True
            return False
        self.line_at(self.pos)
        self.buf = self.buf[self.pos :] + chunk
        self._mark = 0
        self.pos = 0
        return True

    def line_at(self, pos: int) -> int:
        """The line of ``pos``; called with non-decreasing positions."""
        if pos > self._mark:
            self._line += self.buf.count("\n", self._mark, pos)
            self._mark = pos
        return self._line

    def peek(self) -> str:
        """The next non-blank character ('' at end of file), without consuming it."""
        while True:
            match = _WS.match(self.buf, self.pos)
            assert match is not None
            self.pos = match.end()
            if self.pos < len(self.buf) or not self.fill():
                return self.buf[self.pos : self.pos + 1]

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            found = self.buf[self.pos : self.pos + 1] or "end of file"
            raise GeoJSONError(f"line {self.line_at(self.pos)}: expected {what}, found {found!r}")
        self.pos += 1

    def value(self) -> Any:
        """Parse the next JSON value, reading more text until it is complete."""
        self.peek()
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # Most likely the value continues past the buffer; read on, within reason.
                if len(self.buf) - self.pos < MAX_VALUE_CHARS and self.fill():
                    continue
                line = self.line_at(max(self.pos, min(exc.pos, len(self.buf))))
                raise GeoJSONError(f"line {line}: not valid JSON: {exc.msg}") from None
            except RecursionError:  # [[[[…]]]] thousands deep: a bomb, not a feature
                line = self.line_at(self.pos)
                raise GeoJSONError(f"line {line}: JSON nested too deeply") from None
            # A number touching the end of the buffer may continue in the next chunk.
            if end == len(self.buf) and isinstance(obj, int | float) and self.fill():
                continue
            self.pos = end
            return obj


def iter_features(stream: TextIO) -> Iterator[RawFeature]:
    """Yield the elements of a FeatureCollection's ``features`` array, in file order.

    Raises GeoJSONError for anything that is not a JSON object with a ``features`` array
    and ``"type": "FeatureCollection"`` (checked once the whole object has been read).
    """
    scan = _Scanner(stream)
    scan.expect("{", "a GeoJSON object ('{')")
    kind: object = None
    seen_features = False
    if scan.peek() == "}":
        scan.pos += 1
    else:
        while True:
            key = scan.value()
            if not isinstance(key, str):
                raise GeoJSONError(f"line {scan.line_at(scan.pos)}: expected a member name")
            scan.expect(":", "':'")
            if key == "features":
                seen_features = True
                yield from _features(scan)
            elif key == "type":
                kind = scan.value()
            else:
                scan.value()
            if scan.peek() == ",":
                scan.pos += 1
                continue
            scan.expect("}", "',' or '}'")
            break
    if scan.peek():
        raise GeoJSONError(f"line {scan.line_at(scan.pos)}: unexpected text after the object")
    if kind != "FeatureCollection":
        raise GeoJSONError('not a GeoJSON FeatureCollection ("type" must be "FeatureCollection")')
    if not seen_features:
        raise GeoJSONError('the FeatureCollection has no "features" array')


def _features(scan: _Scanner) -> Iterator[RawFeature]:
    scan.expect("[", "the features array ('[')")
    if scan.peek() == "]":
        scan.pos += 1
        return
    number = 0
    while True:
        scan.peek()
        line = scan.line_at(scan.pos)
        number += 1
        yield RawFeature(line=line, number=number, data=scan.value())
        if scan.peek() == ",":
            scan.pos += 1
            continue
        scan.expect("]", "',' or ']' in the features array")
        return
