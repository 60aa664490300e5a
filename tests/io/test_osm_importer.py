"""``dekat import osm``: PBF, XML, Overpass JSON and GeoJSON files made here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import osmium
import pytest
from fastapi.testclient import TestClient
from osmium.osm.mutable import Node, Way
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.io.osm.importer import import_osm
from directory.models import Business, Category
from directory.search.tables import search_doc
from tests.cli.test_io_commands import cli_db, dekat  # noqa: F401  (fixture)
from tests.io.test_businesses_io import row, run, write_csv

DATA = Path(__file__).parent / "data"
LAT, LON = -6.3016, 106.6527

CAFE = {"amenity": "cafe", "name": "Kopi Senja", "cuisine": "coffee_shop",
        "phone": "0812-3456-7890", "addr:street": "Jl. Pahlawan Seribu",
        "addr:housenumber": "5", "addr:city": "Tangerang Selatan",
        "opening_hours": "Mo-Fr 10:00-22:00; Sa, Su 10:00-23:00",
        "website": "kopisenja.id"}  # fmt: skip


def write_pbf(path: Path, cafe: dict[str, str] | None = None, **extra: Any) -> Path:
    """A small PBF: a café node, a minimarket way, a mosque, a padang restaurant, a node
    without a name, a named bus stop (no POI tag) and a restaurant with a bad phone."""
    if path.exists():
        path.unlink()
    writer = osmium.SimpleWriter(str(path))
    writer.add_node(Node(id=1, location=(LON, LAT), tags=cafe or CAFE))
    for i, (dlon, dlat) in enumerate([(0.001, 0.001), (0.0012, 0.001), (0.0012, 0.0012)]):
        writer.add_node(Node(id=10 + i, location=(LON + dlon, LAT + dlat), tags={}))
    writer.add_node(
        Node(
            id=2,
            location=(LON + 0.002, LAT),
            tags={"amenity": "place_of_worship", "religion": "muslim", "name": "Masjid Al-Ikhlas"},
        )
    )
    writer.add_node(
        Node(
            id=3,
            location=(LON + 0.003, LAT),
            tags={
                "amenity": "restaurant",
                "cuisine": "padang;seafood",
                "name": "RM Sederhana",
                "name:en": "Sederhana Restaurant",
            },
        )
    )
    writer.add_node(Node(id=4, location=(LON + 0.004, LAT), tags={"amenity": "cafe"}))
    writer.add_node(
        Node(id=5, location=(LON + 0.005, LAT), tags={"highway": "bus_stop", "name": "Halte BSD"})
    )
    writer.add_node(
        Node(
            id=6,
            location=(LON + 0.006, LAT),
            tags={
                "amenity": "restaurant",
                "name": "Warung Bu Tini",
                "phone": "12",
                "opening_hours": "sunrise-sunset",
            },
        )
    )
    writer.add_way(
        Way(
            id=100,
            nodes=[10, 11, 12, 10],
            tags={"shop": "convenience", "name": "Indomaret Pahlawan", "brand": "Indomaret"},
        )
    )
    writer.close()  # fmt: skip
    return path


def slug(session: Session, business: Business) -> str:
    return str(
        session.scalar(select(Category.slug).where(Category.id == business.primary_category_id))
    )


def by_osm(session: Session) -> dict[str, Business]:
    session.expire_all()
    return {b.osm_id: b for b in session.scalars(select(Business)) if b.osm_id}


def test_pbf_import_maps_tags_and_counts(session: Session, tmp_path: Path) -> None:
    report = import_osm(session, write_pbf(tmp_path / "city.osm.pbf"))
    assert (report.imported, report.matched, report.updated) == (5, 0, 0)
    assert report.skipped == {"no name": 1, "no POI tag (amenity, shop, craft, office, …)": 1}
    assert any("phone" in w and "left out" in w for w in report.warnings)
    assert any("opening_hours" in w for w in report.warnings)
    stored = by_osm(session)
    cafe = stored["osm:node/1"]
    assert cafe.source == "osm"
    assert (cafe.name, cafe.phone, cafe.website) == ("Kopi Senja", "+6281234567890",
                                                     "https://kopisenja.id/")  # fmt: skip
    assert cafe.address == "Jl. Pahlawan Seribu No. 5, Tangerang Selatan"
    assert cafe.opening_hours == "Mo-Fr 10:00-22:00; Sa,Su 10:00-23:00"
    assert slug(session, cafe) == "kedai-kopi"  # cuisine=coffee_shop refines amenity=cafe
    assert slug(session, stored["osm:node/2"]) == "masjid"
    assert slug(session, stored["osm:node/3"]) == "masakan-padang"
    way = stored["osm:way/100"]
    assert slug(session, way) == "minimarket"
    assert way.lat == pytest.approx(LAT + 0.0010667, abs=1e-6)  # centroid of its 3 vertices
    assert session.scalar(select(func.count()).select_from(search_doc)) == 5  # searchable
    bad = stored["osm:node/6"]
    assert bad.phone is None
    assert bad.opening_hours is None


def test_reimport_is_idempotent(session: Session, tmp_path: Path) -> None:
    path = write_pbf(tmp_path / "city.osm.pbf")
    import_osm(session, path)
    before = {ref: b.updated_at for ref, b in by_osm(session).items()}
    report = import_osm(session, path)
    assert (report.imported, report.updated, report.unchanged) == (0, 0, 5)
    assert {ref: b.updated_at for ref, b in by_osm(session).items()} == before
    assert session.query(Business).count() == 5


def test_reimport_keeps_what_an_owner_changed(session: Session, tmp_path: Path) -> None:
    path = write_pbf(tmp_path / "city.osm.pbf")
    import_osm(session, path)
    cafe = by_osm(session)["osm:node/1"]
    cafe.phone = "+6281299998888"  # an owner's edit
    session.commit()
    changed = {
        **CAFE,
        "phone": "0813-1111-2222",
        "website": "kopi-senja.com",
        "name": "Kopi Senja BSD",
    }
    report = import_osm(session, write_pbf(path, cafe=changed))
    assert report.updated == 1
    cafe = by_osm(session)["osm:node/1"]
    assert cafe.phone == "+6281299998888"  # kept
    assert cafe.website == "https://kopi-senja.com/"  # nobody changed it: updated
    assert cafe.name == "Kopi Senja BSD"


def test_a_matching_listing_only_gets_its_empty_fields(session: Session, tmp_path: Path) -> None:
    existing = row(1, name="Kopi Senja", lat=f"{LAT:.6f}", lon=f"{LON:.6f}",
                   phone="0812-3456-7890", website="", opening_hours="", address="Jl. Lain 1",
                   category="kafe")  # fmt: skip
    run(session, write_csv(tmp_path / "b.csv", [existing]))
    report = import_osm(session, write_pbf(tmp_path / "city.osm.pbf"))
    assert (report.matched, report.imported) == (1, 4)
    session.expire_all()
    business = session.scalars(select(Business).where(Business.external_id == "x-1")).one()
    assert business.osm_id == "osm:node/1"
    assert business.source == "import"  # it stays the importer's listing
    assert business.address == "Jl. Lain 1"  # set before: never overwritten
    assert business.website == "https://kopisenja.id/"  # was empty: filled
    assert business.opening_hours == "Mo-Fr 10:00-22:00; Sa,Su 10:00-23:00"
    assert session.query(Business).count() == 5


def test_osm_xml_reads_like_pbf(session: Session, tmp_path: Path) -> None:
    xml = tmp_path / "small.osm"
    xml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'
        f'<node id="7" lat="{LAT}" lon="{LON}" version="1">'
        '<tag k="shop" v="hairdresser"/><tag k="name" v="Salon Ayu"/></node>\n</osm>\n',
        encoding="utf-8",
    )
    report = import_osm(session, xml)
    assert report.imported == 1
    assert slug(session, by_osm(session)["osm:node/7"]) == "salon"


def test_overpass_sample(session: Session) -> None:
    """A sample in the shape the Overpass API returns (`[out:json]`, `out center;`)."""
    report = import_osm(session, DATA / "overpass_sample.json")
    stored = by_osm(session)
    assert report.imported == len(stored) >= 8
    assert report.skipped["no name"] >= 1
    assert slug(session, stored["osm:way/987654321"]) == "supermarket"  # way by its center
    assert stored["osm:node/4401234567"].opening_hours == "24/7"


def test_geojson_from_overpass_turbo(session: Session, tmp_path: Path) -> None:
    ring = [[LON, LAT], [LON + 0.001, LAT], [LON + 0.001, LAT + 0.001], [LON, LAT]]
    features = [
        {"type": "Feature", "id": "node/21",
         "properties": {"@id": "node/21", "amenity": "pharmacy", "name": "Apotek K-24"},
         "geometry": {"type": "Point", "coordinates": [LON, LAT]}},
        {"type": "Feature", "id": "way/22",
         "properties": {"tags": {"shop": "motorcycle_repair", "name": "Bengkel Jaya"}},
         "geometry": {"type": "Polygon", "coordinates": [ring]}},
    ]  # fmt: skip
    path = tmp_path / "export.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    report = import_osm(session, path)
    assert report.imported == 2
    stored = by_osm(session)
    assert slug(session, stored["osm:node/21"]) == "apotek"
    assert slug(session, stored["osm:way/22"]) == "bengkel-motor"


@pytest.mark.usefixtures("cli_db")
def test_cli_reports_counts(tmp_path: Path) -> None:
    path = write_pbf(tmp_path / "city.osm.pbf")
    result = dekat("import", "osm", path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run, nothing written" in result.stderr
    result = dekat("import", "osm", path)
    assert result.exit_code == 0, result.output
    assert "7 tagged objects — 5 new, 0 matched existing listings" in result.stderr
    assert "skipped 1: no name" in result.stderr
    assert "ODbL" in result.stderr
    result = dekat("import", "osm", tmp_path / "nope.txt")
    assert result.exit_code == 1


def test_page_shows_source_and_odbl(client: TestClient, session: Session, tmp_path: Path) -> None:
    import_osm(session, write_pbf(tmp_path / "city.osm.pbf"))
    cafe = by_osm(session)["osm:node/1"]
    page = client.get(f"/b/{cafe.slug}").text
    source = page.split('id="business-source"')[1].split("</p>")[0]
    assert "OpenStreetMap" in source
    assert "ODbL" in source
    assert "https://www.openstreetmap.org/node/1" in source


def test_the_same_place_twice_in_a_file_is_one_listing(session: Session, tmp_path: Path) -> None:
    """A shop mapped as a node inside its building way, with the same name: one listing."""
    elements = [
        {"type": "node", "id": 1, "lat": LAT, "lon": LON,
         "tags": {"shop": "bakery", "name": "Roti Enak", "phone": "0812-3456-7890"}},
        {"type": "way", "id": 2, "center": {"lat": LAT + 0.00005, "lon": LON},
         "tags": {"building": "retail", "shop": "bakery", "name": "Roti Enak"}},
        {"type": "relation", "id": 3, "tags": {"amenity": "school", "name": "SDN Pondok"}},
    ]  # fmt: skip
    path = tmp_path / "dup.json"
    path.write_text(json.dumps({"elements": elements}))
    report = import_osm(session, path)
    assert report.imported == 1
    assert report.skipped == {
        "same place as another OSM object (duplicate)": 1,
        "relation (multipolygons are not imported)": 1,
    }
    assert import_osm(session, path).unchanged == 1
