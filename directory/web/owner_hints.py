"""The owner page's hints section: the service result plus its headings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from directory.models import Business
from directory.owner_hints import messages
from directory.owner_hints.service import ranking_hints


def hints_section(
    session: Session, business: Business, *, now: datetime, timezone: str, lang: str
) -> dict[str, Any]:
    """What ``_owner_hints.html`` shows. Ends the session's transaction afterwards: the
    what-ifs wrote inside savepoints, and on SQLite the write lock they took lasts until
    the outer transaction ends, which must not wait for the page to render."""
    result = ranking_hints(session, business, now=now, timezone=timezone, lang=lang)
    session.rollback()
    return {"result": result, "text": messages.section(lang)}
