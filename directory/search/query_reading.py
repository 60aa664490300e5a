"""How a query is read: intent words become filters, phrases become categories and areas,
unknown words get corrected, and the rest is text.

Steps (``docs/search.md`` — *Query understanding*):

1. **Corrections.** A word that is itself known (``is_known``) is never replaced. Any
   other word may be corrected within its typo allowance (:func:`typo_allowance`, counted
   on the longer of the typed word and the correction): candidates are vocabulary words
   and taxonomy words sharing a SymSpell deletion, ranked by edit distance, then by how
   many businesses use them; only the closest ones that are at least a tenth as common as
   the best are kept ("piza" → pizza; pita is not one insertion away).
2. **Phrases**, longest first over the corrected words, each word used once: intent
   phrases (murah, 24 jam, buka, dekat sini, sarapan …), then category phrases (a name or
   synonym, as a whole phrase: "foto kopi" is photocopying, "kopi" alone is coffee), then
   area names (slug, name or alias, exactly; a marker such as "di" before it goes too).
   A phrase naming several categories means the most specific of them: a group's word
   does not pull in children that are not that thing.
3. What is left is text, without filler words ("buat", "yang", "enak", …) unless nothing
   else is left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time

from rapidfuzz.distance import OSA
from sqlalchemy.orm import Session

from directory.search import area_lookup
from directory.search.catalog import AreaInfo, Catalog
from directory.search.known_words import is_common_word
from directory.search.text_match import (
    MIN_PREFIX_LEN,
    PREFIX,
    QUERY_STOPWORDS,
    TYPO_FACTORS,
    QueryWord,
    category_token,
    deletes,
    word_weight,
    words,
)

MAX_PHRASE = 4
PLURAL = 0.95
MAX_CORRECTIONS = 4
CORRECTION_DF_SHARE = 0.1

PRICE_LOW: frozenset[tuple[str, ...]] = frozenset(
    {("murah",), ("cheap",), ("hemat",), ("terjangkau",), ("affordable",), ("budget",),
     ("inexpensive",), ("murmer",), ("murah", "meriah")}
)  # fmt: skip
OPEN_24H: frozenset[tuple[str, ...]] = frozenset(
    {("24", "jam"), ("24", "hours"), ("24", "hour"), ("24", "7"), ("24jam",), ("24h",),
     ("nonstop",), ("non", "stop"), ("open", "24", "hours"), ("buka", "24", "jam")}
)  # fmt: skip
OPEN_NOW: frozenset[tuple[str, ...]] = frozenset(
    {("buka",), ("open",), ("open", "now"), ("buka", "sekarang"), ("lagi", "buka"),
     ("masih", "buka"), ("sedang", "buka"), ("yang", "buka")}
)  # fmt: skip
NEAR: frozenset[tuple[str, ...]] = frozenset(
    {("dekat", "sini"), ("near", "me"), ("nearby",), ("terdekat",), ("sekitar", "sini"),
     ("near", "here"), ("nearest",), ("closest",), ("dekat", "saya"), ("sekitar", "saya"),
     ("dekat", "rumah"), ("around", "me")}
)  # fmt: skip
MEALS: Mapping[tuple[str, ...], time] = {
    ("sarapan",): time(7, 0), ("breakfast",): time(7, 0), ("makan", "pagi"): time(7, 0),
    ("makan", "siang"): time(12, 0), ("lunch",): time(12, 0), ("maksi",): time(12, 0),
    ("makan", "malam"): time(19, 0), ("dinner",): time(19, 0), ("supper",): time(19, 0),
}  # fmt: skip
FOOD_PHRASE = ("makanan",)
"""The category phrase a meal word implies when the query names no category."""
FILLER = frozenset(
    {"buat", "untuk", "for", "with", "dengan", "yang", "ada", "cari", "mau", "pengen",
     "ingin", "tempat", "place", "places", "spot", "enak", "terbaik", "best", "bagus",
     "recommended", "rekomendasi", "keluarga", "family", "terenak", "mantap", "good", "nice",
     "top", "favorit", "populer", "popular", "a", "an", "some", "lagi", "sekarang", "now"}
)  # fmt: skip
# Area kinds whose one-word names need a marker ("di karet") before they filter.
SMALL_AREAS = frozenset({"kelurahan", "desa"})
AREA_MARKERS = frozenset(
    {"di", "dekat", "sekitar", "daerah", "kawasan", "wilayah", "in", "near", "at", "around"}
)


def typo_allowance(typed: str, candidate: str) -> int:
    """Edits allowed between a typed word and a correction: none under 5 letters, one
    for 5–8, two from 9, counted on the longer of the two — so a 4-letter word can get a
    dropped letter back ("piza" → pizza) but never becomes another 4-letter word."""
    length = max(len(typed), len(candidate))
    if length < 5:
        return 0
    return 1 if length <= 8 else 2


@dataclass(frozen=True, slots=True)
class PhraseIndex:
    """Category phrases and area names of one catalogue snapshot, folded."""

    categories: Mapping[tuple[str, ...], frozenset[int]]
    groups: Mapping[tuple[str, ...], frozenset[int]]
    area_keys: frozenset[str]
    area_words: frozenset[str]
    areas_by_key: Mapping[str, tuple[tuple[int, int, int], AreaInfo, str]]
    category_names: Mapping[int, tuple[tuple[str, ...], tuple[str, ...]]]
    """Folded (names, synonyms) of each category, for autocomplete."""
    containing: Mapping[str, tuple[tuple[str, ...], ...]]

    @classmethod
    def build(cls, catalog: Catalog) -> PhraseIndex:
        by_phrase: dict[tuple[str, ...], set[int]] = {}
        for cat in catalog.categories.values():
            texts = [cat.name_id, cat.name_en, cat.slug.replace("-", " "), *cat.synonyms]
            for text in texts:
                key = tuple(words(str(text)))
                if key:
                    by_phrase.setdefault(key, set()).add(cat.id)
        specific: dict[tuple[str, ...], frozenset[int]] = {}
        groups: dict[tuple[str, ...], frozenset[int]] = {}
        for key, ids in by_phrase.items():
            # The most specific: drop a category when one below it carries the phrase
            # (it still holds what is filed under it directly: see ``QueryWord.direct``).
            keep = {
                c for c in ids
                if not any(o != c and c in catalog.ancestors(o) for o in ids)
            }  # fmt: skip
            specific[key] = frozenset(keep)
            groups[key] = frozenset(ids - keep)
        keys: set[str] = set()
        best: dict[str, tuple[tuple[int, int, int], AreaInfo, str]] = {}
        for area in catalog.areas.values():
            names = [(area.name, 0, "exact"), (area.slug.replace("-", " "), 0, "exact")]
            names += [(a, 1, "alias") for a in area.aliases]
            for text, order, how in names:
                folded = " ".join(words(text))
                if not folded:
                    continue
                keys.add(folded)
                # As find_area: a name before an alias, then the kind readers most likely
                # mean (townships, kecamatan, cities, kelurahan), then file order.
                rank = (order, area_lookup.KIND_PREFERENCE.get(area.kind, 5), area.id)
                if folded not in best or rank < best[folded][0]:
                    best[folded] = (rank, area, how)
        containing: dict[str, list[tuple[str, ...]]] = {}
        for key in specific:
            if len(key) > 1:
                for w in set(key):
                    containing.setdefault(w, []).append(key)
        return cls(
            categories=specific,
            groups=groups,
            area_keys=frozenset(keys),
            areas_by_key=best,
            category_names={
                c.id: (
                    tuple(" ".join(words(n)) for n in (c.name_id, c.name_en)),
                    tuple(" ".join(words(n)) for n in c.synonyms),
                )
                for c in catalog.categories.values()
            },
            area_words=frozenset(w for k in keys for w in k.split()),
            containing={w: tuple(v) for w, v in containing.items()},
        )

    def direct(self, catalog: Catalog, phrase: tuple[str, ...]) -> dict[str, frozenset[str]]:
        """Group tokens a phrase also names, each with its child tokens: the group counts
        only for businesses filed under it directly."""
        out: dict[str, frozenset[str]] = {}
        for gid in self.groups.get(phrase, frozenset()):
            below = catalog.descendants(gid) - {gid}
            out[category_token(gid)] = frozenset(category_token(c) for c in below)
        return out

    def conflicts(
        self, catalog: Catalog, phrase: tuple[str, ...], ids: frozenset[int]
    ) -> tuple[tuple[str, ...], ...]:
        """Longer category phrases holding ``phrase`` that name categories outside the
        family of ``ids`` ("pasar swalayan" for "pasar", "klinik gigi" for "klinik")."""
        family: set[int] = set()
        for cid in ids:
            family.update(catalog.descendants(cid))
            family.update(catalog.ancestors(cid))
        n = len(phrase)
        out: list[tuple[str, ...]] = []
        for key in self.containing.get(phrase[0], ()):
            if len(key) <= n or not any(key[i : i + n] == phrase for i in range(len(key) - n + 1)):
                continue
            if self.categories.get(key, frozenset()).isdisjoint(family):
                out.append(key)
        return tuple(sorted(out))


_index_cache: dict[int, tuple[float, PhraseIndex]] = {}


def phrase_index(catalog: Catalog) -> PhraseIndex:
    """The phrase index of a catalogue snapshot (rebuilt when the snapshot changes)."""
    cached = _index_cache.get(id(catalog))
    if cached is not None and cached[0] == catalog.loaded_at:
        return cached[1]
    index = PhraseIndex.build(catalog)
    is_common_word("warm")  # load the word lists now, not during a reader's query
    is_common_word("zzzz")
    _index_cache.clear()
    _index_cache[id(catalog)] = (catalog.loaded_at, index)
    return index


def area_for_phrase(catalog: Catalog, phrase: str) -> tuple[AreaInfo, str] | None:
    """The area a phrase inside ``q`` names, and how (``exact`` or ``alias``), or None.

    The one place query reading asks the gazetteer, through ``area_lookup.match_area``
    (so ``q`` and the ``area`` parameter prefer the same area among namesakes); only
    exact names, slugs and aliases count inside free text — a near miss is not
    confident enough to filter by.
    """
    found = area_lookup.match_area(catalog, phrase)
    if found is None or found.how == "corrected":
        return None
    return found.area, found.how


@dataclass(frozen=True, slots=True)
class CategoryReading:
    """A phrase of the query that names categories."""

    phrase: str
    ids: frozenset[int]


@dataclass(slots=True)
class Reading:
    """How one query was read (see the module docstring)."""

    words: list[QueryWord] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    categories: list[CategoryReading] = field(default_factory=list)
    area: AreaInfo | None = None
    area_how: str | None = None
    area_phrase: str | None = None
    cheap: bool = False
    open_now: bool = False
    open_24h: bool = False
    meal: str | None = None
    meal_time: time | None = None
    near: bool = False
    corrections: list[tuple[str, str]] = field(default_factory=list)
    food_ids: frozenset[int] = frozenset()


class Vocabulary:
    """What query reading needs from the search vocabulary (a protocol, for tests)."""

    def exact_df(self, tokens: Sequence[str]) -> dict[str, int]:  # pragma: no cover
        raise NotImplementedError

    def candidates(self, tokens: Iterable[str]) -> dict[str, dict[str, int]]:  # pragma: no cover
        raise NotImplementedError

    def completions(self, token: str) -> list[tuple[str, int]]:  # pragma: no cover
        raise NotImplementedError


class DbVocabulary(Vocabulary):
    """The vocabulary tables of a database."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def exact_df(self, tokens: Sequence[str]) -> dict[str, int]:
        from directory.search.vocabulary import _exact_df

        return _exact_df(self.session, tokens)

    def candidates(self, tokens: Iterable[str]) -> dict[str, dict[str, int]]:
        from directory.search.vocabulary import _candidates

        return _candidates(self.session, tokens)

    def completions(self, token: str) -> list[tuple[str, int]]:
        from directory.search.vocabulary import _completions

        return _completions(self.session, token)


