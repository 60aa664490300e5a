"""Graded relevance judgements by written rules, and the metrics computed from them.

A judged query says what it *means* (``docs/relevance.md``): the facets a right answer
has (category slugs, or a Zomato cuisine as ``cuisine:pizza``), words the name must hold
for a name/brand search, an area border, a price ceiling, an opening-time constraint and
whether the reader wants what is near. Every business is graded 0–3 from those rules
alone — never from what an engine returned — so the ideal ranking is known over the
whole data set and nDCG is exact.

Rules, in order:

1. Sense. With ``name``: 3 when every name word is in the business's name, else 1 when
   it has a wanted facet, else 0. Without ``name``: 3 when the business has a wanted
   facet, 2 when its name holds every word typed (constraint words such as "near me",
   "murah", "24 jam" and the area's own words aside), 1 when it has a related facet,
   else 0.
   A query wanting nothing (a bare area or filter) gives every business 3.
2. Constraints lower a sense grade ≥ 1: outside the area → at most 1; above the price
   ceiling → at most 1, price unknown → at most 2; closed at the asked time → at most 1,
   hours unknown → at most 1.
3. Near ("dekat sini", "near me"): beyond 2 km at most 2, beyond 5 km at most 1.

A *wrong-sense* result is a grade-0 business shown for a query that wants a facet.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

from directory.geo import distance_m
from directory.hours import OpeningHours, is_open_at
from directory.search.text_match import words

CONSTRAINT_WORDS = frozenset(
    {"near", "me", "nearby", "nearest", "closest", "around", "here", "dekat", "sini",
     "terdekat", "sekitar", "saya", "murah", "cheap", "hemat", "budget", "affordable",
     "buka", "open", "now", "sekarang", "24", "jam", "hours", "hour", "7", "di", "in",
     "at", "the", "for", "yang", "buat", "untuk"}
)  # fmt: skip
"""Words that state where, when or how cheap — constraints a judged query states in its
own fields (``near``, ``open``, ``price_max``, ``area``) — or join words. Rule 1's name
test ("its name holds every word typed") looks at the other words: "Madras Coffee House"
holds what "coffee near me" asks for, though not "near" or "me"."""
NEAR_FULL_M = 2_000.0
NEAR_PART_M = 5_000.0
K_NDCG = 10
K_PRECISION = 5


@dataclass(frozen=True, slots=True)
class JudgedQuery:
    """One query as typed, and what it means (see the module docstring)."""

    q: str
    want: frozenset[str] = frozenset()
    related: frozenset[str] = frozenset()
    name: tuple[str, ...] = ()
    area: str | None = None
    price_max: int | None = None
    open: str | None = None
    near: bool = False
    point: bool = True
    heldout: bool = False
    q_words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class JudgedBusiness:
    """What the rules look at for one business."""

    id: int
    name_words: frozenset[str]
    facets: frozenset[str]
    lat: float
    lon: float
    price_level: int | None
    hours: OpeningHours | None


def load_queries(path: Path) -> list[JudgedQuery]:
    """Read a judged query file (TOML, one ``[[query]]`` table per query)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out: list[JudgedQuery] = []
    for raw in data.get("query", []):
        out.append(
            JudgedQuery(
                q=str(raw["q"]),
                want=frozenset(str(x) for x in raw.get("want", [])),
                related=frozenset(str(x) for x in raw.get("related", [])),
                name=tuple(words(str(raw.get("name", "")))),
                area=raw.get("area"),
                price_max=raw.get("price_max"),
                open=raw.get("open"),
                near=bool(raw.get("near", False)),
                point=bool(raw.get("point", True)),
                heldout=bool(raw.get("heldout", False)),
                q_words=tuple(w for w in words(str(raw["q"])) if w not in CONSTRAINT_WORDS),
            )
        )
    return out


def _open_ok(hours: OpeningHours | None, rule: str, now: datetime) -> bool:
    if hours is None:
        return False
    if rule == "24h":
        return all(
            is_open_at(hours, now.replace(hour=h, minute=m)) for h in range(24) for m in (0, 30)
        )
    at = now if rule == "now" else datetime.combine(now.date(), time.fromisoformat(rule))
    return is_open_at(hours, at.replace(tzinfo=None))


