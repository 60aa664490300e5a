from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.slugs import FALLBACK, is_slug, slugify, unique_slug

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Kopi Kenangan – BSD", "kopi-kenangan-bsd"),
        ("Warung Kopi Pak Raden, Ciputat", "warung-kopi-pak-raden-ciputat"),
        ("D'Cost Seafood", "dcost-seafood"),
        ("Café Ümlaut & Co.", "cafe-umlaut-co"),
        ("Phở Đà Nẵng", "pho-da-nang"),
        ("RM. Padang No.1", "rm-padang-no-1"),
        ("  --Bakso__Pak  Kumis--  ", "bakso-pak-kumis"),
        ("咖啡店", FALLBACK),
        ("", FALLBACK),
        ("☕☕☕", FALLBACK),
    ],
)
def test_slugify_examples(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_cuts_at_a_word_boundary() -> None:
    assert slugify("alpha beta gamma", max_len=12) == "alpha-beta"
    assert slugify("alpha beta gamma", max_len=10) == "alpha-beta"
    assert slugify("supercalifragilistic", max_len=8) == "supercal"
    with pytest.raises(ValueError, match="max_len"):
        slugify("x", max_len=3)


@given(st.text(max_size=120), st.integers(min_value=6, max_value=100))
def test_slugify_always_gives_a_slug(text: str, max_len: int) -> None:
    slug = slugify(text, max_len=max_len)
    assert SLUG.match(slug)
    assert is_slug(slug)
    assert len(slug) <= max_len
    assert slugify(slug, max_len=max_len) == slug


def test_unique_slug_appends_the_first_free_number() -> None:
    taken = {"warung-makan", "warung-makan-2", "warung-makan-3"}
    assert unique_slug("kopi", taken.__contains__) == "kopi"
    assert unique_slug("warung-makan", taken.__contains__) == "warung-makan-4"
    assert unique_slug("warung-makan", {"warung-makan"}.__contains__) == "warung-makan-2"


def test_unique_slug_needs_few_lookups_for_many_duplicates() -> None:
    taken = {"indomaret"} | {f"indomaret-{n}" for n in range(2, 5001)}
    calls: list[str] = []

    def is_taken(slug: str) -> bool:
        calls.append(slug)
        return slug in taken

    assert unique_slug("indomaret", is_taken) == "indomaret-5001"
    assert len(calls) < 40


def test_unique_slug_respects_max_len() -> None:
    base = "a" * 20
    taken = {base} | {f"{'a' * (20 - len(str(n)) - 1)}-{n}" for n in range(2, 12)}
    slug = unique_slug(base, taken.__contains__, max_len=20)
    assert len(slug) <= 20
    assert slug not in taken
    assert is_slug(slug)
    with pytest.raises(ValueError, match="not a slug"):
        unique_slug("Not A Slug", taken.__contains__)
    with pytest.raises(RuntimeError):
        unique_slug("x-y", lambda _slug: True)


@given(st.sets(st.integers(min_value=2, max_value=60)), st.booleans())
def test_unique_slug_returns_a_free_slug(suffixes: set[int], base_taken: bool) -> None:
    taken = {f"toko-{n}" for n in suffixes} | ({"toko"} if base_taken else set())
    slug = unique_slug("toko", taken.__contains__)
    assert slug not in taken
    assert slug.startswith("toko")
    assert SLUG.match(slug)
    contiguous = suffixes == set(range(2, 2 + len(suffixes)))
    if base_taken and contiguous:
        assert slug == f"toko-{len(suffixes) + 2}"
