"""The Jinja2 environments of the pages: one per language, autoescaping every template.

One environment per language (instead of swapping translations per request) keeps
rendering thread-safe: ``install_gettext_translations`` is environment-wide.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache, partial
from pathlib import Path
from typing import Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from directory.web import formatting
from directory.web.i18n import translations

TEMPLATE_DIR: Final = Path(__file__).parent / "templates"
STATIC_DIR: Final = Path(__file__).parent / "static"
STATIC_PREFIX: Final = "/static"


@lru_cache(maxsize=256)
def static_url(path: str) -> str:
    """URL of a static file with a content hash, so it can be cached for a year."""
    file = (STATIC_DIR / path).resolve()
    if not file.is_relative_to(STATIC_DIR.resolve()) or not file.is_file():
        raise ValueError(f"no static file {path!r}")
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:12]
    return f"{STATIC_PREFIX}/{path}?v={digest}"


@lru_cache(maxsize=2)
def environment(lang: str) -> Environment:
    """The template environment of ``lang`` with its catalog and formatting filters."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.policies["ext.i18n.trimmed"] = True  # must match babel.cfg so msgids agree
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        distance=partial(formatting.format_distance, lang=lang),
        rating=partial(formatting.format_rating, lang=lang),
        number=partial(formatting.format_number, lang=lang),
        day=partial(formatting.format_day, lang=lang),
        price=formatting.format_price,
        phone=formatting.format_phone,
        whatsapp=formatting.phone_whatsapp,
        stars=formatting.stars,
    )
    env.globals.update(static=static_url, lang=lang)
    return env
