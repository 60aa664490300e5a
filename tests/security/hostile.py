"""Helpers that send the hostile corpus and judge the answers."""

from __future__ import annotations

import json
from typing import Any

import httpx

PROBLEM_KEYS = ("type", "title", "status", "detail", "instance", "errors")


def _reject_constant(token: str) -> Any:
    raise ValueError(f"response JSON contains the non-standard token {token}")


def strict_json(text: str) -> Any:
    """Parse JSON the way a browser does: ``NaN``/``Infinity`` are not JSON."""
    return json.loads(text, parse_constant=_reject_constant)


def judge(response: httpx.Response, what: str) -> str | None:
    """Why this answer to hostile input is wrong, or None when it is a clean 4xx or 2xx."""
    status = response.status_code
    if status >= 500:
        return f"{what}: {status} {response.text[:300]}"
    if "dekat=evil" in response.headers.get("set-cookie", ""):
        return f"{what}: header injection reached Set-Cookie"
    content_type = response.headers.get("content-type", "")
    if status >= 400:
        if not content_type.startswith("application/problem+json") and not content_type.startswith(
            "text/html"
        ):
            return f"{what}: {status} with Content-Type {content_type!r}"
        if content_type.startswith("application/problem+json"):
            try:
                body = strict_json(response.text)
            except ValueError as exc:
                return f"{what}: problem body is not JSON ({exc})"
            missing = [k for k in PROBLEM_KEYS if k not in body]
            if missing:
                return f"{what}: problem body lacks {missing}"
            if body["status"] != status:
                return f"{what}: problem status {body['status']} ≠ {status}"
        return None
    if "json" in content_type:
        try:
            strict_json(response.text)
        except ValueError as exc:
            return f"{what}: {exc}"
    if content_type.startswith("text/html"):
        raw = unescaped_markup(response.text)
        if raw:
            return f"{what}: page shows hostile markup unescaped: {raw}"
    return None


RAW_MARKERS = (
    "<script>alert(",
    "<img src=x onerror",
    "<svg/onload",
    "<iframe src=//example.invalid",
    "<style>body{display:none}",
    "onmouseover='alert(1)",
    '<a href="javascript:alert(1)"',
)


def unescaped_markup(page: str) -> str | None:
    """The first hostile marker that appears raw in an HTML page (escaping removes them)."""
    for marker in RAW_MARKERS:
        if marker in page:
            return marker
    return None
