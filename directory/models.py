"""ORM models: the tables of the directory.

Conventions: singular snake_case table names, ``_at`` for timestamps (stored as UTC and
returned timezone-aware on every backend), units in column names (``radius_m``).
Rating aggregates are derived: ``rating_sum``/``rating_count`` hold the imported baseline
(``base_*``) plus every live review, so ``rating`` is exact and can be recounted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db import Base


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, so SQLite and PostgreSQL behave the same."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class BusinessStatus:
    """Lifecycle of a listing; only ``published`` is visible to readers."""

    PUBLISHED = "published"
    PENDING = "pending"
    HIDDEN = "hidden"
    CLOSED = "closed"
    REJECTED = "rejected"
    ALL = (PUBLISHED, PENDING, HIDDEN, CLOSED, REJECTED)


class Category(Base):
    __tablename__ = "category"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("category.id", ondelete="RESTRICT"), index=True
    )
    # "/kuliner/kafe-kopi/": descendants of X are the rows whose path starts with X's path.
    path: Mapped[str] = mapped_column(String(400), index=True)
    name_id: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    synonyms: Mapped[list[str]] = mapped_column(JSON, default=list)
    reach: Mapped[str] = mapped_column(String(16), default="local")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped[Category | None] = relationship(remote_side="Category.id")


class Area(Base):
    __tablename__ = "area"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("area.id", ondelete="SET NULL"), index=True
    )
    code: Mapped[str | None] = mapped_column(String(32))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float | None] = mapped_column(Float)
    # GeoJSON geometry (Polygon / MultiPolygon) when boundaries were imported.
    polygon: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    # Smaller is more specific: a point belongs to the smallest area containing it.
    area_m2: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20), default="gazetteer")

    parent: Mapped[Area | None] = relationship(remote_side="Area.id")


class Business(Base):
    __tablename__ = "business"
    __table_args__ = (
        Index("ix_business_status_category", "status", "primary_category_id"),
        Index("ix_business_lat_lon", "lat", "lon"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    location_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    area_id: Mapped[int | None] = mapped_column(
        ForeignKey("area.id", ondelete="SET NULL"), index=True
    )
    primary_category_id: Mapped[int] = mapped_column(
        ForeignKey("category.id", ondelete="RESTRICT"), index=True
    )
    # E.164, with an extension as ";ext=2", or an Indonesian special number ("1500123")
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    website: Mapped[str | None] = mapped_column(String(500))
    social: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    opening_hours: Mapped[str | None] = mapped_column(String(400))
    opening_hours_json: Mapped[list[list[int]] | None] = mapped_column(JSON)
    price_level: Mapped[int | None] = mapped_column(SmallInteger)
    base_rating_sum: Mapped[float] = mapped_column(Float, default=0.0)
    base_rating_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[float] = mapped_column(Float, default=0.0)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    interaction_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=BusinessStatus.PUBLISHED, index=True)
    source: Mapped[str] = mapped_column(String(16), default="import")
    # The OpenStreetMap object ("osm:node/123") imported into or matched with this listing,
    # and the values it gave last time (a re-import overwrites only fields still equal).
    osm_id: Mapped[str | None] = mapped_column(String(40), unique=True, index=True)
    osm_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    area: Mapped[Area | None] = relationship(lazy="joined")
    primary_category: Mapped[Category] = relationship(lazy="joined")
    categories: Mapped[list[BusinessCategory]] = relationship(
        back_populates="business", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def rating(self) -> float | None:
        """Mean rating over the baseline and live reviews; None without any rating."""
        if self.rating_count <= 0:
            return None
        return self.rating_sum / self.rating_count


class BusinessCategory(Base):
    __tablename__ = "business_category"

    business_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("category.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    business: Mapped[Business] = relationship(back_populates="categories")
    category: Mapped[Category] = relationship(lazy="joined")


class Interaction(Base):
    __tablename__ = "interaction"
    __table_args__ = (
        Index("ix_interaction_user_at", "user_id", "at"),
        Index("ix_interaction_business_at", "business_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(100))
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who sent it, so the model can cap any one sender's weight: ``key:<api_key.id>``
    # (POST /api/v1/interactions), ``page`` (the site's own pages, user_id is the
    # visitor's pseudonym), ``import`` (the operator's CLI); NULL for rows stored before.
    source: Mapped[str | None] = mapped_column(String(40))
    # What a page reader did: view, phone, whatsapp, directions or website (pages only).
    action: Mapped[str | None] = mapped_column(String(12))


class Review(Base):
    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("business_id", "reviewer_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), index=True
    )
    reviewer_hash: Mapped[str] = mapped_column(String(64))
    rating: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="live")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Photo(Base):
    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Null while the photo waits with its submission; set when the submission is approved.
    business_id: Mapped[int | None] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), index=True
    )
    submission_id: Mapped[str | None] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(120))
    thumb_name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="live")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Submission(Base):
    __tablename__ = "submission"

    # A random public id: guessing one tells nothing without its token.
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="new")  # new | edit | claim
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    business_id: Mapped[int | None] = mapped_column(
        ForeignKey("business.id", ondelete="SET NULL"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), index=True)
    location_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    duplicates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))


class OwnerToken(Base):
    __tablename__ = "owner_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    submission_id: Mapped[str | None] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    business_id: Mapped[int | None] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AdminToken(Base):
    __tablename__ = "admin_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiKey(Base):
    """A client's API key (``dekat admin create-key``): only its SHA-256 hash is kept."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RateLimitHit(Base):
    """Requests counted per client and fixed window, shared by every worker process."""

    __tablename__ = "rate_limit_hit"

    bucket: Mapped[str] = mapped_column(String(20), primary_key=True)
    client_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)


class RecommenderModel(Base):
    """A fitted ``recommender.InteractionModel`` (.npz bytes, no pickles), newest wins.

    Kept in the database so every worker and every replica sees the same model and so that
    backups carry it; ``dekat recommender refresh`` (or the server's background refresh)
    writes a new row.
    """

    __tablename__ = "recommender_model"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    n_events: Mapped[int] = mapped_column(Integer)
    max_interaction_id: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Inquiry(Base):
    """A buyer's question to a business (``directory/inquiries``); no account, no raw IP.

    ``product_id`` is a plain number, not a foreign key: the product may be deleted later
    and the inquiry must still read; ``product_name`` is the name it had when asked.
    """

    __tablename__ = "inquiry"
    __table_args__ = (Index("ix_inquiry_business_created", "business_id", "created_at"),)

    # A random public id ("q_…"): guessing one tells nothing without the receipt token.
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(Integer)
    product_name: Mapped[str | None] = mapped_column(String(200))
    buyer_name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200), default="")
    # An e-mail address (normalised) or a phone number (E.164).
    contact: Mapped[str] = mapped_column(String(254))
    quantity: Mapped[str] = mapped_column(String(100), default="")
    message: Mapped[str] = mapped_column(Text)
    receipt_token_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="new", index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reported_reason: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SHA-256 of the sender's address (``api.limits.client_key``), never the address.
    client_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class BusinessDailyCount(Base):
    """How often a business was shown on one local day, per metric (no reader is stored).

    ``metric`` is ``search`` (in a page of search results) or ``recommendation`` (in a
    recommendation list); rows are upserted by ``directory.insights.appearances`` from an
    in-process buffer, so the hot paths never write one row per request.
    """

    __tablename__ = "business_daily_count"

    business_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


# Feature packages keep their tables beside their code; importing them here puts every
# table on Base.metadata wherever the models are loaded (migrations, create_all, tests).
from directory import product_models as _product_models  # noqa: E402,F401
