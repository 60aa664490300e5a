"""Geodesy for the directory: distances, bounding boxes and the optional geocoder.

This is the one module that imports geopy. Hot paths use the haversine formula on
the WGS84 mean radius, whose error against ``geopy.distance.geodesic`` is at most
about 0.5% (usually far less at city scale); correctness tests check that bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from geopy.distance import geodesic

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius
METERS_PER_DEG_LAT = math.pi * EARTH_RADIUS_M / 180.0


@dataclass(frozen=True, slots=True)
class BBox:
    """An axis-aligned box in degrees, as readers send it from a map view."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lat: float, lon: float) -> bool:
        """True when the point lies inside or on the edge of the box."""
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres.

    >>> round(distance_m(-6.3, 106.65, -6.3, 106.66))
    1106
    """
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def distance_array(
    lat: float, lon: float, lats: npt.NDArray[np.float64], lons: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """:func:`distance_m` from one point to many at once (the same formula, vectorised;
    equal to it within floating-point rounding)."""
    p1 = math.radians(lat)
    p2 = np.radians(lats)
    dp = p2 - p1
    dl = np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: npt.NDArray[np.float64] = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return out


def geodesic_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Ellipsoidal (WGS84) distance in metres; slower, used as the reference in tests."""
    return float(geodesic((lat1, lon1), (lat2, lon2)).meters)


def bbox_around(lat: float, lon: float, radius_m: float) -> BBox:
    """The smallest lat/lon box that holds every point within ``radius_m`` of a point.

    The box is widened slightly so that a haversine circle never pokes outside it.
    """
    dlat = radius_m / METERS_PER_DEG_LAT * 1.001
    coslat = max(math.cos(math.radians(lat)), 1e-6)
    dlon = min(180.0, radius_m / (METERS_PER_DEG_LAT * coslat) * 1.001 + 1e-9)
    return BBox(
        min_lon=max(-180.0, lon - dlon),
        min_lat=max(-90.0, lat - dlat),
        max_lon=min(180.0, lon + dlon),
        max_lat=min(90.0, lat + dlat),
    )


def valid_coordinates(lat: float, lon: float) -> bool:
    """Finite, in range and not the (0, 0) placeholder that broken imports produce."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return False
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return False
    return not (lat == 0.0 and lon == 0.0)
