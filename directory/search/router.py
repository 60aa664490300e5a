"""Search and autocomplete: ``GET /api/v1/businesses`` and ``GET /api/v1/autocomplete``.

The handlers are ``async def`` on purpose: they call short synchronous code (index
walks), and on a small machine a hop through the thread pool costs more than the work.
The read session is opened the same way
``ReadSessionDep`` does, without the thread-pool round trip of a sync dependency.

On PostgreSQL the session reads in autocommit: a search only reads, and its statements
(the nearest rows, then the page's rows) need no common snapshot — a business deleted in
between is left out of the page, as the results code already does. Without it every
request paid two more round trips to the server than the queries themselves (``BEGIN``,
and the ``ROLLBACK`` when the connection goes back to the pool).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Generator
from typing import Annotated, cast

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy.orm import Session

from directory.api.deps import get_read_session, negotiate_lang
from directory.hours import local_now
from directory.insights.appearances import SEARCH, count_shown
from directory.search.params import (
    MAX_LIMIT,
    MAX_Q_LEN,
    MAX_RADIUS_M,
    SearchParams,
    Sort,
    parse_bbox,
    parse_open_at,
)
from directory.search.schemas import Autocomplete, SearchPage
from directory.search.service import autocomplete, search_businesses
from directory.settings import Settings

router = APIRouter(tags=["search"])


async def read_session(request: Request) -> AsyncIterator[Session]:
    """``get_read_session`` (replica routing included) run on the event loop."""
    sessions = cast(Generator[Session, None, None], get_read_session(request))
    session = next(sessions)
    try:
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield session
    except BaseException as exc:
        # Let get_read_session see the failure (it marks a broken replica); it re-raises.
        with contextlib.suppress(BaseException):
            sessions.throw(exc)
        raise
    finally:
        sessions.close()


AsyncReadSession = Annotated[Session, Depends(read_session)]
Lang = Annotated[
    str | None, Query(pattern="^(id|en)$", description="Language of texts: id (default) or en.")
]


def _json(model: SearchPage | Autocomplete) -> Response:
    return Response(model.model_dump_json(), media_type="application/json")


@router.get("/businesses", response_model=SearchPage, summary="Search businesses")
async def search(
    request: Request,
    session: AsyncReadSession,
    q: Annotated[
        str | None, Query(max_length=MAX_Q_LEN, description="Free text; typos are tolerated.")
    ] = None,
    area: Annotated[
        str | None,
        Query(max_length=120, description="Area slug, name, alias or a near miss of one."),
    ] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    radius_m: Annotated[float | None, Query(gt=0, le=MAX_RADIUS_M)] = None,
    bbox: Annotated[
        str | None, Query(max_length=200, description="Map view: min_lon,min_lat,max_lon,max_lat")
    ] = None,
    category: Annotated[
        list[str],
        Query(
            description="Category slug, name or synonym (repeatable; a parent includes "
            "its children; unknown → 422 with suggestions)."
        ),
    ] = [],  # noqa: B006 (FastAPI copies defaults)
    min_rating: Annotated[float | None, Query(ge=0, le=5)] = None,
    price: Annotated[
        list[Annotated[int, Field(ge=1, le=4)]],
        Query(description="Price levels 1-4 (repeatable)."),
    ] = [],  # noqa: B006
    open_now: bool = False,
    open_at: Annotated[
        str | None,
        Query(max_length=40, description="ISO time or datetime; Asia/Jakarta unless a zone."),
    ] = None,
    sort: Sort = Sort.RELEVANCE,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    interpret: Annotated[
        bool,
        Query(description="false: every word of q is text (no area, intent or filter reading)."),
    ] = True,
    lang: Lang = None,
) -> Response:
    """Businesses matching any combination of text, place, category and filters.

    Without text, a point or an area alone is a valid query ("what is near me in this
    category"). Page with ``next_cursor``; every match is returned exactly once.
    """
    settings: Settings = request.app.state.settings
    now = local_now(settings.timezone)
    params = SearchParams(
        q=q,
        area=area,
        lat=lat,
        lon=lon,
        radius_m=radius_m,
        bbox=parse_bbox(bbox) if bbox is not None else None,
        categories=tuple(category),
        min_rating=min_rating,
        prices=tuple(price),
        open_now=open_now,
        open_at=parse_open_at(open_at, timezone=settings.timezone, now=now)
        if open_at is not None
        else None,
        sort=sort,
        limit=limit,
        cursor=cursor,
        interpret=interpret,
    )
    lang_code = negotiate_lang(request, lang, settings.default_lang)
    page = search_businesses(session, params, now=now, lang=lang_code)
    count_shown(request, SEARCH, (hit.id for hit in page.items))
    return _json(page)


@router.get("/autocomplete", response_model=Autocomplete, summary="Suggestions as you type")
async def suggest(
    request: Request,
    session: AsyncReadSession,
    q: Annotated[str, Query(max_length=100, description="What the reader has typed so far.")],
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    limit: Annotated[int, Query(ge=1, le=10)] = 5,
    lang: Lang = None,
) -> Response:
    """Areas, categories and businesses for a prefix, nearest / most relevant first."""
    settings: Settings = request.app.state.settings
    lang_code = negotiate_lang(request, lang, settings.default_lang)
    result = autocomplete(
        session,
        q=q,
        lat=lat if lon is not None else None,
        lon=lon if lat is not None else None,
        lang=lang_code,
        limit=limit,
        now=local_now(settings.timezone),
    )
    return _json(result)
