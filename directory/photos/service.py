"""Adding, listing, serving and removing business photos.

At most :data:`MAX_PHOTOS_PER_BUSINESS` live photos per business (a submission's photos
count towards the business it becomes). The count is checked inside the transaction that
inserts the row, after locking the business or submission row on PostgreSQL (SQLite
serialises writers anyway), so parallel uploads cannot pass the limit. It is also checked
*first*, in a short read before the upload is decoded: a full listing answers 409 at
once instead of after seconds of image work. Files are written
before that transaction and deleted again if it fails; files of removed photos are deleted
after it commits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts import audit
from directory.businesses.service import READER_VISIBLE
from directory.db_retry import run_in_transaction
from directory.errors import Conflict, NotFound
from directory.models import Business, Photo, Submission, utcnow
from directory.photos import storage
from directory.photos.images import EncodedImage, process_photo

MAX_PHOTOS_PER_BUSINESS: Final = 5
LIVE: Final = "live"
HIDDEN: Final = "hidden"
DELETED: Final = "deleted"


def _too_many() -> Conflict:
    return Conflict(detail=f"A business may have at most {MAX_PHOTOS_PER_BUSINESS} photos.")


def _store(
    sessions: sessionmaker[Session],
    store: storage.PhotoStore,
    data: bytes,
    insert: Callable[[Session, EncodedImage, str, str], Photo],
    precheck: Callable[[Session], None],
) -> Photo:
    with sessions() as session:
        precheck(session)  # the cheap refusals before the expensive decoding
    image = process_photo(data)
    name, thumb = storage.save_image(store, image)
    try:
        return run_in_transaction(sessions, lambda s: insert(s, image, name, thumb))
    except BaseException:
        storage.delete_files(store, (name, thumb))
        raise


def _row(image: EncodedImage, name: str, thumb: str, **owner: object) -> Photo:
    return Photo(
        file_name=name,
        thumb_name=thumb,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        size_bytes=len(image.data),
        status=LIVE,
        created_at=utcnow(),
        **owner,
    )


def _live_count(session: Session, criterion: ColumnElement[bool]) -> int:
    stmt = select(func.count()).select_from(Photo).where(Photo.status == LIVE, criterion)
    return int(session.scalar(stmt) or 0)


def add_business_photo(
    sessions: sessionmaker[Session],
    *,
    store: storage.PhotoStore,
    business_id: int,
    data: bytes,
    actor: str,
) -> Photo:
    """An owner's photo, live at once (editors can hide it)."""

    def check(session: Session, *, lock: bool = False) -> None:
        # Lock the business row (just its id: FOR UPDATE refuses the eager outer joins).
        stmt = select(Business.id).where(Business.id == business_id)
        if session.scalar(stmt.with_for_update() if lock else stmt) is None:
            raise NotFound(detail=f"no business with id {business_id}")
        if _live_count(session, Photo.business_id == business_id) >= MAX_PHOTOS_PER_BUSINESS:
            raise _too_many()

    def insert(session: Session, image: EncodedImage, name: str, thumb: str) -> Photo:
        check(session, lock=True)
        photo = _row(image, name, thumb, business_id=business_id)
        session.add(photo)
        session.flush()
        audit.record(
            session, actor=actor, action="add_photo", subject_type="business",
            subject_id=business_id, detail={"photo_id": photo.id},
        )  # fmt: skip
        return photo

    return _store(sessions, store, data, insert, check)


def add_submission_photo(
    sessions: sessionmaker[Session], *, store: storage.PhotoStore, submission_id: str, data: bytes
) -> Photo:
    """A photo sent with a pending new-business submission, shown once it is approved."""

    def check(session: Session, *, lock: bool = False) -> None:
        stmt = select(Submission).where(Submission.id == submission_id)
        submission = session.scalar(stmt.with_for_update() if lock else stmt)
        if submission is None:
            raise NotFound(detail="No submission with this id for this token.")
        if submission.status != "pending" or submission.kind != "new":
            raise Conflict(
                detail="Photos can be added only to a pending new-business submission; "
                "owners add photos to their published business."
            )
        if _live_count(session, Photo.submission_id == submission_id) >= MAX_PHOTOS_PER_BUSINESS:
            raise _too_many()

    def insert(session: Session, image: EncodedImage, name: str, thumb: str) -> Photo:
        check(session, lock=True)
        photo = _row(image, name, thumb, submission_id=submission_id)
        session.add(photo)
        session.flush()
        return photo

    return _store(sessions, store, data, insert, check)


