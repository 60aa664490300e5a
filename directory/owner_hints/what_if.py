"""Filling a field for a moment: the owner-edit write path inside a rolled-back savepoint.

The change goes through the same validation and write (``update_business``, which
re-indexes the listing for search) as an owner's real edit, so the rankings run inside
see exactly what they would see after that edit; the savepoint is rolled back whatever
happens, so the stored listing and its index entries are left as they were. A photo is
added as a live ``photo`` row (no file: nothing that ranks reads the image).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy.orm import Session

from directory.businesses.input import parse_business_fields
from directory.businesses.writes import update_business
from directory.models import Business, Photo
from directory.submissions.fields import (
    REVIEWED_FIELDS,
    as_raw,
    category_resolver,
    changed_fields,
    live_input,
    raw_from_business,
    take_fields,
)


def apply_owner_changes(
    session: Session, business: Business, changes: Mapping[str, object]
) -> None:
    """Write editable, not-reviewed fields as an owner's edit would (validated; flushed)."""
    live = live_input(session, business)
    raw = raw_from_business(business)
    raw.update(as_raw(dict(changes)))
    edited = parse_business_fields(raw, resolve_category=category_resolver(session))
    fields = set(changed_fields(live, edited))
    if fields & REVIEWED_FIELDS:
        raise ValueError(f"fields an editor reviews cannot be filled here: {sorted(fields)}")
    if fields:
        update_business(session, business, take_fields(live, edited, fields), fields=fields)


def _add_photo(session: Session, business_id: int) -> None:
    session.add(
        Photo(
            business_id=business_id, file_name="what-if.jpg", thumb_name="what-if-t.jpg",
            content_type="image/jpeg", width=800, height=600, size_bytes=1, status="live",
        )
    )  # fmt: skip
    session.flush()


@contextmanager
def filled(
    session: Session,
    business: Business,
    changes: Mapping[str, object],
    *,
    add_photo: bool = False,
) -> Iterator[None]:
    """Inside the block the listing has ``changes`` (and a photo); after it, not."""
    savepoint = session.begin_nested()
    try:
        apply_owner_changes(session, business, changes)
        if add_photo:
            _add_photo(session, business.id)
        yield
    finally:
        savepoint.rollback()
