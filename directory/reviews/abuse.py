"""Review stuffing: limits per client and per reviewer key, and a burst detector.

Reviewer keys are free to make, so one client can pose as any number of reviewers. The
per-address hourly limit (``rate_limit_reviews_per_hour``) alone still lets one client
post 30 five-star reviews with 30 keys to one listing. On top of it:

* **per key**: one reviewer key may post ``rate_limit_reviews_per_key_per_hour`` reviews
  an hour (across businesses) — 429;
* **per client and business per day**: one address may post
  ``review_daily_cap_per_business`` reviews of the same business per UTC day, whatever
  the keys — 429;
* **held for moderation** (stored with status ``held``: not listed, not in the rating,
  until an editor shows it) when either

  - the same address already reviewed this business today under a *different* key
    (one person, several reviewers; ``review_hold_other_keys``), or
  - the business received ``review_burst_per_hour`` or more reviews in the last hour
    (a campaign spread over many addresses).

Counters are rows of ``rate_limit_hit`` (shared by all workers), keyed by hashes only.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory.api.limits import Limit, count_hit
from directory.errors import RateLimited
from directory.models import RateLimitHit, Review, utcnow
from directory.settings import Settings

REVIEW_KEYS: Final = "review_keys"
REVIEW_TARGETS: Final = "review_targets"
REVIEW_PAIRS: Final = "review_pairs"
DAY_S: Final = 86_400
HELD: Final = "held"


def _key(*parts: object) -> str:
    return hashlib.sha256(b"dekat-review:" + "|".join(map(str, parts)).encode()).hexdigest()


def _current_hits(sessions: sessionmaker[Session], bucket: str, key: str, window_s: int) -> int:
    start = int(time.time() // window_s) * window_s
    with sessions() as session:
        hits = session.scalar(
            select(RateLimitHit.hits).where(
                RateLimitHit.bucket == bucket,
                RateLimitHit.client_key == key,
                RateLimitHit.window_start == start,
            )
        )
    return int(hits or 0)


def _refuse(wait: int, detail: str) -> RateLimited:
    return RateLimited(detail=f"{detail} Try again in {wait} s.", retry_after_s=wait)


def screen_review(
    sessions: sessionmaker[Session],
    settings: Settings,
    *,
    client_key: str,
    business_id: int,
    reviewer: str,
) -> bool:
    """Count this review against its limits (429 when over); True when it must be held.

    ``client_key`` is the hashed address (``api.limits.client_key``), ``reviewer`` the
    hashed reviewer key.
    """
    now = time.time()
    per_key = Limit(REVIEW_KEYS, settings.rate_limit_reviews_per_key_per_hour, 3600)
    wait = count_hit(sessions, client_key=_key("key", reviewer), limit=per_key, now_s=now)
    if wait is not None:
        raise _refuse(wait, f"Too many reviews with this reviewer key: at most "
                            f"{per_key.max_hits} per hour.")  # fmt: skip
    target = _key("target", client_key, business_id)
    per_target = Limit(REVIEW_TARGETS, settings.review_daily_cap_per_business, DAY_S)
    wait = count_hit(sessions, client_key=target, limit=per_target, now_s=now)
    if wait is not None:
        raise _refuse(wait, f"Too many reviews of this business from this client: at most "
                            f"{per_target.max_hits} a day.")  # fmt: skip
    pair = _key("pair", client_key, business_id, reviewer)
    count_hit(sessions, client_key=pair, limit=Limit(REVIEW_PAIRS, 10**9, DAY_S), now_s=now)
    # More reviews of this business from this address today than from this key: another
    # key was used by the same client.
    other_keys = settings.review_hold_other_keys and _current_hits(
        sessions, REVIEW_TARGETS, target, DAY_S
    ) > _current_hits(sessions, REVIEW_PAIRS, pair, DAY_S)
    return other_keys or recent_reviews(sessions, business_id) >= settings.review_burst_per_hour


def recent_reviews(sessions: sessionmaker[Session], business_id: int) -> int:
    """Reviews (live or held) the business received in the last hour."""
    since = utcnow() - timedelta(hours=1)
    with sessions() as session:
        count = session.scalar(
            select(func.count())
            .select_from(Review)
            .where(
                Review.business_id == business_id,
                Review.updated_at >= since,
                Review.status.in_(("live", HELD)),
            )
        )
    return int(count or 0)
