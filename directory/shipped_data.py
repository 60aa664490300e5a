"""Loaders for the data files Dekat ships: the taxonomy, the gazetteer, the demo names.

Pure functions over TOML (stdlib ``tomllib``): no database, no network. They validate
everything a seeding step relies on (unique slugs, parents that exist, known kinds,
coordinates on the globe) so that a typo in ``data/`` fails loudly at load time with the
entry and the field named, rather than as a half-seeded database.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from directory.geo import valid_coordinates

CATEGORIES_FILE = "categories.toml"
AREAS_FILE = "areas.toml"
AREA_POLYGONS_FILE = "area_polygons.geojson.gz"
DEMO_NAMES_FILE = "demo_names.toml"

REACHES = ("walk", "local", "district", "city")
# The six kinds the gazetteer uses, plus two that the area service also understands and
# that operators may add for other cities (village-level "desa", informal neighbourhoods).
AREA_KINDS = (
    "province",
    "city",
    "regency",
    "kecamatan",
    "kelurahan",
    "township",
    "desa",
    "neighbourhood",
)
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PLACEHOLDER = re.compile(r"\{(\w+)\}")  # {owner} in a demo name pattern

_CATEGORY_KEYS = frozenset({"slug", "parent", "name_id", "name_en", "synonyms", "reach"})
_AREA_KEYS = frozenset(
    {"slug", "name", "kind", "parent", "aliases", "lat", "lon", "radius_m", "code"}
)
_TEMPLATE_KEYS = frozenset({"category", "weight", "names", "hours", "price", "website", "blurb"})


class ShippedDataError(ValueError):
    """A shipped data file is malformed; the message names the file, entry and field."""

    def __init__(self, message: str, *, path: Path, entry: str, field: str) -> None:
        super().__init__(f"{path.name}: {entry}: field '{field}': {message}")
        self.path = path
        self.entry = entry
        self.field = field


@dataclass(frozen=True, slots=True)
class CategorySeed:
    """One category of the taxonomy as shipped; ``parent`` is None for a top-level group."""

    slug: str
    parent: str | None
    name_id: str
    name_en: str
    synonyms: tuple[str, ...]
    reach: str


@dataclass(frozen=True, slots=True)
class AreaSeed:
    """One named place of the gazetteer: a circle (centroid + radius) until polygons exist."""

    slug: str
    name: str
    kind: str
    parent: str | None
    aliases: tuple[str, ...]
    lat: float
    lon: float
    radius_m: float
    code: str | None


def data_dir() -> Path:
    """The shipped ``data/`` directory: the repository copy when running from a checkout,
    else the copy the wheel installs as ``directory/_shipped_data``."""
    package_dir = Path(__file__).resolve().parent
    repo_data = package_dir.parent / "data"
    if (repo_data / CATEGORIES_FILE).is_file():
        return repo_data
    return package_dir / "_shipped_data"


def load_categories(path: Path | None = None) -> list[CategorySeed]:
    """The category taxonomy, parents before children, validated."""
    path = path or data_dir() / CATEGORIES_FILE
    tables = _read_tables(path, "category")
    seeds = [_category_from(path, i, table) for i, table in enumerate(tables)]
    return _parents_first(path, "category", seeds)


def load_areas(path: Path | None = None) -> list[AreaSeed]:
    """The area gazetteer, parents before children, validated."""
    path = path or data_dir() / AREAS_FILE
    tables = _read_tables(path, "area")
    seeds = [_area_from(path, i, table) for i, table in enumerate(tables)]
    return _parents_first(path, "area", seeds)


def load_area_polygons(
    path: Path | None = None, *, slugs: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    """The shipped borders: slug -> GeoJSON Polygon/MultiPolygon (``{"type", "coordinates"}``).

    ``slugs`` (the gazetteer's) makes a polygon of an unknown area an error, so that a
    renamed area cannot silently lose its border. A missing file means no borders (areas
    are then circles), which keeps a trimmed-down install working.
    """
    path = path or data_dir() / AREA_POLYGONS_FILE
    if not path.is_file():
        return {}
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            document = json.load(fh)
    except (OSError, EOFError, ValueError) as exc:
        raise ShippedDataError(str(exc), path=path, entry="file", field="features") from exc
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise ShippedDataError("expected a FeatureCollection", path=path, entry="file",
                               field="features")  # fmt: skip
    known = set(slugs) if slugs is not None else None
    out: dict[str, dict[str, Any]] = {}
    for i, feature in enumerate(features):
        props = feature.get("properties") if isinstance(feature, dict) else None
        slug = props.get("slug") if isinstance(props, dict) else None
        entry = f"feature #{i + 1}" + (f" {slug!r}" if isinstance(slug, str) else "")
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            raise ShippedDataError("must be an area slug", path=path, entry=entry, field="slug")
        if known is not None and slug not in known:
            raise ShippedDataError("names no area of the gazetteer", path=path, entry=entry,
                                   field="slug")  # fmt: skip
        if slug in out:
            raise ShippedDataError("repeats an earlier feature", path=path, entry=entry,
                                   field="slug")  # fmt: skip
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            raise ShippedDataError("must be a Polygon or MultiPolygon", path=path, entry=entry,
                                   field="geometry")  # fmt: skip
        out[slug] = {"type": geometry["type"], "coordinates": geometry.get("coordinates")}
    return out


@dataclass(frozen=True, slots=True)
class DemoTemplate:
    """How the demo generator makes businesses of one category."""

    category: str
    weight: float
    names: tuple[str, ...]
    hours: tuple[str, ...]
    price: tuple[int, ...]
    website: float
    blurb: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DemoChain:
    """A demo brand with branches named after where they are ("Kopi Nusantara BSD")."""

    name: str
    category: str
    branches: int


@dataclass(frozen=True, slots=True)
class DemoNameBook:
    """The parts ``data/demo_names.toml`` gives the demo generator."""

    parts: Mapping[str, tuple[str, ...]]
    templates: tuple[DemoTemplate, ...]
    chains: tuple[DemoChain, ...]
    streets: tuple[str, ...]
    kecamatan_streets: Mapping[str, tuple[str, ...]]
    township_streets: Mapping[str, tuple[str, ...]]
    mobile_prefixes: tuple[str, ...]
    landline_prefixes: tuple[str, ...]


def load_demo_names(path: Path | None = None) -> DemoNameBook:
    """The demo name parts, checked: an unknown placeholder, hours profile or price level
    fails here rather than halfway through a seeding run."""
    path = path or data_dir() / DEMO_NAMES_FILE
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
        parts = {k: tuple(v) for k, v in doc["parts"].items()}
        hours = {k: tuple(v) for k, v in doc["hours"].items()}
        streets, phones = doc["streets"], doc["phones"]
        book = DemoNameBook(
            parts=parts,
            templates=tuple(
                _template_from(path, i, raw, parts, hours)
                for i, raw in enumerate(_read_tables(path, "template"))
            ),
            chains=tuple(
                DemoChain(str(c["name"]), str(c["category"]), int(c["branches"]))
                for c in doc.get("chain", [])
            ),
            streets=tuple(streets["generic"]),
            kecamatan_streets={k: tuple(v) for k, v in streets["kecamatan"].items()},
            township_streets={k: tuple(v) for k, v in streets["township"].items()},
            mobile_prefixes=tuple(phones["mobile_prefixes"]),
            landline_prefixes=tuple(phones["jakarta_exchanges"]),
        )
    except tomllib.TOMLDecodeError as exc:
        raise ShippedDataError(str(exc), path=path, entry="file", field="file") from exc
    except KeyError as exc:
        missing = str(exc.args[0])
        raise ShippedDataError("is missing", path=path, entry="file", field=missing) from exc
    return book


def _template_from(
    path: Path,
    index: int,
    raw: Mapping[str, Any],
    parts: Mapping[str, tuple[str, ...]],
    hours: Mapping[str, tuple[str, ...]],
) -> DemoTemplate:
    f = _Fields(path, "template", index, raw, _TEMPLATE_KEYS, name_key="category")
    names = f.strings("names")
    for pattern in names:
        for key in PLACEHOLDER.findall(pattern):
            if key != "place" and key not in parts:
                f.fail("names", f"unknown placeholder {{{key}}} in {pattern!r}")
    profile = f.text("hours")
    if profile not in hours:
        f.fail("hours", f"unknown hours profile {profile!r}")
    price = raw.get("price", [])
    if not isinstance(price, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 4 for p in price
    ):
        f.fail("price", "must be a list of price levels 1-4")
    website = f.number("website")
    if not 0.0 <= website <= 1.0:
        f.fail("website", "is a share between 0 and 1")
    weight = f.number("weight")
    if weight <= 0:
        f.fail("weight", "must be greater than 0")
    return DemoTemplate(
        category=str(f.slug("category")),
        weight=weight,
        names=names,
        hours=hours[str(profile)],
        price=tuple(price),
        website=website,
        blurb=f.strings("blurb"),
    )


def _read_tables(path: Path, key: str) -> list[Mapping[str, Any]]:
    try:
        with path.open("rb") as fh:
            document = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ShippedDataError(str(exc), path=path, entry="file", field=key) from exc
    tables = document.get(key)
    if not isinstance(tables, list) or not tables:
        raise ShippedDataError(
            f"expected one or more [[{key}]] tables", path=path, entry="file", field=key
        )
    for i, table in enumerate(tables):
        if not isinstance(table, dict):
            raise ShippedDataError("not a table", path=path, entry=f"{key} #{i + 1}", field=key)
    return tables


class _Fields:
    """Typed access to one TOML table, raising ShippedDataError that names the entry."""

    def __init__(
        self,
        path: Path,
        kind: str,
        index: int,
        table: Mapping[str, Any],
        allowed: frozenset[str],
        *,
        name_key: str = "slug",
    ) -> None:
        self.path = path
        self.table = table
        name = table.get(name_key)
        self.entry = f"{kind} #{index + 1}" + (f" '{name}'" if isinstance(name, str) else "")
        for key in sorted(table):
            if key not in allowed:
                self.fail(key, "unknown field")

    def fail(self, field: str, message: str) -> NoReturn:
        raise ShippedDataError(message, path=self.path, entry=self.entry, field=field)

    def text(self, field: str, *, required: bool = True) -> str | None:
        value = self.table.get(field)
        if value is None:
            if required:
                self.fail(field, "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(field, "must be a non-empty string")
        if value != value.strip():
            self.fail(field, "has leading or trailing spaces")
        return value

    def slug(self, field: str, *, required: bool = True) -> str | None:
        value = self.text(field, required=required)
        if value is not None and not SLUG_RE.match(value):
            self.fail(field, f"'{value}' is not a lowercase ascii kebab slug")
        return value

    def choice(self, field: str, options: Sequence[str]) -> str:
        value = self.text(field)
        if value not in options:
            self.fail(field, f"'{value}' is not one of {', '.join(options)}")
        return str(value)

    def strings(
        self, field: str, *, check: Callable[[str], bool] | None = None, rule: str = ""
    ) -> tuple[str, ...]:
        value = self.table.get(field, [])
        if not isinstance(value, list):
            self.fail(field, "must be a list of strings")
        seen: set[str] = set()
        for item in value:
            if not isinstance(item, str) or not item.strip() or item != item.strip():
                self.fail(field, f"{item!r} is not a non-empty trimmed string")
            if check is not None and not check(item):
                self.fail(field, f"{item!r} {rule}")
            if item in seen:
                self.fail(field, f"{item!r} is listed twice")
            seen.add(item)
        return tuple(value)

    def number(self, field: str) -> float:
        value = self.table.get(field)
        if value is None:
            self.fail(field, "is required")
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(field, "must be a number")
        if not math.isfinite(value):
            self.fail(field, "must be finite")
        return float(value)


def _category_from(path: Path, index: int, table: Mapping[str, Any]) -> CategorySeed:
    f = _Fields(path, "category", index, table, _CATEGORY_KEYS)
    return CategorySeed(
        slug=str(f.slug("slug")),
        parent=f.slug("parent", required=False),
        name_id=str(f.text("name_id")),
        name_en=str(f.text("name_en")),
        synonyms=f.strings("synonyms", check=lambda s: s == s.lower(), rule="is not lowercase"),
        reach=f.choice("reach", REACHES),
    )


def _area_from(path: Path, index: int, table: Mapping[str, Any]) -> AreaSeed:
    f = _Fields(path, "area", index, table, _AREA_KEYS)
    lat = f.number("lat")
    lon = f.number("lon")
    if not valid_coordinates(lat, lon):
        bad_lat = not -90.0 <= lat <= 90.0 or (lat == 0.0 and lon == 0.0)
        f.fail("lat" if bad_lat else "lon", f"({lat}, {lon}) is not a valid point")
    radius_m = f.number("radius_m")
    if radius_m <= 0:
        f.fail("radius_m", "must be greater than 0")
    return AreaSeed(
        slug=str(f.slug("slug")),
        name=str(f.text("name")),
        kind=f.choice("kind", AREA_KINDS),
        parent=f.slug("parent", required=False),
        aliases=f.strings("aliases"),
        lat=lat,
        lon=lon,
        radius_m=radius_m,
        code=f.text("code", required=False),
    )


SeedT = TypeVar("SeedT", CategorySeed, AreaSeed)


def _parents_first(path: Path, kind: str, seeds: list[SeedT]) -> list[SeedT]:
    """Check slugs and parents, then order parents before children; a file already in
    that order keeps it (the taxonomy's sort order is the order its authors wrote)."""
    by_slug: dict[str, SeedT] = {}
    for i, seed in enumerate(seeds):
        if seed.slug in by_slug:
            raise ShippedDataError(
                f"duplicate slug '{seed.slug}'", path=path, entry=f"{kind} #{i + 1}", field="slug"
            )
        by_slug[seed.slug] = seed
    for i, seed in enumerate(seeds):
        if seed.parent is not None and seed.parent not in by_slug:
            raise ShippedDataError(
                f"unknown parent '{seed.parent}'",
                path=path,
                entry=f"{kind} #{i + 1} '{seed.slug}'",
                field="parent",
            )
    ordered: list[SeedT] = []
    placed: set[str] = set()
    for seed in seeds:
        chain: list[SeedT] = []
        node: SeedT | None = seed
        while node is not None and node.slug not in placed:
            if any(c.slug == node.slug for c in chain):
                raise ShippedDataError(
                    "parents form a cycle", path=path, entry=f"{kind} '{node.slug}'", field="parent"
                )
            chain.append(node)
            node = by_slug[node.parent] if node.parent is not None else None
        for item in reversed(chain):
            ordered.append(item)
            placed.add(item.slug)
    return ordered
