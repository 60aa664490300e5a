"""Recording a reader's page events from page handlers, without ever breaking a page.

The business page records its own view on the server (a reader without JavaScript is
counted too); clicks on phone, WhatsApp, directions and website come from
``static/js/events.js`` through ``POST /events``. Both go through ``record_event``:
refused readers (DNT, GPC, opted out), robots and prefetches, and visitors over their
limit are simply not recorded.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from directory.db_retry import run_in_transaction
from directory.models import utcnow
from directory.readers.events import record_page_event
from directory.readers.limits import event_wait
from directory.readers.visitor import Visitor, is_automated, visitor_for

log = logging.getLogger("dekat.readers")


def store_event(
    sessions: sessionmaker[Session], *, user_id: str, business_id: int, action: str
) -> bool:
    """Store one event in its own transaction; False when it repeated a recent one."""
    now = utcnow()
    return run_in_transaction(
        sessions,
        lambda session: record_page_event(
            session, user_id=user_id, business_id=business_id, action=action, now=now
        ),
    )


def record_page_view(request: Request, business_id: int) -> Visitor:
    """Record that this reader opened a business page, when they may be recorded.

    Returns the visitor (with a new id to set as a cookie, when one was made); errors of
    the database are logged and swallowed — a page must show even if recording fails.
    """
    if request.method != "GET" or is_automated(request):
        return visitor_for(request, create=False)
    visitor = visitor_for(request, create=True)
    user_id = visitor.user_id
    if user_id is None:
        return visitor
    try:
        if event_wait(request, user_id) is None:
            store_event(
                request.app.state.sessions, user_id=user_id, business_id=business_id,
                action="view",
            )  # fmt: skip
    except SQLAlchemyError:
        log.warning("page view not recorded", exc_info=True)
    return visitor
