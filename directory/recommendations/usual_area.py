"""Where a reader usually goes: the point to recommend around when they give none.

``GET /api/v1/recommendations?user_id=…`` without ``lat``/``lon``/``area`` (and the home
page's "Untuk Anda") ranks around the centre of the reader's history. Not the plain mean
of every place they touched — someone living in BSD with one trip to Jakarta would get a
point on the toll road — but the centre of the densest part: each place weighs its events,
the place with the most weight within ``USUAL_RADIUS_M`` is the core, and the point is
the weighted mean of the places within that radius of the core.

Every item then carries the reason ``usual_area`` ("di sekitar tempat yang biasa Anda
kunjungi" / "around where you usually go"), and distances are said from that point,
never "from you".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Literal

import numpy as np

from recommender import Reason, render_reason
from recommender.reasons import format_distance

USUAL_RADIUS_M: Final = 3_000.0
MAX_PLACES: Final = 500
USUAL_AREA_CODE: Final = "usual_area"
_EARTH_M: Final = 6_371_008.8
_WORDS: Final = {
    "id": "di sekitar tempat yang biasa Anda kunjungi",
    "en": "around where you usually go",
}
_FROM: Final = {"id": "dari tempat yang biasa Anda kunjungi", "en": "from where you usually go"}


def usual_point(
    visits: Mapping[int, int], coordinates: Mapping[int, tuple[float, float]]
) -> tuple[float, float] | None:
    """The centre of the densest part of a history (events per business), or None.

    >>> usual_point({1: 5, 2: 4, 3: 1}, {1: (-6.30, 106.65), 2: (-6.302, 106.652),
    ...                                  3: (-6.20, 106.82)})
    (-6.300889, 106.650889)
    """
    places = [
        (coordinates[b], float(n))
        for b, n in Counter(visits).most_common(MAX_PLACES)
        if b in coordinates and n > 0
    ]
    if not places:
        return None
    lat = np.radians(np.array([p[0][0] for p in places]))
    lon = np.radians(np.array([p[0][1] for p in places]))
    weight = np.array([p[1] for p in places])
    # Equirectangular distances: exact enough within a city, and vectorised.
    mean_lat = float(lat.mean())
    x = lon * math.cos(mean_lat) * _EARTH_M
    y = lat * _EARTH_M
    dist = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    near = dist <= USUAL_RADIUS_M
    core = int(np.argmax(near.astype(np.float64) @ weight))
    members = near[core]
    w = weight[members]
    centre_lat = float(np.degrees((lat[members] * w).sum() / w.sum()))
    centre_lon = float(np.degrees((lon[members] * w).sum() / w.sum()))
    return round(centre_lat, 6), round(centre_lon, 6)


def history_visits(business_ids: Iterable[int]) -> dict[int, int]:
    """Events per business of a history (the weights of ``usual_point``)."""
    return dict(Counter(business_ids))


def usual_area_reasons(
    reasons: Sequence[Reason], lang: Literal["id", "en"]
) -> tuple[list[str], list[str]]:
    """The item's reasons when ranked around the usual area: that reason first, and the
    distance said from that point. Returns (texts, codes)."""
    texts = [_WORDS[lang]]
    codes = [USUAL_AREA_CODE]
    for reason in reasons:
        if reason.code == "distance":
            where = format_distance(float(reason.params["distance_m"]), lang=lang)
            texts.append(f"{where} {_FROM[lang]}")
        else:
            texts.append(render_reason(reason, lang))
        codes.append(reason.code)
    return texts, codes
