"""Which OpenStreetMap objects are points of interest, and which category each gets.

The mapping is data (``data/osm_tags.toml``), so it can be edited without code changes.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from directory.shipped_data import data_dir


@dataclass(frozen=True, slots=True)
class TagMapping:
    """``poi_keys`` make an object a POI; ``tags``/``religion``/``cuisine`` give slugs."""

    poi_keys: tuple[str, ...]
    ignore: frozenset[str]
    tags: Mapping[str, str]
    religion: Mapping[str, str]
    cuisine: Mapping[str, str]

    def poi_tag(self, tags: Mapping[str, str]) -> str | None:
        """The ``key=value`` that makes ``tags`` a point of interest, or None."""
        found = None
        for key in self.poi_keys:
            value = tags.get(key)
            if not value or value == "no":
                continue
            pair = f"{key}={value}"
            if pair in self.ignore:
                continue
            if pair in self.tags:
                return pair
            found = found or pair
        return found

    def category(self, tags: Mapping[str, str]) -> str | None:
        """The category slug the tags map to, or None (then the name decides)."""
        pair = self.poi_tag(tags)
        if pair is None:
            return None
        if pair == "amenity=place_of_worship":
            return self.religion.get(tags.get("religion", ""), None)
        slug = self.tags.get(pair)
        if pair.split("=")[0] in ("amenity", "shop") and "cuisine" in tags:
            for cuisine in cuisines(tags):
                if cuisine in self.cuisine:
                    return self.cuisine[cuisine]
        return slug


def cuisines(tags: Mapping[str, str]) -> list[str]:
    """``cuisine=padang;seafood`` → ``["padang", "seafood"]`` (lowercase, trimmed)."""
    return [c.strip().lower() for c in tags.get("cuisine", "").split(";") if c.strip()]


@lru_cache(maxsize=4)
def load_mapping(path: Path | None = None) -> TagMapping:
    """Read ``data/osm_tags.toml`` (or ``path``)."""
    path = path or data_dir() / "osm_tags.toml"
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    return TagMapping(
        poi_keys=tuple(raw.get("poi_keys", ())),
        ignore=frozenset(raw.get("ignore", ())),
        tags=dict(raw.get("tags", {})),
        religion=dict(raw.get("religion", {})),
        cuisine=dict(raw.get("cuisine", {})),
    )
