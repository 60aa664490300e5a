"""Page languages: which one a request gets, and the gettext catalogs that translate them.

Templates are written with English message ids; ``locale/id`` translates them into
Indonesian (the default language) and ``locale/en`` is the identity. The ``.po`` files are
the only source: they are compiled in memory on first use, so ``pip install -e .`` needs no
build step and a stale ``.mo`` can never disagree with its ``.po``.
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

from directory.api.deps import SUPPORTED_LANGS, negotiate_lang

LOCALE_DIR: Final = Path(__file__).parent / "locale"
DOMAIN: Final = "messages"
LANG_COOKIE: Final = "dekat_lang"
LANG_COOKIE_MAX_AGE_S: Final = 365 * 24 * 3600
LANG_NAMES: Final = {"id": "Bahasa Indonesia", "en": "English"}


def po_path(lang: str) -> Path:
    """Where the catalog of a language lives."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(SUPPORTED_LANGS))
def translations(lang: str) -> Translations:
    """The compiled catalog of ``lang`` (``id`` or ``en``); compiled once per process."""
    if lang not in SUPPORTED_LANGS:
        raise ValueError(f"unsupported language {lang!r}")
    with po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def choose_lang(request: Request, default: str) -> tuple[str, bool]:
    """The page language and whether it was asked for explicitly (then it is remembered).

    Order: ``?lang=`` (remembered in a cookie), the cookie, ``Accept-Language``, the
    configured default.
    """
    asked = request.query_params.get("lang")
    if asked in SUPPORTED_LANGS:
        return asked, True
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in SUPPORTED_LANGS:
        return cookie, False
    return negotiate_lang(request, None, default), False


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet (translated at render)."""
    return message


AREA_KIND_LABELS: Final = {
    "province": N_("Province"),
    "city": N_("City"),
    "regency": N_("Regency"),
    "kecamatan": N_("District (kecamatan)"),
    "kelurahan": N_("Village (kelurahan)"),
    "desa": N_("Village (desa)"),
    "township": N_("Township"),
    "neighbourhood": N_("Neighbourhood"),
}
SORT_LABELS: Final = {
    "relevance": N_("Best match"),
    "distance": N_("Nearest"),
    "rating": N_("Highest rated"),
    "reviews": N_("Most reviewed"),
    "newest": N_("Newest"),
}
FIELD_LABELS: Final = {
    "name": N_("Business name"),
    "category": N_("Category"),
    "address": N_("Address"),
    "phone": N_("Phone"),
    "website": N_("Website"),
    "opening_hours": N_("Opening hours"),
    "price_level": N_("Price level"),
    "description": N_("Description"),
    "lat": N_("Latitude"),
    "lon": N_("Longitude"),
}
