"""Deterministic, plainly fake demo businesses for trying Dekat without real data.

The generator spreads businesses like a real city: most in the kelurahan of the home city,
denser near the township centres, the rest in the kecamatan of the surrounding metro area
with fewer the farther they are. Points are gaussian clusters inside each area's border
(its shipped polygon; its circle when it has none), so every business lies in the area it
claims and search by area finds it there.
Category frequencies, names, hours, phones and ratings are drawn from ``data/demo_names.toml``.

Every description starts with ``DEMO_MARKER`` and every ``external_id`` with ``demo-`` so
demo rows can never be mistaken for, or merged with, real listings. One ``random.Random``
seeded by the caller drives everything, always in list order, so the same seed and inputs
give byte-identical output regardless of ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from directory.businesses.input import BUSINESS_COLUMNS as BUSINESS_COLUMNS
from directory.geo import METERS_PER_DEG_LAT, distance_m
from directory.shipped_data import (
    PLACEHOLDER,
    AreaSeed,
    CategorySeed,
    DemoNameBook,
    DemoTemplate,
    load_area_polygons,
    load_areas,
    load_categories,
    load_demo_names,
)

DEMO_MARKER = "[DEMO] Data fiktif untuk demo Dekat."
HOME_SHARE = 0.8  # share of businesses in the kelurahan (the home city), the rest around it
HOME_CITY = "kota-tangerang-selatan"  # when present, the home city's kelurahan are "home"
METRO_DECAY_M = 15_000.0  # kecamatan weight falls by e every 15 km from the home city
_REACH_WEIGHT = {"walk": 20.0, "local": 10.0, "district": 4.0, "city": 1.0}


@dataclass(frozen=True, slots=True)
class DemoBusiness:
    """One fake business, with the area it was placed in (not part of the file columns)."""

    external_id: str
    name: str
    category: str
    lat: float
    lon: float
    address: str
    phone: str
    website: str
    opening_hours: str
    price_level: int | None
    rating: float | None
    rating_count: int
    description: str
    area_slug: str

    def as_row(self) -> dict[str, str]:
        """The business file row: every column a string, empty when absent."""
        return {
            "external_id": self.external_id,
            "name": self.name,
            "category": self.category,
            "lat": f"{self.lat:.6f}",
            "lon": f"{self.lon:.6f}",
            "address": self.address,
            "phone": self.phone,
            "website": self.website,
            "opening_hours": self.opening_hours,
            "price_level": "" if self.price_level is None else str(self.price_level),
            "rating": "" if self.rating is None else f"{self.rating:.1f}",
            "rating_count": str(self.rating_count),
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class _Place:
    area: AreaSeed
    kecamatan: AreaSeed | None
    city: AreaSeed | None
    centres: tuple[tuple[float, float], ...]


def generate_demo_businesses(
    *,
    count: int = 2500,
    seed: int = 20261128,
    areas: Sequence[AreaSeed] | None = None,
    categories: Sequence[CategorySeed] | None = None,
    polygons: Mapping[str, dict[str, Any]] | None = None,
) -> list[dict[str, str]]:
    """Fake businesses as business-file rows (all strings); same arguments, same rows."""
    records = generate_demo_records(
        count=count, seed=seed, areas=areas, categories=categories, polygons=polygons
    )
    return [record.as_row() for record in records]


def generate_demo_records(
    *,
    count: int = 2500,
    seed: int = 20261128,
    areas: Sequence[AreaSeed] | None = None,
    categories: Sequence[CategorySeed] | None = None,
    book: DemoNameBook | None = None,
    polygons: Mapping[str, dict[str, Any]] | None = None,
) -> list[DemoBusiness]:
    """Fake businesses as records that also say which area each was placed in.

    ``polygons`` (slug → GeoJSON) are the borders points must fall in; by default the
    shipped ones with the shipped gazetteer, none (circles) with custom ``areas``.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    if polygons is None:
        polygons = load_area_polygons() if areas is None else {}
    gen = _Generator(
        random.Random(seed),
        list(areas) if areas is not None else load_areas(),
        list(categories) if categories is not None else load_categories(),
        book or load_demo_names(),
        polygons,
    )
    return gen.run(count)


