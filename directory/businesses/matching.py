"""Duplicate matching of businesses: is this submission or import row a place we already list?

Name, distance, phone and address each add log-odds, and a logistic turns the sum into a
score in [0, 1]; the weights, the name normalisation and how the thresholds were chosen
are in ``docs/matching.md``. This is the one module that imports rapidfuzz; every call
passes ``processor=None`` because names are normalised here first
(:func:`normalize_business_name`). Callers bring the candidates: every business within
:data:`CANDIDATE_RADIUS_M` of the point, plus every one with the same phone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from directory.geo import distance_m, valid_coordinates
from directory.textnorm import fold

MATCH_THRESHOLD = 0.7
"""Minimum score at which a candidate is taken to be the same business."""

POSSIBLE_MATCH_THRESHOLD = 0.3
"""Minimum score worth showing an editor as a possible duplicate (recall over precision)."""

CANDIDATE_RADIUS_M = 500.0
"""How far around the query point to fetch candidates; beyond it distance alone sinks
any pair without a shared phone, so callers add same-phone businesses from anywhere."""

_BIAS = -1.5
_CONFLICT_FACTOR = 0.6
_TYPO_FACTOR = 0.96
_CORE_WEIGHT = 0.65
_SAME_PHONE = 3.0
_PHONE_CONFLICT = -2.0
_ADDRESS_NUMBER_CONFLICT = -0.8
# fmt: off
# (x, log-odds) knots, linearly interpolated and flat outside the ends.
_NAME_KNOTS = ((0.0, -10.0), (0.5, -6.0), (0.7, -2.5), (0.8, 0.0), (0.85, 1.2), (0.9, 2.2),
               (0.95, 3.0), (1.0, 3.5))
_DISTANCE_KNOTS = ((0.0, 2.0), (50.0, 1.5), (100.0, 1.0), (200.0, 0.0), (400.0, -1.5),
                   (1000.0, -4.0), (2000.0, -6.0))
_ADDRESS_KNOTS = ((0.0, -0.8), (0.3, -0.5), (0.6, 0.0), (0.85, 0.4), (1.0, 0.8))

# Words that do not identify a business, dropped at either end of a name.
_GENERIC = frozenset({"warung", "warteg", "rm", "toko", "pt", "cv", "ud", "tbk", "kedai",
                      "depot", "resto", "the", "persero"})
_CONNECTORS = frozenset({"and", "dan", "n", "of", "by", "at", "di", "ala", "&"})
_PHRASES = {"rumah makan": "rm", "restoran": "resto", "restaurant": "resto",
            "restaurante": "resto", "restorant": "resto"}
# Spellings of one word, made one before comparing (plurals of trade words too).
_SYNONYMS = {
    "coffee": "kopi", "coffe": "kopi", "caffe": "cafe", "kafe": "cafe", "cafee": "cafe",
    "satay": "sate", "baso": "bakso", "mi": "mie", "sup": "sop", "soup": "sop",
    "noodles": "noodle", "cakes": "cake", "donuts": "donut", "burgers": "burger",
    "kebabs": "kebab", "tacos": "taco", "waffles": "waffle", "juices": "juice",
    "snack": "snacks", "dessert": "desserts", "restaurants": "resto",
}
# Long words whose one-typo misspellings are read as the word itself.
_FUZZY_TARGETS = {w: _SYNONYMS.get(w, w) for w in (*_GENERIC, *_SYNONYMS) if len(w) >= 5}
_FUZZY_WORDS = tuple(sorted(_FUZZY_TARGETS))
_BRANCH_MARKERS = frozenset({"cabang", "cab", "outlet", "branch", "gerai"})
_BUILTIN_AREAS = (
    "bsd", "bsd city", "bsd junction", "alam sutera", "alsut", "gading serpong", "serpong",
    "serpong utara", "bintaro", "bintaro jaya", "bintaro sektor 9", "pamulang", "ciputat",
    "ciputat timur", "pondok aren", "setu", "tangerang", "tangerang selatan", "tangsel",
    "karawaci", "lippo karawaci", "jakarta", "jakarta selatan", "jaksel", "depok", "bogor",
    "bekasi", "cinere", "pondok indah", "kemang", "graha raya", "ciledug",
)
# Common trade/food words: they describe what a place sells, not which place it is.
_TRADE_TEXT = """
    kopi cafe teh tea es jus juice susu milk boba bakery roti bread kue cake donut pastry
    pizza pasta burger sandwich steak grill bbq sushi ramen noodle mie bakmi bihun kwetiau
    soun nasi rice ayam chicken bebek duck ikan fish seafood udang kepiting cumi sapi beef
    kambing goat mutton babi pork iga sate soto bakso sop rawon rendang gulai pecel gado
    ketoprak lontong ketupat bubur martabak gorengan pisang durian tahu tempe sambal padang
    sunda jawa betawi minang manado bali aceh chinese japanese korean thai indian italian
    western vegetarian vegan dimsum dim sum desserts ice gelato sweets snacks bar pub
    lounge bistro diner canteen kantin grocery laundry bengkel motor mobil salon barber
    barbershop spa apotek pharmacy klinik clinic dokter gigi fotokopi printing bangunan
    material elektronik ponsel pulsa sembako kelontong buah sayur daging frozen catering
    bakar goreng rebus penyet geprek biryani dhaba tandoor kebab momos dosa paratha
    shawarma taco wings hotdog waffle crepes pancake smoothie tailor jahit optik optical
    furniture mebel hotel guesthouse kost kos homestay travel tour cuci
