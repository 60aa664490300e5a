"""Words of documents and queries, and how well a business matches a text query.

Pure functions (no database): the indexer stores :func:`doc_fields` for each business,
the executor scores candidates with :func:`text_score`, and the same rules decide which
businesses the full-text index must return (:func:`matches`), so the index and the
scorer can never disagree about what matches.

Matching, per query word: the word itself, a vocabulary word within its typo allowance
(:func:`max_typos`), a category whose names or synonyms contain such a word, or — for the
last word, as readers type — any word that starts with it. A business matches a query
when it matches every word; when nothing matches every word, the executor retries
with all but one required (:func:`required_words`).

Text score in [0, 1] (part of the relevance formula in :mod:`directory.search.ranking`)::

    text = 0.85 · Σ weight(w) · best_field(w) / Σ weight(w) + 0.15 · name_coverage

``best_field(w)`` = field weight (name 0.9 — 0.675 outside the category the word names —,
category 0.8, address 0.5, description 0.35) × how it matched (exact 1.0, prefix 0.85,
one typo 0.75, two typos 0.55), the best over the fields, plus ``CORROBORATION`` × the
second field's match when a second kind of evidence agrees, plus ``PHRASE`` when the
word stands next to its neighbour in the query in the name or the description, as typed
(at most 1);
``name_coverage`` is the share of the business name's words that some query word matched,
so "Kopi Senja" beats "Kopi Senja Pamulang 2" for the query "kopi senja".
``weight(w)`` = 0.5 + log10(1 + 10⁶ / (1 + df)) / 6, clamped to [0.5, 1.5]: rare words
count up to three times as much as words on every shop front ("warung", "jalan").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from directory.search.tables import MAX_TERM_LEN
from directory.textnorm import ABBREVIATIONS, normalize_query

FIELD_NAME = 0.9
FIELD_CATEGORY = 0.8
FIELD_ADDRESS = 0.5
FIELD_DESCRIPTION = 0.35
EXACT = 1.0
PREFIX = 0.85
TYPO_FACTORS = (1.0, 0.75, 0.55)
TOKEN_SHARE = 0.85
COVERAGE_SHARE = 0.15
MAX_DESCRIPTION_WORDS = 60
MIN_PREFIX_LEN = 2
CATEGORY_TOKEN = "0c"
OTHER_SENSE = 0.25
OUT_OF_SENSE_NAME = 0.75
"""A word that names a category, found in the name of a business outside that category
("ATM Bank …" for "bank", "Sekolah Musik" for "sekolah"): 0.9 × 0.75 = 0.675, below a
business filed in the category (0.8) — the category is what the reader meant."""
CORROBORATION = 0.1
"""Added to a word's best field when a second kind of evidence agrees: the name and the
category ("Bank Arta" filed under banks), the name or the category and the description
("Cuisines: Burger" of "Burger Hut"). A name alone is 0.9, so the business whose name,
category and description all say "burger" ranks before one whose name only does."""
PHRASE = 0.1
"""Added to a word's best field (at most 1) when it stands next to its neighbour in the
query, in the same order, in the business's name or description: "Cuisines: Healthy
Food" says what "healthy food" asks; a "Tasty But Healthy" that serves "Fast Food" only
holds both words apart. Words typed together and found together are one more kind of
evidence."""
SENSE_TEXT = 0.5
"""A word that names a category matches a business outside that category through its
name, through its address at half the usual weight, and not through its description
("dekat stasiun" in a boarding house's blurb is not a station): the category is what
the reader meant."""

QUERY_STOPWORDS = frozenset(
    {"di", "ke", "dari", "yang", "dan", "dekat", "sekitar", "terdekat", "sini", "near",
     "nearby", "me", "in", "at", "the", "and", "of", "around"}
)  # fmt: skip


def max_typos(length: int) -> int:
    """Typos tolerated in a query word of this many characters: none under 5 letters, 1
    for 5–8, 2 from 9 (Meilisearch's defaults; see ``query_reading.typo_allowance``)."""
    if length < 5:
        return 0
    return 1 if length <= 8 else 2


def index_deletes(length: int) -> int:
    """Deletions stored for a vocabulary word, enough for any query allowed to reach it."""
    if length <= 2:
        return 0
    return 1 if length <= 4 else 2


def deletes(word: str, depth: int) -> set[str]:
    """The word and every string made by deleting up to ``depth`` characters (SymSpell)."""
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))} - out
        out |= frontier
    return {w for w in out if w}


