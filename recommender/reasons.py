"""Why a place was recommended, as data (``Reason``) and as words (``render_reason``).

Every reason names a signal that added at least ``RankingWeights.reason_min_contribution``
to the place's score, with the figures a reader needs ("650 m", "4,6★ dari 12 ulasan").
Indonesian is the default language; English is the other one offered.

Distances are measured from the query point, which is not always the reader: a business
page recommends places around that business, an area page around the area's centre. The
``origin`` of ``render_reason`` says which, so the words never claim "from you" for a point
the reader never gave.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

Lang = Literal["id", "en"]
Origin = Literal["reader", "place", "area"]
"""What the query point is: the reader's location, a business (a "nearby" block), or an
area's centre (an area given by name)."""
ParamValue = str | int | float


@dataclass(frozen=True, slots=True)
class Reason:
    """One signal that fired for a place, with the figures to show and what it added."""

    code: str
    params: Mapping[str, ParamValue] = field(default_factory=lambda: MappingProxyType({}))
    contribution: float = 0.0


def format_number(value: float, *, decimals: int, lang: Lang) -> str:
    """A number with the decimal and thousands marks of the language.

    >>> format_number(1234.5, decimals=1, lang="id"), format_number(1234.5, decimals=1, lang="en")
    ('1.234,5', '1,234.5')
    """
    text = f"{value:,.{decimals}f}"
    if lang == "id":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_distance(distance_m: float, *, lang: Lang) -> str:
    """Distance as a reader says it: "650 m" up to a kilometre, then "1,2 km", then "15 km".

    >>> [format_distance(m, lang="id") for m in (648, 1240, 15_400)]
    ['650 m', '1,2 km', '15 km']
    """
    rounded_m = max(10, round(distance_m / 10.0) * 10)
    if rounded_m < 1000:
        return f"{rounded_m} m"
    km = distance_m / 1000.0
    decimals = 1 if round(km, 1) < 10 else 0
    return f"{format_number(km, decimals=decimals, lang=lang)} km"


ORIGIN_WORDS: Final[Mapping[tuple[Origin, Lang], str]] = MappingProxyType(
    {
        ("reader", "id"): "dari Anda",
        ("reader", "en"): "from you",
        ("place", "id"): "dari sini",
        ("place", "en"): "from here",
        ("area", "id"): "dari pusat area",
        ("area", "en"): "from the area centre",
    }
)
"""How the distance reason names the query point, per origin and language."""


def _distance(p: Mapping[str, ParamValue], lang: Lang, origin: Origin) -> str:
    where = format_distance(float(p["distance_m"]), lang=lang)
    return f"{where} {ORIGIN_WORDS[origin, lang]}"


def _rating(p: Mapping[str, ParamValue], lang: Lang) -> str:
    mean = format_number(float(p["mean"]), decimals=1, lang=lang)
    count = int(p["count"])
    counted = format_number(count, decimals=0, lang=lang)
    if lang == "id":
        return f"{mean}★ dari {counted} ulasan"
    return f"{mean}★ from {counted} review{'s' if count != 1 else ''}"


def _text_match(p: Mapping[str, ParamValue], lang: Lang) -> str:
    text = str(p.get("text", "")).strip()
    if lang == "id":
        return f"cocok dengan '{text}'" if text else "cocok dengan pencarian Anda"
    return f"matches '{text}'" if text else "matches your search"


def _revisit(p: Mapping[str, ParamValue], lang: Lang) -> str:
    visits = int(p.get("visits", 0))
    if visits >= 3:
        return "sering Anda kunjungi" if lang == "id" else "you visit often"
    if visits >= 1:
        return "pernah Anda kunjungi" if lang == "id" else "you have been here"
    return "pernah Anda lihat" if lang == "id" else "you looked at it before"


def _fixed(id_text: str, en_text: str) -> Callable[[Mapping[str, ParamValue], Lang], str]:
    def render(_params: Mapping[str, ParamValue], lang: Lang) -> str:
        return id_text if lang == "id" else en_text

    return render


_RENDERERS: Final[Mapping[str, Callable[[Mapping[str, ParamValue], Lang], str]]] = {
    "rating": _rating,
    "popular": _fixed("populer", "popular"),
    "popular_now": _fixed("ramai di jam seperti ini", "busy at this time"),
    "trending": _fixed("sedang ramai", "busy lately"),
    "open_now": _fixed("buka sekarang", "open now"),
    "text_match": _text_match,
    "category_match": _fixed("sesuai kategori yang dicari", "in the category you asked for"),
    "revisit": _revisit,
    "favourite_category": _fixed("kategori favorit Anda", "a category you like"),
    "co_visit": _fixed(
        "disukai orang yang sering ke tempat yang sama dengan Anda",
        "liked by people who go where you go",
    ),
    "next_place": _fixed(
        "tujuan berikutnya yang umum dari tempat terakhir Anda",
        "a usual next stop from where you were",
    ),
    "new_listing": _fixed("baru bergabung", "new listing"),
}


def render_reason(reason: Reason, lang: Lang = "id", *, origin: Origin = "reader") -> str:
    """The reason in plain words, Indonesian by default.

    ``origin`` names the point distances are measured from (only the distance reason
    reads it): the reader by default, ``"place"`` around a business, ``"area"`` around
    an area's centre.

    >>> render_reason(Reason("distance", {"distance_m": 652.0}))
    '650 m dari Anda'
    >>> render_reason(Reason("distance", {"distance_m": 652.0}), "en", origin="place")
    '650 m from here'
    >>> render_reason(Reason("rating", {"mean": 4.6, "count": 12}), "en")
    '4.6★ from 12 reviews'
    """
    if lang not in ("id", "en"):
        raise ValueError(f"unsupported language {lang!r}; use 'id' or 'en'")
    if origin not in ("reader", "place", "area"):
        raise ValueError(f"unsupported origin {origin!r}; use 'reader', 'place' or 'area'")
    if reason.code == "distance":  # the one reason that names the query point
        return _distance(reason.params, lang, origin)
    try:
        renderer = _RENDERERS[reason.code]
    except KeyError:
        raise ValueError(f"unknown reason code {reason.code!r}") from None
    return renderer(reason.params, lang)
