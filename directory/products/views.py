"""Products as the API and the pages show them (one mapping for both)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from directory.api.summary import area_ref as area_ref
from directory.models import Business, BusinessStatus
from directory.photos.service import LIVE
from directory.product_models import Product
from directory.products.schemas import OwnerProductRead, ProductBusiness, ProductHit, ProductRead
from directory.products.service import list_public_products


def product_path(product_id: int) -> str:
    """The product's page."""
    return f"/produk/{product_id}"


@dataclass(frozen=True, slots=True)
class ProductRow:
    """What a product shows, as plain values: search maps thousands of rows and must not
    hydrate an ORM object (and its business's area) for each."""

    id: int
    name: str
    description: str
    price_idr: int | None
    unit: str
    min_order: int | None
    export_ready: bool
    photo_live: bool
    business: ProductBusiness
    lat: float
    lon: float


def product_row(product: Product) -> ProductRow:
    """The plain values of a loaded product."""
    b = product.business
    return ProductRow(
        id=product.id,
        name=product.name,
        description=product.description,
        price_idr=product.price_idr,
        unit=product.unit,
        min_order=product.min_order,
        export_ready=product.export_ready,
        photo_live=product.photo is not None and product.photo.status == LIVE,
        business=ProductBusiness(id=b.id, name=b.name, slug=b.slug, area=area_ref(b.area)),
        lat=b.lat,
        lon=b.lon,
    )


def _public_fields(row: ProductRow) -> dict[str, object]:
    base = f"/api/v1/products/{row.id}/photo"
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "price_idr": row.price_idr,
        "price_on_request": row.price_idr is None,
        "unit": row.unit,
        "min_order": row.min_order,
        "export_ready": row.export_ready,
        "photo_url": base if row.photo_live else None,
        "thumbnail_url": f"{base}/thumbnail" if row.photo_live else None,
        "url": product_path(row.id),
        "business": row.business,
    }


def product_read(product: Product) -> ProductRead:
    """A published product for readers."""
    return ProductRead.model_validate(_public_fields(product_row(product)))


def product_hit(row: ProductRow, *, distance_m: float | None, score: float | None) -> ProductHit:
    """One search result."""
    return ProductHit.model_validate({**_public_fields(row), "distance_m": distance_m,
                                      "score": score})  # fmt: skip


def owner_product_read(product: Product) -> OwnerProductRead:
    """A product with its moderation state, for its owner and editors."""
    return OwnerProductRead.model_validate(
        {
            **_public_fields(product_row(product)),
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
