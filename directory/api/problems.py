"""One error body for every 4xx/5xx: RFC 9457 problem details with named fields.

Shape: ``{"type", "title", "status", "detail", "instance", "errors": [{"field",
"message", "location"}]}`` plus extension members (``suggestions``, ``retry_after_s``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from directory.errors import DirectoryError, FieldError

log = logging.getLogger("dekat.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem_response(
    request: Request,
    *,
    status: int,
    detail: str,
    errors: Sequence[FieldError] = (),
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Build the problem body; the only place that does."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "errors": [
            {"field": e.field, "message": e.message, "location": e.location} for e in errors
        ],
    }
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _field_path(loc: Sequence[int | str]) -> tuple[str, str]:
    """``("query", "lat")`` → ``("lat", "query")``; ``("body", "items", 3, "kind")`` →
    ``("items[3].kind", "body")``."""
    if not loc:
        return "", "body"
    location = str(loc[0])
    parts: list[str] = []
    for item in loc[1:]:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    name = "".join(parts) or location
    return name, location


def validation_errors(exc: RequestValidationError) -> list[FieldError]:
    """Translate pydantic's error list into named fields with readable reasons."""
    out: list[FieldError] = []
    for err in exc.errors():
        field, location = _field_path(tuple(err.get("loc", ())))
        message = str(err.get("msg", "invalid value"))
        message = message.removeprefix("Value error, ")
        out.append(FieldError(field=field, message=message, location=location))
    return out


def register_exception_handlers(app: FastAPI) -> None:
    """Map every error the app can raise to the one problem shape."""

    @app.exception_handler(DirectoryError)
    async def _directory_error(request: Request, exc: DirectoryError) -> JSONResponse:
        headers = None
        retry = getattr(exc, "retry_after_s", None)
        extra = dict(exc.extra)
        if retry is not None:
            headers = {"Retry-After": str(retry)}
            extra["retry_after_s"] = retry
        return problem_response(
            request,
            status=exc.status,
            detail=exc.detail,
            errors=exc.errors,
            extra=extra,
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc)
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5]) or "invalid request"
        return problem_response(request, status=422, detail=detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(
            request,
            status=exc.status_code,
            detail=str(exc.detail),
            headers=dict(exc.headers) if exc.headers else None,
        )

    @app.exception_handler(OperationalError)
    async def _db_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", type(exc.orig).__name__)
        return problem_response(
            request,
            status=503,
            detail="The database is unavailable; try again shortly.",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(DataError)
    async def _bad_value(request: Request, exc: DataError) -> JSONResponse:
        # The database refused a value that validation let through: on PostgreSQL a NUL
        # character in text, or a number beyond the column's range (an id above 2^31-1).
        # That is the client's input, not a server fault, and must not look like a crash.
        log.warning("database refused a value: %s", str(exc.orig).splitlines()[0][:200])
        if "NUL" in str(exc.orig):
            detail = "Text must not contain NUL (\\x00) characters."
        else:
            detail = "A value is out of range or not valid for this field."
        return problem_response(request, status=422, detail=detail)

    @app.exception_handler(DBAPIError)
    async def _db_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return problem_response(
                request,
                status=503,
                detail="The database connection was lost; try again shortly.",
                headers={"Retry-After": "5"},
            )
        log.exception("database error")
        return problem_response(request, status=500, detail="Internal error.")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=exc)
        return problem_response(request, status=500, detail="Internal error.")


_FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ProblemFieldError",
    "type": "object",
    "required": ["field", "message", "location"],
    "properties": {
        "field": {"type": "string", "description": "Dotted path of the input at fault."},
        "message": {"type": "string", "description": "Why it was rejected."},
        "location": {"type": "string", "description": "body, query, path, header or form."},
    },
}
_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; extension members may follow.",
    "required": ["type", "title", "status", "detail", "instance", "errors"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemFieldError"}},
        "retry_after_s": {"type": "integer"},
    },
    "additionalProperties": True,
}
_PROBLEM_CONTENT = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _problem_responses(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    validation = responses.get("422", {}).get("content", {}).get("application/json", {})
    if validation.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
        del responses["422"]
    for code, response in responses.items():
        if code[0] in "45":
            response["content"] = dict(_PROBLEM_CONTENT)
    responses.setdefault("4XX", {"description": "Client error (problem details)"})
    responses.setdefault("503", {"description": "Database unavailable (problem details)"})
    responses["4XX"]["content"] = dict(_PROBLEM_CONTENT)
    responses["503"]["content"] = dict(_PROBLEM_CONTENT)


def document_problems(app: FastAPI) -> None:
    """Make the OpenAPI document tell the truth about errors: every 4xx and 503 is a
    ``application/problem+json`` Problem, not FastAPI's default ``HTTPValidationError``."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if isinstance(operation, dict) and "responses" in operation:
                    _problem_responses(operation)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            held = components.pop(name, None)
            if held is not None and f'"#/components/schemas/{name}"' in json.dumps(schema):
                components[name] = held  # still referenced by a route's own declaration
        components["ProblemFieldError"] = _FIELD_ERROR_SCHEMA
        components["Problem"] = _PROBLEM_SCHEMA
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
