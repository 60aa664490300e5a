"""Product pages: ``/produk`` (search form and results, plain GET) and ``/produk/{id}``.

They call the same services as the API (``products.search``, ``products.service``). A
bad ``area`` or a stale cursor on ``/produk`` is told to the reader above the results
instead of an error page. ``product.html`` leaves ``{% block inquiry %}`` for the
inquiry form (it includes ``_product_inquiry.html`` when that template exists).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from directory.api.deps import ReadSessionDep
from directory.errors import InvalidInput, NotFound
from directory.products import search, service, views
from directory.products.jsonld import product_jsonld
from directory.products.schemas import ProductPage
from directory.search.params import MAX_Q_LEN
from directory.web.context import Page, PageDep
from directory.web.jsonld import script_json
from directory.web.product_messages import AREA_UNKNOWN, CURSOR_STALE

router = APIRouter()
PAGE_SIZE = 20


def _number(text: str | None, low: float, high: float) -> float | None:
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    return value if value is not None and low <= value <= high else None


def _search(page: Page, session: ReadSessionDep, query: search.ProductQuery) -> tuple[
    ProductPage, str
]:  # fmt: skip
    """Results, and a notice when part of the request had to be dropped."""
    try:
        return search.search_products(session, query), ""
    except NotFound:
        dropped = search.ProductQuery(q=query.q, lat=query.lat, lon=query.lon, limit=query.limit)
        return search.search_products(session, dropped), page.gettext(
            AREA_UNKNOWN, area=query.area or ""
        )
    except InvalidInput:
        fresh = search.ProductQuery(q=query.q, area=query.area, lat=query.lat, lon=query.lon,
                                    limit=query.limit)  # fmt: skip
        return search.search_products(session, fresh), page.gettext(CURSOR_STALE)


@router.get("/produk", response_class=HTMLResponse, name="products_page")
def products_page(page: PageDep, session: ReadSessionDep) -> HTMLResponse:
    """Search products across businesses; works without JavaScript."""
    params = page.request.query_params
    q = (params.get("q") or "").strip()[:MAX_Q_LEN]
    area = (params.get("area") or "").strip()[:120]
    lat = _number(params.get("lat"), -90, 90)
    lon = _number(params.get("lon"), -180, 180)
    cursor = params.get("cursor") or None
    query = search.ProductQuery(
        q=q or None, area=area or None, lat=lat, lon=lon, limit=PAGE_SIZE,
        cursor=cursor if cursor and len(cursor) <= 2048 else None,
    )  # fmt: skip
    results, notice = _search(page, session, query)
    corrections = ", ".join(
        f"{c.word} → {c.to}" for c in (results.interpretation.corrections
                                       if results.interpretation else [])
    )  # fmt: skip
    next_url = page.url_with(cursor=results.next_cursor) if results.next_cursor else ""
    return page.render(
        "products.html",
        form={"q": q, "area": area},
        results=results,
        searched=bool(q or area or lat is not None),
        notice=notice,
        corrections=corrections,
        next_url=next_url,
    )


@router.get("/produk/{product_id}", response_class=HTMLResponse, name="product_page")
def product_page(product_id: str, page: PageDep, session: ReadSessionDep) -> HTMLResponse:
    """One published product with its seller (and, later, the inquiry form)."""
    if not product_id.isdigit() or len(product_id) > 18:
        raise NotFound(detail="no such product")
    product = service.get_public_product(session, int(product_id))
    read = views.product_read(product)
    canonical = page.absolute(views.product_path(product.id))
    context: dict[str, Any] = {
        "p": read,
        "canonical_url": canonical,
        "jsonld": script_json(
            product_jsonld(
                read,
                url=canonical,
                seller_url=page.absolute(f"/b/{read.business.slug}"),
                image=page.absolute(read.photo_url) if read.photo_url else None,
            )
        ),  # fmt: skip
    }
    return page.render("product.html", **context)
