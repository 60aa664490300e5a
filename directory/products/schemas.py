"""Request and response shapes of the product endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from directory.api.schemas import AreaRef
from directory.products.fields import (
    MAX_DESCRIPTION,
    MAX_MIN_ORDER,
    MAX_NAME,
    MAX_PRICE_IDR,
    MAX_UNIT,
)
from directory.search.schemas import Interpretation

# Strict: "15000" or 15000.5 is not an integer number of rupiah (422 naming the field).
PriceIdr = Annotated[int, Field(strict=True, ge=0, le=MAX_PRICE_IDR)]
MinOrder = Annotated[int, Field(strict=True, ge=1, le=MAX_MIN_ORDER)]


class ProductFields(BaseModel):
    """What an owner sends; lengths are checked again after cleaning the text."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=8 * MAX_NAME, description="2–120 characters.")]
    description: Annotated[str, Field(max_length=8 * MAX_DESCRIPTION)] = ""
    price_idr: PriceIdr | None = Field(
        default=None, description='Whole rupiah; null means "hubungi" (ask the seller).'
    )
    unit: Annotated[str, Field(max_length=8 * MAX_UNIT, description="kg, pcs, porsi…")] = ""
    min_order: MinOrder | None = Field(default=None, description="Minimum order, in units.")
    export_ready: Annotated[bool, Field(strict=True, description="Siap ekspor.")] = False


class ProductCreate(ProductFields):
    """A new product: it waits for an editor before readers see it."""


class ProductPatch(BaseModel):
    """Only the fields sent change; name, description and unit wait for an editor when the
    product is already published."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=8 * MAX_NAME)] | None = None
    description: Annotated[str, Field(max_length=8 * MAX_DESCRIPTION)] | None = None
    price_idr: PriceIdr | None = None
    unit: Annotated[str, Field(max_length=8 * MAX_UNIT)] | None = None
    min_order: MinOrder | None = None
    export_ready: Annotated[bool, Field(strict=True)] | None = None


class ProductBusiness(BaseModel):
    """The business selling a product, as search results show it."""

    id: int
    name: str
    slug: str
    area: AreaRef | None


class ProductRead(BaseModel):
    """A published product as readers see it."""

    id: int
    name: str
    description: str
    price_idr: int | None = Field(description='Whole rupiah; null means "hubungi".')
    price_on_request: bool = Field(description='True when there is no price ("hubungi").')
    unit: str
    min_order: int | None
    export_ready: bool
    photo_url: str | None
    thumbnail_url: str | None
    url: str = Field(description="The product's page.")
    business: ProductBusiness


class ProductHit(ProductRead):
    """A search result: the product, its business and how far it is."""

    distance_m: float | None = Field(description="Metres from lat/lon; null without a point.")
    score: float | None = Field(description="Text match in [0, 1]; null without q.")


class ProductPage(BaseModel):
    """A page of product results and the cursor of the next one."""

    items: list[ProductHit]
    next_cursor: str | None = Field(description="Pass as ?cursor= with the same parameters.")
    area: AreaRef | None = Field(description="The area the results are limited to.")
    words: list[str] = Field(description="The words matched, after folding.")
    relaxed: bool = Field(description="True when no product matched every word.")
    interpretation: Interpretation | None = Field(description="How `q` was read.")


class OwnerProductRead(ProductRead):
    """A product as its owner (and editors) see it, whatever its status."""

    model_config = ConfigDict(from_attributes=True)

    status: str = Field(description="pending | published | rejected | hidden")
    reject_reason: str | None
    pending_changes: dict[str, Any] | None = Field(
        description="Text changes waiting for an editor (the live product keeps its text)."
    )
    awaiting_review: bool
    photo_id: int | None
    created_at: datetime
    updated_at: datetime


class OwnerProductList(BaseModel):
    items: list[OwnerProductRead]


class ProductRejectRequest(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class ProductHideRequest(BaseModel):
    reason: Annotated[str, Field(max_length=2000)] = ""


class AdminProductPage(BaseModel):
    items: list[OwnerProductRead]
