"""Reading the candidate places of a recommendation: what the ranking needs, then what shows.

A request ranks ~330 places and shows 20. Reading every column of all 330 (names,
addresses, descriptions) and building an object per row was a third of a request at
1,000,000 businesses (``benchmarks/README.md``, section 3), so the rows come in two reads
on the DBAPI cursor, each a statement compiled once:

* ``ranking_rows``: the columns the ranking reads (location, category, ratings, hours,
  listing date) of every candidate, plus the text columns only when the request has a
  query text to match;
* ``shown_rows``: the columns the page shows, for the ranked places only.

Rows are plain named tuples (a frozen dataclass per row cost more than reading it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from directory.hours import OpeningHours, from_json
from directory.models import Business, BusinessStatus
from directory.search.rawsql import FastStatement

CHUNK = 900
_SIZES = (20, 100, 200, 400, 600, CHUNK)


class RankedPlace(NamedTuple):
    """One published candidate as the ranking reads it (``listed_at``: naive UTC)."""

    id: int
    lat: float
    lon: float
    category_id: int
    rating_sum: float
    rating_count: int
    hours: OpeningHours | None
    listed_at: datetime
    name: str = ""
    address: str = ""
    description: str = ""
    """The text columns are read only for a request with a query text (``with_text``)."""


class ShownPlace(NamedTuple):
    """The columns a recommended place shows on the page."""

    id: int
    external_id: str | None
    slug: str
    name: str
    address: str
    price_level: int | None
    area_id: int | None


_RANKING = (
    Business.status,
    Business.id,
    Business.lat,
    Business.lon,
    Business.primary_category_id,
    Business.rating_sum,
    Business.rating_count,
    Business.opening_hours_json,
    func.coalesce(Business.published_at, Business.created_at),
)
_TEXT = (Business.name, Business.address, Business.description)
_SHOWN = (
    Business.status,
    Business.id,
    Business.external_id,
    Business.slug,
    Business.name,
    Business.address,
    Business.price_level,
    Business.area_id,
)


@lru_cache(maxsize=3 * len(_SIZES))
def _statement(kind: str, size: int) -> FastStatement:
    """Rows of ``size`` ids (``i0`` …), status first, compiled once per kind and size;
    shorter id lists are padded with their last id.

    The status is read rather than filtered on: at 1,000,000 businesses, 330 ids read by
    primary key took 1.8–2.0 ms of CPU with ``status = ?`` in SQL and 1.3–1.4 ms without
    (same process, alternated; the lookups are by primary key either way)."""
    columns = {"ranking": _RANKING, "text": _RANKING + _TEXT, "shown": _SHOWN}[kind]
    ids: list[object] = [bindparam(f"i{k}") for k in range(size)]
    return FastStatement(select(*columns).where(Business.id.in_(ids)))


def _rows(session: Session, kind: str, ids: Sequence[int]) -> list[Sequence[Any]]:
    """The published rows among ``ids``, without their leading status column."""
    out: list[Sequence[Any]] = []
    published = BusinessStatus.PUBLISHED
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        size = next(n for n in _SIZES if n >= len(chunk))
        last = len(chunk) - 1
        params = {f"i{k}": chunk[min(k, last)] for k in range(size)}
        out.extend(r[1:] for r in _statement(kind, size).rows(session, params) if r[0] == published)
    return out


@lru_cache(maxsize=4096)
def _hours_from_text(raw: str) -> OpeningHours | None:
    value = json.loads(raw)
    return from_json(value) if value else None


def _hours(value: object) -> OpeningHours | None:
    """Stored hours as the DBAPI returns them: JSON text (SQLite) or parsed (PostgreSQL)."""
    if not value:
        return None
    return _hours_from_text(value) if isinstance(value, str) else from_json(value)


def _naive_utc(value: object) -> datetime:
    """A stored UTC timestamp as the DBAPI returns it (SQLite: text, PostgreSQL: naive
    datetime), left naive: callers subtract it from a naive UTC instant."""
    if isinstance(value, datetime):
        return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
    return datetime.fromisoformat(str(value))


def ranking_rows(
    session: Session, ids: Sequence[int], *, with_text: bool = False
) -> dict[int, RankedPlace]:
    """The published places among ``ids`` by id, in id order (what ``rank`` reads)."""
    hours, when = _hours, _naive_utc
    out: dict[int, RankedPlace] = {}
    if with_text:
        for r in _rows(session, "text", ids):
            out[r[0]] = RankedPlace(
                r[0], r[1], r[2], r[3], r[4], r[5], hours(r[6]), when(r[7]), r[8], r[9], r[10]
            )
    else:
        for r in _rows(session, "ranking", ids):
            out[r[0]] = RankedPlace(r[0], r[1], r[2], r[3], r[4], r[5], hours(r[6]), when(r[7]))
    return out


def shown_rows(session: Session, ids: Sequence[int]) -> dict[int, ShownPlace]:
    """The page columns of the published places among ``ids``, by id."""
    return {r[0]: ShownPlace(*r) for r in _rows(session, "shown", ids)}