def _known(token: str, df: Mapping[str, int], catalog: Catalog, index: PhraseIndex) -> bool:
    if token.isdigit() or len(token) < 3:
        return True
    if df.get(token, 0) > 0 or token in catalog.category_words.by_word:
        return True
    if token in index.area_words or token in QUERY_STOPWORDS or token in FILLER:
        return True
    if any(token in k for k in (*PRICE_LOW, *OPEN_24H, *OPEN_NOW, *NEAR, *MEALS)):
        return True
    return is_common_word(token)


def is_known_word(token: str, df: Mapping[str, int], catalog: Catalog) -> bool:
    """Whether search treats a folded word as known and so never corrects it (``df``: its
    document frequency, from ``Vocabulary.exact_df``); the search benchmark uses it to
    tell typos the policy corrects from typos that made another real word."""
    return _known(token, df, catalog, phrase_index(catalog))


def _singular(token: str, df: Mapping[str, int], catalog: Catalog, index: PhraseIndex) -> str:
    """The English singular of a plural the directory knows only in the singular
    ("noodles" → noodle, "burgers" → burger), or ""."""
    if len(token) < 4 or not token.endswith("s") or (token,) in index.categories:
        return ""
    for cut in (1, 2) if token.endswith("es") else (1,):
        stem = token[:-cut]
        if stem in catalog.category_words.by_word or df.get(stem, 0) > 0:
            return stem
    return ""


