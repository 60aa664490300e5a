"""Categories and areas as search needs them, cached per engine for a short while.

Both tables are small and change rarely (taxonomy seeding, boundary imports), while
every search consults them (names in results, words that mean a category, area names
for resolution). Each process keeps a copy per database engine for ``TTL_S`` seconds;
:func:`invalidate` drops it at once (tests, and after seeding in the same process).
"""

from __future__ import annotations

import threading
import time
import weakref
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from directory.models import Area, Category
from directory.search.text_match import deletes, index_deletes, words

TTL_S = 60.0


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    """One category with the folded words readers may use for it."""

    id: int
    slug: str
    path: str
    parent_id: int | None
    name_id: str
    name_en: str
    words: frozenset[str]
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AreaInfo:
    """One area's names and geometry summary (the polygon is loaded only when needed)."""

    id: int
    slug: str
    name: str
    kind: str
    parent_id: int | None
    aliases: tuple[str, ...]
    lat: float
    lon: float
    radius_m: float | None
    has_polygon: bool
    bbox: tuple[float, float, float, float]
    area_m2: float


@dataclass(frozen=True, slots=True)
class CategoryWords:
    """The words of every category, indexed for exact, prefix and typo lookups."""

    by_word: Mapping[str, frozenset[int]]
    variants: Mapping[str, frozenset[str]]
    sorted_words: tuple[str, ...]

    @classmethod
    def build(cls, categories: Iterable[CategoryInfo]) -> CategoryWords:
        by_word: dict[str, set[int]] = {}
        for cat in categories:
            for word in cat.words:
                by_word.setdefault(word, set()).add(cat.id)
        variants: dict[str, set[str]] = {}
        for word in by_word:
            for v in deletes(word, index_deletes(len(word))):
                variants.setdefault(v, set()).add(word)
        return cls(
            by_word={w: frozenset(ids) for w, ids in by_word.items()},
            variants={v: frozenset(ws) for v, ws in variants.items()},
            sorted_words=tuple(sorted(by_word)),
        )

    def starting_with(self, prefix: str) -> list[str]:
        """Category words that begin with ``prefix``."""
        i = bisect_left(self.sorted_words, prefix)
        out: list[str] = []
        while i < len(self.sorted_words) and self.sorted_words[i].startswith(prefix):
            out.append(self.sorted_words[i])
            i += 1
        return out


@dataclass(frozen=True, slots=True)
class Catalog:
    """Snapshot of the taxonomy and the gazetteer."""

    categories: Mapping[int, CategoryInfo]
    category_by_slug: Mapping[str, CategoryInfo]
    areas: Mapping[int, AreaInfo]
    loaded_at: float
    category_words: CategoryWords

    def ancestors(self, category_id: int) -> list[int]:
        """The category and every ancestor, nearest first."""
        out: list[int] = []
        current = self.categories.get(category_id)
        while current is not None and current.id not in out:
            out.append(current.id)
            current = self.categories.get(current.parent_id) if current.parent_id else None
        return out

    def descendants(self, category_id: int) -> set[int]:
        """The category and everything below it (a parent includes its children)."""
        root = self.categories.get(category_id)
        if root is None:
            return set()
        return {c.id for c in self.categories.values() if c.path.startswith(root.path)}


_cache: weakref.WeakKeyDictionary[Engine, Catalog] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def _category_words(cat: Category) -> frozenset[str]:
    out: set[str] = set(cat.slug.split("-"))
    for text in (cat.name_id, cat.name_en, *(cat.synonyms or [])):
        out.update(words(str(text)))
    return frozenset(out)


def load_catalog(session: Session) -> Catalog:
    """Read both tables now (no cache)."""
    cats = {
        c.id: CategoryInfo(
            id=c.id, slug=c.slug, path=c.path, parent_id=c.parent_id, name_id=c.name_id,
            name_en=c.name_en, words=_category_words(c),
            synonyms=tuple(str(s) for s in (c.synonyms or ())),
        )
        for c in session.scalars(select(Category))
    }  # fmt: skip
    rows = session.execute(
        select(
            Area.id, Area.slug, Area.name, Area.kind, Area.parent_id, Area.aliases, Area.lat,
            Area.lon, Area.radius_m, Area.polygon.is_not(None), Area.min_lon, Area.min_lat,
            Area.max_lon, Area.max_lat, Area.area_m2,
        )
    ).all()  # fmt: skip
    areas = {
        r[0]: AreaInfo(
            id=r[0], slug=r[1], name=r[2], kind=r[3], parent_id=r[4],
            aliases=tuple(str(a) for a in (r[5] or ())), lat=r[6], lon=r[7], radius_m=r[8],
            has_polygon=bool(r[9]), bbox=(r[10], r[11], r[12], r[13]), area_m2=r[14],
        )
        for r in rows
    }  # fmt: skip
    return Catalog(
        categories=cats,
        category_by_slug={c.slug: c for c in cats.values()},
        areas=areas,
        loaded_at=time.monotonic(),
        category_words=CategoryWords.build(cats.values()),
    )


def get_catalog(session: Session) -> Catalog:
    """The cached snapshot for this session's database, reloaded after ``TTL_S``."""
    engine = _engine_of(session)
    with _lock:
        cached = _cache.get(engine)
    if cached is not None and time.monotonic() - cached.loaded_at < TTL_S:
        return cached
    fresh = load_catalog(session)
    with _lock:
        _cache[engine] = fresh
    return fresh


def invalidate(session_or_engine: Session | Engine | None = None) -> None:
    """Forget cached snapshots (of one database, or all)."""
    with _lock:
        if session_or_engine is None:
            _cache.clear()
            return
        engine = (
            _engine_of(session_or_engine)
            if isinstance(session_or_engine, Session)
            else session_or_engine
        )
        _cache.pop(engine, None)


def area_polygon(session: Session, area_id: int) -> dict[str, Any] | None:
    """The GeoJSON polygon of an area, or None for a circle."""
    polygon: dict[str, Any] | None = session.scalar(select(Area.polygon).where(Area.id == area_id))
    return polygon
