"""The one app factory: API and pages from the same FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.middleware.trustedhost import TrustedHostMiddleware

from directory import __version__
from directory.api import health
from directory.api.docs import install_docs
from directory.api.edge_headers import EdgeHeadersMiddleware
from directory.api.limits import BodySizeLimitMiddleware
from directory.api.problems import document_problems, register_exception_handlers
from directory.areas import router as catalog
from directory.businesses import router as businesses
from directory.db import make_engine, make_session_factory
from directory.db_routing import PrimaryAfterWriteMiddleware, build_read_router
from directory.inquiries import admin_router as inquiry_admin
from directory.inquiries import router as inquiry_routes
from directory.insights import router as insight_routes
from directory.insights.appearances import AppearanceCounter
from directory.insights.lifespan import appearance_flushing
from directory.interactions import router as interaction_routes
from directory.owner_hints import router as owner_hint_routes
from directory.photos import router as photo_routes
from directory.products import router as product_routes
from directory.recommendations import router as recommendation_routes
from directory.reviews import router as review_routes
from directory.search import router as search_routes
from directory.settings import Settings, get_settings
from directory.submissions import admin_router as submission_admin
from directory.submissions import matches_router as matches
from directory.submissions import router as submission_routes
from directory.web import install_web
from directory.web.security import hsts_header

API_PREFIX = "/api/v1"


def build_api_router() -> APIRouter:
    """Every /api/v1 router; feature modules add themselves here."""
    api = APIRouter()
    # Before businesses.router: "/businesses/match" must not be read as "/businesses/{id}".
    api.include_router(matches.router)
    api.include_router(catalog.router)
    api.include_router(search_routes.router)
    api.include_router(businesses.router)
    api.include_router(submission_routes.router)
    api.include_router(submission_admin.router)
    api.include_router(owner_hint_routes.router)
    api.include_router(review_routes.router)
    api.include_router(review_routes.admin_router)
    api.include_router(photo_routes.router)
    api.include_router(photo_routes.admin_router)
    api.include_router(product_routes.router)
    api.include_router(product_routes.admin_router)
    api.include_router(inquiry_routes.router)
    api.include_router(inquiry_admin.router)
    api.include_router(interaction_routes.router)
    api.include_router(recommendation_routes.router)
    api.include_router(insight_routes.router)
    return api


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Background work that lives as long as the server: flushing appearance counts."""
    async with appearance_flushing(app):
        yield


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; nothing touches the database until a request arrives."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Dekat",
        version=__version__,
        description="Local business directory and explainable recommendations (API v1).",
        # Served by directory/api/docs.py: public schema without admin operations, CSP.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    engine = make_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        statement_timeout_ms=settings.database_statement_timeout_ms,
    )
    app.state.engine = engine
    app.state.sessions = make_session_factory(engine)
    if settings.database_read_url:
        read_engine = make_engine(
            settings.database_read_url,
            pool_size=settings.database_pool_size,
            statement_timeout_ms=settings.database_statement_timeout_ms,
        )
        app.state.read_engine = read_engine
        app.state.read_sessions = make_session_factory(read_engine)
    else:
        app.state.read_engine = engine
        app.state.read_sessions = app.state.sessions
    app.state.read_router = build_read_router(app.state, settings)
    app.state.appearances = AppearanceCounter(app.state.sessions, timezone=settings.timezone)
    if app.state.read_router.has_replica:
        app.add_middleware(PrimaryAfterWriteMiddleware, window_s=app.state.read_router.window_s)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes)
    # Outermost: a request for a Host we do not serve is refused before anything else,
    # so no absolute link, redirect or cache entry is ever built from a forged Host.
    app.add_middleware(
        EdgeHeadersMiddleware,
        hsts=hsts_header(settings.hsts_max_age_s) if settings.https else None,
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_host_list)
    register_exception_handlers(app)
    document_problems(app)
    install_docs(app, public=settings.public_api_docs)
    app.include_router(health.router)
    app.include_router(build_api_router(), prefix=API_PREFIX)
    install_web(app)
    return app
