"""Formatting for readers: distances, ratings, prices, phones, script-safe JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.web.formatting import (
    format_distance,
    format_phone,
    format_price,
    format_rating,
    phone_whatsapp,
    stars,
)
from directory.web.jsonld import script_json
from directory.web.security import content_security_policy, tile_origin


@pytest.mark.parametrize(
    ("distance_m", "lang", "text"),
    [
        (0.0, "id", "10 m"),
        (648.0, "id", "650 m"),
        (999.0, "en", "1000 m"),
        (1234.0, "id", "1,2 km"),
        (1234.0, "en", "1.2 km"),
        (153_400.0, "en", "153 km"),
        (None, "id", ""),
    ],
)
def test_distance(distance_m: float | None, lang: str, text: str) -> None:
    assert format_distance(distance_m, lang) == text


def test_rating_price_stars() -> None:
    assert format_rating(4.56, "id") == "4,6"
    assert format_rating(4.56, "en") == "4.6"
    assert format_rating(None, "en") == ""
    assert format_price(3) == "RpRpRp"
    assert format_price(None) == ""
    assert stars(4.4) == "★★★★☆"
    assert stars(None) == ""


def test_phones() -> None:
    assert format_phone("+6281234567890") == "0812-3456-7890"
    assert format_phone("not-a-number") == "not-a-number"
    assert phone_whatsapp("+6281234567890") == "https://wa.me/6281234567890"
    assert phone_whatsapp("+622153123456") is None
    assert phone_whatsapp(None) is None


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_script_json_round_trips_and_cannot_close_a_script(value: object) -> None:
    text = script_json(value)
    assert json.loads(text) == value
    for forbidden in ("<", ">", "&", "\u2028", "\u2029"):
        assert forbidden not in text


def test_tile_origin_for_the_csp() -> None:
    assert tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == (
        "https://tile.openstreetmap.org"
    )
    assert tile_origin("https://{s}.tiles.example.id/{z}/{x}/{y}.png") == (
        "https://*.tiles.example.id"
    )
    assert tile_origin("/tiles/{z}/{x}/{y}.png") is None
    csp = content_security_policy("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert "script-src 'self'" in csp
    assert "img-src 'self' data: blob: https://tile.openstreetmap.org" in csp
