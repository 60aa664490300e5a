"""Rebuild ``data/areas.toml`` and ``data/area_polygons.geojson`` from the boundary data.

Reads ``../shared/data/indonesia_admin_boundaries`` (cahyadsn/wilayah_boundaries, MIT; not
shipped) and the hand-written ``places.py``. Run from the repository root::

    .venv/bin/python scripts/gazetteer/build.py [--source DIR]

Geometry: the kelurahan/desa polygons, plus the kecamatan polygons of regencies without
kelurahan data, form one coverage. ``shapely.coverage_clean`` removes the source's slivers
(overlaps of a few metres; gaps under ~165 m, mostly between the kelurahan and kecamatan
files) so that neighbours share one edge, then
``coverage_simplify`` (~22 m) keeps those shared edges shared; coordinates are rounded to
5 decimals (about 1 m). Kecamatan and cities are unions of their kelurahan (or kecamatan),
so an area's border is exactly the outline of what is inside it: a point is in
Pamulang's polygon exactly when it is in one of Pamulang's kelurahan. Townships and
neighbourhoods are unions of the kelurahan they cover, or drawn shapes (``places.py``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

sys.path.insert(0, str(Path(__file__).resolve().parent))
from places import (  # noqa: E402
    CITY_ALIASES,
    CITY_ORDER,
    KEC_ALIASES,
    KEL_ALIASES,
    KELURAHAN_CITIES,
    PLACES,
    PROVINCES,
)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = ROOT.parent.parent / "shared" / "data" / "indonesia_admin_boundaries"
GAP_WIDTH_DEG = 0.0015  # ~165 m: gaps narrower than this join a neighbour (source slivers)
SIMPLIFY_DEG = 0.0002  # ~22 m
GRID = 1e-5
R = 6_371_008.8
M_PER_DEG = 111_320.0


def kebab(text: str) -> str:
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def load(source: Path, name: str) -> list[dict[str, Any]]:
    with gzip.open(source / f"{name}_jakarta_banten_jabar.geojson.gz") as fh:
        features: list[dict[str, Any]] = json.load(fh)["features"]
    return features


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygon parts of a geometry (make_valid may add stray lines or points)."""
    geom = shapely.make_valid(geom)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def snap(geom: BaseGeometry) -> BaseGeometry:
    return polygonal(shapely.set_precision(geom, GRID))


def area_m2(geom: BaseGeometry) -> float:
    """Exact area on the sphere (Lambert cylindrical equal-area projection)."""
    projected = shapely.transform(
        geom,
        lambda xy: np.column_stack([R * np.radians(xy[:, 0]), R * np.sin(np.radians(xy[:, 1]))]),
    )
    return float(projected.area)


def centre(geom: BaseGeometry) -> tuple[float, float]:
    point = geom.centroid
    if not geom.covers(point):
        point = geom.representative_point()
    return point.y, point.x


def buffered_line(points: list[tuple[float, float]], width_m: float) -> BaseGeometry:
    lat0 = sum(p[1] for p in points) / len(points)
    kx = M_PER_DEG * math.cos(math.radians(lat0))
    line = LineString([(x * kx, y * M_PER_DEG) for x, y in points])
    buffered = line.buffer(width_m, quad_segs=4)
    return shapely.transform(buffered, lambda xy: xy / np.array([kx, M_PER_DEG]))


def leaf_coverage(kec: list[dict[str, Any]], kel: list[dict[str, Any]]) -> dict[str, BaseGeometry]:
    """code -> cleaned, simplified polygon of every kelurahan/desa in the data and every
    kecamatan of the regencies without kelurahan data."""
    with_kel = {f["properties"]["kode"][:5] for f in kel}
    units = [(f["properties"]["kode"], f) for f in kel]
    units += [
        (f["properties"]["kode"], f) for f in kec if f["properties"]["kode"][:5] not in with_kel
    ]
    geoms = [polygonal(shape(f["geometry"])) for _, f in units]
    cleaned = shapely.coverage_clean(geoms, gap_width=GAP_WIDTH_DEG)
    simplified = shapely.coverage_simplify(cleaned, SIMPLIFY_DEG)
    out: dict[str, BaseGeometry] = {}
    for (code, _), geom in zip(units, simplified, strict=True):
        geom = snap(geom)
        if geom.is_empty:
            raise SystemExit(f"{code}: empty after cleaning")
        out[code] = geom
    return out


