"""Which supported language an ``Accept-Language`` header prefers (RFC 9110 §12.5.4).

Entries are ranked by their q-value (ties keep the header's order; ``q=0`` means "not
this one"), then Babel's ``negotiate_locale`` matches them to the supported languages, so
``en-GB`` finds ``en`` and ``en;q=0.1, id`` picks ``id``. The header is untrusted input:
malformed entries are skipped, never an error, and only the first entries are read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from babel.core import negotiate_locale

MAX_ENTRIES: Final = 32
_TAG: Final = re.compile(r"^(?:\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$")
_QVALUE: Final = re.compile(r"^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")


def ranked_tags(header: str) -> list[str]:
    """The header's language tags, most wanted first, without those refused (q=0)."""
    entries: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:MAX_ENTRIES]):
        tag, *params = (piece.strip() for piece in part.split(";"))
        if not _TAG.match(tag):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                q = float(value.strip()) if _QVALUE.match(value.strip()) else 0.0
        if q > 0:
            entries.append((-q, index, tag))
    return [tag for _, _, tag in sorted(entries)]


def preferred_language(header: str, supported: Sequence[str]) -> str | None:
    """The supported language the header ranks highest, or None when it names none of them."""
    tags = [tag for tag in ranked_tags(header) if tag != "*"]
    found = negotiate_locale(tags, list(supported), sep="-") if tags else None
    # Babel answers in the header's spelling ("EN-us" → "EN"); give back ours.
    return {lang.lower(): lang for lang in supported}.get(found.lower()) if found else None
