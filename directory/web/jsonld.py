"""schema.org ``LocalBusiness`` JSON-LD for business pages, and JSON safe inside ``<script>``.

The JSON-LD is built from the same ``BusinessRead`` the page shows, so search engines and
readers see the same name, address, hours and rating. Text inside ``<script>`` is not
HTML-escaped by the browser, so ``<``, ``>`` and ``&`` are written as ``\\u003c``... to make
``</script>`` or ``<!--`` in a business name harmless.
"""

from __future__ import annotations

import json
from typing import Any

from directory.api.schemas import BusinessRead
from directory.hours import from_json, schema_org_specs
from directory.web.formatting import format_price

_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
# U+2028/2029 are valid in JSON but end a line in older JavaScript parsers.
_SCRIPT_ESCAPES |= {0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(data: object) -> str:
    """JSON for a ``<script type="application/...json">`` block, unable to close the tag."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)


def local_business(
    business: BusinessRead,
    *,
    url: str,
    opening_hours_json: list[list[int]] | None,
    telephone: str | None,
    image_urls: list[str] | None = None,
) -> dict[str, Any]:
    """The ``LocalBusiness`` object of one profile, leaving out what is unknown."""
    address: dict[str, Any] = {"@type": "PostalAddress", "addressCountry": "ID"}
    if business.address:
        address["streetAddress"] = business.address
    if business.area is not None:
        address["addressLocality"] = business.area.name
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LocalBusiness",
        "@id": url,
        "name": business.name,
        "url": url,
        "address": address,
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": round(business.lat, 6),
            "longitude": round(business.lon, 6),
        },
    }
    if business.description:
        data["description"] = business.description
    if telephone:
        data["telephone"] = telephone
    if business.price_level:
        data["priceRange"] = format_price(business.price_level)
    if opening_hours_json:
        data["openingHoursSpecification"] = schema_org_specs(from_json(opening_hours_json))
    if business.rating is not None and business.rating_count > 0:
        # ratingCount, not reviewCount: imported ratings carry no review text.
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": round(business.rating, 1),
            "ratingCount": business.rating_count,
            "bestRating": 5,
            "worstRating": 1,
        }
    if image_urls:
        data["image"] = image_urls
    return data
