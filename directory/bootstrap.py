"""Getting a database ready to serve: migrate, seed shipped data, load demo data once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from directory.areas.service import seed_areas
from directory.areas.taxonomy import seed_categories
from directory.businesses.input import parse_business_fields
from directory.businesses.writes import bulk_upsert_businesses
from directory.db import make_engine, make_session_factory, session_scope
from directory.migrate import current_revision, upgrade_database
from directory.models import Business, Category, utcnow
from directory.settings import Settings


@dataclass(frozen=True, slots=True)
class BootstrapReport:
    revision: str | None
    businesses: int


def prepare_database(settings: Settings, *, demo: bool) -> BootstrapReport:
    """Upgrade the schema, (re)seed taxonomy and gazetteer, and load demo data if empty."""
    engine = make_engine(settings.database_url)
    try:
        upgrade_database(engine)
        factory = make_session_factory(engine)
        with session_scope(factory) as session:
            seed_categories(session)
            seed_areas(session)
            count = session.scalar(select(func.count()).select_from(Business)) or 0
        if demo and count == 0 and settings.demo_count > 0:
            seed_demo_data(settings)
        with session_scope(factory) as session:
            count = session.scalar(select(func.count()).select_from(Business)) or 0
        return BootstrapReport(revision=current_revision(engine), businesses=int(count))
    finally:
        engine.dispose()


def seed_demo_data(settings: Settings, *, count: int | None = None) -> int:
    """Load the deterministic demo businesses through the import path (idempotent)."""
    from directory.businesses.demo import generate_demo_businesses
    from directory.products.demo import seed_demo_products

    rows = generate_demo_businesses(count=count or settings.demo_count, seed=settings.demo_seed)
    engine = make_engine(settings.database_url)
    try:
        factory = make_session_factory(engine)
        with session_scope(factory) as session:
            by_slug = dict(session.execute(select(Category.slug, Category.id)).tuples().all())
            inputs = [parse_business_fields(r, resolve_category=by_slug.get) for r in rows]
            report = bulk_upsert_businesses(session, inputs, source="demo")
            if report.created:
                _age_demo_listings(session)
            seed_demo_products(session)
        return report.created + report.updated + report.unchanged
    finally:
        engine.dispose()


def _age_demo_listings(session: Session) -> None:
    """Spread the demo listings' dates over the past (most years old, some new), so that
    "newest" sorting and the new-listing exposure boost show something real. Deterministic:
    the age follows from the external id's number."""
    now = utcnow()
    rows = session.execute(
        select(Business.id, Business.external_id).where(Business.source == "demo")
    ).all()
    updates = []
    for bid, ext in rows:
        n = int(ext.rsplit("-", 1)[-1]) if ext and ext.rsplit("-", 1)[-1].isdigit() else bid
        days = (n * 7919) % 60 if n % 8 == 0 else 120 + (n * 104729) % 1400
        when = now - timedelta(days=days, minutes=n % 1440)
        updates.append({"b_id": bid, "v_at": when})
    table = cast(Table, Business.__table__)
    session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(created_at=bindparam("v_at"), published_at=bindparam("v_at")),
        updates,
    )
