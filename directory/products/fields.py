"""Validating a product's fields (API bodies and owner forms share these rules).

Each field is checked on its own and every error is reported at once, each naming its
field, so a form can mark them all. Text is cleaned like other user text (markup and
control characters removed) before its length is counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from directory.errors import FieldError, InvalidInput
from directory.textnorm import TextInputError, clean_user_text

MAX_NAME: Final = 120
MIN_NAME: Final = 2
MAX_DESCRIPTION: Final = 2000
MAX_UNIT: Final = 40
MAX_PRICE_IDR: Final = 1_000_000_000_000
MAX_MIN_ORDER: Final = 1_000_000_000
TEXT_FIELDS: Final = ("name", "description", "unit")
"""Changes to these wait for an editor once a product is published."""
FIELDS: Final = ("name", "description", "price_idr", "unit", "min_order", "export_ready")


def _text(value: object, field: str, max_len: int, *, multiline: bool) -> str:
    if not isinstance(value, str):
        raise TextInputError("must be text", field=field, max_len=max_len)
    return clean_user_text(value, max_len=max_len, field=field, multiline=multiline)


def _whole_number(value: object, low: int, high: int) -> int | None:
    """An integer from JSON or a form string ("15.000" and "15000" alike); "" is None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("must be a whole number")
    if isinstance(value, str):
        text = value.strip().replace(".", "").replace(" ", "")
        if text.lower().startswith("rp"):
            text = text[2:]
        if not text:
            return None
        if not text.isdigit():
            raise ValueError("must be a whole number")
        value = int(text)
    if not isinstance(value, int):
        raise ValueError("must be a whole number")
    if value < low or value > high:
        raise ValueError(f"must be between {low} and {high}")
    return value


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("", "0", "false", "off", "no"):
        return False
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "on", "yes", "ya"):
        return True
    raise ValueError("must be true or false")


def clean_product_fields(raw: Mapping[str, object]) -> dict[str, object]:
    """The given fields, cleaned and checked; InvalidInput naming every bad field."""
    out: dict[str, object] = {}
    errors: list[FieldError] = []
    for field, value in raw.items():
        try:
            if field == "name":
                name = _text(value, field, MAX_NAME, multiline=False)
                if len(name) < MIN_NAME:
                    raise ValueError(f"must be at least {MIN_NAME} characters")
                out[field] = name
            elif field == "description":
                out[field] = _text(value or "", field, MAX_DESCRIPTION, multiline=True)
            elif field == "unit":
                out[field] = _text(value or "", field, MAX_UNIT, multiline=False)
            elif field == "price_idr":
                out[field] = _whole_number(value, 0, MAX_PRICE_IDR)
            elif field == "min_order":
                out[field] = _whole_number(value, 1, MAX_MIN_ORDER)
            elif field == "export_ready":
                out[field] = _flag(value)
            else:
                raise ValueError("unknown field")
        except TextInputError as exc:
            errors.append(FieldError(field, str(exc)))
        except ValueError as exc:
            errors.append(FieldError(field, str(exc)))
    if errors:
        raise InvalidInput(
            detail="; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors
        )
    return out
