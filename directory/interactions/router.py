"""``POST /api/v1/interactions``: one interaction or a batch of up to 10,000."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from directory.api.deps import SessionDep, SettingsDep
from directory.interactions.schemas import InteractionBatch, InteractionIn, InteractionsAccepted
from directory.interactions.service import record_interactions

router = APIRouter(tags=["interactions"])


@router.post("/interactions", status_code=201, response_model=InteractionsAccepted)
def post_interactions(
    payload: Annotated[
        InteractionIn | InteractionBatch,
        Body(
            description='One interaction object, or {"items": [...]} with up to 10,000.',
        ),
    ],
    session: SessionDep,
    settings: SettingsDep,
) -> InteractionsAccepted:
    """Store interactions; all or nothing. The next recommendation request sees them."""
    single = isinstance(payload, InteractionIn)
    items = [payload] if isinstance(payload, InteractionIn) else payload.items
    ids = record_interactions(
        session, items, timezone=settings.timezone, field_prefix="" if single else "items"
    )
    session.commit()
    return InteractionsAccepted(accepted=len(ids), ids=ids)
