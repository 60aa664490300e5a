"""Hooks that keep the search indexes in step with business writes.

Every write path (import, submission approval, owner edit, status change, review) calls
these inside its own transaction, so an index never disagrees with the table it
describes. The work is done by :mod:`directory.search.indexer`: documents for the
full-text index, entries in the spatial index for every category scope, and vocabulary
counts for typo tolerance. Both hooks take any number of ids and are fast in bulk.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from directory.search import indexer

# ``with precomputed_terms(session, {(name, address, description): text_terms(...)}):``
# lets bulk writers hand over the folded words they computed in worker processes.
precomputed_terms = indexer.precomputed_terms
# ``with bulk_search_load(session) as load: ...; load.finish()``: appends only, for a bulk
# load of new businesses into empty search indexes (see ``indexer.BulkLoad``).
bulk_search_load = indexer.bulk_load


def index_businesses(session: Session, business_ids: Sequence[int]) -> None:
    """(Re)index these businesses after they were inserted or changed.

    Safe for any status: a business that is not published is removed from the indexes.
    Call it after rating changes too, so that relevance uses the current rating.
    """
    indexer.index_businesses(session, business_ids)


NewBusiness = indexer.NewBusiness


def index_new_businesses(session: Session, rows: Sequence[indexer.NewBusiness]) -> None:
    """Index published businesses just inserted, in ascending id order, from the values
    the writer holds (``NewBusiness``); a bulk load then reads nothing back."""
    indexer.index_new_businesses(session, rows)


def unindex_businesses(session: Session, business_ids: Sequence[int]) -> None:
    """Drop these businesses from the search indexes (before delete or when hidden)."""
    indexer.unindex_businesses(session, business_ids)


def optimize_search_indexes(session: Session) -> None:
    """Compact the search indexes; call once at the end of a large import."""
    indexer.optimize_search_indexes(session)


def rebuild_search_indexes(session: Session) -> int:
    """Rebuild every search index from the business table; returns documents indexed."""
    return indexer.rebuild_search_indexes(session)
