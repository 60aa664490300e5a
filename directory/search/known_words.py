"""Whether a query word is itself a word, so that it is never "corrected" into another.

A word is known when it is in the directory's vocabulary (any published business uses
it), in the taxonomy (names and synonyms) or the gazetteer (area names and aliases), or
is common in Indonesian or English. The general word lists come from the ``wordfreq``
package (its data is CC BY-SA; Dekat depends on the package and ships none of it):
a word is common when its Zipf frequency — log10 of occurrences per billion words — is
at least ``COMMON_ZIPF`` in either language. 3.2 is about one occurrence in 600,000
words: "murah" (5.4), "sarapan" (4.9), "dinner" (4.8), "haircut" (3.7) are words; the
slips people type — "coffe" (3.0, itself a frequent misspelling), "piza" (1.4),
"chineese" (1.3) — are not.
"""

from __future__ import annotations

from functools import lru_cache

COMMON_ZIPF = 3.2
LANGUAGES = ("id", "en")


@lru_cache(maxsize=65_536)
def is_common_word(word: str) -> bool:
    """True when ``word`` (folded) is common in Indonesian or English."""
    if not word.isalpha():
        return False
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a declared dependency
        return False
    return max(zipf_frequency(word, lang) for lang in LANGUAGES) >= COMMON_ZIPF