def _corrections(
    token: str, vocab_hits: Mapping[str, int], catalog: Catalog, df: Mapping[str, int]
) -> list[tuple[str, int]]:
    """Ranked corrections (word, distance) of an unknown word."""
    cands: dict[str, int] = dict(vocab_hits)
    index = catalog.category_words
    for v in deletes(token, 1 if len(token) >= 5 else 0):
        for w in index.variants.get(v, ()):
            cands.setdefault(w, df.get(w, 0))
    scored: list[tuple[int, int, str]] = []
    for term, freq in cands.items():
        if term == token:
            continue
        allowed = typo_allowance(token, term)
        if not allowed:
            continue
        dist = OSA.distance(token, term, score_cutoff=allowed)
        if dist <= allowed:
            bonus = 1 if term in index.by_word else 0
            scored.append((dist, -(freq + bonus), term))
    if not scored:
        return []
    scored.sort()
    best_dist, best_neg, _ = scored[0]
    floor = CORRECTION_DF_SHARE * -best_neg
    return [(term, dist) for dist, neg, term in scored if dist == best_dist and -neg >= floor][
        :MAX_CORRECTIONS
    ]


def _spans(
    tokens: Sequence[str],
    catalog: Catalog,
    index: PhraseIndex,
    *,
    interpret: bool,
    detect_area: bool,
) -> list[tuple[int, int, str, object]]:
    """Non-overlapping phrases (start, end, kind, value), longest first."""
    taken = [False] * len(tokens)
    out: list[tuple[int, int, str, object]] = []
    area_found = False
    for n in range(min(MAX_PHRASE, len(tokens)), 0, -1):
        for i in range(len(tokens) - n + 1):
            if any(taken[i : i + n]):
                continue
            gram = tuple(tokens[i : i + n])
            kind: str | None = None
            value: object = None
            if interpret and gram in PRICE_LOW:
                kind = "cheap"
            elif interpret and gram in OPEN_24H:
                kind = "24h"
            elif interpret and gram in NEAR:
                kind = "near"
            elif interpret and gram in MEALS:
                kind, value = "meal", MEALS[gram]
            elif interpret and gram in OPEN_NOW:
                kind = "open"
            elif gram in index.categories and index.categories[gram]:
                kind, value = "category", index.categories[gram]
            elif interpret and detect_area and not area_found:
                phrase = " ".join(gram)
                if phrase in index.area_keys:
                    found = area_for_phrase(catalog, phrase)
                    marked = i > 0 and tokens[i - 1] in AREA_MARKERS
                    if found is not None and n == 1 and not marked and found[0].kind in SMALL_AREAS:
                        # One word naming a kelurahan is often an ordinary word too
                        # ("karet", "jati", "kelapa"): it filters only after "di"/"dekat".
                        found = None
                    if found is not None:
                        kind, value = "area", found
                        area_found = True
            if kind is None:
                continue
            for j in range(i, i + n):
                taken[j] = True
            out.append((i, i + n, kind, value))
    out.sort()
    return out


