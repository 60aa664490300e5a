"""All page routers in one: ``install_web`` includes what this builds."""

from __future__ import annotations

from fastapi import APIRouter

from directory.web.routes import (
    business,
    inquiries,
    inquiry_editor,
    inquiry_owner,
    moderation,
    owner,
    places,
    product_moderation,
    product_owner,
    readers,
    search,
    submit,
)
from directory.web.routes import products as product_pages


def build_pages_router() -> APIRouter:
    """The router of every HTML page (kept out of the OpenAPI document)."""
    pages = APIRouter(include_in_schema=False)
    pages.include_router(search.router)
    pages.include_router(places.router)
    pages.include_router(business.router)
    pages.include_router(submit.router)
    pages.include_router(owner.router)
    pages.include_router(product_moderation.router)  # before /moderasi/{submission_id}/…
    pages.include_router(moderation.router)
    pages.include_router(product_pages.router)
    pages.include_router(product_owner.router)
    pages.include_router(inquiries.router)
    pages.include_router(inquiry_owner.router)
    pages.include_router(inquiry_editor.router)
    pages.include_router(readers.router)
    return pages
