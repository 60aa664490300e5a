"""Field errors from services, rewritten as short helpful sentences in the page language.

Services report errors in English for integrators (``FieldError(field, message)``); a form
shows one sentence per field, tied to its input, that says how to fix it. An error on a
field the form does not show is reported at the top of the form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Final

from directory.errors import FieldError
from directory.web.i18n import N_

Translate = Callable[..., str]

FIELD_MESSAGES: Final = {
    "name": N_("Enter the business name (at least 2 characters)."),
    "category": N_("Choose a category from the list."),
    "lat": N_("Set the location: tap the map, or type a latitude between -90 and 90."),
    "lon": N_("Set the location: tap the map, or type a longitude between -180 and 180."),
    "address": N_("Check the address (at most 300 characters, plain text)."),
    "phone": N_("Enter a valid phone number, for example 0812-3456-7890."),
    "website": N_("Enter a valid web address, for example https://instagram.com/yourshop."),
    "opening_hours": N_("Write the hours like “Mo-Fr 08:00-17:00; Sa 08:00-12:00”."),
    "price_level": N_("Choose a price level from 1 to 4."),
    "description": N_("Check the description (at most 2000 characters, plain text)."),
    "contact_email": N_("Enter a valid e-mail address, or leave it empty."),
    "contact_name": N_("Enter your name."),
    "contact_phone": N_("Enter a valid phone number, or leave it empty."),
    "message": N_("Check your message (at most 2000 characters, plain text)."),
    "rating": N_("Choose a rating from 1 to 5 stars."),
    "text": N_("Check your review (at most 2000 characters, plain text)."),
    "reason": N_("Write the reason the submitter will read."),
    "photo": N_("This photo could not be used: send a JPEG, PNG or WebP image up to 5 MB."),
}
NOT_UNDERSTOOD: Final = N_("Not understood: “%(piece)s”.")
_QUOTED: Final = re.compile(r"'([^']{1,40})'")
ADDRESS_NOT_FOUND: Final = N_("We could not place this address; tap the map to set the pin.")
LOCATION_MISSING: Final = N_(
    "Set the location: tap the map, type the coordinates, or give the address."
)


def friendly_message(error: FieldError, gettext: Translate) -> str:
    """The sentence a reader sees for one service error."""
    if error.field in ("lat", "lon") and error.message.startswith("is required"):
        if "could not find this address" in error.message:
            return gettext(ADDRESS_NOT_FOUND)
        return gettext(LOCATION_MISSING)
    message = FIELD_MESSAGES.get(error.field)
    if error.field == "opening_hours" and (piece := _QUOTED.search(error.message)):
        # Name the piece the parser did not understand ("kecuali"), not just the syntax.
        return f"{gettext(message)} {gettext(NOT_UNDERSTOOD, piece=piece.group(1))}"
    return gettext(message) if message else error.message


def form_errors(
    errors: Iterable[FieldError], gettext: Translate, *, shown: Iterable[str]
) -> dict[str, str]:
    """``{field: sentence}`` for the fields a form shows, plus ``"form"`` for the rest."""
    visible = set(shown)
    out: dict[str, str] = {}
    others: list[str] = []
    for error in errors:
        if error.field in visible:
            out.setdefault(error.field, friendly_message(error, gettext))
        else:
            others.append(friendly_message(error, gettext))
    if others:
        out["form"] = " ".join(dict.fromkeys(others))
    if "lat" in out and "lon" in out and out["lat"] == out["lon"]:
        del out["lon"]  # one sentence for a missing location, under the latitude
    return out
