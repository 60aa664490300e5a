"""Reading UTF-8 text whose bad bytes are reported per field instead of stopping the file.

Import files come from spreadsheets and scripts; a stray Latin-1 byte should be reported
as "line 7: address: is not valid UTF-8", like any other bad value, so that the rest of
the file can still be checked (and, with ``--skip-bad``, imported). Undecodable bytes are
decoded as lone surrogates (Python's ``surrogateescape``); valid UTF-8 never produces
those, so a field holding one held bad bytes. A counter of bad bytes seen lets clean files
skip the per-field check entirely.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

from directory.errors import FieldError

ERROR_HANDLER: Final = "dekat-import-utf8"
_SURROGATE: Final = re.compile("[\udc80-\udcff]")
_surrogate_escape = codecs.lookup_error("surrogateescape")


class _BadByteCounter:
    """How many undecodable byte runs this process has met (only ever grows)."""

    def __init__(self) -> None:
        self.count = 0

    def handle(self, exc: UnicodeError) -> tuple[str | bytes, int]:
        self.count += 1
        return _surrogate_escape(exc)


_counter = _BadByteCounter()
codecs.register_error(ERROR_HANDLER, _counter.handle)


class Utf8Text:
    """A text stream over a file, plus a cheap "did any bad bytes appear yet" check."""

    def __init__(self, path: Path, *, newline: str | None) -> None:
        self.raw: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed by close()
        self.text = io.TextIOWrapper(
            self.raw, encoding="utf-8-sig", errors=ERROR_HANDLER, newline=newline
        )
        self._bad_at_open = _counter.count

    @property
    def saw_bad_bytes(self) -> bool:
        """True once any undecodable byte was decoded (possibly a little ahead of the reader)."""
        return _counter.count != self._bad_at_open

    def close(self) -> None:
        self.text.close()

    @staticmethod
    def decode(data: bytes) -> DecodedText:
        """Bytes of a file's body decoded the same way (for blocks read in other processes)."""
        before = _counter.count
        value = data.decode("utf-8", ERROR_HANDLER)
        return DecodedText(value, _counter.count != before)


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Decoded text and whether it held bad bytes (then its fields need the check)."""

    value: str
    bad: bool


def has_bad_bytes(text: str) -> bool:
    """Whether decoded text carries bytes that were not UTF-8."""
    return _SURROGATE.search(text) is not None


def bad_byte_errors(values: Mapping[str, str]) -> list[FieldError]:
    """One error per field that held bytes that are not UTF-8."""
    errors: list[FieldError] = []
    for key, value in values.items():
        found = _SURROGATE.search(value)
        if found is not None:
            byte = ord(found.group()) - 0xDC00
            errors.append(FieldError(key, f"is not valid UTF-8 (byte 0x{byte:02x})"))
    return errors
