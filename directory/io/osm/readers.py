"""Reading OpenStreetMap objects from the files people have: ``.osm.pbf`` and ``.osm``
(XML) through pyosmium, Overpass API JSON (``[out:json]``) and GeoJSON (Overpass Turbo's
export, osmtogeojson). Nodes give their position; ways give the centroid of their nodes
(the mean of the distinct vertices, which for a building outline is inside it). Relations
(multipolygons) are not read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from directory.errors import InvalidInput

MAX_JSON_BYTES = 1 << 30


@dataclass(frozen=True, slots=True)
class OsmObject:
    """A node or way: ``kind`` ``node``/``way``, its id, position (None: unknown), tags."""

    kind: str
    id: int
    lat: float | None
    lon: float | None
    tags: Mapping[str, str]

    @property
    def ref(self) -> str:
        """The external id: ``osm:node/123``."""
        return f"osm:{self.kind}/{self.id}"


def _centroid(points: Sequence[tuple[float, float]]) -> tuple[float | None, float | None]:
    distinct = list(dict.fromkeys(points))
    if not distinct:
        return None, None
    return (
        sum(p[0] for p in distinct) / len(distinct),
        sum(p[1] for p in distinct) / len(distinct),
    )


def read_osm(path: Path) -> Iterator[OsmObject]:
    """The tagged nodes and ways of a file, by its name: ``.pbf``/``.osm``/``.osm.bz2``/
    ``.osm.gz`` (pyosmium), ``.json`` (Overpass JSON or GeoJSON), ``.geojson``."""
    name = path.name.lower()
    if name.endswith((".pbf", ".osm", ".osm.bz2", ".osm.gz", ".o5m")):
        yield from _read_osmium(path)
    elif name.endswith((".json", ".geojson")):
        if path.stat().st_size > MAX_JSON_BYTES:
            raise InvalidInput(detail=f"{path.name}: JSON larger than 1 GiB; use a .osm.pbf")
        try:
            data = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise InvalidInput(detail=f"{path.name}: not valid JSON ({exc})") from None
        if isinstance(data, dict) and isinstance(data.get("elements"), list):
            yield from _read_overpass(data["elements"])
        elif isinstance(data, dict) and data.get("type") == "FeatureCollection":
            yield from _read_geojson(data.get("features") or [])
        else:
            raise InvalidInput(
                detail=f"{path.name}: neither Overpass JSON (an 'elements' list) nor a "
                "GeoJSON FeatureCollection"
            )
    else:
        raise InvalidInput(
            detail=f"{path.name}: unknown file type (expected .osm.pbf, .osm, .json or .geojson)"
        )


def _read_osmium(path: Path) -> Iterator[OsmObject]:
    """Streamed with pyosmium's FileProcessor: a country extract is never held in memory
    (node locations are kept in pyosmium's index, for way centroids)."""
    import osmium  # the C++ reader: imported only when a PBF/XML file is read

    try:
        processor = osmium.FileProcessor(
            str(path), osmium.osm.NODE | osmium.osm.WAY
        ).with_locations()
        for item in processor:
            obj: Any = item  # a Node or a Way (the processor reads no other kind)
            if not len(obj.tags):
                continue
            if obj.is_node():
                loc = obj.location
                lat, lon = (loc.lat, loc.lon) if loc.valid() else (None, None)
                yield OsmObject("node", obj.id, lat, lon, _tags(obj.tags))
            elif obj.is_way():
                points = [(n.lat, n.lon) for n in obj.nodes if n.location.valid()]
                lat, lon = _centroid(points)
                yield OsmObject("way", obj.id, lat, lon, _tags(obj.tags))
    except RuntimeError as exc:
        raise InvalidInput(detail=f"{path.name}: cannot read OSM data ({exc})") from None


def _tags(tags: Any) -> dict[str, str]:
    return {t.k: t.v for t in tags}


def _read_overpass(elements: list[Any]) -> Iterator[OsmObject]:
    nodes: dict[int, tuple[float, float]] = {}
    for el in elements:
        if isinstance(el, dict) and el.get("type") == "node" and _has_point(el):
            nodes[int(el["id"])] = (float(el["lat"]), float(el["lon"]))
    for el in elements:
        if not isinstance(el, dict) or not isinstance(el.get("tags"), dict) or "id" not in el:
            continue
        kind = el.get("type")
        lat: float | None = None
        lon: float | None = None
        if kind == "node" and _has_point(el):
            lat, lon = float(el["lat"]), float(el["lon"])
        elif kind == "way":
            center = el.get("center")
            if isinstance(center, dict) and _has_point(center):
                lat, lon = float(center["lat"]), float(center["lon"])
            elif isinstance(el.get("geometry"), list):
                lat, lon = _centroid(
                    [(float(g["lat"]), float(g["lon"])) for g in el["geometry"] if _has_point(g)]
                )
            elif isinstance(el.get("nodes"), list):
                lat, lon = _centroid([nodes[n] for n in el["nodes"] if n in nodes])
        elif kind != "relation":
            continue
        tags = {str(k): str(v) for k, v in el["tags"].items()}
        yield OsmObject(str(kind), int(el["id"]), lat, lon, tags)


def _has_point(obj: Mapping[str, Any]) -> bool:
    return all(isinstance(obj.get(k), int | float) for k in ("lat", "lon"))


def _read_geojson(features: list[Any]) -> Iterator[OsmObject]:
    for feature in features:
        if not isinstance(feature, dict):
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            continue
        ref = str(feature.get("id") or props.get("@id") or props.get("id") or "")
        kind, _, number = ref.partition("/")
        if kind not in ("node", "way") or not number.isdigit():
            continue
        nested = props.get("tags")
        raw_tags: dict[str, Any] = nested if isinstance(nested, dict) else props
        tags = {str(k): str(v) for k, v in raw_tags.items() if not str(k).startswith("@")}
        tags.pop("id", None)
        lat, lon = _geometry_point(feature.get("geometry"))
        yield OsmObject(kind, int(number), lat, lon, tags)


def _geometry_point(geometry: Any) -> tuple[float | None, float | None]:
    if not isinstance(geometry, dict):
        return None, None
    coords = geometry.get("coordinates")
    kind = geometry.get("type")
    points: list[Any] = []
    if kind == "Point":
        points = [coords]
    elif kind == "LineString":
        points = coords or []
    elif kind == "Polygon" and coords:
        points = coords[0]
    elif kind == "MultiPolygon" and coords and coords[0]:
        points = coords[0][0]
    pairs = [
        (float(p[1]), float(p[0]))
        for p in points
        if isinstance(p, list) and len(p) >= 2 and all(isinstance(c, int | float) for c in p[:2])
    ]
    return _centroid(pairs)