def union_of(leaves: dict[str, BaseGeometry], prefix: str) -> BaseGeometry:
    parts = [g for code, g in leaves.items() if code == prefix or code.startswith(prefix + ".")]
    if not parts:
        raise SystemExit(f"nothing under {prefix}")
    return snap(shapely.union_all(parts))


def entry(
    slug: str,
    name: str,
    kind: str,
    parent: str | None,
    aliases: list[str],
    geom: BaseGeometry,
    code: str | None,
) -> dict[str, Any]:
    lat, lon = centre(geom)
    return {
        "slug": slug,
        "name": name,
        "kind": kind,
        "parent": parent,
        "aliases": aliases,
        "lat": lat,
        "lon": lon,
        "radius_m": math.sqrt(area_m2(geom) / math.pi),
        "code": code,
        "geom": geom,
    }


def build(source: Path) -> list[tuple[str, list[dict[str, Any]]]]:
    kab = load(source, "kabkota")
    kec = load(source, "kecamatan")
    kel = load(source, "kelurahan_desa")
    leaves = leaf_coverage(kec, kel)
    kab_names = {f["properties"]["kode"]: f["properties"]["nama"] for f in kab}
    used: set[str] = set()

    provinces = []
    for pc, (slug, name, aliases) in PROVINCES.items():
        provinces.append(entry(slug, name, "province", None, aliases, union_of(leaves, pc), pc))
        used.add(slug)

    cities, city_slug = [], {}
    for cc in CITY_ORDER:
        raw = kab_names[cc]
        kind = "city" if raw.startswith("Kota ") else "regency"
        extra: list[str] = []
        if raw.startswith(("Kota Administrasi ", "Kabupaten Administrasi ")):
            extra = [raw]
            name = raw.removeprefix("Kota Administrasi ").removeprefix("Kabupaten Administrasi ")
        else:
            name = raw
        slug = kebab(name)
        city_slug[cc] = slug
        used.add(slug)
        cities.append(
            entry(
                slug,
                name,
                kind,
                PROVINCES[cc[:2]][0],
                extra + CITY_ALIASES[cc],
                union_of(leaves, cc),
                cc,
            )
        )

    used.update(p["slug"] for p in PLACES)
    kec_rows = sorted(
        (f["properties"] for f in kec if f["properties"]["kode"][:5] in CITY_ORDER),
        key=lambda p: (not p["kode"].startswith("36.74."), p["kode"]),
    )
    kecamatan, kec_slug = [], {}
    for p in kec_rows:
        slug = kebab(p["nama"])
        if slug in used:
            slug = f"{slug}-{city_slug[p['kode'][:5]]}"
        assert slug not in used, slug
        used.add(slug)
        kec_slug[p["kode"]] = slug
        kecamatan.append(
            entry(
                slug,
                p["nama"],
                "kecamatan",
                city_slug[p["kode"][:5]],
                KEC_ALIASES.get(p["nama"], []),
                union_of(leaves, p["kode"]),
                p["kode"],
            )
        )

    kel_rows = sorted(
        (f["properties"] for f in kel if f["properties"]["kode"][:5] in KELURAHAN_CITIES),
        key=lambda p: (not p["kode"].startswith("36.74."), p["kode"]),
    )
    kelurahan = []
    for p in kel_rows:
        base = kebab(p["nama"])
        options = [
            base,
            f"kelurahan-{base}",
            f"{base}-{city_slug[p['kode'][:5]]}",
            f"{base}-{kec_slug[p['kode'][:8]]}",
        ]
        slug = next(s for s in options if s not in used)
        used.add(slug)
        kelurahan.append(
            entry(
                slug,
                p["nama"],
                "kelurahan",
                kec_slug[p["kode"][:8]],
                KEL_ALIASES.get(p["nama"], []),
                leaves[p["kode"]],
                p["kode"],
            )
        )

    places = []
    for place in PLACES:
        if "cover" in place:
            geom = snap(shapely.union_all([leaves[c] for c in place["cover"]]))
        elif "drawn" in place:
            geom = snap(Polygon(place["drawn"]))
        else:
            geom = snap(buffered_line(place["line"], place["width_m"]))
        places.append(
            entry(
                place["slug"],
                place["name"],
                place["kind"],
                place["parent"],
                place["aliases"],
                geom,
                None,
            )
        )
    tangsel = [k for k in kecamatan if k["code"].startswith("36.74.")]
    sections = [("provinces", provinces), ("cities and regencies", cities)]
    for k in tangsel:
        sections.append(
            (
                f"Kota Tangerang Selatan: kecamatan {k['name']} and its kelurahan",
                [k] + [e for e in kelurahan if e["code"].startswith(k["code"] + ".")],
            )
        )
    sections.append(
        (
            "townships (borders: unions of the kelurahan/desa they cover)",
            [p for p in places if p["kind"] == "township"],
        )
    )
    sections.append(
        (
            "kecamatan of the rest of Greater Jakarta",
            [k for k in kecamatan if not k["code"].startswith("36.74.")],
        )
    )
    sections.append(
        (
            "kelurahan of DKI Jakarta, Kota Tangerang and Kota Depok",
            [e for e in kelurahan if not e["code"].startswith("36.74.")],
        )
    )
    sections.append(
        (
            "neighbourhoods people search by (places.py says how each border is made)",
            [p for p in places if p["kind"] == "neighbourhood"],
        )
    )
    return sections


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def toml_entry(e: dict[str, Any]) -> str:
    lines = [
        "[[area]]",
        f"slug = {q(e['slug'])}",
        f"name = {q(e['name'])}",
        f"kind = {q(e['kind'])}",
    ]
    if e["parent"]:
        lines.append(f"parent = {q(e['parent'])}")
    lines.append("aliases = [" + ", ".join(q(a) for a in e["aliases"]) + "]")
    lines += [
        f"lat = {e['lat']:.5f}",
        f"lon = {e['lon']:.5f}",
        f"radius_m = {int(round(e['radius_m'], -1))}",
    ]
    if e["code"]:
        lines.append(f"code = {q(e['code'])}")
    return "\n".join(lines)


