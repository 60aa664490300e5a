"""Per-visitor and per-address limits on page events, through ``directory.api.limits``.

A visitor id is free to make (clear the cookie), so a limit per visitor alone would not
hold back a script; the per-address limit does, set high because many readers share an
address behind a mobile carrier's NAT. Both count in the database like every other
limit, so all workers share them.
"""

from __future__ import annotations

import hashlib
import time
from typing import Final

from starlette.requests import Request

from directory.api.limits import Limit, client_key, count_hit
from directory.settings import Settings

VISITOR_BUCKET: Final = "events"
CLIENT_BUCKET: Final = "events-client"


def event_limits(settings: Settings) -> tuple[Limit, Limit]:
    """(per visitor, per client address), both per minute."""
    return (
        Limit(VISITOR_BUCKET, settings.rate_limit_events_per_minute, 60),
        Limit(CLIENT_BUCKET, settings.rate_limit_events_per_client_per_minute, 60),
    )


def event_wait(request: Request, user_id: str) -> int | None:
    """Count one event of this visitor; None when allowed, else seconds to wait."""
    settings: Settings = request.app.state.settings
    per_visitor, per_client = event_limits(settings)
    sessions = request.app.state.sessions
    now = time.time()
    wait = count_hit(
        sessions, client_key=client_key(request, settings), limit=per_client, now_s=now
    )
    if wait is not None:
        return wait
    visitor_key = hashlib.sha256(f"dekat-visitor-limit:{user_id}".encode()).hexdigest()
    return count_hit(sessions, client_key=visitor_key, limit=per_visitor, now_s=now)