class _Generator:
    """Holds the lookups one run needs; every random draw goes through ``self.rng``."""

    def __init__(
        self,
        rng: random.Random,
        areas: list[AreaSeed],
        categories: list[CategorySeed],
        book: DemoNameBook,
        polygons: Mapping[str, dict[str, Any]],
    ) -> None:
        self.rng = rng
        self.book = book
        self.by_slug = {a.slug: a for a in areas}
        self.borders: dict[str, BaseGeometry] = {}
        for slug, polygon in polygons.items():
            if slug in self.by_slug:
                geom = shape(polygon)
                shapely.prepare(geom)
                self.borders[slug] = geom
        self.townships = sorted((a for a in areas if a.kind == "township"), key=lambda a: a.slug)
        self.places, self.place_cum = self._places(sorted(areas, key=lambda a: a.slug))
        self.templates = _templates_for(categories, book)
        self.category_names = {c.slug: c.name_id for c in categories}
        self.far_reach = {c.slug for c in categories if c.reach in ("district", "city")}
        self.template_cum = _cumulative([t.weight for t in self.templates])
        self.used_names: set[str] = set()

    def run(self, count: int) -> list[DemoBusiness]:
        rows = self._chain_branches(budget=count // 25)
        while len(rows) < count:
            template = self.rng.choices(self.templates, cum_weights=self.template_cum)[0]
            place = self.rng.choices(self.places, cum_weights=self.place_cum)[0]
            rows.append(self._business(template, place, brand=None))
        self.rng.shuffle(rows)
        width = max(5, len(str(count)))
        return [replace(row, external_id=f"demo-{i:0{width}d}") for i, row in enumerate(rows, 1)]

    def _places(self, areas: list[AreaSeed]) -> tuple[list[_Place], list[float]]:
        home = [a for a in areas if a.kind == "kelurahan"]
        if HOME_CITY in self.by_slug:
            city = self.by_slug[HOME_CITY]
            home = [a for a in home if self._ancestor(a, ("city",)) is city]
            kecamatan = [a for a in areas if a.kind == "kecamatan"]
            metro = [a for a in kecamatan if self._ancestor(a, ("city",)) is not city]
        else:
            parents = {a.parent for a in home}
            metro = [a for a in areas if a.kind == "kecamatan" and a.slug not in parents]
        if not home and not metro:
            metro = [a for a in areas if a.kind in ("city", "regency")] or [
                a for a in areas if a.kind != "province"
            ]
        if not home and not metro:
            raise ValueError("no areas to place demo businesses in")
        weights = [1.0 + 4.0 * self._township_pull(a) for a in home]
        if home and metro:
            c_lat = sum(a.lat for a in home) / len(home)
            c_lon = sum(a.lon for a in home) / len(home)
            far = [math.exp(-distance_m(a.lat, a.lon, c_lat, c_lon) / METRO_DECAY_M) for a in metro]
            scale_home = HOME_SHARE / sum(weights)
            scale_metro = (1.0 - HOME_SHARE) / sum(far)
            weights = [w * scale_home for w in weights] + [w * scale_metro for w in far]
        else:
            weights += [1.0] * len(metro)
        places = [self._place(a) for a in home + metro]
        return places, _cumulative(weights)

    def _township_pull(self, area: AreaSeed) -> float:
        """1 at a township centre, fading with distance in units of its radius."""
        pulls = [
            math.exp(-((distance_m(area.lat, area.lon, t.lat, t.lon) / t.radius_m) ** 2))
            for t in self.townships
        ]
        return max(pulls, default=0.0)

    def _place(self, area: AreaSeed) -> _Place:
        n_centres = 1 + int(area.radius_m > 1200) + int(area.radius_m > 2500)
        centres: list[tuple[float, float]] = []
        for _ in range(n_centres):
            centre = (area.lat, area.lon)
            for _ in range(20):
                candidate = _offset(area.lat, area.lon, *self._polar(0.5 * area.radius_m))
                if self._inside(area, *candidate, circle_share=1.0):
                    centre = candidate
                    break
            centres.append(centre)
        kecamatan = area if area.kind == "kecamatan" else self._ancestor(area, ("kecamatan",))
        city = self._ancestor(area, ("city", "regency"))
        return _Place(area, kecamatan, city, tuple(centres))

    def _inside(self, area: AreaSeed, lat: float, lon: float, *, circle_share: float) -> bool:
        """Whether a point lies in the area: its border, else ``circle_share`` of its circle."""
        border = self.borders.get(area.slug)
        if border is not None:
            return bool(shapely.intersects_xy(border, lon, lat))
        return distance_m(lat, lon, area.lat, area.lon) <= circle_share * area.radius_m

    def _ancestor(self, area: AreaSeed, kinds: tuple[str, ...]) -> AreaSeed | None:
        node = self.by_slug.get(area.parent) if area.parent else None
        while node is not None and node.kind not in kinds:
            node = self.by_slug.get(node.parent) if node.parent else None
        return node

    def _polar(self, max_m: float) -> tuple[float, float]:
        r = max_m * math.sqrt(self.rng.random())
        theta = self.rng.uniform(0.0, 2.0 * math.pi)
        return r * math.cos(theta), r * math.sin(theta)

    def _point(self, place: _Place) -> tuple[float, float]:
        """A gaussian draw around one of the place's cluster centres, kept in its circle."""
        area = place.area
        c_lat, c_lon = self.rng.choice(place.centres)
        sigma_m = 0.3 * area.radius_m
        for _ in range(30):
            lat, lon = _offset(c_lat, c_lon, self.rng.gauss(0, sigma_m), self.rng.gauss(0, sigma_m))
            lat, lon = round(lat, 6), round(lon, 6)
            if self._inside(area, lat, lon, circle_share=0.97):
                return lat, lon
        return round(c_lat, 6), round(c_lon, 6)

    def _township_at(self, lat: float, lon: float) -> AreaSeed | None:
        inside = [
            (distance_m(lat, lon, t.lat, t.lon) / t.radius_m, t.slug, t)
            for t in self.townships
            if self._inside(t, lat, lon, circle_share=1.0)
        ]
        return min(inside)[2] if inside else None

    def _chain_branches(self, *, budget: int) -> list[DemoBusiness]:
        by_category = {t.category: t for t in self.templates}
        rows: list[DemoBusiness] = []
        for index, chain in enumerate(self.book.chains):
            template = by_category.get(chain.category)
            if template is None or chain.branches > budget - len(rows):
                continue
            # About half the branches sit at township centres ("Kopi Nusantara BSD"), each
            # brand starting from a different township; the rest go where people live.
            n_flagships = min(len(self.townships), (chain.branches + 1) // 2)
            flagships = [
                self.townships[(index + k) % len(self.townships)] for k in range(n_flagships)
            ]
            used: set[str] = set()
            for k in range(chain.branches):
                if k < n_flagships:
                    place = self._nearest_place(flagships[k])
                else:
                    place = self.rng.choices(self.places, cum_weights=self.place_cum)[0]
                    for _ in range(10):
                        if place.area.slug not in used:
                            break
                        place = self.rng.choices(self.places, cum_weights=self.place_cum)[0]
                used.add(place.area.slug)
                rows.append(self._business(template, place, brand=chain.name))
        return rows

    def _nearest_place(self, area: AreaSeed) -> _Place:
        return min(
            self.places,
            key=lambda p: (distance_m(p.area.lat, p.area.lon, area.lat, area.lon), p.area.slug),
        )

    def _business(
        self, template: DemoTemplate, place: _Place, *, brand: str | None
    ) -> DemoBusiness:
        rng = self.rng
        lat, lon = self._point(place)
        township = self._township_at(lat, lon)
        label = _place_label(township) if township else place.area.name
        name = self._name(template, brand, label, place)
        city = _city_label(place.city)
        blurb = f" {rng.choice(template.blurb)}" if template.blurb else ""
        rating, rating_count = self._rating(template, chain=brand is not None)
        return DemoBusiness(
            external_id="",
            name=name,
            category=template.category,
            lat=lat,
            lon=lon,
            address=self._address(place, township, city),
            phone=self._phone(place) if rng.random() < 0.85 else "",
            website=self._website(name) if rng.random() < template.website else "",
            opening_hours=rng.choice(template.hours) if rng.random() < 0.92 else "",
            price_level=rng.choice(template.price)
            if template.price and rng.random() < 0.9
            else None,
            rating=rating,
            rating_count=rating_count,
            description=f"{DEMO_MARKER} {self.category_names[template.category]} di {label}, "
            f"{city}.{blurb}",
            area_slug=place.area.slug,
        )

    def _name(self, template: DemoTemplate, brand: str | None, label: str, place: _Place) -> str:
        if brand is not None:
            candidates = [f"{brand} {label}", f"{brand} {place.area.name}"]
        else:
            candidates = [self._fill(self.rng.choice(template.names), label) for _ in range(6)]
            candidates.append(f"{candidates[0]} {place.area.name}")
        for name in candidates:
            if name not in self.used_names:
                break
        n = 2
        while name in self.used_names:
            name = f"{candidates[-1]} {n}"
            n += 1
        self.used_names.add(name)
        return name

    def _fill(self, pattern: str, label: str) -> str:
        def pick(match: re.Match[str]) -> str:
            key = match.group(1)
            return label if key == "place" else self.rng.choice(self.book.parts[key])

        return PLACEHOLDER.sub(pick, pattern)

    def _address(self, place: _Place, township: AreaSeed | None, city: str) -> str:
        rng = self.rng
        options: list[str] = list(self.book.streets)
        if place.kecamatan is not None:
            local = self.book.kecamatan_streets.get(place.kecamatan.slug, ())
            options += list(local) * 3 or [f"Jl. Raya {place.kecamatan.name}"] * 4
        if township is not None:
            options += list(self.book.township_streets.get(township.slug, ())) * 8
        street = rng.choice(options)
        if street.startswith("Ruko"):
            block = f"{rng.choice('ABCDEFGH')}{rng.randint(1, 12)}"
            number = f"{street} Blok {block} No. {rng.randint(1, 40)}"
        elif rng.random() < 0.2:
            rt_rw = f"RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 9):03d}"
            number = f"{street} No. {rng.randint(1, 150)} {rt_rw}"
        else:
            number = f"{street} No. {rng.randint(1, 250)}"
        parts = [number, place.area.name]
        if place.kecamatan is not None and place.kecamatan.name != parts[-1]:
            parts.append(place.kecamatan.name)
        parts.append(city)
        return ", ".join(parts)

    def _phone(self, place: _Place) -> str:
        rng = self.rng
        digits = "".join(str(rng.randint(0, 9)) for _ in range(8))
        if rng.random() < 0.75:
            return f"{rng.choice(self.book.mobile_prefixes)}-{digits[:4]}-{digits[4:]}"
        if place.city is not None and place.city.slug in ("kota-bogor", "kabupaten-bogor"):
            return f"(0251) 8{digits[:2]} {digits[4:]}"
        return f"(021) {rng.choice(self.book.landline_prefixes)} {digits[4:]}"

    def _website(self, name: str) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        if self.rng.random() < 0.5:
            return f"https://example.com/{slug}"
        return f"https://example.org/{slug}"

    def _rating(self, template: DemoTemplate, *, chain: bool) -> tuple[float | None, int]:
        """Skewed review counts (many small, a few large, some none) and a mean rating
        whose spread shrinks as the count grows, clamped to 3.0-5.0."""
        rng = self.rng
        if rng.random() < 0.12:
            return None, 0
        mu = 1.9 + (1.2 if template.category in self.far_reach else 0.0) + (0.7 if chain else 0.0)
        count = min(5000, max(1, round(math.exp(rng.gauss(mu, 1.2)))))
        quality = rng.gauss(4.35, 0.3)
        rating = rng.gauss(quality, 0.6 / math.sqrt(count))
        return round(min(5.0, max(3.0, rating)), 1), count


def _templates_for(categories: Sequence[CategorySeed], book: DemoNameBook) -> list[DemoTemplate]:
    """A template per leaf category of the taxonomy, in taxonomy order; leaves the name
    book does not know get a plain one weighted by reach."""
    parents = {c.parent for c in categories if c.parent}
    known = {t.category: t for t in book.templates}
    shop_hours = ("Mo-Su 08:00-20:00", "Mo-Sa 08:00-17:00; Su off")
    templates: list[DemoTemplate] = []
    for cat in categories:
        if cat.slug in parents or cat.slug == "lainnya":  # the fallback: nothing is "Other"
            continue
        template = known.get(cat.slug) or DemoTemplate(
            category=cat.slug,
            weight=_REACH_WEIGHT.get(cat.reach, 5.0),
            names=(f"{cat.name_id} {{wish}}", f"{cat.name_id} {{owner}}"),
            hours=shop_hours,
            price=(1, 2),
            website=0.1,
            blurb=(),
        )
        templates.append(template)
    if not templates:
        raise ValueError("no categories to generate demo businesses for")
    return templates


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = 0.0
    out: list[float] = []
    for w in weights:
        total += w
        out.append(total)
    return out


def _offset(lat: float, lon: float, east_m: float, north_m: float) -> tuple[float, float]:
    new_lat = lat + north_m / METERS_PER_DEG_LAT
    return new_lat, lon + east_m / (METERS_PER_DEG_LAT * math.cos(math.radians(lat)))


def _place_label(township: AreaSeed) -> str:
    """How a branch names a township: an acronym alias ("BSD") or a one-word short form
    ("Bintaro"), else the full name ("Alam Sutera")."""
    for alias in township.aliases:
        if len(alias) >= 3 and alias.isupper():
            return alias
        if " " not in alias and township.name.startswith(alias + " "):
            return alias
    return township.name


def _city_label(city: AreaSeed | None) -> str:
    if city is None:
        return "Indonesia"
    if city.name.startswith("Kota "):
        return city.name.removeprefix("Kota ")
    if city.name.startswith("Kabupaten "):
        return "Kab. " + city.name.removeprefix("Kabupaten ")
    return city.name
