"""Which product an inquiry is about: the seam to the products feature.

An inquiry keeps ``product_id`` as a plain number and ``product_name`` as it was when the
buyer asked. When a products table is registered on the metadata (``products`` or
``product`` with ``id``, ``business_id`` and ``name`` columns) the product must belong to
the business, else the inquiry is refused naming ``product_id``; without one the id is
stored as sent and the name stays empty.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from directory.db import Base
from directory.errors import invalid

_TABLES: Final = ("products", "product")
_COLUMNS: Final = ("id", "business_id", "name")


def products_table() -> Table | None:
    """The products table when that feature is installed (with the columns used here)."""
    for name in _TABLES:
        table = Base.metadata.tables.get(name)
        if table is not None and all(c in table.c for c in _COLUMNS):
            return table
    return None


def product_snapshot(session: Session, business_id: int, product_id: int | None) -> str | None:
    """The product's name now, for the inquiry to keep; None without a product (or
    without the products feature). InvalidInput when it is not this business's."""
    if product_id is None:
        return None
    table = products_table()
    if table is None:
        return None
    name = session.scalar(
        select(table.c.name).where(table.c.id == product_id, table.c.business_id == business_id)
    )
    if name is None:
        raise invalid("product_id", "is not a product of this business")
    return str(name)[:200]
