"""The product field rules shared by the API and the owner forms."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.errors import InvalidInput
from directory.products.fields import MAX_PRICE_IDR, clean_product_fields


def _grouped(n: int) -> str:
    """15000 → "15.000", as Indonesians write prices."""
    return f"{n:,}".replace(",", ".")


@given(st.integers(min_value=0, max_value=MAX_PRICE_IDR), st.sampled_from(["", "Rp", "Rp ", "rp."]))
def test_a_written_price_reads_back_as_its_number(price: int, prefix: str) -> None:
    for text in (str(price), _grouped(price)):
        assert clean_product_fields({"price_idr": f"{prefix}{text}"}) == {"price_idr": price}


@given(st.text(max_size=30))
def test_any_form_text_is_a_price_or_a_422_naming_price(text: str) -> None:
    refused: list[str] = []
    try:
        value = clean_product_fields({"price_idr": text})["price_idr"]
    except InvalidInput as exc:
        refused = [e.field for e in exc.errors]
        value = None
    assert refused in ([], ["price_idr"])
    assert value is None or (isinstance(value, int) and 0 <= value <= MAX_PRICE_IDR)


@given(st.text(max_size=300))
def test_names_are_cleaned_or_refused_never_stored_with_markup(text: str) -> None:
    refused: list[str] = []
    try:
        name = str(clean_product_fields({"name": text})["name"])
    except InvalidInput as exc:
        refused = [e.field for e in exc.errors]
        name = "ok"
    assert refused in ([], ["name"])
    assert 2 <= len(name) <= 120
    # No tag survives: "<" followed by a letter, "/", "!" or "?" opens one ("<>" and
    # "a < b" are text, as everywhere else user text is cleaned).
    assert re.search(r"<[A-Za-z!/?]", name) is None


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_product_fields({"name": "", "price_idr": -5, "min_order": 0, "export_ready": "?"})
    assert sorted(e.field for e in caught.value.errors) == [
        "export_ready", "min_order", "name", "price_idr",
    ]  # fmt: skip


def test_empty_price_is_hubungi() -> None:
    assert clean_product_fields({"price_idr": "", "min_order": ""}) == {
        "price_idr": None, "min_order": None,
    }  # fmt: skip
    assert clean_product_fields({"price_idr": None}) == {"price_idr": None}
    with pytest.raises(InvalidInput):
        clean_product_fields({"price_idr": True})