# ASCII fast path of textnorm.fold for bulk indexing: apostrophes vanish, every other
# non-alphanumeric byte becomes a space (tests check it agrees with normalize_query).
_ASCII_DELETE = b"'`"
_ABBREVIATED = frozenset(ABBREVIATIONS)
_ASCII_TABLE = bytes(c if (chr(c).isalnum() or c == 32) else 32 for c in range(128)) + bytes(
    range(128, 256)
)


def words(text: str) -> list[str]:
    """Folded, abbreviation-expanded words of a text (``textnorm.normalize_query``), too-long
    ones dropped."""
    if text.isascii():
        raw = text.encode("ascii").translate(_ASCII_TABLE, _ASCII_DELETE).decode("ascii")
        out = raw.lower().split()
        if not _ABBREVIATED.isdisjoint(out):
            out = [x for w in out for x in ABBREVIATIONS.get(w, (w,))]
        if len(raw) > MAX_TERM_LEN and max(map(len, out), default=0) > MAX_TERM_LEN:
            out = [w for w in out if len(w) <= MAX_TERM_LEN]
        return out
    return [w for w in normalize_query(text) if len(w) <= MAX_TERM_LEN]


def category_token(category_id: int) -> str:
    """The word a document carries for each category it belongs to (ancestors too)."""
    return f"{CATEGORY_TOKEN}{category_id}"


@dataclass(frozen=True, slots=True)
class DocFields:
    """The searchable words of one business, as stored in ``search_doc``."""

    name: str
    categories: str
    address: str
    description: str

    def all_terms(self) -> set[str]:
        """Every distinct word (for document frequencies)."""
        return {
            *self.name.split(), *self.categories.split(), *self.address.split(),
            *self.description.split(),
        }  # fmt: skip


TextTerms = tuple[str, str, str]


def text_terms(name: str, address: str, description: str) -> TextTerms:
    """The name, address and description fields of :func:`doc_fields` (no database needed,
    so bulk imports compute them in their validation workers)."""
    desc = words(description)
    if len(desc) > MAX_DESCRIPTION_WORDS:
        desc = list(dict.fromkeys(desc))[:MAX_DESCRIPTION_WORDS]
    return " ".join(words(name)), " ".join(words(address)), " ".join(desc)


def doc_fields(
    *,
    name: str,
    address: str,
    description: str,
    scopes: Sequence[int],
    terms: TextTerms | None = None,
) -> DocFields:
    """Folded words of a business; descriptions are cut to their first words.

    ``terms``, when given, is ``text_terms(name, address, description)`` computed earlier.
    """
    name_terms, addr_terms, desc_terms = terms or text_terms(name, address, description)
    return DocFields(
        name=name_terms,
        categories=" ".join(category_token(s) for s in scopes if s),
        address=addr_terms,
        description=desc_terms,
    )


@dataclass(frozen=True, slots=True)
class QueryWord:
    """One word of a text query with everything it may match.

    ``terms`` maps vocabulary words to the factor of the match (exact 1.0, typos less);
    ``categories`` maps category tokens likewise; ``prefix`` is set for the last word.
    """

    token: str
    terms: Mapping[str, float]
    categories: Mapping[str, float] = field(default_factory=dict)
    prefix: bool = False
    weight: float = 1.0
    conflicts: tuple[tuple[str, ...], ...] = ()
    direct: Mapping[str, frozenset[str]] = field(default_factory=dict)
    ceiling: float = 1.0
    """The best factor any document can give this word (its best field, corroboration
    included, never exceeds it): 1.0 unless the typed word itself is in no document, as
    with a word typed halfway ("ruma") or misspelt, where it is the best completion,
    correction or category factor. It tightens :func:`text_bound`, which lets the
    executor skip far-away matches of a common prefix without reading them."""
    """Group tokens among ``categories`` that count only for a business filed under the
    group itself, i.e. holding none of the given child tokens ("Kafe & Kopi" for "kopi",
    but not its tea and juice children)."""
    """Longer phrases holding this word that name *other* categories ("pasar swalayan"
    for "pasar"): in a name outside the word's categories, the word is used in that other
    sense, and its text match counts only ``OTHER_SENSE`` as much."""