def rounded(geom: BaseGeometry) -> dict[str, Any]:
    data = mapping(geom)

    def walk(value: Any) -> Any:
        if isinstance(value, (tuple, list)):
            if value and isinstance(value[0], float):
                return [round(v, 5) for v in value]
            return [walk(v) for v in value]
        return value

    return {"type": data["type"], "coordinates": walk(data["coordinates"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=ROOT / "data")
    args = parser.parse_args()
    sections = build(args.source)
    header = (Path(__file__).with_name("header.txt")).read_text().rstrip("\n")
    parts = [header]
    for title, entries in sections:
        parts.append("\n# " + "-" * max(4, 90 - len(title)) + " " + title)
        parts += [toml_entry(e) for e in entries]
    (args.out / "areas.toml").write_text("\n\n".join(parts) + "\n")
    features = [
        json.dumps(
            {"type": "Feature", "properties": {"slug": e["slug"]}, "geometry": rounded(e["geom"])},
            separators=(",", ":"),
        )
        for _, entries in sections
        for e in entries
    ]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(features) + "\n]}\n"
    with gzip.GzipFile(args.out / "area_polygons.geojson.gz", "wb", mtime=0) as fh:
        fh.write(text.encode())
    sum(len(entries) for _, entries in sections)


if __name__ == "__main__":
    main()
