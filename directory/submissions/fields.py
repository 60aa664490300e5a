"""Business fields between their three forms: typed input, stored payload, live listing.

A submission's ``payload`` keeps the *validated, normalised* values (phone in E.164, hours
in canonical text, category as slug), so that approving it later re-validates them with the
same ``parse_business_fields`` and gets the same business. An owner edit starts from the
live listing's values (:func:`raw_from_business`), lays the changes over them and validates
the whole record, so a field error names exactly the field the owner sent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Final

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.areas.taxonomy import find_category
from directory.businesses.input import (
    BUSINESS_FIELDS,
    BusinessInput,
    CategoryResolver,
    parse_business_fields,
)
from directory.businesses.input import EDITABLE_FIELDS as EDITABLE_FIELDS
from directory.errors import FieldError
from directory.models import Business, BusinessCategory, Category

# Changes to these wait for an editor: they decide what and where the business is.
REVIEWED_FIELDS: Final = frozenset({"name", "category", "lat", "lon", "address"})
# BusinessInput attribute(s) behind each editable field.
_ATTRS: Final = {f.name: f.attrs for f in BUSINESS_FIELDS if f.editable}


def category_resolver(session: Session) -> CategoryResolver:
    """Slug or name (Indonesian or English) → category id."""

    def resolve(text: str) -> int | None:
        found = find_category(session, text)
        return found.id if found is not None else None

    return resolve


def category_slug(session: Session, category_id: int) -> str:
    """The slug of a category id (ids are internal; payloads keep slugs)."""
    return session.execute(select(Category.slug).where(Category.id == category_id)).scalar_one()


def payload_from_input(data: BusinessInput, *, category: str) -> dict[str, object]:
    """The stored, normalised form of validated fields."""
    return {
        "name": data.name,
        "category": category,
        "lat": data.lat,
        "lon": data.lon,
        "address": data.address,
        "phone": data.phone,
        "website": data.website,
        "opening_hours": data.opening_hours,
        "price_level": data.price_level,
        "description": data.description,
    }


def as_raw(values: Mapping[str, object]) -> dict[str, object]:
    """Values as the strings ``parse_business_fields`` reads (None → empty)."""
    return {
        k: "" if v is None else (repr(v) if isinstance(v, float) else str(v))
        for k, v in values.items()
    }


def raw_from_business(business: Business) -> dict[str, object]:
    """A live listing's values in raw form, imported rating baseline included."""
    raw: dict[str, object] = {
        "external_id": business.external_id,
        "name": business.name,
        "category": business.primary_category.slug,
        "lat": business.lat,
        "lon": business.lon,
        "address": business.address,
        "phone": business.phone,
        "website": business.website,
        "opening_hours": business.opening_hours,
        "price_level": business.price_level,
        "description": business.description,
    }
    if business.base_rating_count > 0:
        raw["rating"] = business.base_rating_sum / business.base_rating_count
        raw["rating_count"] = business.base_rating_count
    return as_raw(raw)


def extra_category_ids(session: Session, business: Business) -> tuple[int, ...]:
    """The secondary categories of a listing, which an edit must keep."""
    return tuple(
        session.scalars(
            select(BusinessCategory.category_id)
            .where(
                BusinessCategory.business_id == business.id,
                BusinessCategory.is_primary.is_(False),
            )
            .order_by(BusinessCategory.category_id)
        )
    )


def live_input(session: Session, business: Business) -> BusinessInput:
    """A listing's current values as validated input (secondary categories kept)."""
    data = parse_business_fields(
        raw_from_business(business), resolve_category=category_resolver(session)
    )
    return dataclasses.replace(data, extra_category_ids=extra_category_ids(session, business))


def changed_fields(before: BusinessInput, after: BusinessInput) -> list[str]:
    """Editable fields whose validated value differs, in form order."""
    return [
        name
        for name in EDITABLE_FIELDS
        if any(getattr(before, a) != getattr(after, a) for a in _ATTRS[name])
    ]


def take_fields(base: BusinessInput, source: BusinessInput, fields: set[str]) -> BusinessInput:
    """``base`` with the given editable fields copied from ``source``."""
    updates = {a: getattr(source, a) for name in fields for a in _ATTRS[name]}
    return dataclasses.replace(base, **updates)


def clean_email(value: str | None, *, field: str, errors: list[FieldError]) -> str | None:
    """A normalised e-mail address, or None when empty; problems are added to ``errors``."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        errors.append(FieldError(field, str(exc)))
        return None
