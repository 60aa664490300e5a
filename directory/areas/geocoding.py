"""Placing a submitted address on the map when the submitter did not drop a pin.

Two steps, the first optional:

1. A geocoder reached through geopy — Nominatim or Photon at the base URL in the settings
   (``geocoder``, ``geocoder_url``), off by default. Calls go through geopy's
   ``RateLimiter`` (at most one per ``geocoder_min_delay_s``, shared by every request of
   the worker, as the public Nominatim usage policy asks) with a User-Agent that names this
   site (``geocoder_user_agent``). A result that is only a town or district is flagged
   approximate.
2. When the geocoder is off, fails or finds nothing: the centroid of the most specific
   gazetteer area whose name or alias the address mentions ("…, Pondok Benda, Pamulang"
   → Pondok Benda), always flagged approximate so that an editor moves the pin.

Nothing here runs inside a database transaction: a geocoder call may take seconds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final, Protocol
from urllib.parse import urlsplit

from fastapi import Depends, Request
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim, Photon
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.areas.service import KIND_SPECIFICITY
from directory.geo import valid_coordinates
from directory.models import Area
from directory.settings import Settings
from directory.textnorm import fold

log = logging.getLogger("dekat.geocoding")

SOURCE_GEOCODER: Final = "geocoder"
SOURCE_AREA: Final = "area"
_DEFAULT_HOSTS: Final = {"nominatim": "nominatim.openstreetmap.org", "photon": "photon.komoot.io"}
# Result types that name a whole place rather than a building or street.
_COARSE_TYPES: Final = frozenset(
    {
        "city", "town", "village", "hamlet", "suburb", "quarter", "neighbourhood", "county",
        "district", "state", "region", "country", "municipality", "administrative",
        "postcode", "locality", "city_district", "island",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class GeocodeHit:
    """A point a geocoder found for an address."""

    lat: float
    lon: float
    approximate: bool


@dataclass(frozen=True, slots=True)
class PlacedAddress:
    """Where an address was placed, how, and whether an editor should check the pin."""

    lat: float
    lon: float
    approximate: bool
    source: str
    area_slug: str | None = None


class Geocoder(Protocol):
    """Anything that turns an address into a point (tests pass fakes)."""

    def geocode(self, address: str) -> GeocodeHit | None: ...


def _split_base_url(base_url: str) -> tuple[str, str]:
    """``https://host:8080/nominatim/`` → ``("https", "host:8080/nominatim")`` for geopy.

    >>> _split_base_url("http://127.0.0.1:9000")
    ('http', '127.0.0.1:9000')
    """
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"geocoder_url must be an http(s) URL, got {base_url!r}")
    return parts.scheme, parts.netloc + parts.path.rstrip("/")


def _is_coarse(raw: Any) -> bool:
    """Whether a Nominatim or Photon result is an area rather than an address."""
    if not isinstance(raw, dict):
        return False
    nested = raw.get("properties")
    props: dict[str, Any] = nested if isinstance(nested, dict) else raw
    kinds = {str(props.get(k, "")) for k in ("addresstype", "type", "osm_value")}
    return bool(kinds & _COARSE_TYPES) or props.get("class") == "boundary"


class GeopyGeocoder:
    """Nominatim or Photon through geopy, rate-limited, failures logged and swallowed."""

    def __init__(
        self,
        *,
        kind: str,
        base_url: str | None,
        user_agent: str,
        min_delay_s: float,
        timeout_s: float = 5.0,
    ) -> None:
        scheme, domain = _split_base_url(base_url) if base_url else ("https", _DEFAULT_HOSTS[kind])
        service: Nominatim | Photon
        if kind == "nominatim":
            service = Nominatim(
                domain=domain, scheme=scheme, user_agent=user_agent, timeout=timeout_s
            )
        elif kind == "photon":
            service = Photon(domain=domain, scheme=scheme, user_agent=user_agent, timeout=timeout_s)
        else:
            raise ValueError(f"unknown geocoder {kind!r}")
        self.kind = kind
        # No retries: on failure the gazetteer answers at once instead of a worker waiting.
        self._geocode = RateLimiter(
            service.geocode, min_delay_seconds=min_delay_s, max_retries=0, swallow_exceptions=False
        )

    def geocode(self, address: str) -> GeocodeHit | None:
        """The first hit for ``address``, or None when nothing was found or the call failed."""
        try:
            location = self._geocode(address, exactly_one=True)
        except GeopyError as exc:
            log.warning("%s geocoder failed: %s", self.kind, type(exc).__name__)
            return None
        if location is None:
            return None
        lat, lon = float(location.latitude), float(location.longitude)
        if not valid_coordinates(lat, lon):
            return None
        return GeocodeHit(lat=lat, lon=lon, approximate=_is_coarse(location.raw))


def make_geocoder(settings: Settings) -> Geocoder | None:
    """The configured geocoder, or None when ``geocoder`` is ``off``."""
    if settings.geocoder == "off":
        return None
    return GeopyGeocoder(
        kind=settings.geocoder,
        base_url=settings.geocoder_url,
        user_agent=settings.geocoder_user_agent,
        min_delay_s=settings.geocoder_min_delay_s,
    )


@dataclass(frozen=True, slots=True)
class GazetteerArea:
    """What the fallback needs of an area: its names and where it sits in the hierarchy."""

    id: int
    slug: str
    kind: str
    parent_id: int | None
    lat: float
    lon: float
    area_m2: float
    names: tuple[str, ...]


def load_gazetteer(session: Session) -> list[GazetteerArea]:
    """Every stored area with its folded name and aliases."""
    rows = session.execute(
        select(
            Area.id, Area.slug, Area.kind, Area.parent_id, Area.lat, Area.lon, Area.area_m2,
            Area.name, Area.aliases,
        )
    )  # fmt: skip
    out = []
    for aid, slug, kind, parent_id, lat, lon, size, name, aliases in rows:
        names = {fold(n) for n in (name, *(aliases or ())) if isinstance(n, str)}
        names.discard("")
        out.append(GazetteerArea(aid, slug, kind, parent_id, lat, lon, size, tuple(sorted(names))))
    return out


def _ancestors(area: GazetteerArea, by_id: dict[int, GazetteerArea]) -> Iterable[int]:
    seen: set[int] = set()
    parent = area.parent_id
    while parent is not None and parent not in seen and parent in by_id:
        seen.add(parent)
        yield parent
        parent = by_id[parent].parent_id


Span = tuple[int, int]
_PARTS: Final = re.compile(r"[,;/\n]")
_STREET_WORDS: Final = frozenset({"jl", "jln", "jalan", "gg", "gang"})


def _found(text: str, areas: Sequence[GazetteerArea]) -> dict[int, list[Span]]:
    return {a.id: spans for a in areas if (spans := _spans(text, a.names))}


def _spans(text: str, names: Iterable[str]) -> list[Span]:
    """Where each name occurs in ``text`` as whole words (text is padded with spaces)."""
    out: list[Span] = []
    for name in names:
        needle = f" {name} "
        at = text.find(needle)
        while at >= 0:
            out.append((at + 1, at + 1 + len(name)))
            at = text.find(needle, at + 1)
    return out


def _inside_longer(span: Span, others: Iterable[Span]) -> bool:
    return any(
        o[0] <= span[0] and span[1] <= o[1] and o[1] - o[0] > span[1] - span[0] for o in others
    )


def _disjoint(a: Span, b: Span) -> bool:
    return a[1] <= b[0] or b[1] <= a[0]


def _address_text(address: str, *, streets: bool) -> str:
    """The folded address parts, separated so that no name spans two of them; street parts
    ("Jl. Raya Serpong") left out unless ``streets``: a street named after a place is not
    in that place."""
    parts = [fold(p) for p in _PARTS.split(address)]
    kept = [p for p in parts if p and (streets or p.split()[0] not in _STREET_WORDS)]
    return f" {' ; '.join(kept)} "


def _ancestor_named_alike(
    area: GazetteerArea, named: dict[int, list[Span]], by_id: dict[int, GazetteerArea]
) -> bool:
    """True when a parent is named by the very same words ("Setu" is the kecamatan, not
    also its kelurahan Setu)."""
    own = set(named[area.id])
    return any(own <= set(named.get(p, ())) for p in _ancestors(area, by_id))


def named_areas(address: str, areas: Sequence[GazetteerArea]) -> dict[int, list[Span]]:
    """Areas an address names, with where: "Serpong Utara" names Serpong Utara, not also
    Serpong (a name inside a longer matched name does not count)."""
    found = _found(_address_text(address, streets=False), areas) or _found(
        _address_text(address, streets=True), areas
    )
    every = [(span, aid) for aid, spans in found.items() for span in spans]
    named: dict[int, list[Span]] = {}
    for aid, spans in found.items():
        others = [span for span, other in every if other != aid]
        kept = [span for span in spans if not _inside_longer(span, others)]
        if kept:
            named[aid] = kept
    return named


def most_specific_area(address: str, areas: Sequence[GazetteerArea]) -> GazetteerArea | None:
    """The area an address most precisely names, or None when it names none.

    Areas are named by whole words (folded, so "PONDOK AREN" matches but "Pd. Aren" does
    not). Among the named ones, an area whose parents are named elsewhere in the address
    wins (so "Setu, Tangerang Selatan" is not the Setu in Bekasi, and in "Lengkong Gudang,
    Serpong" the word "Serpong" is the kecamatan, not the kelurahan of that name), then the
    most specific kind, then the smallest.
    """
    named = named_areas(address, areas)
    if not named:
        return None
    by_id = {a.id: a for a in areas}
    named = {
        aid: spans
        for aid, spans in named.items()
        if not _ancestor_named_alike(by_id[aid], named, by_id)
    }

    def support(area: GazetteerArea) -> int:
        own = named[area.id]
        return sum(
            1
            for parent in _ancestors(area, by_id)
            if any(all(_disjoint(p, o) for o in own) for p in named.get(parent, ()))
        )

    def key(area: GazetteerArea) -> tuple[int, int, float, int]:
        return (-support(area), KIND_SPECIFICITY.get(area.kind, 6), area.area_m2, area.id)

    return min((by_id[aid] for aid in named), key=key)


def place_address(
    session: Session, address: str, *, geocoder: Geocoder | None
) -> PlacedAddress | None:
    """Coordinates for an address: the geocoder first, else the named area's centroid."""
    if geocoder is not None:
        hit = geocoder.geocode(address)
        if hit is not None:
            return PlacedAddress(hit.lat, hit.lon, hit.approximate, SOURCE_GEOCODER)
    area = most_specific_area(address, load_gazetteer(session))
    if area is None:
        return None
    return PlacedAddress(area.lat, area.lon, True, SOURCE_AREA, area_slug=area.slug)


def get_geocoder(request: Request) -> Geocoder | None:
    """The app's geocoder, made once so that its rate limiter is shared by all requests."""
    state = request.app.state
    if not hasattr(state, "geocoder"):
        settings: Settings = state.settings
        state.geocoder = make_geocoder(settings)
    geocoder: Geocoder | None = state.geocoder
    return geocoder


GeocoderDep = Annotated[Geocoder | None, Depends(get_geocoder)]
