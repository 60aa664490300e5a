"""Guessing a business's category from its name (and description) with the taxonomy.

Venue lists exported from other tools or check-in data rarely carry our categories, but
Indonesian business names usually say what the place is: *Kopi* Kenangan, *Bengkel Motor*
Jaya, *Salon* Cantik, *Apotek* K-24. The taxonomy already holds the words people use for
each category (its Indonesian and English names and its synonyms), so those words are the
rules: no second list to keep in step.

Matching is on whole folded words and phrases (``fold``: case, accents and punctuation
ignored), never on parts of words: "Kopi" matches ``kopi`` but "Kopitiam" does not match
``kopi``, and "Salon" does not match in "Salonpas". Among the phrases found:

1. the name wins over the description (the description is only read when the name says
   nothing);
2. a longer phrase beats a shorter one ("Bengkel Motor" → motorcycle repair, not the
   ``bengkel`` of car repair; "Warung Kopi" → warkop, not warung makan);
3. a category beats its group (``resto`` names both the food group and restaurants);
4. then the earlier word in the text (Indonesian names put the kind of place first:
   "Toko Roti Sari" is a bakery before it is a shop).

A phrase several categories share goes to the deepest, then the first in taxonomy order.
The fallback category (``lainnya``) is never inferred. Accuracy on labelled names is
measured by ``benchmarks/category_inference_eval.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import Category
from directory.textnorm import fold

FALLBACK_SLUG: Final = "lainnya"
MAX_PHRASE_WORDS: Final = 6
# Words too common in names to say anything about the kind of place on their own.
_IGNORED: Final = frozenset({"dan", "and", "the", "di", "of", "&", "jl", "jalan"})


@dataclass(frozen=True, slots=True)
class _Rule:
    category_id: int
    depth: int  # 1 = group, 2 = category, 3 = sub-category
    order: int  # taxonomy order, for ties


@dataclass(frozen=True, slots=True)
class CategoryInferrer:
    """Phrase → category rules built from a taxonomy; plain data, so workers can use it."""

    rules: dict[tuple[str, ...], _Rule]
    longest: int

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[tuple[int, str, str, str, Iterable[str] | None, str]],
        *,
        cuisine_words: Mapping[str, str] | None = None,
    ) -> CategoryInferrer:
        """From ``(id, slug, name_id, name_en, synonyms, path)`` rows in taxonomy order.

        ``cuisine_words`` (``north_indian`` → slug, from ``data/osm_tags.toml``; default:
        that file) add the cuisine vocabulary where the taxonomy has no word of its own.
        """
        rules: dict[tuple[str, ...], _Rule] = {}
        by_slug: dict[str, _Rule] = {}
        for order, (cid, slug, name_id, name_en, synonyms, path) in enumerate(rows):
            if slug == FALLBACK_SLUG:
                continue
            depth = path.strip("/").count("/") + 1
            rule = _Rule(cid, depth, order)
            by_slug[slug] = rule
            for text in (name_id, name_en, *(synonyms or ())):
                for phrase in _phrases(text):
                    known = rules.get(phrase)
                    if known is None or (depth, -order) > (known.depth, -known.order):
                        rules[phrase] = rule
        if cuisine_words is None:
            from directory.areas.osm_tags import load_mapping  # noqa: PLC0415 (data, not code)

            cuisine_words = load_mapping().cuisine
        for word, slug in cuisine_words.items():
            target = by_slug.get(slug)
            phrase = tuple(fold(word.replace("_", " ")).split())
            if target is not None and phrase and phrase not in rules:
                rules[phrase] = target
        longest = max((len(p) for p in rules), default=0)
        return cls(rules=rules, longest=min(longest, MAX_PHRASE_WORDS))

    @classmethod
    def from_session(cls, session: Session) -> CategoryInferrer:
        rows = session.execute(
            select(
                Category.id,
                Category.slug,
                Category.name_id,
                Category.name_en,
                Category.synonyms,
                Category.path,
            ).order_by(Category.sort_order, Category.id)
        ).all()
        return cls.from_rows((r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows)

    def infer(self, name: str, description: str = "") -> int | None:
        """The category id the name (else the description) points to, or None."""
        for text in (name, description):
            found = self._best(text)
            if found is not None:
                return found
        return None

    def _best(self, text: str) -> int | None:
        if not text:
            return None
        words = fold(text).split()
        best: tuple[int, int, int, int] | None = None
        best_id: int | None = None
        for start in range(len(words)):
            for size in range(min(self.longest, len(words) - start), 0, -1):
                rule = self.rules.get(tuple(words[start : start + size]))
                if rule is None:
                    continue
                key = (size, rule.depth, -start, -rule.order)
                if best is None or key > best:
                    best, best_id = key, rule.category_id
                break  # the longest phrase at this position is enough
        return best_id


def _phrases(text: str) -> list[tuple[str, ...]]:
    """The folded word sequences a name or synonym contributes (``Kafe & Kopi`` gives
    ``kafe kopi``, ``kafe`` and ``kopi``: each side of an ``&`` or ``/`` on its own)."""
    out: list[tuple[str, ...]] = []
    whole = tuple(w for w in fold(text).split() if w not in _IGNORED)
    if whole:
        out.append(whole)
    for sep in ("&", "/", ","):
        if sep in text:
            for part in text.split(sep):
                words = tuple(w for w in fold(part).split() if w not in _IGNORED)
                if words and words not in out:
                    out.append(words)
    return out


def fallback_category_id(session: Session) -> int | None:
    """The id of the shipped "Lainnya / Other" category (None if the taxonomy lacks it)."""
    return session.scalar(select(Category.id).where(Category.slug == FALLBACK_SLUG))