def word_weight(df: int) -> float:
    """How much a word counts in the text score, from its document frequency.

    >>> word_weight(0), round(word_weight(900_000), 3)
    (1.5, 0.55)
    """
    raw = 0.5 + math.log10(1.0 + 1_000_000 / (1 + max(0, df))) / 6.0
    return min(1.5, max(0.5, raw))


def split_query(text: str) -> list[str]:
    """The words of a query that take part in matching (stop words dropped if others remain)."""
    tokens = list(dict.fromkeys(words(text)))
    kept = [t for t in tokens if t not in QUERY_STOPWORDS]
    return kept or tokens


def required_words(count: int, *, relaxed: bool) -> int:
    """How many query words a business must match."""
    return max(1, count - 1) if relaxed else count


def _best_in(tokens: Sequence[str], word: QueryWord) -> float:
    best = 0.0
    terms = word.terms
    stem = word.token if word.prefix else None
    for tok in tokens:
        factor = terms.get(tok, 0.0)
        # A prefix match lifts a factor to PREFIX: only worth testing when that helps.
        if stem is not None and factor < PREFIX and best < PREFIX and tok.startswith(stem):
            factor = PREFIX
        if factor > best:
            best = factor
            if best >= EXACT:
                break
    return best


def _best_in_name(tokens: Sequence[str], word: QueryWord, covered: set[str]) -> float:
    """``_best_in(tokens, word)``, also adding to ``covered`` every token the word hits
    (``_hits``): the name coverage then needs no second pass over the name."""
    best = 0.0
    terms = word.terms
    stem = word.token if word.prefix else None
    for tok in tokens:
        factor = terms.get(tok, 0.0)
        if stem is not None and tok.startswith(stem):
            covered.add(tok)
            if factor < PREFIX:
                factor = PREFIX
        elif factor > 0.0:
            covered.add(tok)
        if factor > best:
            best = factor
    return best


def _hits(tok: str, word: QueryWord) -> bool:
    """``_best_in((tok,), word) > 0`` without the loop: the coverage count asks it for
    every distinct name word and query word of every candidate."""
    return word.terms.get(tok, 0.0) > 0.0 or (word.prefix and tok.startswith(word.token))


def _sense(word: QueryWord, cats: Sequence[str]) -> float:
    """The best category factor of a word for a business's category tokens."""
    best = 0.0
    for tok in cats:
        factor = word.categories.get(tok, 0.0)
        if factor > best:
            children = word.direct.get(tok)
            if children and any(c in children for c in cats):
                continue
            best = factor
    return best


def _has_phrase(tokens: Sequence[str], phrases: Sequence[tuple[str, ...]]) -> bool:
    """Whether any phrase occurs in ``tokens`` as consecutive words."""
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(tokens) - n + 1):
            if tuple(tokens[i : i + n]) == phrase:
                return True
    return False


def _in_phrase(
    query: Sequence[QueryWord], tokens: Sequence[str], hit: Sequence[bool], out: list[bool]
) -> None:
    """Mark in ``out`` the query words that occur right next to their neighbour in the
    query, in the same order, in ``tokens`` (see ``PHRASE``); ``hit`` says which words
    occur in the field at all, so a field is read only for neighbours both found."""
    for i in range(len(query) - 1):
        if not (hit[i] and hit[i + 1]) or (out[i] and out[i + 1]):
            continue
        first, second = query[i], query[i + 1]
        for j in range(len(tokens) - 1):
            if _hits(tokens[j], first) and _hits(tokens[j + 1], second):
                out[i] = out[i + 1] = True
                break


