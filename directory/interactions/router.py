"""``POST /api/v1/interactions``: one interaction or a batch of up to 10,000."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends

from directory.accounts.apikeys import INTERACTIONS_WRITE, key_source
from directory.api.deps import SessionsDep, SettingsDep, require_key
from directory.db_retry import run_in_transaction
from directory.interactions.schemas import InteractionBatch, InteractionIn, InteractionsAccepted
from directory.interactions.service import record_interactions
from directory.models import ApiKey

router = APIRouter(tags=["interactions"])


@router.post("/interactions", status_code=201, response_model=InteractionsAccepted)
def post_interactions(
    payload: Annotated[
        InteractionIn | InteractionBatch,
        Body(
            description='One interaction object, or {"items": [...]} with up to 10,000.',
        ),
    ],
    sessions: SessionsDep,
    settings: SettingsDep,
    key: Annotated[ApiKey, Depends(require_key(INTERACTIONS_WRITE))],
) -> InteractionsAccepted:
    """Store interactions; all or nothing. The next recommendation request sees them.

    Needs an API key with the scope `interactions:write` (`Authorization: Bearer <key>`
    or `X-API-Key: <key>`); 401 without a valid key, 403 without the scope, 429 over the
    key's per-minute limit. Every row records the key that sent it.
    """
    source = key_source(key)
    single = isinstance(payload, InteractionIn)
    items = [payload] if isinstance(payload, InteractionIn) else payload.items
    # One transaction, run again if it loses a race with another writer (db_retry.py).
    ids = run_in_transaction(
        sessions,
        lambda session: record_interactions(
            session,
            items,
            timezone=settings.timezone,
            source=source,
            field_prefix="" if single else "items",
        ),
    )
    return InteractionsAccepted(accepted=len(ids), ids=ids)
