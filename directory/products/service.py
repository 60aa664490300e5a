"""Owners' products: create, change, delete; editors' decisions. One transaction each.

Moderated like listings (``docs/owners.md`` — *Products*): a new product waits for an
editor; once published, changes to its text (name, description, unit) wait in
``pending_changes`` while readers keep seeing the approved text, and price, minimum order
and "siap ekspor" apply at once. An owner's edit of a rejected product sends it back to
the queue. Every change is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts import audit, owners
from directory.db_retry import run_in_transaction
from directory.errors import Conflict, NotFound, invalid
from directory.models import BusinessStatus, utcnow
from directory.product_models import Product, ProductStatus
from directory.products.fields import FIELDS, TEXT_FIELDS, clean_product_fields
from directory.textnorm import TextInputError, clean_user_text

MAX_PRODUCTS_PER_BUSINESS: Final = 200
SUBJECT: Final = "product"


def _not_found(product_id: int) -> NotFound:
    return NotFound(detail=f"no product with id {product_id} on this business")


def loaded(session: Session, product: Product) -> Product:
    """The product with its business, area and photo loaded, to use after the commit."""
    session.flush()
    session.refresh(product)
    _ = product.photo, product.business.area
    return product


def owned_product(session: Session, business_id: int, product_id: int) -> Product:
    """A product of this business (any status), else NotFound."""
    product = session.get(Product, product_id)
    if product is None or product.business_id != business_id:
        raise _not_found(product_id)
    return product


def list_owner_products(session: Session, business_id: int) -> list[Product]:
    """Every product of a business, oldest first, for its owner."""
    return list(
        session.scalars(
            select(Product).where(Product.business_id == business_id).order_by(Product.id)
        )
    )


def list_public_products(session: Session, business_id: int) -> list[Product]:
    """The published products of a business, oldest first (the business page)."""
    return list(
        session.scalars(
            select(Product)
            .where(Product.business_id == business_id, Product.status == ProductStatus.PUBLISHED)
            .order_by(Product.id)
        )
    )


def get_public_product(session: Session, product_id: int) -> Product:
    """A published product of a published business, else NotFound."""
    product = session.get(Product, product_id)
    if (
        product is None
        or product.status != ProductStatus.PUBLISHED
        or product.business.status != BusinessStatus.PUBLISHED
    ):
        raise NotFound(detail=f"no product with id {product_id}")
    return product


def _required(fields: Mapping[str, object]) -> None:
    if "name" not in fields:
        raise invalid("name", "is required")


def create_product(
    sessions: sessionmaker[Session], business_id: int, token: str | None,
    fields: Mapping[str, object],
) -> Product:  # fmt: skip
    """Add a product to the owner's business; it waits for an editor."""
    _required(fields)
    clean = clean_product_fields(fields)

    def work(session: Session) -> Product:
        owner, _ = owners.owned_business(session, business_id, token)
        count = len(list_owner_products(session, business_id))
        if count >= MAX_PRODUCTS_PER_BUSINESS:
            raise Conflict(
                detail=f"A business may list at most {MAX_PRODUCTS_PER_BUSINESS} products."
            )
        product = Product(
            business_id=business_id,
            name=clean["name"],
            description=clean.get("description", ""),
            price_idr=clean.get("price_idr"),
            unit=clean.get("unit", ""),
            min_order=clean.get("min_order"),
            export_ready=bool(clean.get("export_ready", False)),
            status=ProductStatus.PENDING,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        session.add(product)
        session.flush()
        audit.record(
            session, actor=owners.owner_actor(owner), action="create", subject_type=SUBJECT,
            subject_id=product.id, detail={"business_id": business_id},
        )  # fmt: skip
        return loaded(session, product)

    return run_in_transaction(sessions, work)


def _apply_edit(product: Product, clean: Mapping[str, object]) -> list[str]:
    """Change the product; returns the fields applied at once."""
    changed = {k: v for k, v in clean.items() if getattr(product, k) != v}
    if product.status == ProductStatus.PUBLISHED:
        text = {k: v for k, v in changed.items() if k in TEXT_FIELDS}
        waiting = dict(product.pending_changes or {})
        waiting.update(text)
        # A text change back to the live value needs no editor.
        waiting = {k: v for k, v in waiting.items() if getattr(product, k) != v}
        if text or clean.keys() & waiting.keys():
            product.pending_changes = waiting or None
        changed = {k: v for k, v in changed.items() if k not in TEXT_FIELDS}
    elif product.status == ProductStatus.REJECTED and changed:
        product.status = ProductStatus.PENDING  # corrected: back to the queue
        product.reject_reason = None
    for key, value in changed.items():
        setattr(product, key, value)
    if changed or clean:
        product.updated_at = utcnow()
    return [f for f in FIELDS if f in changed]


def edit_product(
    sessions: sessionmaker[Session], business_id: int, token: str | None, product_id: int,
    fields: Mapping[str, object],
) -> Product:  # fmt: skip
    """Change a product (see the module docstring for what waits for an editor)."""
    clean = clean_product_fields(fields)

    def work(session: Session) -> Product:
        owner, _ = owners.owned_business(session, business_id, token)
        product = owned_product(session, business_id, product_id)
        applied = _apply_edit(product, clean)
        session.flush()
        audit.record(
            session, actor=owners.owner_actor(owner), action="edit", subject_type=SUBJECT,
            subject_id=product.id,
            detail={"applied": applied, "waiting": sorted(product.pending_changes or {})},
        )  # fmt: skip
        return loaded(session, product)

    return run_in_transaction(sessions, work)


def delete_product(
    sessions: sessionmaker[Session], business_id: int, token: str | None, product_id: int
) -> list[str]:
    """Remove a product; returns its photo's file names for the caller to delete."""

    def work(session: Session) -> list[str]:
        owner, _ = owners.owned_business(session, business_id, token)
        product = owned_product(session, business_id, product_id)
        files: list[str] = []
        if product.photo is not None:
            from directory.products.photos import retire_photo

            files = retire_photo(product.photo)
        session.delete(product)
        audit.record(
            session, actor=owners.owner_actor(owner), action="delete", subject_type=SUBJECT,
            subject_id=product_id, detail={"business_id": business_id},
        )  # fmt: skip
        return files

    return run_in_transaction(sessions, work)


def list_for_review(
    session: Session, *, status: str | None = "pending", limit: int = 50
) -> list[Product]:
    """Products for editors, oldest first; ``pending`` also holds published products with
    text changes waiting."""
    stmt = select(Product).order_by(Product.updated_at, Product.id).limit(limit)
    if status == ProductStatus.PENDING:
        stmt = stmt.where(
            or_(Product.status == ProductStatus.PENDING, Product.pending_changes.is_not(None))
        )
    elif status is not None:
        stmt = stmt.where(Product.status == status)
    return [p for p in session.scalars(stmt) if status != "pending" or p.awaiting_review]


def get_any_product(session: Session, product_id: int) -> Product:
    """Any product, whatever its status (editors), else NotFound."""
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(detail=f"no product with id {product_id}")
    return product


def approve_product(sessions: sessionmaker[Session], product_id: int, *, actor: str) -> Product:
    """Publish a product (also a hidden or rejected one) with its waiting text changes."""

    def work(session: Session) -> Product:
        product = get_any_product(session, product_id)
        if product.status == ProductStatus.PUBLISHED and not product.pending_changes:
            raise Conflict(detail="This product is published and has no changes to approve.")
        previous = product.status
        for key, value in (product.pending_changes or {}).items():
            if key in TEXT_FIELDS:
                setattr(product, key, value)
        product.pending_changes = None
        product.status = ProductStatus.PUBLISHED
        product.reject_reason = None
        product.updated_at = utcnow()
        audit.record(
            session, actor=actor, action="approve", subject_type=SUBJECT,
            subject_id=product.id, detail={"previous": previous},
        )  # fmt: skip
        return loaded(session, product)

    return run_in_transaction(sessions, work)


def _reason(reason: str, *, required: bool = True) -> str:
    """An editor's reason, cleaned like any text shown on a page."""
    try:
        text = clean_user_text(reason, max_len=2000, field="reason", multiline=True)
    except TextInputError as exc:
        raise invalid("reason", str(exc)) from exc
    if required and not text:
        raise invalid("reason", "write the reason the owner will read")
    return text


def reject_product(
    sessions: sessionmaker[Session], product_id: int, *, actor: str, reason: str
) -> Product:
    """Refuse a new product, or a published one's waiting text changes (it stays live)."""
    why = _reason(reason)

    def work(session: Session) -> Product:
        product = get_any_product(session, product_id)
        if not product.awaiting_review:
            raise Conflict(detail="This product has nothing waiting for a decision.")
        if product.status == ProductStatus.PENDING:
            product.status = ProductStatus.REJECTED
        product.pending_changes = None
        product.reject_reason = why
        product.updated_at = utcnow()
        audit.record(
            session, actor=actor, action="reject", subject_type=SUBJECT,
            subject_id=product.id, detail={"reason": why, "status": product.status},
        )  # fmt: skip
        return loaded(session, product)

    return run_in_transaction(sessions, work)


def hide_product(
    sessions: sessionmaker[Session], product_id: int, *, actor: str, reason: str = ""
) -> Product:
    """Take a product away from readers (approving it again brings it back)."""
    why = _reason(reason, required=False)

    def work(session: Session) -> Product:
        product = get_any_product(session, product_id)
        if product.status == ProductStatus.HIDDEN:
            raise Conflict(detail="This product is hidden already.")
        previous = product.status
        product.status = ProductStatus.HIDDEN
        product.reject_reason = why or None
        product.updated_at = utcnow()
        audit.record(
            session, actor=actor, action="hide", subject_type=SUBJECT,
            subject_id=product.id, detail={"previous": previous, "reason": why},
        )  # fmt: skip
        return loaded(session, product)

    return run_in_transaction(sessions, work)
