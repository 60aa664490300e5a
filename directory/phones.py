"""Phone numbers: normalise to E.164 for storage, format for display, link to WhatsApp.

The one module that imports ``phonenumbers``. Numbers written the Indonesian way
(``0812-3456-7890``, ``(021) 5312 3456``, ``62812...``, even ``+62 0812...``) become
``+6281234567890``; numbers with a ``+`` keep their own country.

Policy: a number must be *valid* (``phonenumbers.is_valid_number``: a real number range
for its country), not merely *possible* (right length). Possible-but-invalid numbers are
mostly typos, and a directory that shows a wrong number is worse than one showing none.
An extension (``ext. 2``, ``ext.2``, ``#2``) is kept after the E.164 number in the
RFC 3966 notation ``+628111234567;ext=2`` and shown ``0811-1234-567 ext. 2``.

Indonesian special numbers (hotlines ``1500xxx``/``1500xxxx``, ``14xxx``, and the
three-digit service numbers ``112``, ``110``, ``119`` …) have no E.164 form that dials
from inside the country; they are stored as their digits (``1500-123`` → ``1500123``)
and shown as written by the national convention (``1500-123``, ``14045``, ``112``).

Text around a number that is not part of it (a second number after ``/``, ``atau``, a
note such as ``(WA)``) is dropped with a warning (:func:`parse_phone`), never silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


EXTENSION_SEP: Final = ";ext="
_SPECIAL: Final = re.compile(r"1500[0-9]{3,4}|14[0-9]{3}|1[0-9]{2}")
_SPECIAL_TEXT: Final = re.compile(r"[0-9][0-9 \-.]*")
# Where a second number or a note starts: "0812… / 0813…", "0812… atau 0813…", "(WA)".
_SPLIT: Final = re.compile(r"\s*(?:[/,;|&]|\batau\b|\bor\b|\bdan\b)\s*|\s*\(", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PhoneResult:
    """A stored phone value and what of the text was left out (None: nothing)."""

    value: str
    dropped: str | None = None


def special_number(text: str) -> str | None:
    """The digits of an Indonesian special number (``1500-123`` → ``1500123``), else None."""
    if not _SPECIAL_TEXT.fullmatch(text.strip()):
        return None
    digits = _NOT_DIGIT.sub("", text)
    return digits if _SPECIAL.fullmatch(digits) else None


_NOTE: Final = re.compile(r"\([^)]*[^\W\d_][^)]*\)")
_LOCAL_EXTENSION: Final = re.compile(r"\b(?:pes|psw|pesawat|ekst)\b\.?\s*", re.IGNORECASE)


def parse_phone(text: str, *, region: str = "ID") -> PhoneResult:
    """:func:`normalize_phone`, and when the whole text is not one number, the first
    number in it with the rest reported as ``dropped`` (a second number, a note)."""
    if isinstance(text, str):
        text = _LOCAL_EXTENSION.sub(" ext. ", text)  # "pes. 12": the Indonesian "ext."
    try:
        value = normalize_phone(text, region=region)
        note = _NOTE.search(text)  # the parser skips "(WA)" silently: say so
        return PhoneResult(value, note.group() if note else None)
    except InvalidPhoneError as whole_error:
        match = _SPLIT.search(text) if isinstance(text, str) else None
        if match is None or match.start() == 0:
            raise whole_error from None
        head, rest = text[: match.start()], text[match.start() :].strip()
        try:
            value = normalize_phone(head, region=region)
        except InvalidPhoneError:
            raise whole_error from None
        return PhoneResult(value, rest)


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
        if region == "ID" and (special := special_number(text)) is not None:
            return special
    number = _parse(text, region)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if number.extension:
        return f"{e164}{EXTENSION_SEP}{number.extension}"
    return e164


def normalize_phone(text: str, *, region: str = "ID") -> str:
    """E.164 form of a phone number (``+6281234567890``); numbers without ``+`` are ``region``'s.

    An extension is kept (``+628111234567;ext=2``); Indonesian special numbers are their
    digits (``1500123``, ``112``).

    Raises InvalidPhoneError for anything unparsable or not a valid number. Cached:
    imports repeat the same texts.
    """
    return _normalize_cached(text, region)


@lru_cache(maxsize=16384)
def _parse_e164(e164: str) -> PhoneNumber:
    if not isinstance(e164, str) or not e164.startswith("+"):
        raise InvalidPhoneError(f"expected an E.164 number like +6281234567890: {e164!r}")
    return _parse(e164.split(EXTENSION_SEP)[0], "ZZ")


def split_extension(stored: str) -> tuple[str, str | None]:
    """``("+628111234567", "2")`` for ``+628111234567;ext=2``; no extension: None."""
    number, sep, ext = stored.partition(EXTENSION_SEP)
    return number, (ext if sep else None)


def format_phone_national(e164: str, *, region: str = "ID") -> str:
    """Display form: national (``0812-3456-7890``) for ``region``'s numbers, else
    international; an extension as `` ext. 2``; special numbers as written nationally."""
    if isinstance(e164, str) and _SPECIAL.fullmatch(e164):
        return f"{e164[:4]}-{e164[4:]}" if e164.startswith("1500") else e164
    base, ext = split_extension(e164) if isinstance(e164, str) else (e164, None)
    number = _parse_e164(base)
    if phonenumbers.region_code_for_number(number) == region:
        shown = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    else:
        shown = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    return f"{shown} ext. {ext}" if ext else shown


def is_mobile(e164: str) -> bool:
    """Whether the number is a mobile one (or may be, where a country does not tell)."""
    return phonenumbers.number_type(_parse_e164(e164)) in _MOBILE_TYPES


def whatsapp_url(e164: str) -> str | None:
    """``https://wa.me/6281234567890`` for mobile numbers; None for landlines and others."""
    number = _parse_e164(e164)
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        return None
    digits = phonenumbers.format_number(number, PhoneNumberFormat.E164).removeprefix("+")
    # (an extension cannot be dialled through WhatsApp: the link is the main line)
    return f"https://wa.me/{digits}"
