"""Rate limits on buyer inquiries, counted in ``rate_limit_hit`` like every other limit.

Two limits, both per client address (hashed, ``api.limits.client_key``):

* ``rate_limit_inquiries_per_hour`` inquiries an hour in all — counted for every
  attempt, also invalid ones and honeypot hits, so a script learns nothing by probing;
* ``inquiry_daily_cap_per_business`` inquiries a day to one business, so one sender
  cannot flood one owner's list (and mailbox) from within the hourly allowance.

Refusals are 429 with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import time
from typing import Final

from fastapi import Request

from directory.api.limits import Limit, client_key, count_hit
from directory.errors import RateLimited
from directory.settings import Settings

CLIENT_BUCKET: Final = "inquiries"
TARGET_BUCKET: Final = "inquiry_targets"
DAY_S: Final = 86_400


def _refuse(wait: int, detail: str) -> RateLimited:
    return RateLimited(detail=f"{detail} Try again in {wait} s.", retry_after_s=wait)


def count_inquiry(request: Request) -> str:
    """A dependency: count this attempt against the client's hourly limit (429 when
    over it); returns the client's hashed address for the inquiry to keep."""
    settings: Settings = request.app.state.settings
    key = client_key(request)
    limit = Limit(CLIENT_BUCKET, settings.rate_limit_inquiries_per_hour, 3600)
    wait = count_hit(request.app.state.sessions, client_key=key, limit=limit, now_s=time.time())
    if wait is not None:
        raise _refuse(wait, f"Too many inquiries from this client: at most {limit.max_hits} "
                            "per hour.")  # fmt: skip
    return key


def count_inquiry_to(request: Request, client_hash: str, business_id: int) -> None:
    """Count a valid inquiry to one business against the client's daily cap (429)."""
    settings: Settings = request.app.state.settings
    target = hashlib.sha256(f"dekat-inquiry:{client_hash}|{business_id}".encode()).hexdigest()
    limit = Limit(TARGET_BUCKET, settings.inquiry_daily_cap_per_business, DAY_S)
    wait = count_hit(request.app.state.sessions, client_key=target, limit=limit, now_s=time.time())
    if wait is not None:
        raise _refuse(wait, f"Too many inquiries to this business from this client: at most "
                            f"{limit.max_hits} a day.")  # fmt: skip
