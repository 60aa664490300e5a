"""Page messages of the product pages (``directory.products``), kept under
``directory/web`` so that message extraction (``babel.cfg``) finds them."""

from __future__ import annotations

from typing import Final

from directory.web.i18n import N_

AREA_UNKNOWN: Final = N_("No area matches “%(area)s”; showing products everywhere.")
CURSOR_STALE: Final = N_("That results page has expired; showing the first page.")
PHOTO_REFUSED: Final = N_(
    "This photo could not be used: send a JPEG, PNG or WebP image up to 5 MB."
)
REASON_NEEDED: Final = N_("Write the reason the owner will read.")
MODERATION_NOTICES: Final = {
    "approved": N_("Product approved and published."),
    "rejected": N_("Rejected; the owner sees your reason."),
    "hidden": N_("The product is hidden."),
    "photo-hidden": N_("The product photo is hidden."),
    "decided": N_("Another editor decided this product already."),
}
