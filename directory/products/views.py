"""Products as the API and the pages show them (one mapping for both)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from directory.models import Business, BusinessStatus
from directory.photos.service import LIVE
from directory.products.models import Product
from directory.products.schemas import OwnerProductRead, ProductBusiness, ProductHit, ProductRead
from directory.products.service import list_public_products
from directory.schemas import AreaRef


def product_path(product_id: int) -> str:
    """The product's page."""
    return f"/produk/{product_id}"


def photo_paths(product: Product) -> tuple[str | None, str | None]:
    """The public photo and thumbnail URLs, when the product has a live photo."""
    if product.photo is None or product.photo.status != LIVE:
        return None, None
    base = f"/api/v1/products/{product.id}/photo"
    return base, f"{base}/thumbnail"


def business_ref(product: Product) -> ProductBusiness:
    """The selling business, summarised."""
    b = product.business
    area = AreaRef(id=b.area.id, slug=b.area.slug, name=b.area.name, kind=b.area.kind) if (
        b.area is not None
    ) else None  # fmt: skip
    return ProductBusiness(id=b.id, name=b.name, slug=b.slug, area=area)


def _public_fields(product: Product) -> dict[str, object]:
    photo, thumb = photo_paths(product)
    return {
        "id": product.id,
        "name": product.name,
        "description": product.description,
        "price_idr": product.price_idr,
        "price_on_request": product.price_idr is None,
        "unit": product.unit,
        "min_order": product.min_order,
        "export_ready": product.export_ready,
        "photo_url": photo,
        "thumbnail_url": thumb,
        "url": product_path(product.id),
        "business": business_ref(product),
    }


def product_read(product: Product) -> ProductRead:
    """A published product for readers."""
    return ProductRead.model_validate(_public_fields(product))


def product_hit(product: Product, *, distance_m: float | None, score: float | None) -> ProductHit:
    """One search result."""
    return ProductHit.model_validate(
        {**_public_fields(product), "distance_m": distance_m, "score": score}
    )


def owner_product_read(product: Product) -> OwnerProductRead:
    """A product with its moderation state, for its owner and editors."""
    return OwnerProductRead.model_validate(
        {
            **_public_fields(product),
            "status": product.status,
            "reject_reason": product.reject_reason,
            "pending_changes": product.pending_changes,
            "awaiting_review": product.awaiting_review,
            "photo_id": product.photo_id,
            "created_at": product.created_at,
            "updated_at": product.updated_at,
        }
    )


def public_products(session: Session, business: Business) -> list[ProductRead]:
    """What a business page lists: published products, none while the business is closed."""
    if business.status != BusinessStatus.PUBLISHED:
        return []
    return [product_read(p) for p in list_public_products(session, business.id)]
