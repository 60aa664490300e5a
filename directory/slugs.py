"""URL slugs for businesses and pages: ``"Kopi Kenangan – BSD"`` → ``kopi-kenangan-bsd``.

Slugs are ASCII kebab case (:data:`SLUG_RE`), never empty (names with no Latin letters
or digits become :data:`FALLBACK`), and cut at a word boundary when too long.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from directory.textnorm import fold

SLUG_RE: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FALLBACK: Final = "bisnis"
_WORD: Final = re.compile(r"[a-z0-9]+")
_MAX_SUFFIX: Final = 2**40


def _truncate(slug: str, max_len: int) -> str:
    """``slug`` cut to ``max_len`` characters, dropping a partly cut last word when possible."""
    if len(slug) <= max_len:
        return slug
    if slug[max_len] == "-":
        return slug[:max_len]
    head = slug[:max_len]
    cut = head.rfind("-")
    return head[:cut] if cut > 0 else head


def slugify(text: str, *, max_len: int = 80) -> str:
    """ASCII kebab-case slug of ``text``: diacritics folded, at most ``max_len`` characters.

    >>> slugify("Warung Kopi Pak Raden – Ciputat")
    'warung-kopi-pak-raden-ciputat'
    >>> slugify("咖啡")
    'bisnis'
    """
    if max_len < len(FALLBACK):
        raise ValueError(f"max_len must be at least {len(FALLBACK)}")
    slug = _truncate("-".join(_WORD.findall(fold(text))), max_len)
    return slug or FALLBACK


def is_slug(text: str) -> bool:
    """Whether ``text`` is a well-formed slug."""
    return SLUG_RE.fullmatch(text) is not None


def unique_slug(base: str, taken: Callable[[str], bool], *, max_len: int = 80) -> str:
    """``base`` if free, else ``base-2``, ``base-3``, ... (shortened to fit ``max_len``).

    Finds the first free suffix when the taken ones run without gaps (the usual case)
    with O(log n) calls to ``taken``, by doubling then bisecting; with gaps it returns
    some free suffix. ``taken`` is only a hint: a unique constraint must still catch a
    concurrent writer.
    """
    if not is_slug(base) or len(base) > max_len:
        raise ValueError(f"not a slug of at most {max_len} characters: {base!r}")
    if not taken(base):
        return base

    def candidate(n: int) -> str:
        suffix = f"-{n}"
        head = _truncate(base, max_len - len(suffix))
        if not head:
            raise ValueError(f"max_len {max_len} leaves no room for a suffix on {base!r}")
        return head + suffix

    lo, hi = 1, 2  # invariant once the loop ends: candidate(lo) taken (or lo == 1), hi free
    while taken(candidate(hi)):
        lo, hi = hi, hi * 2
        if hi > _MAX_SUFFIX:
            raise RuntimeError(f"no free slug for {base!r}: is `taken` always true?")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if taken(candidate(mid)):
            lo = mid
        else:
            hi = mid
    return candidate(hi)
