"""Opaque keyset cursors: "continue after this sort key", bound to the query they came from.

A cursor holds the sort key of the last business returned (the key always ends with the
business id, so the order is total), a fingerprint of the query, and the query-time
choices that must stay fixed while paging: each word's alternatives (typo corrections,
completions, categories) and weight, whether the text match was relaxed and whether the
relaxed match was kept to the kinds of place the words name — so later
pages match and score exactly like the first, whatever the vocabulary has learnt since.
It is URL-safe base64 of compact JSON plus a checksum. Anyone can read it (it grants
nothing), but a damaged, truncated or foreign cursor is refused with a 422 that names
``cursor`` instead of silently restarting or skipping results.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

from directory.errors import FieldError, InvalidInput

VERSION = 1
_CHECK_BYTES = 6

Key = tuple[float | int, ...]
# token, {vocabulary word: factor}, {category token: factor}, weight
WordState = tuple[str, dict[str, float], dict[str, float], float]


@dataclass(frozen=True, slots=True)
class CursorState:
    """What page 2 needs from page 1."""

    fingerprint: str
    key: Key
    relaxed: bool = False
    words: tuple[WordState, ...] = ()
    in_sense: bool = False
    """The relaxed match was kept to the categories the query's words name."""


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(
        detail=f"cursor: {message}",
        errors=[FieldError(field="cursor", message=message, location="query")],
    )


def _check(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=_CHECK_BYTES, person=b"dekat-cursor").digest()


def encode_cursor(state: CursorState) -> str:
    """The opaque string for ``next_cursor``."""
    body: dict[str, Any] = {"v": VERSION, "f": state.fingerprint, "k": list(state.key)}
    if state.relaxed:
        body["r"] = 1
    if state.in_sense:
        body["s"] = 1
    if state.words:
        body["w"] = [list(w) for w in state.words]
    payload = json.dumps(body, separators=(",", ":"), allow_nan=False).encode()
    return base64.urlsafe_b64encode(payload + _check(payload)).rstrip(b"=").decode("ascii")


def _number(value: object) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _invalid("malformed cursor")
    if isinstance(value, float) and not math.isfinite(value):
        raise _invalid("malformed cursor")
    return value


def decode_cursor(text: str, *, fingerprint: str) -> CursorState:
    """Parse and check a cursor; raises InvalidInput (field ``cursor``) when it is not valid
    or was made for a different query."""
    if not text or len(text) > 2048:
        raise _invalid("malformed cursor")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise _invalid("malformed cursor") from None
    payload, check = raw[:-_CHECK_BYTES], raw[-_CHECK_BYTES:]
    if len(raw) <= _CHECK_BYTES or _check(payload) != check:
        raise _invalid("malformed cursor")
    try:
        body = json.loads(payload)
    except ValueError:
        raise _invalid("malformed cursor") from None
    if not isinstance(body, dict) or body.get("v") != VERSION:
        raise _invalid("malformed cursor")
    key, words = body.get("k"), body.get("w", [])
    if not isinstance(key, list) or not key or not isinstance(words, list):
        raise _invalid("malformed cursor")
    if body.get("f") != fingerprint:
        raise _invalid("this cursor belongs to a different query; start again without it")
    return CursorState(
        fingerprint=fingerprint,
        key=tuple(_number(v) for v in key),
        relaxed=body.get("r") == 1,
        words=tuple(_word(w) for w in words),
        in_sense=body.get("s") == 1,
    )


def _factors(value: object) -> dict[str, float]:
    if not isinstance(value, dict):
        raise _invalid("malformed cursor")
    return {str(k): float(_number(v)) for k, v in value.items()}


def _word(value: object) -> WordState:
    if not isinstance(value, list) or len(value) != 4 or not isinstance(value[0], str):
        raise _invalid("malformed cursor")
    return value[0], _factors(value[1]), _factors(value[2]), float(_number(value[3]))


def query_fingerprint(parts: dict[str, object]) -> str:
    """A short stable hash of the parameters that define the result list."""
    data = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.blake2b(data, digest_size=8).hexdigest()
