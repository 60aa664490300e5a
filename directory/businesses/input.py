"""Validating business fields from any source (import row, submission, owner edit).

One function turns an untrusted mapping of strings into a ``BusinessInput`` or raises
``InvalidInput`` listing *every* bad field, so an import can report all of a row's
problems at once and a form can show each error next to its field.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from directory.errors import FieldError, InvalidInput
from directory.geo import valid_coordinates
from directory.hours import OpeningHoursError, format_opening_hours, parse_opening_hours, to_json
from directory.phones import InvalidPhoneError, parse_phone
from directory.textnorm import TextInputError, clean_user_text
from directory.weburls import InvalidUrlError, normalize_url


@dataclass(frozen=True, slots=True)
class BusinessField:
    """One business field as import files, forms and submission payloads name it.

    The single list below (:data:`BUSINESS_FIELDS`) fixes the fields and their order; the
    import/export columns, the form fields and the stored columns each field writes are all
    read from it, so adding a field is one edit.
    """

    name: str
    attrs: tuple[str, ...]  # the BusinessInput attributes it fills
    columns: tuple[str, ...]  # the stored Business columns it sets
    editable: bool = True  # submitters and owners may set it (else: imports only)
    required: bool = False  # an import row or form without it is refused


_POINT = ("lat", "lon", "area_id")  # a point is stored whole, with the area it falls in
BUSINESS_FIELDS: tuple[BusinessField, ...] = (
    BusinessField("external_id", ("external_id",), ("external_id",), editable=False),
    BusinessField("name", ("name",), ("name",), required=True),
    BusinessField("category", ("category_id",), ("primary_category_id",)),
    BusinessField("lat", ("lat",), _POINT, required=True),
    BusinessField("lon", ("lon",), _POINT, required=True),
    BusinessField("address", ("address",), ("address",)),
    BusinessField("phone", ("phone",), ("phone",)),
    BusinessField("website", ("website",), ("website",)),
    BusinessField(
        "opening_hours",
        ("opening_hours", "opening_hours_json"),
        ("opening_hours", "opening_hours_json"),
    ),
    BusinessField("price_level", ("price_level",), ("price_level",)),
    BusinessField("rating", ("rating",), ("base_rating_sum", "base_rating_count"), editable=False),
    BusinessField(
        "rating_count", ("rating_count",), ("base_rating_sum", "base_rating_count"), editable=False
    ),
    BusinessField("description", ("description",), ("description",)),
)
BUSINESS_COLUMNS = tuple(f.name for f in BUSINESS_FIELDS)  # import/export columns, in order
REQUIRED_COLUMNS = tuple(f.name for f in BUSINESS_FIELDS if f.required)
EDITABLE_FIELDS = tuple(f.name for f in BUSINESS_FIELDS if f.editable)  # form order

MAX_LEN = {
    "external_id": 100,
    "name": 200,
    "address": 300,
    "description": 2000,
    "opening_hours": 400,
    "category": 120,
}
MAX_RATING_COUNT = 10_000_000

# Resolves a category slug or name to its id; returns None when unknown.
CategoryResolver = Callable[[str], int | None]
# Guesses a category id from (name, description); None when the words say nothing.
CategoryGuesser = Callable[[str, str], int | None]

# How a business got its category: named in the input, inferred from its name or
# description, or the default (``--default-category``, else the fallback "lainnya").
CATEGORY_GIVEN = "given"
CATEGORY_INFERRED = "inferred"
CATEGORY_DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class BusinessInput:
    """Validated, normalised business fields, ready to store."""

    name: str
    lat: float
    lon: float
    category_id: int
    external_id: str | None = None
    address: str = ""
    phone: str | None = None
    website: str | None = None
    opening_hours: str | None = None
    opening_hours_json: list[list[int]] | None = None
    price_level: int | None = None
    rating: float | None = None
    rating_count: int = 0
    description: str = ""
    extra_category_ids: tuple[int, ...] = field(default_factory=tuple)
    category_origin: str = CATEGORY_GIVEN
    # Parts of the input left out (a second phone number, a note): the import warns.
    warnings: tuple[FieldError, ...] = ()
    # The input fields the source named (a file's columns); None: all of them. Updating an
    # existing business changes only these: an absent column leaves its field alone.
    present: frozenset[str] | None = None


def _text(raw: Mapping[str, object], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()


def _number(text: str, key: str, errors: list[FieldError]) -> float | None:
    try:
        value = float(text)
    except ValueError:
        errors.append(FieldError(key, f"'{text[:40]}' is not a number"))
        return None
    if not math.isfinite(value):
        errors.append(FieldError(key, "must be a finite number"))
        return None
    return value


def _check_location(raw: Mapping[str, object], errors: list[FieldError]) -> tuple[float, float]:
    lat_t, lon_t = _text(raw, "lat"), _text(raw, "lon")
    for key, text in (("lat", lat_t), ("lon", lon_t)):
        if not text:
            errors.append(FieldError(key, "is required"))
    if not (lat_t and lon_t):
        return 0.0, 0.0
    lat = _number(lat_t, "lat", errors)
    lon = _number(lon_t, "lon", errors)
    if lat is None or lon is None:
        return 0.0, 0.0
    if not -90.0 <= lat <= 90.0:
        errors.append(FieldError("lat", "must be between -90 and 90"))
    elif not -180.0 <= lon <= 180.0:
        errors.append(FieldError("lon", "must be between -180 and 180"))
    elif not valid_coordinates(lat, lon):
        errors.append(FieldError("lat", "(0, 0) is not a real location"))
    return lat, lon


def _clean(raw: Mapping[str, object], key: str, errors: list[FieldError]) -> str:
    text = _text(raw, key)
    if not text:
        return ""
    try:
        return clean_user_text(
            text, max_len=MAX_LEN[key], field=key, multiline=key == "description"
        )
    except TextInputError as exc:
        errors.append(FieldError(key, str(exc)))
        return ""


def _rating(raw: Mapping[str, object], errors: list[FieldError]) -> tuple[float | None, int]:
    rating_t, count_t = _text(raw, "rating"), _text(raw, "rating_count")
    rating = _number(rating_t, "rating", errors) if rating_t else None
    count = 0
    if count_t:
        # isdecimal, not isdigit: "²" and "⑤" are digits that int() refuses.
        if not count_t.isdecimal():
            errors.append(FieldError("rating_count", "must be a whole number ≥ 0"))
        elif int(count_t) > MAX_RATING_COUNT:
            errors.append(FieldError("rating_count", f"must be at most {MAX_RATING_COUNT}"))
        else:
            count = int(count_t)
    if rating is not None and not 1.0 <= rating <= 5.0:
        errors.append(FieldError("rating", "must be between 1 and 5"))
        rating = None
    if rating is not None and count == 0:
        count = 1
    if rating is None and count and not rating_t:
        errors.append(FieldError("rating", "is required when rating_count is given"))
    return rating, count


def _name(raw: Mapping[str, object], errors: list[FieldError]) -> str:
    name = _clean(raw, "name", errors)
    if not name and not any(e.field == "name" for e in errors):
        errors.append(FieldError("name", "is required"))
    elif name and len(name) < 2:
        errors.append(FieldError("name", "must have at least 2 characters"))
    return name


def _category(
    raw: Mapping[str, object],
    name: str,
    errors: list[FieldError],
    *,
    resolve_category: CategoryResolver,
    default_category_id: int | None,
    infer_category: CategoryGuesser | None,
    missing_category_hint: str,
) -> tuple[int | None, str]:
    """The category id and how it was found (given, inferred or the default)."""
    category_text = _text(raw, "category")
    if category_text:
        if len(category_text) > MAX_LEN["category"]:
            errors.append(FieldError("category", f"at most {MAX_LEN['category']} characters"))
            return default_category_id, CATEGORY_GIVEN
        category_id = resolve_category(category_text)
        if category_id is None:
            errors.append(FieldError("category", f"unknown category '{category_text[:60]}'"))
        return category_id, CATEGORY_GIVEN
    guessed = infer_category(name, _text(raw, "description")) if infer_category else None
    if guessed is not None:
        return guessed, CATEGORY_INFERRED
    if default_category_id is None:
        errors.append(FieldError("category", f"is required{missing_category_hint}"))
    return default_category_id, CATEGORY_DEFAULT


def _external_id(raw: Mapping[str, object], errors: list[FieldError]) -> str | None:
    external_id = _text(raw, "external_id") or None
    if external_id is not None and (
        len(external_id) > MAX_LEN["external_id"] or not external_id.isprintable()
    ):
        errors.append(FieldError("external_id", "must be printable and at most 100 characters"))
    return external_id


def _phone(
    raw: Mapping[str, object], errors: list[FieldError], warnings: list[FieldError]
) -> str | None:
    """The phone in E.164; a second number or a note after it is dropped with a warning."""
    phone_t = _text(raw, "phone")
    if not phone_t:
        return None
    try:
        parsed = parse_phone(phone_t)
    except InvalidPhoneError as exc:
        errors.append(FieldError("phone", str(exc)))
        return None
    if parsed.dropped:
        warnings.append(
            FieldError("phone", f"kept {parsed.value}, dropped {parsed.dropped[:60]!r}")
        )
    return parsed.value


def _website(raw: Mapping[str, object], errors: list[FieldError]) -> str | None:
    url_t = _text(raw, "website")
    if not url_t:
        return None
    try:
        return normalize_url(url_t)
    except InvalidUrlError as exc:
        errors.append(FieldError("website", str(exc)))
        return None


def _hours(
    raw: Mapping[str, object], errors: list[FieldError]
) -> tuple[str | None, list[list[int]] | None]:
    """The hours in canonical text and as stored JSON; (None, None) when not given."""
    hours_t = _text(raw, "opening_hours")
    if not hours_t:
        return None, None
    if len(hours_t) > MAX_LEN["opening_hours"]:
        errors.append(FieldError("opening_hours", f"at most {MAX_LEN['opening_hours']} characters"))
        return None, None
    try:
        hours = parse_opening_hours(hours_t)
        return format_opening_hours(hours), to_json(hours)
    except OpeningHoursError as exc:
        errors.append(FieldError("opening_hours", str(exc)))
        return None, None


def _price_level(raw: Mapping[str, object], errors: list[FieldError]) -> int | None:
    price_t = _text(raw, "price_level")
    if not price_t:
        return None
    if price_t in {"1", "2", "3", "4"}:
        return int(price_t)
    errors.append(FieldError("price_level", "must be 1, 2, 3 or 4"))
    return None


def parse_business_fields(
    raw: Mapping[str, object],
    *,
    resolve_category: CategoryResolver,
    default_category_id: int | None = None,
    infer_category: CategoryGuesser | None = None,
    missing_category_hint: str = "",
) -> BusinessInput:
    """Validate and normalise one business; raise InvalidInput naming every bad field.

    Without a category, ``infer_category`` (when given) guesses one from the name and
    description, else ``default_category_id`` is used; with neither, the category is
    required (``missing_category_hint`` says how to give one).
    """
    errors: list[FieldError] = []
    warnings: list[FieldError] = []
    name = _name(raw, errors)
    lat, lon = _check_location(raw, errors)
    category_id, origin = _category(
        raw, name, errors, resolve_category=resolve_category,
        default_category_id=default_category_id, infer_category=infer_category,
        missing_category_hint=missing_category_hint,
    )  # fmt: skip
    external_id = _external_id(raw, errors)
    phone = _phone(raw, errors, warnings)
    website = _website(raw, errors)
    hours_text, hours_json = _hours(raw, errors)
    price_level = _price_level(raw, errors)
    rating, rating_count = _rating(raw, errors)
    address = _clean(raw, "address", errors)
    description = _clean(raw, "description", errors)

    if errors:
        raise InvalidInput(
            detail="; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors
        )
    assert category_id is not None
    return BusinessInput(
        name=name,
        lat=lat,
        lon=lon,
        category_id=category_id,
        external_id=external_id,
        address=address,
        phone=phone,
        website=website,
        opening_hours=hours_text,
        opening_hours_json=hours_json,
        price_level=price_level,
        rating=rating,
        rating_count=rating_count,
        description=description,
        category_origin=origin,
        warnings=tuple(warnings),
    )
