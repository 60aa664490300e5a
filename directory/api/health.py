"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select

from directory.api.deps import SessionDep
from directory.api.schemas import Health
from directory.migrate import current_revision
from directory.models import Business

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz(session: SessionDep) -> Health:
    """Ready when the database answers; reports the schema revision and listing count."""
    count = session.scalar(select(func.count()).select_from(Business)) or 0
    bind = session.get_bind()
    return Health(
        status="ok",
        database=bind.dialect.name,
        revision=current_revision(bind.engine) if hasattr(bind, "engine") else None,
        businesses=int(count),
    )
