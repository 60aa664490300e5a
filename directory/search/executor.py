"""Executing one search exactly, touching as few businesses as the query allows.

The executor draws candidates from the streams of :mod:`directory.search.streams`,
computes each candidate's exact sort key, keeps the best ``limit + 1`` keys after the
cursor, and stops as soon as nothing it has not seen can still get in:

* when a complete stream (text matches, the whole region, the whole distance range) has
  been drained, every possible match has been seen;
* when the worst kept key is already better than the bound of every unseen business.
  For ``distance`` and the table orders the bound is where the ordered stream stands;
  for ``relevance`` it is the score a business would reach with a perfect text match,
  the quality where the quality-ordered stream stands and the distance where the
  distance stream stands (Fagin's threshold algorithm).

A small region (area, box or radius holding at most ``REGION_CAP`` businesses) is simply
read whole. The result is the same whichever way the executor gets there, which the
tests check against a brute-force evaluation of the documented rules.
"""

from __future__ import annotations

import math
from bisect import insort
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.geo import BBox, bbox_around, distance_array, distance_m
from directory.hours import from_json, is_open_at
from directory.models import Business, BusinessStatus
from directory.search.area_lookup import AreaFilter
from directory.search.cursor import Key
from directory.search.fulltext import TextStream, build_query, spelled_prefixes
from directory.search.params import Sort
from directory.search.ranking import (
    W_DISTANCE,
    W_QUALITY,
    W_TEXT,
    proximity_array,
    quality_from_key,
    relevance,
    relevance_bound,
)
from directory.search.spatial import SpatialIndex
from directory.search.streams import (
    DistanceStream,
    Doc,
    OrderStream,
    QualityStream,
    fetch_docs,
    order_key,
)
from directory.search.text_match import QueryWord, text_bound, text_score

REGION_CAP = 3000
FIRST_BATCH = 64
"""Candidates asked of a stream at first (tests set it tiny to exercise early stopping)."""
BOUND_CHUNK = 32
"""Candidates read and scored at a time when ordered by their score bound: the kept
results between chunks decide which of the rest are still worth reading."""
BOUND_SLACK = 1e-9


@dataclass(frozen=True)
class Plan:
    """A search with every name resolved: what to match, filter and sort by."""

    sort: Sort
    limit: int
    words: tuple[QueryWord, ...] = ()
    required: int = 0
    point: tuple[float, float] | None = None
    radius_m: float | None = None
    bbox: BBox | None = None
    area: AreaFilter | None = None
    scopes: frozenset[int] = frozenset()
    min_rating: float | None = None
    prices: frozenset[int] = frozenset()
    open_at: tuple[datetime, ...] = ()
    always_open: bool = False
    after: Key | None = None

    @property
    def needs_live(self) -> bool:
        """Whether candidates need their current business row (filters or sort key)."""
        filters = self.min_rating or self.prices or self.open_at or self.always_open
        return bool(filters) or self.sort in (
            Sort.REVIEWS,
            Sort.NEWEST,
        )


@dataclass(slots=True)
class Found:
    """A business in the result, with the key it is ordered by."""

    business_id: int
    key: Key
    lat: float
    lon: float
    distance_m: float | None = None
    score: float | None = None
    text: float | None = None


def _found_key(found: Found) -> Key:
    return found.key


@dataclass(slots=True)
class _Cand:
    business_id: int
    lat: float | None = None
    lon: float | None = None
    doc: Doc | None = None
    key: Key | None = None
    scoped: bool = False
    quality_key: int | None = None


@dataclass(slots=True)
class _Live:
    rating_sum: float
    rating_count: int
    price_level: int | None
    hours: object
    created_at: datetime | None


def _intersect(a: BBox | None, b: BBox) -> BBox:
    if a is None:
        return b
    return BBox(
        min_lon=max(a.min_lon, b.min_lon),
        min_lat=max(a.min_lat, b.min_lat),
        max_lon=min(a.max_lon, b.max_lon),
        max_lat=min(a.max_lat, b.max_lat),
    )


