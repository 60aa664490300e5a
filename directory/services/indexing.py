"""Hooks that keep the search indexes in step with business writes.

Every write path (import, submission approval, owner edit, status change) calls these
inside its own transaction, so an index never disagrees with the table it describes.
The search feature installs its index maintenance here.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session


def index_businesses(session: Session, business_ids: Sequence[int]) -> None:
    """(Re)index these businesses after they were inserted or changed."""
    del session, business_ids


def unindex_businesses(session: Session, business_ids: Sequence[int]) -> None:
    """Drop these businesses from the search indexes (before delete or when hidden)."""
    del session, business_ids
