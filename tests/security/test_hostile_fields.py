"""The hostile corpus against the one validation path that imports, submissions and owner
edits share (``services.business_input.parse_business_fields``): every value either parses
to something safe to store or raises InvalidInput naming its field, never anything else.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.businesses.input import BUSINESS_COLUMNS, BusinessInput, parse_business_fields
from directory.errors import InvalidInput
from tests.factories import BSD
from tests.security import corpus

_fields = st.sampled_from(BUSINESS_COLUMNS)
_hostile = st.sampled_from(corpus.ALL_STRINGS)


def _resolve(text: str) -> int | None:
    return 1 if text == "kafe-kopi" else None


def _parse(raw: dict[str, str]) -> BusinessInput | InvalidInput:
    """The parsed fields, or the InvalidInput they raised (any other exception escapes)."""
    try:
        return parse_business_fields(raw, resolve_category=_resolve, default_category_id=1)
    except InvalidInput as exc:
        return exc


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    raw=st.dictionaries(
        _fields, st.one_of(_hostile, st.text(max_size=50), st.floats().map(str)), max_size=13
    )
)
def test_business_fields_either_parse_or_name_the_bad_field(raw: dict[str, str]) -> None:
    """Any mapping of strings gives a BusinessInput or an InvalidInput — nothing else."""
    data = _parse(raw)
    if isinstance(data, InvalidInput):
        assert data.errors, "InvalidInput without a named field"
        assert all(e.field in BUSINESS_COLUMNS for e in data.errors)
        return
    for text in (data.name, data.address, data.description):
        assert "\x00" not in text
        assert "<script" not in text.lower()
    assert -90 <= data.lat <= 90
    assert -180 <= data.lon <= 180


@pytest.mark.parametrize("field", ["name", "address", "description"])
@pytest.mark.parametrize("value", corpus.TEXT + corpus.SIZES, ids=repr)
def test_hostile_text_is_refused_or_stored_clean(field: str, value: str) -> None:
    raw = {"name": "Kopi Aman", "lat": str(BSD[0]), "lon": str(BSD[1]), field: value}
    data = _parse(raw)
    if isinstance(data, InvalidInput):
        assert [e.field for e in data.errors] == [field]
        return
    stored = getattr(data, field)
    assert "\x00" not in stored
    assert not any(ord(c) < 32 and c not in "\n\t" for c in stored)
    assert not any("\u202a" <= c <= "\u202e" for c in stored), "bidi override kept"
    if "&lt;" not in value:
        # Tags are stripped; an entity-escaped tag is decoded to plain text on purpose
        # (it is what the writer meant to show) and must be escaped on output.
        assert "<script" not in stored.lower()
        assert "<img" not in stored.lower()
    assert len(stored) <= 2000


@pytest.mark.parametrize("value", corpus.NUMBERS)
@pytest.mark.parametrize("field", ["lat", "lon", "rating", "rating_count", "price_level"])
def test_hostile_numbers_are_refused_or_in_range(field: str, value: str) -> None:
    raw = {"name": "Kopi Aman", "lat": str(BSD[0]), "lon": str(BSD[1]), field: value}
    data = _parse(raw)
    if isinstance(data, InvalidInput):
        assert {e.field for e in data.errors} <= {field, "rating"}
        return
    assert -90 <= data.lat <= 90
    assert -180 <= data.lon <= 180
    assert data.rating is None or 1 <= data.rating <= 5
    assert 0 <= data.rating_count <= 10_000_000
    assert data.price_level in (None, 1, 2, 3, 4)