def _ceiling(
    token: str,
    terms: Mapping[str, float],
    categories: Mapping[str, float],
    *,
    prefix: bool,
    df: Mapping[str, int],
) -> float:
    """The best factor a document can give a query word (``QueryWord.ceiling``).

    The typed word always stands among its own terms at 1.0, but when the vocabulary
    (which counts every word of every document) has no document holding it, only its
    completions, corrections and categories can match, all below 1.0. Autocomplete
    reads mostly such half-typed words, and a tighter ceiling is what lets the executor
    pass over far-away matches without reading them.
    """
    factors = [f for t, f in terms.items() if t != token or df.get(token, 0) > 0]
    factors.extend(categories.values())
    if prefix:
        factors.append(PREFIX)
    return min(1.0, max(factors, default=0.0))


def read_query(
    vocab: Vocabulary,
    catalog: Catalog,
    text: str,
    *,
    interpret: bool = True,
    detect_area: bool = True,
    prefix_last: bool = True,
) -> Reading:
    """Read a query (see the module docstring); ``interpret=False`` keeps intent and area
    words as plain text."""
    reading = Reading()
    raw = list(dict.fromkeys(words(text)))
    if not raw:
        return reading
    index = phrase_index(catalog)
    stems = [t[:-c] for t in raw if len(t) >= 4 and t.endswith("s") for c in (1, 2)]
    df = vocab.exact_df([*raw, *stems])
    unknown = [t for t in raw if not _known(t, df, catalog, index)]
    hits = vocab.candidates(unknown) if unknown else {}
    fixes: dict[str, list[tuple[str, int]]] = {}
    for token in unknown:
        found = _corrections(token, hits.get(token, {}), catalog, {**df, **hits.get(token, {})})
        if found:
            fixes[token] = found
            reading.corrections.append((token, found[0][0]))
    singular = {t: _singular(t, df, catalog, index) for t in raw}
    corrected = [fixes[t][0][0] if t in fixes else singular[t] or t for t in raw]
    spans = _spans(corrected, catalog, index, interpret=interpret, detect_area=detect_area)
    phrase_cats: dict[int, CategoryReading] = {}
    consumed: set[int] = set()
    for start, end, kind, value in spans:
        phrase = " ".join(corrected[start:end])
        if kind == "category":
            assert isinstance(value, frozenset)
            cat = CategoryReading(phrase=phrase, ids=value)
            reading.categories.append(cat)
            for j in range(start, end):
                phrase_cats[j] = cat
            continue
        consumed.update(range(start, end))
        if kind == "cheap":
            reading.cheap = True
        elif kind == "24h":
            reading.open_24h = True
        elif kind == "open":
            reading.open_now = True
        elif kind == "near":
            reading.near = True
        elif kind == "meal":
            assert isinstance(value, time)
            reading.meal, reading.meal_time = phrase, value
        elif kind == "area":
            assert isinstance(value, tuple)
            reading.area, reading.area_how = value
            reading.area_phrase = phrase
            if start > 0 and corrected[start - 1] in AREA_MARKERS:
                consumed.add(start - 1)
    if reading.meal and not reading.categories:
        reading.food_ids = index.categories.get(FOOD_PHRASE, frozenset())
    keep = [j for j in range(len(raw)) if j not in consumed]
    plain = [j for j in keep if j in phrase_cats or (
        raw[j] not in QUERY_STOPWORDS and raw[j] not in FILLER)]  # fmt: skip
    if not plain and not consumed:
        plain = keep
    last = plain[-1] if plain else -1
    for j in plain:
        token = raw[j]
        terms: dict[str, float] = {token: 1.0}
        for fix, dist in fixes.get(token, ()):
            terms[fix] = max(terms.get(fix, 0.0), TYPO_FACTORS[dist])
        one = singular.get(token)
        if one:
            terms.setdefault(one, PLURAL)
        best_df = df.get(token) or max((df.get(f, 0) for f in terms), default=0)
        if token in fixes:
            best_df = max(best_df, hits.get(token, {}).get(fixes[token][0][0], 0))
        prefix = prefix_last and j == last and len(token) >= MIN_PREFIX_LEN
        if prefix:
            for term, tdf in vocab.completions(token):
                terms.setdefault(term, PREFIX)
                best_df = best_df or tdf
        categories: dict[str, float] = {}
        conflicts: tuple[tuple[str, ...], ...] = ()
        direct: dict[str, frozenset[str]] = {}
        named = phrase_cats.get(j)
        if named is not None:
            cat = named
            factor = TYPO_FACTORS[fixes[token][0][1]] if token in fixes else 1.0
            categories = {category_token(c): factor for c in cat.ids}
            conflicts = index.conflicts(catalog, tuple(cat.phrase.split()), cat.ids)
            direct = index.direct(catalog, tuple(cat.phrase.split()))
            for group in direct:
                categories.setdefault(group, factor)
        else:
            reading.text.append(token)
        reading.words.append(
            QueryWord(token=token, terms=terms, categories=categories, prefix=prefix,
                      weight=word_weight(best_df), conflicts=conflicts, direct=direct,
                      ceiling=_ceiling(token, terms, categories, prefix=prefix, df=df))
        )  # fmt: skip
    return reading