"""
_TRADE_WORDS = frozenset(_TRADE_TEXT.split())
# fmt: on
_BRACKETS = re.compile(r"[(\[][^)\]]*[)\]]?")
_TAIL_SEPARATORS = re.compile(r"\s+[-–—|@]\s+|\s+[–—]|[–—]\s+|\s*\|\s*")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class MatchQuery:
    """What we know about the business being looked up (phone in E.164 when known)."""

    name: str
    lat: float | None = None
    lon: float | None = None
    phone: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class MatchCandidate:
    """An existing listing that might be the same business."""

    business_id: int
    name: str
    lat: float | None = None
    lon: float | None = None
    phone: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class MatchEvidence:
    """The signals behind a score, shown to editors next to the pair."""

    name_similarity: float
    distance_m: float | None
    same_phone: bool
    address_similarity: float | None
    phone_conflict: bool = False


@dataclass(frozen=True)
class MatchResult:
    """A candidate with its score in [0, 1] and the evidence behind it."""

    business_id: int
    score: float
    evidence: MatchEvidence


@lru_cache(maxsize=64)
def _area_phrases(extra: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Area names as token tuples, longest first so "bsd city" wins over "bsd"."""
    phrases = {tuple(fold(a).split()) for a in (*_BUILTIN_AREAS, *extra)}
    return tuple(sorted((p for p in phrases if p), key=len, reverse=True))


@lru_cache(maxsize=8192)
def _canonical_token(token: str) -> str:
    """One spelling per word; a one-typo "warnug" or "cofee" is read as the word itself."""
    if token in _SYNONYMS:
        return _SYNONYMS[token]
    if token in _GENERIC or len(token) < 5 or token.isdigit():
        return token
    if len(token) >= 7 and OSA.distance(token, "restaurant", score_cutoff=2) <= 2:
        return "resto"
    hit = process.extractOne(
        token, _FUZZY_WORDS, scorer=OSA.distance, processor=None, score_cutoff=1
    )
    return _FUZZY_TARGETS[hit[0]] if hit is not None else token


def _canonical_tokens(text: str) -> list[str]:
    """Fold, merge known phrases into one token, unify spellings, drop connector words."""
    folded = f" {fold(text)} "
    for phrase, token in _PHRASES.items():
        folded = folded.replace(f" {phrase} ", f" {token} ")
    return [_canonical_token(t) for t in folded.split() if t not in _CONNECTORS]


def _strip_ends(tokens: list[str], areas: tuple[tuple[str, ...], ...]) -> list[str]:
    """Drop generic words at both ends and area names at the end while a word remains."""
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        if tokens[0] in _GENERIC:
            tokens, changed = tokens[1:], True
        elif tokens[-1] in _GENERIC:
            tokens, changed = tokens[:-1], True
        else:
            for phrase in areas:
                if len(phrase) < len(tokens) and tuple(tokens[-len(phrase) :]) == phrase:
                    tokens, changed = tokens[: -len(phrase)], True
                    break
    return tokens


