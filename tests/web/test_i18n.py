"""The message catalogs: every page string is translated, placeholders agree, none stale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from directory.web.i18n import po_path, translations

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _extracted() -> set[str]:
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)  # type: ignore[no-untyped-call]
    ids: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT / "directory" / "web"), method_map, options_map
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def _catalog(lang: str) -> dict[str, tuple[str, ...]]:
    with po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    out: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        raw = message.string if isinstance(message.string, tuple) else (message.string,)
        out[key] = tuple(str(s or "") for s in raw)
    return out


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    return _extracted()


def test_every_page_string_is_in_both_catalogs(extracted: set[str]) -> None:
    assert len(extracted) > 200
    for lang in ("id", "en"):
        catalog = _catalog(lang)
        assert extracted - catalog.keys() == set(), f"missing in {lang}"
        assert catalog.keys() - extracted == set(), f"stale entries in {lang}"


def test_indonesian_translations_are_complete_and_keep_placeholders(
    extracted: set[str],
) -> None:
    catalog = _catalog("id")
    for msgid in extracted:
        strings = catalog[msgid]
        assert all(strings), f"untranslated: {msgid!r}"
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(msgid)), msgid


def test_catalogs_compile_at_runtime() -> None:
    assert translations("id").gettext("Open now") == "Buka sekarang"
    assert translations("en").gettext("Open now") == "Open now"
    assert translations("id").ngettext("(%(count)s rating)", "(%(count)s ratings)", 3) == (
        "(%(count)s penilaian)"
    )
    with pytest.raises(ValueError, match="unsupported"):
        translations("fr")