def attach_submission_photos(session: Session, *, submission_id: str, business_id: int) -> int:
    """Give an approved submission's photos to its new business; returns how many."""
    result = session.execute(
        update(Photo)
        .where(Photo.submission_id == submission_id, Photo.status == LIVE)
        .values(business_id=business_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def discard_submission_photos(session: Session, submission_id: str) -> list[str]:
    """Mark a rejected submission's photos deleted; returns the file names to remove."""
    photos = list(session.scalars(select(Photo).where(Photo.submission_id == submission_id)))
    names: list[str] = []
    for photo in photos:
        photo.status = DELETED
        names += [photo.file_name, photo.thumb_name]
    return names


def list_business_photos(session: Session, business_id: int) -> list[Photo]:
    """Live photos of a business, oldest first (the first is the cover)."""
    return list(
        session.scalars(
            select(Photo)
            .where(Photo.business_id == business_id, Photo.status == LIVE)
            .order_by(Photo.id)
        )
    )


def get_public_photo(session: Session, photo_id: int) -> Photo:
    """A live photo of a business readers can see, else NotFound."""
    photo = session.get(Photo, photo_id)
    business = session.get(Business, photo.business_id) if photo and photo.business_id else None
    if photo is None or photo.status != LIVE or business is None:
        raise NotFound(detail=f"no photo with id {photo_id}")
    if business.status not in READER_VISIBLE:
        raise NotFound(detail=f"no photo with id {photo_id}")
    return photo


def get_any_photo(session: Session, photo_id: int) -> Photo:
    """Any stored photo whose files still exist (editors look at pending ones)."""
    photo = session.get(Photo, photo_id)
    if photo is None or photo.status == DELETED:
        raise NotFound(detail=f"no photo with id {photo_id}")
    return photo


def delete_owner_photo(
    sessions: sessionmaker[Session],
    *,
    store: storage.PhotoStore,
    business_id: int,
    photo_id: int,
    actor: str,
) -> None:
    """An owner removes one of their business's photos (files deleted too)."""

    def work(session: Session) -> list[str]:
        photo = session.get(Photo, photo_id)
        if photo is None or photo.business_id != business_id or photo.status == DELETED:
            raise NotFound(detail=f"no photo with id {photo_id} on this business")
        photo.status = DELETED
        audit.record(
            session, actor=actor, action="delete_photo", subject_type="business",
            subject_id=business_id, detail={"photo_id": photo_id},
        )  # fmt: skip
        return [photo.file_name, photo.thumb_name]

    storage.delete_files(store, run_in_transaction(sessions, work))


def hide_photo(
    sessions: sessionmaker[Session], photo_id: int, *, actor: str,
    store: storage.PhotoStore | None = None,
) -> Photo:  # fmt: skip
    """An editor hides a photo from readers; its files leave the store.

    Removing the objects (after the status change is committed) means no copy stays
    reachable: not through a signed store URL handed out before, nor a shared cache that
    revalidates. The row and the audit entry remain as the record."""

    def work(session: Session) -> Photo:
        photo = session.get(Photo, photo_id)
        if photo is None or photo.status == DELETED:
            raise NotFound(detail=f"no photo with id {photo_id}")
        previous = photo.status
        photo.status = HIDDEN
        audit.record(
            session, actor=actor, action="hide_photo", subject_type="photo",
            subject_id=photo_id, detail={"previous": previous, "business_id": photo.business_id},
        )  # fmt: skip
        return photo

    photo = run_in_transaction(sessions, work)
    if store is not None:
        storage.delete_files(store, (photo.file_name, photo.thumb_name))
    return photo
