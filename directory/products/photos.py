"""A product's one photo: stored, validated and served by :mod:`directory.photos`.

The photo is a ``photo`` row that belongs to no business (so it never joins the
listing's gallery or its five-photo limit); ``product.photo_id`` points at it. A new
upload replaces the old photo, whose files are deleted after the change commits. Like an
owner's listing photos it is live at once; editors hide it (``photo.status = hidden``),
and only a live photo of a public product is served.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from directory.accounts import audit, owners
from directory.db_retry import run_in_transaction
from directory.errors import NotFound
from directory.models import Photo, utcnow
from directory.photos import service as photo_service
from directory.photos import storage
from directory.photos.images import EncodedImage, process_photo
from directory.product_models import Product
from directory.products.service import get_public_product, loaded, owned_product


def retire_photo(photo: Photo) -> list[str]:
    """Mark a product's photo deleted; returns its file names to remove after commit."""
    photo.status = photo_service.DELETED
    return [photo.file_name, photo.thumb_name]


def _row(image: EncodedImage, name: str, thumb: str) -> Photo:
    return Photo(
        file_name=name,
        thumb_name=thumb,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        size_bytes=len(image.data),
        status=photo_service.LIVE,
        created_at=utcnow(),
    )


def set_product_photo(
    sessions: sessionmaker[Session], *, store: storage.PhotoStore, business_id: int,
    product_id: int, token: str | None, data: bytes,
) -> Product:  # fmt: skip
    """Store an owner's photo for a product (replacing any earlier one)."""
    with sessions() as session:  # the cheap refusals before the expensive decoding
        owners.owned_business(session, business_id, token)
        owned_product(session, business_id, product_id)
    image = process_photo(data)
    name, thumb = storage.save_image(store, image)

    def work(session: Session) -> tuple[Product, list[str]]:
        owner, _ = owners.owned_business(session, business_id, token)
        product = owned_product(session, business_id, product_id)
        old = retire_photo(product.photo) if product.photo is not None else []
        photo = _row(image, name, thumb)
        session.add(photo)
        session.flush()
        product.photo_id = photo.id
        product.updated_at = utcnow()
        audit.record(
            session, actor=owners.owner_actor(owner), action="add_photo", subject_type="product",
            subject_id=product.id, detail={"photo_id": photo.id},
        )  # fmt: skip
        return loaded(session, product), old

    try:
        product, old = run_in_transaction(sessions, work)
    except BaseException:
        storage.delete_files(store, (name, thumb))
        raise
    storage.delete_files(store, old)
    return product


def remove_product_photo(
    sessions: sessionmaker[Session], *, store: storage.PhotoStore, business_id: int,
    product_id: int, token: str | None,
) -> None:  # fmt: skip
    """Remove a product's photo (its files too)."""

    def work(session: Session) -> list[str]:
        owner, _ = owners.owned_business(session, business_id, token)
        product = owned_product(session, business_id, product_id)
        if product.photo is None:
            raise NotFound(detail=f"product {product_id} has no photo")
        files = retire_photo(product.photo)
        product.photo_id = None
        audit.record(
            session, actor=owners.owner_actor(owner), action="delete_photo",
            subject_type="product", subject_id=product.id,
        )  # fmt: skip
        return files

    storage.delete_files(store, run_in_transaction(sessions, work))


def public_product_photo(session: Session, product_id: int) -> Photo:
    """The live photo of a public product, else NotFound."""
    product = get_public_product(session, product_id)
    photo = product.photo
    if photo is None or photo.status != photo_service.LIVE:
        raise NotFound(detail=f"product {product_id} has no photo")
    return photo
