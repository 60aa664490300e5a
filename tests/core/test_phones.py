from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.phones import (
    InvalidPhoneError,
    format_phone_national,
    is_mobile,
    normalize_phone,
    whatsapp_url,
)


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("(021) 5312 3456", "+622153123456"),
        ("021-7456789", "+62217456789"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("+62 0812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("tel:+62-812-3456-7890", "+6281234567890"),
        ("021-5312-3456 ext. 12", "+622153123456;ext=12"),  # the extension is kept
        ("+1 650 253 0000", "+16502530000"),
    ],
)
def test_normalizes_to_e164(text: str, e164: str) -> None:
    assert normalize_phone(text) == e164


def test_region_applies_to_numbers_without_country_code() -> None:
    assert normalize_phone("020 7946 0958", region="GB") == "+442079460958"
    assert normalize_phone("+62 812 3456 7890", region="GB") == "+6281234567890"


@pytest.mark.parametrize(
    "text", ["", "abc", "1", "0812", "08123", "0000000000", "+999 123 456", "x" * 100]
)
def test_rejects_invalid_numbers(text: str) -> None:
    with pytest.raises(InvalidPhoneError) as info:
        normalize_phone(text)
    assert isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)


def test_possible_but_invalid_numbers_are_rejected() -> None:
    # Right length for Indonesia, but no such number range: policy is "valid", not "possible".
    with pytest.raises(InvalidPhoneError, match="not a valid phone number"):
        normalize_phone("0000000000")


def test_national_format_for_display() -> None:
    assert format_phone_national("+6281234567890") == "0812-3456-7890"
    assert format_phone_national("+622153123456") == "(021) 53123456"
    assert format_phone_national("+16502530000") == "+1 650-253-0000"
    with pytest.raises(InvalidPhoneError):
        format_phone_national("081234567890")


def test_whatsapp_only_for_mobile_numbers() -> None:
    assert whatsapp_url("+6281234567890") == "https://wa.me/6281234567890"
    assert is_mobile("+6281234567890")
    assert whatsapp_url("+622153123456") is None
    assert not is_mobile("+622153123456")
    with pytest.raises(InvalidPhoneError):
        whatsapp_url("not a number")


@given(st.text(alphabet="0123456789+-() .", max_size=30))
def test_random_digits_only_raise_invalid_phone(text: str) -> None:
    try:
        e164 = normalize_phone(text)
    except InvalidPhoneError:
        return
    if not e164.startswith("+"):  # an Indonesian special number: its digits
        assert e164.isdigit()
        assert e164.startswith("1")
        assert len(e164) in (3, 5, 7, 8)
    else:
        assert e164[1:].isdigit()
    assert normalize_phone(e164) == e164


@given(st.text(max_size=80))
def test_random_text_only_raises_invalid_phone(text: str) -> None:
    with contextlib.suppress(InvalidPhoneError):
        normalize_phone(text)


@given(st.from_regex(r"08[1-9][0-9]{7,9}", fullmatch=True))
def test_indonesian_mobile_shapes_keep_their_digits(text: str) -> None:
    try:
        e164 = normalize_phone(text)
    except InvalidPhoneError:
        return
    assert e164 == "+62" + text[1:]


# The shortcut for plainly written national numbers must give what the full parser gives.
def _full_parser(text: str) -> str | None:
    import phonenumbers

    from directory.phones import _parse

    try:
        return phonenumbers.format_number(_parse(text, "ID"), phonenumbers.PhoneNumberFormat.E164)
    except InvalidPhoneError:
        return None


@pytest.mark.parametrize(
    "text",
    ["0812-3456-7890", "(021) 5312 3456", "(0)21 5312 3456", "0811.234.5678", "021-5312-3456.",
     "0274 123456", "0800 123 4567", "0809 1234 567", "0622 12345678", "08123", "0123 456 789",
     "0 812 3456 7890", "((0812)) 3456 7890", "02153123456789", "0812345678901234"],
)  # fmt: skip
def test_plain_national_shortcut_agrees_with_full_parser(text: str) -> None:
    from directory.phones import _plain_national

    fast = _plain_national(text, "ID")
    assert fast is None or fast == _full_parser(text)


@given(st.from_regex(r"\(?0[1-9][0-9]{1,3}\)?[ .\-]?[0-9]{3,5}[ .\-]?[0-9]{0,5}", fullmatch=True))
def test_plain_national_shortcut_agrees_on_generated_numbers(text: str) -> None:
    from directory.phones import _plain_national

    fast = _plain_national(text, "ID")
    assert fast is None or fast == _full_parser(text)