def grade(
    query: JudgedQuery,
    biz: JudgedBusiness,
    *,
    point: tuple[float, float] | None,
    in_area: Callable[[JudgedBusiness], bool] | None,
    now: datetime,
) -> int:
    """The 0–3 grade of one business for one query, by the rules of the module docstring."""
    if query.name:
        if all(w in biz.name_words for w in query.name):
            sense = 3
        elif biz.facets & query.want:
            sense = 1
        else:
            sense = 0
    elif query.want:
        sense = 3 if biz.facets & query.want else 1 if biz.facets & query.related else 0
        if sense <= 1 and query.q_words and all(w in biz.name_words for w in query.q_words):
            sense = 2  # its name says what was typed ("Soto Betawi" for "soto")
    else:
        sense = 3
    if sense == 0:
        return 0
    if in_area is not None and not in_area(biz):
        sense = min(sense, 1)
    if query.price_max is not None:
        if biz.price_level is None:
            sense = min(sense, 2)
        elif biz.price_level > query.price_max:
            sense = min(sense, 1)
    if query.open is not None and not _open_ok(biz.hours, query.open, now):
        sense = min(sense, 1)
    if query.near and point is not None:
        d = distance_m(point[0], point[1], biz.lat, biz.lon)
        if d > NEAR_PART_M:
            sense = min(sense, 1)
        elif d > NEAR_FULL_M:
            sense = min(sense, 2)
    return sense


def dcg(grades: Sequence[int], k: int = K_NDCG) -> float:
    """Discounted cumulative gain with gain 2^rel − 1 and discount log2(rank + 1)."""
    return float(sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:k])))


@dataclass(slots=True)
class QueryResult:
    """How one query did."""

    query: JudgedQuery
    grades: list[int]
    ideal: list[int]
    wrong_sense: bool = False

    @property
    def answerable(self) -> bool:
        return bool(self.ideal) and self.ideal[0] > 0

    @property
    def ndcg(self) -> float:
        best = dcg(self.ideal)
        return dcg(self.grades) / best if best > 0 else (1.0 if not self.grades else 0.0)

    @property
    def precision(self) -> float:
        return sum(1 for g in self.grades[:K_PRECISION] if g >= 2) / K_PRECISION


@dataclass(slots=True)
class Summary:
    """Figures over a set of queries."""

    queries: int = 0
    answerable: int = 0
    ndcg: float = 0.0
    precision: float = 0.0
    zero: int = 0
    wrong_sense: int = 0
    worst: list[tuple[float, str]] = field(default_factory=list)

    @property
    def zero_rate(self) -> float:
        return self.zero / self.answerable if self.answerable else 0.0


def judge_results(
    query: JudgedQuery,
    returned: Sequence[int],
    grades_by_id: Mapping[int, int],
) -> QueryResult:
    """Grades of what the engine returned, the ideal order and the wrong-sense flag."""
    got = [grades_by_id.get(b, 0) for b in returned[:K_NDCG]]
    ideal = sorted((g for g in grades_by_id.values() if g > 0), reverse=True)[:K_NDCG]
    wrong = bool(query.want) and any(g == 0 for g in got[:K_PRECISION])
    return QueryResult(query=query, grades=got, ideal=ideal, wrong_sense=wrong)


def summarise(results: Iterable[QueryResult]) -> Summary:
    """Mean nDCG@10 and precision@5 over answerable queries, zero-result and wrong-sense
    counts."""
    out = Summary()
    ndcgs: list[float] = []
    precisions: list[float] = []
    for r in results:
        out.queries += 1
        if r.wrong_sense:
            out.wrong_sense += 1
        if not r.answerable:
            continue
        out.answerable += 1
        ndcgs.append(r.ndcg)
        precisions.append(r.precision)
        out.worst.append((r.ndcg, r.query.q))
        if not r.grades:
            out.zero += 1
    out.ndcg = sum(ndcgs) / len(ndcgs) if ndcgs else 0.0
    out.precision = sum(precisions) / len(precisions) if precisions else 0.0
    out.worst.sort()
    return out
