"""Product search across businesses, read with the business search's own rules.

The query goes through :func:`directory.search.query_reading.read_query` (the same typo
policy, known words, phrases and area names), with a vocabulary made of the words of
published products, so "kripik" finds "keripik" when products say "keripik". The ``area``
parameter resolves through :func:`area_lookup.resolve_match` and filters through
:func:`area_lookup.area_filter` (the area's real border). Words are scored with
:func:`text_match.text_score`: a product's name counts fully, its business's name as an
address would, its description and unit as a description. Category readings do not
filter products (products have no categories); intent words (murah, buka, 24 jam) are
read and ignored, except "dekat sini", which sorts by distance when lat/lon are given.

One difference, because the product vocabulary is small: a word that no product uses is
corrected even when it is a common word ("kripik" is common Indonesian, yet products
spell it "keripik"), with the same allowance and ranking (``query_reading``'s
corrections); the word itself still counts.

Order: text score (best first), then distance (with lat/lon), then id; without ``q`` the
nearest first, or the newest. Every published product of a published business is read
and scored in memory on each query: linear in the catalogue, fine for a few thousand
products (``benchmarks/results/product_search.txt``); more would want an index like the
businesses'.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rapidfuzz.distance import OSA
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.geo import distance_m
from directory.models import Business, BusinessStatus, Photo
from directory.photos.service import LIVE
from directory.product_models import Product, ProductStatus
from directory.products.schemas import ProductBusiness, ProductPage
from directory.products.views import ProductRow, area_ref, product_hit
from directory.search import area_lookup
from directory.search.catalog import Catalog, get_catalog
from directory.search.cursor import CursorState, decode_cursor, encode_cursor, query_fingerprint
from directory.search.query_reading import Reading, Vocabulary, read_query
from directory.search.query_reading import _corrections as ranked_corrections
from directory.search.schemas import Correction, Interpretation, InterpretedArea, InterpretedFilters
from directory.search.text_match import (
    TYPO_FACTORS,
    DocFields,
    QueryWord,
    required_words,
    text_score,
    words,
)

MAX_COMPLETIONS = 20
MAX_TYPOS = 2


@dataclass(frozen=True, slots=True)
class ProductQuery:
    """Validated parameters of ``GET /api/v1/products``."""

    q: str | None = None
    area: str | None = None
    lat: float | None = None
    lon: float | None = None
    limit: int = 20
    cursor: str | None = None

    @property
    def point(self) -> tuple[float, float] | None:
        if self.lat is None or self.lon is None:
            return None
        return self.lat, self.lon


@dataclass(frozen=True, slots=True)
class _Doc:
    product: ProductRow
    fields: DocFields


class ProductVocabulary(Vocabulary):
    """The words of published products, with how many products use each."""

    def __init__(self, df: Counter[str]) -> None:
        self.df = df

    def exact_df(self, tokens: Sequence[str]) -> dict[str, int]:
        return {t: self.df[t] for t in tokens if self.df.get(t, 0) > 0}

    def candidates(self, tokens: Iterable[str]) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for token in tokens:
            near = {
                term: n for term, n in self.df.items()
                if abs(len(term) - len(token)) <= MAX_TYPOS
                and OSA.distance(token, term, score_cutoff=MAX_TYPOS) <= MAX_TYPOS
            }  # fmt: skip
            if near:
                out[token] = near
        return out

    def completions(self, token: str) -> list[tuple[str, int]]:
        found = [(t, n) for t, n in self.df.items() if t.startswith(token) and t != token]
        found.sort(key=lambda item: (-item[1], item[0]))
        return found[:MAX_COMPLETIONS]


def _published(session: Session, catalog: Catalog) -> list[ProductRow]:
    """Every published product of a published business, as plain rows (one query)."""
    stmt = (
        select(
            Product.id, Product.name, Product.description, Product.price_idr, Product.unit,
            Product.min_order, Product.export_ready, Photo.status, Business.id, Business.name,
            Business.slug, Business.area_id, Business.lat, Business.lon,
        )
        .join(Business, Business.id == Product.business_id)
        .outerjoin(Photo, Photo.id == Product.photo_id)
        .where(
            Product.status == ProductStatus.PUBLISHED,
            Business.status == BusinessStatus.PUBLISHED,
        )
        .order_by(Product.id)
    )  # fmt: skip
    rows: list[ProductRow] = []
    for (
        pid,
        name,
        desc,
        price,
        unit,
        min_order,
        export,
        photo,
        bid,
        bname,
        slug,
        area_id,
        lat,
        lon,
    ) in session.execute(stmt):
        area = catalog.areas.get(area_id) if area_id is not None else None
        seller = ProductBusiness(id=bid, name=bname, slug=slug, area=area_ref(area))
        rows.append(
            ProductRow(
                id=pid,
                name=name,
                description=desc,
                price_idr=price,
                unit=unit,
                min_order=min_order,
                export_ready=export,
                photo_live=photo == LIVE,
                business=seller,
                lat=lat,
                lon=lon,
            )
        )
    return rows


def _doc(row: ProductRow) -> _Doc:
    return _Doc(
        product=row,
        fields=DocFields(
            name=" ".join(words(row.name)),
            categories="",
            address=" ".join(words(row.business.name)),
            description=" ".join(words(f"{row.description} {row.unit}")),
        ),
    )


def _text_only(word: QueryWord) -> QueryWord:
    """A query word without its category senses: products are matched by their words."""
    return replace(word, categories={}, conflicts=(), direct={})


def _unused_word_fixes(
    reading: Reading, vocab: ProductVocabulary, catalog: Catalog
) -> list[QueryWord]:
    """Query words, where a word no product uses gains its corrections (module doc)."""
    out: list[QueryWord] = []
    fixed = {typed for typed, _ in reading.corrections}
    for word in reading.words:
        token = word.token
        if token in fixed or vocab.df.get(token, 0) > 0 or token.isdigit():
            out.append(word)
            continue
        hits = vocab.candidates([token]).get(token, {})
        found = ranked_corrections(token, hits, catalog, hits)
        found = [(term, dist) for term, dist in found if vocab.df.get(term, 0) > 0]
        if not found:
            out.append(word)
            continue
        terms = dict(word.terms)
        for term, dist in found:
            terms[term] = max(terms.get(term, 0.0), TYPO_FACTORS[dist])
        reading.corrections.append((token, found[0][0]))
        out.append(replace(word, terms=terms))
    return out


Key = tuple[float, float, int]


def _ranked(
    docs: Sequence[_Doc], query_words: Sequence[QueryWord], *, required: int,
    point: tuple[float, float] | None, nearest_first: bool,
) -> list[tuple[Key, _Doc, float | None, float | None]]:  # fmt: skip
    out: list[tuple[Key, _Doc, float | None, float | None]] = []
    for doc in docs:
        score: float | None = None
        if query_words:
            match = text_score(query_words, doc.fields)
            if match.matched < required:
                continue
            score = round(match.score, 4)
        p = doc.product
        dist = round(distance_m(point[0], point[1], p.lat, p.lon), 1) if point else None
        if nearest_first and dist is not None:
            key: Key = (dist, -(score or 0.0), doc.product.id)
        elif score is not None:
            key = (-score, dist or 0.0, doc.product.id)
        else:
            key = (dist or 0.0, 0.0, -doc.product.id)  # nearest, else newest
        out.append((key, doc, dist, score))
    out.sort(key=lambda item: item[0])
    return out


def _interpretation(
    reading: Reading, query_words: Sequence[QueryWord], *, area: area_lookup.AreaMatch | None,
    area_phrase: str | None, point: tuple[float, float] | None, area_relaxed: bool,
) -> Interpretation:  # fmt: skip
    return Interpretation(
        text=[w.token for w in query_words],
        category=None,
        categories=[],
        area=InterpretedArea(slug=area.area.slug, name=area.area.name, kind=area.area.kind,
                             how=area.how, phrase=area_phrase) if area else None,
        filters=InterpretedFilters(
            price=[], open_now=False, open_24h=False, open_at=None, meal=None,
            nearest_first=reading.near and point is not None,
        ),
        corrections=[Correction(word=a, to=b) for a, b in reading.corrections],
        needs_location=reading.near and point is None,
        area_relaxed=area_relaxed,
        message=None,
    )  # fmt: skip


def search_products(session: Session, query: ProductQuery) -> ProductPage:
    """One page of published products matching ``q`` in ``area`` (see the module doc)."""
    catalog = get_catalog(session)
    docs = [_doc(p) for p in _published(session, catalog)]
    df: Counter[str] = Counter()
    for doc in docs:
        df.update({*doc.fields.name.split(), *doc.fields.description.split()})
    vocab = ProductVocabulary(df)
    reading = read_query(vocab, catalog, query.q or "", detect_area=not query.area)
    area_match: area_lookup.AreaMatch | None = None
    area_phrase: str | None = None
    if query.area:
        area_match = area_lookup.resolve_match(catalog, query.area)
    elif reading.area is not None and reading.area_how is not None:
        area_match = area_lookup.AreaMatch(reading.area, reading.area_how, 1.0)  # type: ignore[arg-type]
        area_phrase = reading.area_phrase
    query_words = [_text_only(w) for w in _unused_word_fixes(reading, vocab, catalog)]
    tokens = [w.token for w in query_words]
    fingerprint = query_fingerprint(
        {"q": tokens, "area": area_match.area.id if area_match else None, "point": query.point}
    )
    state = decode_cursor(query.cursor, fingerprint=fingerprint) if query.cursor else None
    in_area = docs
    if area_match is not None:
        border = area_lookup.area_filter(session, area_match.area)
        inside = border.contains_many([d.product.lat for d in docs], [d.product.lon for d in docs])
        in_area = [d for d, ok in zip(docs, inside, strict=True) if ok]
    near = reading.near and query.point is not None
    relaxed = bool(state and state.relaxed)
    required = required_words(len(query_words), relaxed=relaxed)
    ranked = _ranked(in_area, query_words, required=required, point=query.point,
                     nearest_first=near)  # fmt: skip
    area_relaxed = False
    if not ranked and state is None and area_phrase is not None:
        area_relaxed = True  # an area read from the words, with nothing in it
        area_match, area_phrase = None, None
        ranked = _ranked(docs, query_words, required=required, point=query.point,
                         nearest_first=near)  # fmt: skip
    if not ranked and state is None and len(query_words) >= 2:
        relaxed = True
        required = required_words(len(query_words), relaxed=True)
        ranked = _ranked(in_area if not area_relaxed else docs, query_words, required=required,
                         point=query.point, nearest_first=near)  # fmt: skip
    if state is not None:
        after = tuple(state.key)
        ranked = [r for r in ranked if r[0] > after]
    page = ranked[: query.limit]
    next_cursor = None
    if len(ranked) > query.limit and page:
        next_cursor = encode_cursor(
            CursorState(fingerprint=fingerprint, key=page[-1][0], relaxed=relaxed)
        )
    area = area_match.area if area_match else None
    return ProductPage(
        items=[product_hit(d.product, distance_m=dist, score=score) for _, d, dist, score in page],
        next_cursor=next_cursor,
        area=area_ref(area),
        words=tokens,
        relaxed=relaxed,
        interpretation=_interpretation(
            reading, query_words, area=area_match, area_phrase=area_phrase, point=query.point,
            area_relaxed=area_relaxed,
        ) if query.q else None,
    )  # fmt: skip
