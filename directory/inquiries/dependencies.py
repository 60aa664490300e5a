"""Dependencies of the inquiry routers: the receipt token, ids, absolute links."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from directory.accounts.tokens import bearer_token
from directory.settings import Settings

_receipt_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ReceiptToken",
    description="The receipt token returned once by POST /businesses/{id}/inquiries.",
)


def get_receipt_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_receipt_scheme)],
) -> str | None:
    """The buyer's receipt token sent as ``Authorization: Bearer``, or None."""
    if credentials is None:
        return None
    return bearer_token(f"Bearer {credentials.credentials}")


def site_base(request: Request) -> str:
    """Where absolute links start: the configured public base URL, else this request's
    own base (its Host already checked by TrustedHostMiddleware)."""
    settings: Settings = request.app.state.settings
    return settings.public_base_url or str(request.base_url).rstrip("/")


ReceiptTokenDep = Annotated[str | None, Depends(get_receipt_token)]
SiteDep = Annotated[str, Depends(site_base)]
InquiryIdPath = Annotated[
    str,
    Path(min_length=3, max_length=40, pattern=r"^[A-Za-z0-9_-]+$", description="Inquiry id."),
]
