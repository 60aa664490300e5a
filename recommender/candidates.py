"""What the caller hands to ``rank``: the places (``Candidate``) and the query (``Context``).

Both are plain immutable values checked on construction, so the ranking maths can trust
them (finite distances, ratings on the 1–5 scale, known reach classes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from datetime import datetime
from typing import Any

from recommender.weights import REACH_CLASSES


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A place that may be recommended, with the features the ranking reads.

    ``categories`` holds every category slug the place belongs to, ancestors included, so
    that asking for a parent category matches its children (``category``, the primary
    one, always counts). ``popularity`` is activity the
    caller knows of besides reviews (interactions in the last months, say); reviews are
    counted from ``rating_count``. ``is_open`` is ``None`` when opening hours are unknown,
    and ``age_days`` is ``None`` when the listing date is unknown (never "new").
    ``text_match`` is the caller's 0..1 text score for the query text, and
    ``category_match`` lets the caller decide the category match itself. ``family`` is
    the top-level group (``recommender.mix``), ``visitors`` how many distinct people
    interacted with the place (the evidence "populer" needs).
    """

    business_id: int
    lat: float
    lon: float
    distance_m: float
    category: str
    reach: str
    categories: tuple[str, ...] = ()
    rating_mean: float | None = None
    rating_count: int = 0
    popularity: float = 0.0
    is_open: bool | None = None
    age_days: float | None = None
    text_match: float = 0.0
    category_match: bool = False
    family: str = ""
    visitors: int = 0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.distance_m) and self.distance_m >= 0):
            raise ValueError(f"distance_m must be finite and ≥ 0, got {self.distance_m!r}")
        if self.reach not in REACH_CLASSES:
            raise ValueError(f"reach must be one of {REACH_CLASSES}, got {self.reach!r}")
        if self.rating_mean is not None and not 1.0 <= self.rating_mean <= 5.0:
            raise ValueError(f"rating_mean must lie in 1..5, got {self.rating_mean!r}")
        if self.rating_count < 0:
            raise ValueError("rating_count must be ≥ 0")
        if not (math.isfinite(self.popularity) and self.popularity >= 0):
            raise ValueError("popularity must be finite and ≥ 0")
        if self.age_days is not None and not (math.isfinite(self.age_days) and self.age_days >= 0):
            raise ValueError("age_days must be finite and ≥ 0")
        if self.visitors < 0:
            raise ValueError("visitors must be ≥ 0")
        if not 0.0 <= self.text_match <= 1.0:
            raise ValueError("text_match must lie in 0..1")


def _slot_setting_init(cls: type) -> Callable[..., None]:
    """An ``__init__`` for a frozen, slotted dataclass that stores each field through its
    slot descriptor, then runs ``__post_init__``.

    The one dataclass generates goes through ``object.__setattr__`` per field; for
    ``Candidate`` (16 fields, ~330 built per recommendation) that was most of the
    construction, and construction a tenth of a request (``benchmarks/README.md``,
    section 3). Same signature (keyword-only, same defaults), same checks; the instance
    stays frozen (assignment after construction still raises).
    """
    spec = [f for f in fields(cls) if f.init]
    namespace: dict[str, Any] = {"_UNSET": object()}
    params, body = [], []
    for f in spec:
        namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        if f.default is not MISSING:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_UNSET")
            body.append(f"    if {f.name} is _UNSET: {f.name} = _factory_{f.name}()")
        else:
            params.append(f.name)
        body.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, *, {', '.join(params)}):\n" + "\n".join(body)
    source += "\n    self.__post_init__()\n"
    exec(source, namespace)  # noqa: S102 - built from the class's own field names
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


Candidate.__init__ = _slot_setting_init(Candidate)  # type: ignore[method-assign]


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """The query: where the reader is, when, who (optional) and what they asked for.

    ``at`` is read on its wall clock for habits (hour, weekday) and as an instant for
    elapsed time; see ``recommender.timeofday``. ``category`` is the asked category slug.
    """

    lat: float
    lon: float
    at: datetime
    user_id: str | None = None
    text: str | None = None
    category: str | None = None

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            raise ValueError(f"invalid coordinates ({self.lat!r}, {self.lon!r})")