def normalize_business_name(name: str, area_words: Iterable[str] = ()) -> str:
    """Fold a name and drop what does not identify the business (legal forms, branches).

    >>> normalize_business_name("RM. Sederhana Cabang Bintaro")
    'sederhana'
    >>> normalize_business_name("Warung Sate Pak Budi (Alam Sutera)")
    'sate pak budi'
    """
    areas = _area_phrases(tuple(area_words))
    head = _TAIL_SEPARATORS.split(_BRACKETS.sub(" ", name), maxsplit=1)[0]
    tokens = _canonical_tokens(head) or _canonical_tokens(name)
    for i, token in enumerate(tokens):
        if token in _BRANCH_MARKERS and i > 0:
            tokens = tokens[:i]
            break
    if not tokens:
        return fold(name)
    return " ".join(_strip_ends(tokens, areas))


def _align_typos(ta: list[str], tb: list[str]) -> tuple[list[str], int]:
    """Rewrite words of ``ta`` that are one typo (two for long words) from an unmatched word
    of ``tb`` as that word; returns the new words and how many were rewritten.

    Two different trade words ("cafe"/"cake") or numbers are never merged: that difference
    is the point. Aligning across names catches typos wherever they fall, including in
    generic or trade words, without a dictionary of misspellings.
    """
    in_a, in_b = set(ta), set(tb)
    spare = [u for u in tb if u not in in_a]
    out, fixes = [], 0
    for t in ta:
        if t in in_b or not spare or t.isdigit():
            out.append(t)
            continue
        best = min(spare, key=lambda u: (OSA.distance(t, u), u))
        limit = 2 if min(len(t), len(best)) >= 8 else 1
        mergeable = not (t in _TRADE_WORDS and best in _TRADE_WORDS) and not best.isdigit()
        if mergeable and max(len(t), len(best)) >= 3 and OSA.distance(t, best) <= limit:
            out.append(best)
            spare.remove(best)
            fixes += 1
        else:
            out.append(t)
    return out, fixes


def _string_similarity(a: str, b: str) -> float:
    """Typo- and order-tolerant similarity of two normalised strings, in [0, 1]."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    best = max(fuzz.ratio(a, b, processor=None), fuzz.token_sort_ratio(a, b, processor=None))
    short, long_ = sorted((a, b), key=len)
    coverage = len(short) / len(long_)
    # Extra words ("Kopi Kenangan" in "Kopi Kenangan Mantan") support less than a typo.
    best = max(best, fuzz.token_set_ratio(a, b, processor=None) * (0.7 + 0.25 * coverage))
    if len(short) >= 6 and coverage <= 0.75:
        best = max(best, fuzz.partial_ratio(a, b, processor=None) * (0.6 + 0.3 * coverage))
    return best / 100.0


def _conflicting(a: set[str], b: set[str]) -> bool:
    """True when each side has a word of the kind the other lacks."""
    return bool(a - b) and bool(b - a)


def _name_similarity_norm(a: str, b: str) -> float:
    """Similarity of two already-normalised names (see the module docstring); symmetric."""
    if a == b:
        return 1.0
    if a > b:  # a fixed order makes the greedy typo alignment symmetric
        a, b = b, a
    wb = b.split()
    wa, fixes = _align_typos(a.split(), wb)
    full = _string_similarity(" ".join(wa), b)
    core_a = " ".join(t for t in wa if t not in _TRADE_WORDS and t not in _GENERIC)
    core_b = " ".join(t for t in wb if t not in _TRADE_WORDS and t not in _GENERIC)
    if core_a or core_b:
        core = _string_similarity(core_a, core_b)
        score = (1 - _CORE_WEIGHT) * full + _CORE_WEIGHT * core
    else:
        score = full
    score *= _TYPO_FACTOR**fixes
    trades_a, trades_b = set(wa) & _TRADE_WORDS, set(wb) & _TRADE_WORDS
    numbers_a, numbers_b = {t for t in wa if t.isdigit()}, {t for t in wb if t.isdigit()}
    if _conflicting(trades_a, trades_b) or _conflicting(numbers_a, numbers_b):
        score *= _CONFLICT_FACTOR
    return min(1.0, max(0.0, score))


def name_similarity(a: str, b: str, *, area_words: Iterable[str] = ()) -> float:
    """Similarity in [0, 1] of two raw business names after normalisation."""
    areas = tuple(area_words)
    na, nb = normalize_business_name(a, areas), normalize_business_name(b, areas)
    if not na and not nb:
        return 1.0 if a.strip().casefold() == b.strip().casefold() else 0.0
    return _name_similarity_norm(na, nb)


def phone_key(phone: str | None) -> str | None:
    """Digits of an Indonesian-style number with the country code, for comparison only.

    >>> phone_key("0812-3456-789") == phone_key("+62 812 3456 789")
    True
    """
    if not phone:
        return None
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("00"):  # international call prefix
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8") and 9 <= len(digits) <= 12:
        digits = "62" + digits
    return digits if len(digits) >= 7 else None


def _address_tokens(address: str) -> list[str]:
    """Folded address words with street abbreviations made uniform."""
    aliases = {
        "jalan": "jl",
        "jln": "jl",
        "gang": "gg",
        "blk": "blok",
        "kavling": "kav",
        "nomor": "no",
        "number": "no",
        "street": "st",
        "road": "rd",
    }
    return [aliases.get(t, t) for t in fold(address).split()]


def address_similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two addresses; tells the same street, not the same door."""
    ta, tb = _address_tokens(a), _address_tokens(b)
    if ta == tb:
        return 1.0
    if not ta or not tb:
        return 0.0
    return _string_similarity(" ".join(ta), " ".join(tb))