@dataclass
class Executor:
    """Runs one :class:`Plan` (see the module docstring)."""

    session: Session
    plan: Plan
    spatial: SpatialIndex
    budget: int | None = None
    top: list[Found] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)
    touched: int = 0
    _alts: list[tuple[frozenset[str], bool]] | None = None
    _text_cap: float | None = None
    _spelled_words: dict[str, list[str]] | None = None

    @property
    def _k(self) -> int:
        return self.plan.limit + 1

    def region(self) -> BBox | None:
        """The box every match lies in, or None when the query has no spatial limit."""
        p = self.plan
        box: BBox | None = None
        if p.radius_m is not None and p.point is not None:
            box = _intersect(box, bbox_around(p.point[0], p.point[1], p.radius_m))
        if p.bbox is not None:
            box = _intersect(box, p.bbox)
        if p.area is not None:
            box = _intersect(box, p.area.box)
        return box

    def _max_distance(self) -> float | None:
        p = self.plan
        if p.point is None:
            return None
        limits: list[float] = []
        if p.radius_m is not None:
            limits.append(p.radius_m)
        if p.area is not None:
            limits.append(p.area.max_distance_from(*p.point))
        if p.bbox is not None:
            b = p.bbox
            limits.append(
                max(distance_m(p.point[0], p.point[1], a, o) for a in (b.min_lat, b.max_lat)
                    for o in (b.min_lon, b.max_lon)) + 1.0
            )  # fmt: skip
        return min(limits) if limits else None

    # ------------------------------------------------------------------ filtering

    def _in_space(self, lat: float, lon: float, dist: float | None) -> bool:
        p = self.plan
        if p.radius_m is not None and (dist is None or dist > p.radius_m):
            return False
        if p.bbox is not None and not p.bbox.contains(lat, lon):
            return False
        return p.area is None or p.area.contains(lat, lon)

    def _live_rows(self, ids: Sequence[int]) -> dict[int, _Live]:
        out: dict[int, _Live] = {}
        for start in range(0, len(ids), 900):
            chunk = list(ids[start : start + 900])
            rows = self.session.execute(
                select(
                    Business.id, Business.rating_sum, Business.rating_count,
                    Business.price_level, Business.opening_hours_json, Business.created_at,
                ).where(Business.id.in_(chunk), Business.status == BusinessStatus.PUBLISHED)
            )  # fmt: skip
            for bid, rsum, count, price, hours, created in rows:
                out[bid] = _Live(rsum or 0.0, count or 0, price, hours, created)
        return out

    def _live_ok(self, live: _Live) -> bool:
        p = self.plan
        if p.min_rating:
            if live.rating_count <= 0:
                return False
            if round(live.rating_sum / live.rating_count, 2) < p.min_rating:
                return False
        if p.prices and live.price_level not in p.prices:
            return False
        if p.always_open and not (live.hours and from_json(live.hours).always_open):
            return False
        if p.open_at:
            if not live.hours:
                return False
            hours = from_json(live.hours)
            return all(is_open_at(hours, at) for at in p.open_at)
        return True

    def _may_match(self, doc: Doc) -> bool:
        """A cheap necessary condition of ``text_score(...).matched >= required``: enough
        words have an alternative among the document's words, or (the last word, typed
        in part) a word beginning with it. Reading an area whole, or autocomplete's nearest
        businesses, scores thousands of documents; most fail here."""
        if self._alts is None:
            self._alts = [
                (frozenset(w.terms) | frozenset(w.categories), w.prefix) for w in self.plan.words
            ]
        f = doc.fields
        tokens = set(f.name.split())
        tokens.update(f.categories.split(), f.address.split(), f.description.split())
        hits = 0
        for word, (alts, prefix) in zip(self.plan.words, self._alts, strict=True):
            if not tokens.isdisjoint(alts):
                hits += 1
            elif prefix:
                stem = word.token
                hits += any(t.startswith(stem) for t in tokens)
        return hits >= self.plan.required

    def consider(self, cands: Sequence[_Cand]) -> None:
        """Filter and score new candidates; keep the best keys after the cursor.

        Under ``relevance``, candidates whose point is known are taken best bound first
        (a perfect text match at their distance and quality) in small chunks, and the
        rest of the batch is dropped unread as soon as its best bound cannot reach the
        kept results: the same results as scoring them all, without reading the
        documents of far-away, poorly rated matches of a common word.
        """
        seen = self.seen
        fresh: list[_Cand] = []
        for c in cands:
            if c.business_id not in seen:
                seen.add(c.business_id)  # the first of a business twice in one batch
                fresh.append(c)
        self.touched += len(fresh)
        if self.plan.sort is not Sort.RELEVANCE or len(fresh) <= BOUND_CHUNK:
            self._score(fresh)
            return
        bounds = self._bounds(fresh)
        # Best bound first; a stable sort keeps equal bounds in stream order.
        order = np.argsort(-bounds, kind="stable")
        ranked = bounds[order]
        for start in range(0, len(fresh), BOUND_CHUNK):
            floor = self._kth_score()
            end = min(start + BOUND_CHUNK, len(fresh))
            if ranked[start] < floor:
                return  # ordered by bound: nothing after this chunk can get in either
            # Bounds are in descending order: those reaching the floor are a prefix.
            cut = start + int(np.count_nonzero(ranked[start:end] >= floor))
            self._score([fresh[i] for i in order[start:cut].tolist()])

    def _bounds(self, cands: Sequence[_Cand]) -> npt.NDArray[np.float64]:
        """The highest relevance each candidate could reach (inf when its point is
        unknown), computed for the whole batch at once: an autocomplete of a common
        prefix bounds a couple of thousand candidates, most of which are never read."""
        p = self.plan
        n = len(cands)
        lat = np.fromiter((math.nan if c.lat is None else c.lat for c in cands), np.float64, n)
        lon = np.fromiter((math.nan if c.lon is None else c.lon for c in cands), np.float64, n)
        quality = np.fromiter(
            (1.0 if c.quality_key is None else quality_from_key(c.quality_key) for c in cands),
            np.float64,
            n,
        )
        text = self._best_text()
        out = W_QUALITY * quality
        if text is not None:
            out += W_TEXT * text
        if p.point is not None:
            out += W_DISTANCE * proximity_array(distance_array(p.point[0], p.point[1], lat, lon))
        out[np.isnan(lat) | np.isnan(lon)] = math.inf
        return out

    def _best_text(self) -> float | None:
        """The best text score any match can reach (None without words): below 1.0 when
        a word cannot match exactly (``QueryWord.ceiling``), which is what makes a
        far-away match of a half-typed word provably worse than the kept ones."""
        p = self.plan
        if not p.words:
            return None
        if self._text_cap is None:
            self._text_cap = text_bound(p.words, required=p.required)
        return self._text_cap

    def _filter_word(self) -> QueryWord | None:
        """The word every match must match, by which the documents of spatial candidates
        (nearest businesses, a region read whole) are filtered as they are read: the word
        typed last (its completions), else the rarest; None unless every word is required."""
        p = self.plan
        if not p.words or p.required < len(p.words):
            return None
        last = p.words[-1]
        return last if last.prefix else max(p.words, key=lambda w: w.weight)

    def _kth_score(self) -> float:
        """The score a candidate must reach to enter the kept results (-inf: not full)."""
        if len(self.top) < self._k:
            return -math.inf
        return -float(self.top[self._k - 1].key[0]) - BOUND_SLACK

    def _score(self, fresh: Sequence[_Cand]) -> None:
        p = self.plan
        if p.area is not None or p.bbox is not None or p.radius_m is not None:
            # Candidates whose point is known are tested against the area, box and radius
            # before their documents are read: an area read whole brings every business
            # of its bounding box, many outside its border.
            fresh = [c for c in fresh if c.lat is None or c.lon is None or self._in_space(
                c.lat, c.lon, distance_m(p.point[0], p.point[1], c.lat, c.lon) if p.point
                else None)]  # fmt: skip
        need_doc = bool(p.words) or p.sort in (Sort.RELEVANCE, Sort.RATING)
        missing = [
            c
            for c in fresh
            if c.doc is None and (need_doc or c.lat is None or (p.scopes and not c.scoped))
        ]
        word = self._filter_word()
        spatial = [c.business_id for c in missing if word is not None and c.scoped]
        rest = [c.business_id for c in missing if word is None or not c.scoped]
        docs = fetch_docs(self.session, rest) if rest else {}
        if spatial:
            docs.update(fetch_docs(self.session, spatial, word=word))
        kept: list[tuple[_Cand, float | None, float | None]] = []
        for c in fresh:
            doc = c.doc or docs.get(c.business_id)
            if doc is not None:
                c.doc, c.lat, c.lon = doc, doc.lat, doc.lon
            elif c.lat is None or need_doc or (p.scopes and not c.scoped):
                continue
            if p.scopes and not c.scoped and doc is not None and not (doc.scopes & p.scopes):
                continue
            assert c.lat is not None
            assert c.lon is not None
            dist = distance_m(p.point[0], p.point[1], c.lat, c.lon) if p.point else None
            if not self._in_space(c.lat, c.lon, dist):
                continue
            text: float | None = None
            if p.words:
                assert c.doc is not None
                # A text match (not ``scoped``) passes this test by construction.
                if c.scoped and not self._may_match(c.doc):
                    continue
                match = text_score(p.words, c.doc.fields)
                if match.matched < p.required:
                    continue
                text = match.score
            kept.append((c, dist, text))
        live = self._live_rows([c.business_id for c, _, _ in kept]) if p.needs_live else {}
        for c, dist, text in kept:
            row = live.get(c.business_id)
            if p.needs_live and (row is None or not self._live_ok(row)):
                continue
            self._push(c, dist, text, row)

    def _push(self, c: _Cand, dist: float | None, text: float | None, row: _Live | None) -> None:
        p = self.plan
        score: float | None = None
        key: Key
        if p.sort is Sort.RELEVANCE:
            assert c.doc is not None
            score = relevance(
                text=text, distance_m=dist, quality=quality_from_key(c.doc.quality_key)
            )
            key = (-score, c.business_id)
        elif p.sort is Sort.DISTANCE:
            assert dist is not None
            key = (dist, c.business_id)
        elif p.sort is Sort.RATING:
            assert c.doc is not None
            key = (-c.doc.quality_key, c.business_id)
        elif c.key is not None:
            key = c.key
        else:
            assert row is not None
            key = order_key(p.sort, c.business_id, row.rating_sum, row.rating_count,
                            row.created_at)  # fmt: skip
        if p.after is not None and key <= p.after:
            return
        if len(self.top) >= self._k and key >= self.top[self._k - 1].key:
            return
        assert c.lat is not None
        assert c.lon is not None
        insort(self.top, Found(c.business_id, key, c.lat, c.lon, dist, score, text),
               key=_found_key)  # fmt: skip
        del self.top[self._k :]

    # ------------------------------------------------------------------ running

    def run(self) -> list[Found]:
        """The best ``limit + 1`` matches after the cursor, in order."""
        p = self.plan
        region = self.region()
        if region is not None:
            if region.min_lat > region.max_lat or region.min_lon > region.max_lon:
                return []
            if p.sort is not Sort.DISTANCE or p.point is None:
                matches = self._few_text_matches() if p.words else None
                if matches is not None:
                    # Fewer text matches than the region holds: they are the candidates.
                    self.consider([_Cand(b) for b in matches])
                    return self.top
                points = self.spatial.in_box(region, scopes=self._scopes(), cap=REGION_CAP)
                if points is not None:
                    self.consider([_Cand(b, lat, lon, scoped=True) for b, lat, lon in points])
                    return self.top
        self._stream()
        return self.top

    def _few_text_matches(self) -> list[int] | None:
        """Every business matching the words, when there are at most ``REGION_CAP``."""
        p = self.plan
        stream = TextStream(
            self.session,
            build_query(p.words, required=p.required,
                        dialect=self.session.get_bind().dialect.name, spelled=self._spelled()),
            batch=REGION_CAP + 1,
        )  # fmt: skip
        ids = stream.next_batch()
        return ids if stream.exhausted else None

    def _spelled(self) -> dict[str, list[str]]:
        if self._spelled_words is None:
            self._spelled_words = spelled_prefixes(self.session, self.plan.words)
        return self._spelled_words

    def _scopes(self) -> list[int]:
        return sorted(self.plan.scopes) or [0]

    def _stream(self) -> None:
        p = self.plan
        text = (
            TextStream(self.session, build_query(
                p.words, required=p.required, dialect=self.session.get_bind().dialect.name,
                spelled=self._spelled(),
            ), batch=FIRST_BATCH * 4)
            if p.words
            else None
        )  # fmt: skip
        # Under relevance with a point, matches come with theirs so they can be bounded.
        located = p.sort is Sort.RELEVANCE and p.point is not None
        dist: DistanceStream | None = None
        if p.point is not None and p.sort in (Sort.DISTANCE, Sort.RELEVANCE):
            after = (
                (float(p.after[0]), int(p.after[1]))
                if p.after and p.sort is Sort.DISTANCE
                else None
            )
            dist = DistanceStream(
                self.spatial, p.point[0], p.point[1], scopes=self._scopes(), after=after,
                max_distance_m=self._max_distance(),
                batch=min(self._k, FIRST_BATCH) if p.sort is Sort.DISTANCE else FIRST_BATCH,
            )  # fmt: skip
        quality = (
            QualityStream(self.session, batch=FIRST_BATCH * 4)
            if (p.sort is Sort.RELEVANCE and not text) or p.sort is Sort.RATING
            else None
        )
        order = (
            OrderStream(self.session, p.sort, after=p.after, batch=min(FIRST_BATCH, 2 * self._k))
            if p.sort in (Sort.REVIEWS, Sort.NEWEST)
            else None
        )

        def stop() -> bool:
            # Checked after every stream, not once a round: when the text matches read so
            # far settle the result, the distance stream's next batch (the dearest read:
            # every hit's document) is not needed.
            return self._done(text, quality, dist, order)

        while True:
            if located and text is not None and dist is not None and text.pages > 0:
                # From the second round on, a round's text matches and nearest businesses
                # are bounded and read together, best bound first: the nearby matches
                # raise the bar before the far ones of a common prefix are read. The same
                # candidates as reading the streams one after the other (the stopping
                # test comes a stream later, and only ever says "exact" then), so the same
                # results. The first round keeps the earlier test: a query its first text
                # page settles never walks the neighbourhood.
                located_hits = text.next_located()
                cands = [_Cand(b, lat, lon, quality_key=q) for b, q, lat, lon in located_hits]
                cands.extend(_Cand(h[1], h[2], h[3], scoped=True) for h in dist.next_hits())
                self.consider(cands)
                if text.exhausted or dist.exhausted or stop():
                    return
                if self.budget is not None and self.touched >= self.budget:
                    return  # autocomplete: good enough beats exact
                continue
            if text is not None:
                if located:
                    self.consider([_Cand(b, lat, lon, quality_key=q)
                                   for b, q, lat, lon in text.next_located()])  # fmt: skip
                else:
                    self.consider([_Cand(b) for b in text.next_batch()])
                if text.exhausted or stop():
                    return
            if quality is not None:
                self.consider([_Cand(d.business_id, doc=d) for d in quality.next_docs()])
                if quality.exhausted or stop():
                    return
            if dist is not None:
                hits = dist.next_hits()
                self.consider([_Cand(h[1], h[2], h[3], scoped=True) for h in hits])
                if dist.exhausted or stop():
                    return
            if order is not None:
                self.consider([_Cand(b, key=k) for k, b in order.next_rows()])
                if order.exhausted or stop():
                    return
            if self.budget is not None and self.touched >= self.budget:
                return  # autocomplete: good enough beats exact

    def _done(
        self,
        text: TextStream | None,
        quality: QualityStream | None,
        dist: DistanceStream | None,
        order: OrderStream | None,
    ) -> bool:
        if len(self.top) < self._k:
            return False
        kth = self.top[self._k - 1].key
        p = self.plan
        if p.sort is Sort.DISTANCE:
            return dist is not None and dist.last is not None and kth <= dist.last
        if order is not None:
            return order.last is not None and kth <= order.last
        if p.sort is Sort.RATING:
            assert quality is not None
            q_last = quality.last_quality_key
            return q_last is not None and kth <= (-q_last, quality.last_id)
        ranked = text if text is not None else quality
        q_key = ranked.last_quality_key if ranked is not None else None
        q = quality_from_key(q_key) if q_key is not None else 1.0
        d: float | None = None
        if p.point is not None:
            d = dist.last[0] if dist is not None and dist.last is not None else 0.0
        bound = relevance_bound(text=self._best_text(), quality=q, distance_m=d)
        if dist is None and ranked is not None and q_key is not None:
            return kth <= (-bound, ranked.last_id)
        return float(kth[0]) < -bound
