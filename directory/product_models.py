"""The ``product`` table: what a business sells, moderated like its listing.

A new product is ``pending`` until an editor publishes it. Changes to the text of a
published product (name, description, unit) wait in ``pending_changes`` while the live
row keeps its values; price, minimum order and "siap ekspor" apply at once, as an
owner's phone number or hours do. ``price_idr`` NULL means "hubungi" (ask the seller).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db import Base
from directory.models import Business, Photo, UTCDateTime, utcnow


class ProductStatus:
    """Lifecycle of a product; only ``published`` ones of published businesses are public."""

    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    HIDDEN = "hidden"
    ALL = (PENDING, PUBLISHED, REJECTED, HIDDEN)


class Product(Base):
    __tablename__ = "product"
    __table_args__ = (Index("ix_product_status_business", "status", "business_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    price_idr: Mapped[int | None] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(40), default="")
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photo.id", ondelete="SET NULL"))
    min_order: Mapped[int | None] = mapped_column(Integer)
    export_ready: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default=ProductStatus.PENDING, index=True)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    # Text edits of a published product waiting for an editor: {"name": ..., ...}.
    pending_changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    business: Mapped[Business] = relationship(lazy="joined")
    photo: Mapped[Photo | None] = relationship(lazy="joined")

    @property
    def awaiting_review(self) -> bool:
        """Whether an editor has something to decide about this product."""
        return self.status == ProductStatus.PENDING or bool(self.pending_changes)