@dataclass(frozen=True, slots=True)
class TextMatch:
    """How a business matched: score in [0, 1] and how many query words it matched."""

    score: float
    matched: int


def text_score(query: Sequence[QueryWord], doc: DocFields) -> TextMatch:
    """Score one business against the query words (see the module docstring)."""
    name = doc.name.split()
    cats = doc.categories.split()
    addr = doc.address.split()
    desc = doc.description.split()
    total_weight = 0.0
    matched = 0
    bests: list[float] = []
    name_hits: list[bool] = []
    desc_hits: list[bool] = []
    covered: set[str] = set()
    for word in query:
        total_weight += word.weight
        sense = _sense(word, cats) if word.categories else 0.0
        in_sense = sense > 0.0
        in_name = _best_in_name(name, word, covered)
        in_desc = 0.0
        best = FIELD_NAME * in_name
        if best and word.categories and not in_sense:
            # The word names a category this business is not in: its name uses the
            # word, but a business of that category is the better answer.
            best *= OUT_OF_SENSE_NAME
            if word.conflicts and _has_phrase(name, word.conflicts):
                best *= OTHER_SENSE
        second = sense if in_name else 0.0
        best = max(best, FIELD_CATEGORY * sense)
        if in_sense or not word.categories:
            wanted = in_name or in_sense or best < FIELD_DESCRIPTION
            in_desc = _best_in(desc, word) if wanted else 0.0
            if in_name or in_sense:
                second = max(second, in_desc)
            if best < FIELD_ADDRESS:
                best = max(best, FIELD_ADDRESS * _best_in(addr, word))
            best = max(best, FIELD_DESCRIPTION * in_desc)
        elif best < SENSE_TEXT * FIELD_ADDRESS:
            best = max(best, SENSE_TEXT * FIELD_ADDRESS * _best_in(addr, word))
        if best == 0.0 and word.prefix:
            best = FIELD_CATEGORY * PREFIX * any(t.startswith(word.token) for t in cats)
        if best > 0.0:
            if second > 0.0:
                best = min(1.0, best + CORROBORATION * second)
            matched += 1
        bests.append(best)
        name_hits.append(in_name > 0.0)
        desc_hits.append(in_desc > 0.0)
    if not matched:
        return TextMatch(0.0, 0)
    if matched >= 2:
        together = [False] * len(query)
        _in_phrase(query, name, name_hits, together)
        _in_phrase(query, desc, desc_hits, together)
        for i, joined in enumerate(together):
            if joined and bests[i] > 0.0:
                bests[i] = min(1.0, bests[i] + PHRASE)
    weighted = sum(w.weight * b for w, b in zip(query, bests, strict=True))
    distinct = set(name)
    coverage = len(covered) / len(distinct) if distinct else 0.0
    score = TOKEN_SHARE * weighted / total_weight + COVERAGE_SHARE * coverage
    return TextMatch(score=min(1.0, score), matched=matched)


def text_bound(query: Sequence[QueryWord], *, required: int) -> float:
    """The best text score a business can get: each word at most its ``ceiling`` plus the
    phrase bonus (the name coverage at most 1) and, when ``required`` is short of every
    word (the relaxed query, run only when none matches them all), one word short at the
    least."""
    if not query:
        return 1.0
    total = sum(w.weight for w in query)
    # Words found next to each other gain ``PHRASE`` on top of their best field.
    lift = PHRASE if len(query) >= 2 else 0.0
    parts = [w.weight * min(1.0, w.ceiling + lift) for w in query]
    if required < len(query):
        parts.remove(min(parts))
    return min(1.0, TOKEN_SHARE * sum(parts) / total + COVERAGE_SHARE)


def matches(query: Sequence[QueryWord], doc: DocFields, *, required: int) -> bool:
    """Whether the business matches at least ``required`` words (the full-text rule)."""
    return text_score(query, doc).matched >= required


def brute_force_word(word: QueryWord, doc: DocFields) -> bool:
    """Field-agnostic match of one word, written plainly for tests to compare against."""
    every = doc.all_terms()
    if any(t in word.terms or t in word.categories for t in every):
        return True
    return word.prefix and any(t.startswith(word.token) for t in every)
