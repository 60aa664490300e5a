"""Text normalisation shared by search, matching and storage.

Two jobs, kept apart on purpose:

- *Folding* (:func:`fold`, :func:`normalize_query`, :func:`normalize_name`) makes a
  search key: "Jl. Raya Serpong No.8" and "jalan raya serpong nomor 8" fold to the same
  words. Lossy; never shown to anyone.
- *Cleaning* (:func:`clean_user_text`) makes untrusted free text safe and tidy to store
  and show: HTML stripped, control characters removed, length enforced. The result is
  still plain text that templates must escape. Character references are *not* decoded
  (``&lt;/script&gt;`` stays those nine characters), and any ``<`` left before a tag-like
  character is dropped, so cleaning is idempotent: ``clean(clean(t)) == clean(t)``.
  Decoding entities would make each pass peel one more layer (``&amp;lt;b&amp;gt;`` →
  ``&lt;b&gt;`` → ``<b>`` → ``""``): an edit that re-cleans a stored value would then
  change text nobody touched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from html.parser import HTMLParser
from typing import Final

# Abbreviations common in Indonesian names and addresses, expanded on both the indexed
# text and the query so that either spelling finds the other. Only unambiguous ones:
# "tb" (toko bangunan / toko buku / taman bacaan), "apt" (apotek / apartemen),
# "pd" (pondok / perusahaan daerah) and "dr" (dokter / drive) are left alone.
ABBREVIATIONS: Final[dict[str, tuple[str, ...]]] = {
    "jl": ("jalan",),
    "jln": ("jalan",),
    "gg": ("gang",),
    "kec": ("kecamatan",),
    "kel": ("kelurahan",),
    "kab": ("kabupaten",),
    "kp": ("kampung",),
    "kav": ("kavling",),
    "blk": ("blok",),
    "perum": ("perumahan",),
    "komp": ("kompleks",),
    "gd": ("gedung",),
    "lt": ("lantai",),
    "no": ("nomor",),
    "rm": ("rumah", "makan"),
    "rs": ("rumah", "sakit"),
    "rsu": ("rumah", "sakit", "umum"),
    "rsud": ("rumah", "sakit", "umum", "daerah"),
    "rsia": ("rumah", "sakit", "ibu", "dan", "anak"),
}
# Short words that look like abbreviations but are what people type and search for
# (school levels, titles, company forms, neighbourhood units): never expanded or dropped.
KEPT_TERMS: Final = frozenset(
    {"sd", "smp", "sma", "smk", "tk", "mi", "mts", "ma", "puskesmas", "bpk", "pak", "bu"}
    | {"pt", "cv", "ud", "rt", "rw"}
)

# Apostrophes join ("D'Cost" → "dcost", "Jum'at" → "jumat"); other punctuation separates.
_APOSTROPHES: Final = "'`\u00b4\u2018\u2019\u02bc"
_ASCII_FOLD: Final = {
    c: (None if chr(c) in _APOSTROPHES else " ")
    for c in range(128)
    if not chr(c).isalnum() and chr(c) != " "
}


# Latin letters that carry their mark inside (no Unicode decomposition): "Đà Nẵng" → "da nang".
_LATIN_EXTRA: Final = {
    "đ": "d", "ð": "d", "ø": "o", "ł": "l", "ħ": "h", "ŧ": "t", "ı": "i",
    "æ": "ae", "œ": "oe", "þ": "th",
}  # fmt: skip


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """What one (already NFKD, casefolded) character becomes in a folded string."""
    if ch in _APOSTROPHES:
        return ""
    if ch in _LATIN_EXTRA:
        return _LATIN_EXTRA[ch]
    category = unicodedata.category(ch)
    if category in ("Mn", "Me", "Cf", "Cs"):  # diacritics, invisible format characters
        return ""
    if category[0] in "PSZC" and category != "Cn":  # punctuation, symbols, spaces, controls
        return " "
    return ch


def fold(text: str) -> str:
    """Search key: NFKD, diacritics removed, casefolded, punctuation/symbols → one space.

    Digits are kept. Idempotent: ``fold(fold(t)) == fold(t)``.

    >>> fold("Kafé  «Kopi»-Kenangan, Jl. M.H. Thamrin No.8")
    'kafe kopi kenangan jl m h thamrin no 8'
    """
    if text.isascii():
        return " ".join(text.translate(_ASCII_FOLD).lower().split())
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return " ".join("".join(map(_fold_char, decomposed)).split())


def expand_abbreviations(tokens: Iterable[str]) -> list[str]:
    """Folded tokens with :data:`ABBREVIATIONS` expanded (``jl raya`` → ``jalan raya``)."""
    out: list[str] = []
    for token in tokens:
        expansion = ABBREVIATIONS.get(token)
        if expansion is None:
            out.append(token)
        else:
            out.extend(expansion)
    return out


@lru_cache(maxsize=65536)
def _query_tokens(text: str) -> tuple[str, ...]:
    return tuple(expand_abbreviations(fold(text).split()))


def normalize_query(text: str) -> list[str]:
    """Fold, split into words and expand abbreviations: the words search compares."""
    return list(_query_tokens(text))


def normalize_name(text: str) -> str:
    """:func:`normalize_query` joined with spaces: the key stored beside a name or address."""
    return " ".join(_query_tokens(text))


# ----------------------------------------------------------------------- user text


class TextInputError(ValueError):
    """Free text that cannot be accepted; ``field`` names the input, ``max_len`` the limit."""

    def __init__(self, message: str, *, field: str, max_len: int | None = None) -> None:
        self.field = field
        self.max_len = max_len
        super().__init__(message)


# Elements whose content is code, not text: dropped with their tags.
_DROP_CONTENT: Final = frozenset({"script", "style", "template"})
# Elements that end a line when rendered; in single-line text the newline becomes a space.
_LINE_BREAKS: Final = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})
# A tag opened but never closed at the end of the text ("Hello <b", "<a href='x").
_UNCLOSED_TAG: Final = re.compile(r"<[A-Za-z!/?][^<>]*\Z")
# NUL, C0/C1 controls (except tab and newlines, handled apart), explicit bidi embeddings,
# overrides and isolates (used to disguise text), BOM and lone surrogates. LRM/RLM and ZWJ
# stay: right-to-left text and emoji sequences need them.
_REMOVE: Final = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
_NEWLINES: Final = re.compile("\r\n?|[\x85\u2028\u2029]")
_SPACES_SINGLE: Final = re.compile(r"\s+")
_SPACES_MULTI: Final = re.compile(r"[^\S\n\t]+")
_BLANK_LINES: Final = re.compile(r"\n{3,}")


# A "<" that a browser or the next cleaning pass would read as the start of a tag.
_TAG_OPENER: Final = re.compile(r"<+(?=[A-Za-z!/?])")


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment (fed with ``&`` escaped: see strip_html)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            self._hidden_depth += 1
        elif tag in _LINE_BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _LINE_BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)


def strip_html(text: str) -> str:
    """The text of an HTML fragment: tags and comments removed, script/style content dropped.

    ``<script>alert(1)</script>Hi`` → ``Hi``; character references are kept as written
    (``&amp;`` stays ``&amp;``); text without ``<`` is returned unchanged.
    """
    if "<" not in text:
        return text
    parser = _TextExtractor()
    # Every "&" fed as "&amp;" comes back as the "&" it was: the parser finds the tags
    # but turns no reference in the text into a character.
    parser.feed(text.replace("&", "&amp;"))
    parser.close()
    return _UNCLOSED_TAG.sub("", "".join(parser.parts))


def _clean_markup_and_spaces(text: str, *, multiline: bool) -> str:
    """The general path of :func:`clean_user_text` (any text, no length checks)."""
    text = strip_html(text)
    text = _REMOVE.sub("", _NEWLINES.sub("\n", text))
    text = unicodedata.normalize("NFC", text)
    # Last of the character steps: removing controls can join "<" and a letter again.
    text = _TAG_OPENER.sub("", text)
    if multiline:
        lines = (_SPACES_MULTI.sub(" ", line).strip() for line in text.split("\n"))
        return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return _SPACES_SINGLE.sub(" ", text).strip()


def clean_user_text(text: str, *, max_len: int, field: str, multiline: bool = False) -> str:
    """Untrusted free text made safe to store: HTML stripped, controls removed, NFC, tidy spaces.

    Single-line text has every run of whitespace collapsed to one space. Multiline text
    keeps newlines and tabs, trims each line and keeps at most one blank line in a row.
    Emoji and right-to-left text are kept. Raises TextInputError (with ``field``) when the
    result is longer than ``max_len`` characters; an empty result is returned as "".
    """
    # Refuse absurd inputs before parsing them; markup may shrink, hence the slack.
    if len(text) > 8 * max_len + 1024:
        raise TextInputError(
            f"must be at most {max_len} characters (got {len(text)})", field=field, max_len=max_len
        )
    if text.isascii() and text.isprintable() and "  " not in text and "<" not in text:
        # The common case, and a shortcut with the same result: printable ASCII has no
        # controls or newlines, is already NFC and, without markup or double spaces,
        # only needs trimming.
        text = text.strip()
    else:
        text = _clean_markup_and_spaces(text, multiline=multiline)
    if len(text) > max_len:
        raise TextInputError(
            f"must be at most {max_len} characters (got {len(text)})", field=field, max_len=max_len
        )
    return text
