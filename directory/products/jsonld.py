"""schema.org JSON-LD of products: ``Product`` pages and a business's ``makesOffer``.

A priced product gets an ``Offer`` with ``price`` and ``priceCurrency: IDR``; a product
whose price is "hubungi" gets an ``Offer`` without a price (schema.org allows it; it says
the business offers the item). Built from the same ``ProductRead`` the page shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from directory.products.schemas import ProductRead


def _product(p: ProductRead, *, url: str, image: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "Product", "name": p.name, "url": url}
    if p.description:
        item["description"] = p.description
    if image:
        item["image"] = image
    return item


def _offer(p: ProductRead, item: dict[str, Any]) -> dict[str, Any]:
    offer: dict[str, Any] = {"@type": "Offer", "itemOffered": item}
    if p.price_idr is not None:
        offer["price"] = p.price_idr
        offer["priceCurrency"] = "IDR"
    if p.min_order:
        offer["eligibleQuantity"] = {"@type": "QuantitativeValue", "minValue": p.min_order}
        if p.unit:
            offer["eligibleQuantity"]["unitText"] = p.unit
    return offer


def make_offers(products: Sequence[ProductRead], *, absolute: Callable[[str], str]) -> list[
    dict[str, Any]
]:  # fmt: skip
    """The ``makesOffer`` list of a ``LocalBusiness``."""
    return [
        _offer(p, _product(p, url=absolute(p.url),
                           image=absolute(p.photo_url) if p.photo_url else None))
        for p in products
    ]  # fmt: skip


def product_jsonld(
    p: ProductRead, *, url: str, seller_url: str, image: str | None
) -> dict[str, Any]:
    """The ``Product`` of a product page, its offer naming the seller."""
    data = {"@context": "https://schema.org", **_product(p, url=url, image=image)}
    offer = _offer(p, {})
    offer.pop("itemOffered")
    offer["seller"] = {"@type": "LocalBusiness", "name": p.business.name, "url": seller_url}
    data["offers"] = offer
    return data
