"""Phone numbers: normalise to E.164 for storage, format for display, link to WhatsApp.

The one module that imports ``phonenumbers``. Numbers written the Indonesian way
(``0812-3456-7890``, ``(021) 5312 3456``, ``62812...``, even ``+62 0812...``) become
``+6281234567890``; numbers with a ``+`` keep their own country.

Policy: a number must be *valid* (``phonenumbers.is_valid_number``: a real number range
for its country), not merely *possible* (right length). Possible-but-invalid numbers are
mostly typos, and a directory that shows a wrong number is worse than one showing none.
An extension (``ext. 12``) is dropped: E.164 has no place for it, and the main line
still reaches the business.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, PhoneNumberType

MAX_TEXT_LEN: Final = 64
_PARSE_ERRORS: Final = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.NOT_A_NUMBER: "does not look like a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_MOBILE_TYPES: Final = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


class InvalidPhoneError(ValueError):
    """Text that is not a valid phone number; the message says why, in one line."""


def _parse(text: str, region: str) -> PhoneNumber:
    if not isinstance(text, str):
        raise InvalidPhoneError(f"phone number must be text, not {type(text).__name__}")
    if len(text) > MAX_TEXT_LEN:
        raise InvalidPhoneError(f"phone number is longer than {MAX_TEXT_LEN} characters")
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        reason = _PARSE_ERRORS.get(exc.error_type, "does not look like a phone number")
        raise InvalidPhoneError(f"not a phone number: {reason}") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneError("not a valid phone number for its country")
    return number


# A national Indonesian number written with digits and separators only ("0812-3456-7890",
# "(021) 5312 3456"): a leading 0 trunk prefix, then no IDD ("00…") and no "+".
_PLAIN_NATIONAL: Final = re.compile(r"\(?0[1-9][0-9 ().\-]*")
_NOT_DIGIT: Final = re.compile(r"[^0-9]")
_ID_COUNTRY_CODE: Final = 62


def _plain_national(text: str, region: str) -> str | None:
    """E.164 of a plainly written, valid Indonesian national number, else None.

    Imports are mostly such numbers, and ``phonenumbers.parse`` spends most of its time
    on cases they cannot be (``+``, IDD prefixes, extensions, letters). For them parse
    comes down to: drop separators and the trunk 0, country code 62. The number must still
    be valid; anything else (and every error message) goes through the full parser.
    Tests check both paths agree.
    """
    if region != "ID" or not _PLAIN_NATIONAL.fullmatch(text):
        return None
    national = _NOT_DIGIT.sub("", text)[1:]
    number = PhoneNumber(country_code=_ID_COUNTRY_CODE, national_number=int(national))
    if not phonenumbers.is_valid_number(number):
        return None
    return f"+{_ID_COUNTRY_CODE}{national}"


@lru_cache(maxsize=16384)
def _normalize_cached(text: str, region: str) -> str:
    if isinstance(text, str) and len(text) <= MAX_TEXT_LEN:
        fast = _plain_national(text, region)
        if fast is not None:
            return fast
    return phonenumbers.format_number(_parse(text, region), PhoneNumberFormat.E164)


def normalize_phone(text: str, *, region: str = "ID") -> str:
    """E.164 form of a phone number (``+6281234567890``); numbers without ``+`` are ``region``'s.

    Raises InvalidPhoneError for anything unparsable or not a valid number. Cached:
    imports repeat the same texts.
    """
    return _normalize_cached(text, region)


@lru_cache(maxsize=16384)
def _parse_e164(e164: str) -> PhoneNumber:
    if not isinstance(e164, str) or not e164.startswith("+"):
        raise InvalidPhoneError(f"expected an E.164 number like +6281234567890: {e164!r}")
    return _parse(e164, "ZZ")


def format_phone_national(e164: str, *, region: str = "ID") -> str:
    """Display form: national (``0812-3456-7890``) for ``region``'s numbers, else international."""
    number = _parse_e164(e164)
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def is_mobile(e164: str) -> bool:
    """Whether the number is a mobile one (or may be, where a country does not tell)."""
    return phonenumbers.number_type(_parse_e164(e164)) in _MOBILE_TYPES


def whatsapp_url(e164: str) -> str | None:
    """``https://wa.me/6281234567890`` for mobile numbers; None for landlines and others."""
    number = _parse_e164(e164)
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        return None
    digits = phonenumbers.format_number(number, PhoneNumberFormat.E164).removeprefix("+")
    return f"https://wa.me/{digits}"
