"""The searches a listing is most commonly found by, derived from its category and area.

"Most common" is defined without any search log: the category's Indonesian name and its
first synonyms (what readers type for that kind of place), each alone and followed by the
area's name ("bakso", "bakso pamulang"). Pure functions, no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from directory.search.text_match import words

MAX_TERMS = 3
"""Category words tried: the name and the first synonyms (more rarely changes the picture
and each costs a search)."""
MAX_TERM_WORDS = 3


@dataclass(frozen=True, slots=True)
class CommonSearch:
    """One search a reader may type: the words and whether the area name is part of them."""

    q: str
    term: str
    with_area: bool


def category_terms(name: str, synonyms: Sequence[str], *, limit: int = MAX_TERMS) -> list[str]:
    """Distinct folded search words for a category, the name first.

    >>> category_terms("Bakso & Mie Ayam", ["bakso", "mie ayam", "mi ayam"])
    ['bakso mie ayam', 'bakso', 'mie ayam']
    """
    out: list[str] = []
    for text in (name, *synonyms):
        folded = " ".join(words(text))
        if folded and folded not in out and len(folded.split()) <= MAX_TERM_WORDS:
            out.append(folded)
        if len(out) >= limit:
            break
    return out


def common_searches(terms: Sequence[str], area_name: str | None) -> list[CommonSearch]:
    """Each term alone and, when the listing has an area, followed by the area's name.

    >>> [s.q for s in common_searches(["bakso"], "Pamulang")]
    ['bakso', 'bakso pamulang']
    """
    area = " ".join(words(area_name)) if area_name else ""
    out: list[CommonSearch] = []
    for term in terms:
        out.append(CommonSearch(q=term, term=term, with_area=False))
        if area:
            out.append(CommonSearch(q=f"{term} {area}", term=term, with_area=True))
    return out