def _address_numbers_conflict(a: str, b: str) -> bool:
    """True when both addresses carry house numbers and they disagree."""
    na, nb = set(_DIGITS.findall(a)), set(_DIGITS.findall(b))
    return bool(na) and bool(nb) and na.isdisjoint(nb)


def _interp(x: float, knots: Sequence[tuple[float, float]]) -> float:
    """Piecewise-linear interpolation through (x, y) knots, flat outside them."""
    if x <= knots[0][0]:
        return knots[0][1]
    for (x0, y0), (x1, y1) in zip(knots, knots[1:], strict=False):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return knots[-1][1]


def _distance(query: MatchQuery, candidate: MatchCandidate) -> float | None:
    """Metres between the two points, or None when either is missing or invalid."""
    if query.lat is None or query.lon is None or candidate.lat is None or candidate.lon is None:
        return None
    if not (
        valid_coordinates(query.lat, query.lon) and valid_coordinates(candidate.lat, candidate.lon)
    ):
        return None
    return distance_m(query.lat, query.lon, candidate.lat, candidate.lon)


def score_match(
    query: MatchQuery, candidate: MatchCandidate, *, area_words: Iterable[str] = ()
) -> MatchResult:
    """Score how likely ``candidate`` is the business described by ``query``."""
    name_sim = name_similarity(query.name, candidate.name, area_words=area_words)
    dist = _distance(query, candidate)
    qphone, cphone = phone_key(query.phone), phone_key(candidate.phone)
    same_phone = qphone is not None and qphone == cphone
    phone_conflict = qphone is not None and cphone is not None and qphone != cphone
    addr_sim: float | None = None
    logit = _BIAS + _interp(name_sim, _NAME_KNOTS)
    if dist is not None:
        logit += _interp(dist, _DISTANCE_KNOTS)
    if same_phone:
        logit += _SAME_PHONE
    elif phone_conflict:
        logit += _PHONE_CONFLICT
    if query.address and candidate.address:
        addr_sim = address_similarity(query.address, candidate.address)
        logit += _interp(addr_sim, _ADDRESS_KNOTS)
        if _address_numbers_conflict(query.address, candidate.address):
            logit += _ADDRESS_NUMBER_CONFLICT
    evidence = MatchEvidence(
        name_similarity=name_sim,
        distance_m=dist,
        same_phone=same_phone,
        address_similarity=addr_sim,
        phone_conflict=phone_conflict,
    )
    score = 1.0 / (1.0 + math.exp(-logit))
    return MatchResult(business_id=candidate.business_id, score=score, evidence=evidence)


def rank_matches(
    query: MatchQuery,
    candidates: Iterable[MatchCandidate],
    *,
    threshold: float | None = MATCH_THRESHOLD,
    limit: int = 10,
    area_words: Iterable[str] = (),
) -> list[MatchResult]:
    """Candidates scored and sorted best first; only those ≥ ``threshold`` unless it is None."""
    areas = tuple(area_words)
    results = [score_match(query, c, area_words=areas) for c in candidates]
    if threshold is not None:
        results = [r for r in results if r.score >= threshold]
    results.sort(key=lambda r: (-r.score, r.business_id))
    return results[: max(0, limit)]
