"""What a buyer may send and how it is cleaned: one validator for the API and the form.

Every field is checked and every problem reported together, each naming its field, in
the same words for an API client and (rewritten by ``web.field_errors``) a form. Free
text loses HTML and control characters (``textnorm.clean_user_text``). The contact is an
e-mail address (normalised) or a phone number (stored in E.164, Indonesian numbers
without ``+62`` accepted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from directory.errors import FieldError, InvalidInput
from directory.phones import InvalidPhoneError, normalize_phone
from directory.submissions.fields import clean_email
from directory.textnorm import TextInputError, clean_user_text

MAX_NAME: Final = 200
MAX_COMPANY: Final = 200
MAX_CONTACT: Final = 254
MAX_QUANTITY: Final = 100
MAX_MESSAGE: Final = 2000
MAX_ANSWER: Final = 4000
MAX_REASON: Final = 1000
FORM_FIELDS: Final = ("name", "company", "contact", "quantity", "message")
CONTACT_HELP: Final = "must be an e-mail address or a phone number"


@dataclass(frozen=True, slots=True)
class InquiryFields:
    """A buyer's inquiry, cleaned."""

    name: str
    company: str
    contact: str
    quantity: str
    message: str


def _text(
    raw: Mapping[str, object], field: str, max_len: int, errors: list[FieldError], *,
    multiline: bool = False, required: bool = False,
) -> str:  # fmt: skip
    value = raw.get(field)
    text = "" if value is None else str(value)
    try:
        cleaned = clean_user_text(text, max_len=max_len, field=field, multiline=multiline)
    except TextInputError as exc:
        errors.append(FieldError(field, str(exc)))
        return ""
    if required and not cleaned:
        errors.append(FieldError(field, "is required"))
    return cleaned


def clean_contact(value: str, errors: list[FieldError]) -> str:
    """An e-mail address or a phone number in its stored form ("" after an error)."""
    if not value:
        errors.append(FieldError("contact", f"is required: {CONTACT_HELP}"))
        return ""
    if "@" in value:
        found: list[FieldError] = []
        email = clean_email(value, field="contact", errors=found)
        if email is None:
            detail = found[0].message if found else "is not valid"
            errors.append(FieldError("contact", f"{CONTACT_HELP}: {detail}"))
            return ""
        return email
    try:
        return normalize_phone(value)
    except InvalidPhoneError as exc:
        errors.append(FieldError("contact", f"{CONTACT_HELP}: {exc}"))
        return ""


def is_email(contact: str) -> bool:
    """Whether a stored contact is an e-mail address (else it is a phone number)."""
    return "@" in contact


def parse_inquiry(raw: Mapping[str, object]) -> InquiryFields:
    """The cleaned inquiry, or InvalidInput naming every field at fault."""
    errors: list[FieldError] = []
    name = _text(raw, "name", MAX_NAME, errors, required=True)
    company = _text(raw, "company", MAX_COMPANY, errors)
    contact_text = _text(raw, "contact", MAX_CONTACT, errors)
    contact = clean_contact(contact_text, errors) if not _has(errors, "contact") else ""
    quantity = _text(raw, "quantity", MAX_QUANTITY, errors)
    message = _text(raw, "message", MAX_MESSAGE, errors, multiline=True, required=True)
    if errors:
        raise InvalidInput(
            detail="; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors
        )
    return InquiryFields(name, company, contact, quantity, message)


def _has(errors: list[FieldError], field: str) -> bool:
    return any(e.field == field for e in errors)


def clean_note(value: str | None, *, field: str, max_len: int, required: bool) -> str:
    """An owner's answer or a reason: plain text, newlines kept, at most ``max_len``."""
    errors: list[FieldError] = []
    text = _text({field: value}, field, max_len, errors, multiline=True, required=required)
    if errors:
        raise InvalidInput(detail=f"{field}: {errors[0].message}", errors=errors)
    return text
