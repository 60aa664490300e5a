"""Domain exceptions, mapped to HTTP problem details in one place (``api/problems.py``).

Services raise these; routers never build error responses themselves. Each carries the
fields at fault so that an integrator sees *which* input was wrong and *why*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad input: ``field`` is a dotted path (``items[3].kind``), ``message`` the reason."""

    field: str
    message: str
    location: str = "body"


@dataclass
class DirectoryError(Exception):
    """Base of every error the directory reports to a client."""

    detail: str
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    status: int = 400
    title: str = "Bad request"

    def __str__(self) -> str:
        return self.detail


@dataclass
class InvalidInput(DirectoryError, ValueError):
    status: int = 422
    title: str = "Invalid input"


@dataclass
class NotFound(DirectoryError, LookupError):
    status: int = 404
    title: str = "Not found"


@dataclass
class Conflict(DirectoryError):
    status: int = 409
    title: str = "Conflict"


@dataclass
class Unauthorized(DirectoryError):
    status: int = 401
    title: str = "Unauthorized"


@dataclass
class Forbidden(DirectoryError):
    status: int = 403
    title: str = "Forbidden"


@dataclass
class PayloadTooLarge(DirectoryError):
    status: int = 413
    title: str = "Payload too large"


@dataclass
class RateLimited(DirectoryError):
    status: int = 429
    title: str = "Too many requests"
    retry_after_s: int = 60


@dataclass
class ServiceUnavailable(DirectoryError):
    status: int = 503
    title: str = "Service unavailable"


def invalid(field_name: str, message: str, *, location: str = "body") -> InvalidInput:
    """Shorthand for the common single-field validation failure."""
    return InvalidInput(
        detail=f"{field_name}: {message}",
        errors=[FieldError(field=field_name, message=message, location=location)],
    )
