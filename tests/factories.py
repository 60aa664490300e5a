"""Factories: real businesses made through the same validation and write path as imports."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.accounts.apikeys import create_api_key
from directory.businesses.input import parse_business_fields
from directory.businesses.writes import create_business
from directory.models import Business, Category

_seq = itertools.count(1)

# Near the centre of BSD City, Tangerang Selatan.
BSD = (-6.3016, 106.6527)


def make_business(
    session: Session,
    *,
    source: str = "import",
    status: str = "published",
    commit: bool = True,
    **fields: Any,
) -> Business:
    """A published business with deterministic defaults; any column can be overridden."""
    n = next(_seq)
    raw: dict[str, object] = {
        "name": f"Kopi Uji {n}",
        "lat": BSD[0],
        "lon": BSD[1],
        "category": "kafe-kopi",
        "address": f"Jl. Uji No. {n}",
    }
    raw.update({k: v for k, v in fields.items() if v is not None})
    by_slug = dict(session.execute(select(Category.slug, Category.id)).tuples().all())
    data = parse_business_fields(
        {k: "" if v is None else str(v) for k, v in raw.items()}, resolve_category=by_slug.get
    )
    business = create_business(session, data, source=source, status=status)
    if commit:
        session.commit()
    return business


def make_api_key(
    session: Session, *, name: str | None = None, scopes: tuple[str, ...] = ("interactions:write",)
) -> str:
    """A new API key (the secret, as a client holds it), committed."""
    key = create_api_key(session, name or f"client-{next(_seq)}", scopes)
    session.commit()
    return key


def key_headers(key: str) -> dict[str, str]:
    """The headers a client sends its API key in."""
    return {"Authorization": f"Bearer {key}"}
