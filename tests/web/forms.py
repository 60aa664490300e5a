"""Helpers for page tests that submit forms: the CSRF token a page hands out."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.web.html import parse


def csrf_from(client: TestClient, path: str) -> str:
    """GET ``path`` and return the CSRF token of its first form (the cookie is kept)."""
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    inputs = parse(response.text).find_all("input", name="csrf_token")
    assert inputs, f"no csrf_token field on {path}"
    return inputs[0].attrs["value"]


def valid_submission(**overrides: str) -> dict[str, str]:
    """A submission form that passes validation (a warung in BSD City)."""
    fields = {
        "name": "Warung Bu Tini",
        "category": "warung-makan",
        "lat": "-6.2950",
        "lon": "106.6600",
        "address": "Jl. Rawa Buntu No. 3",
        "phone": "0812-7777-8888",
        "opening_hours": "Mo-Sa 07:00-15:00",
        "price_level": "1",
        "description": "Nasi rames dan sayur asem.",
    }
    fields.update(overrides)
    return fields


def submit(client: TestClient, **overrides: str) -> str:
    """Submit a valid business through the form; returns the private link's path#fragment."""
    token = csrf_from(client, "/daftar")
    response = client.post(
        "/daftar",
        data={"csrf_token": token, **valid_submission(**overrides)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:2000]
    receipt = client.get(response.headers["location"])
    link = parse(receipt.text).by_id("edit-link").find_all("a")[0].attrs["href"]
    return link.removeprefix("http://testserver")


def open_private_link(client: TestClient, link: str) -> Any:
    """Do what the owner page's script does with ``/pemilik/{id}#token=…``: the fragment
    never goes to the server; the token is POSTed to ``/pemilik/{id}/masuk``."""
    path, _, fragment = link.partition("#")
    assert fragment.startswith("token=dk_edit_"), link
    landing = client.get(path)
    assert landing.status_code in (200, 401)
    form = parse(landing.text).by_id("owner-link-form")
    csrf = form.find_all("input", name="csrf_token")[0].attrs["value"]
    return client.post(
        f"{path}/masuk",
        data={"csrf_token": csrf, "token": fragment.removeprefix("token=")},
        follow_redirects=False,
    )


def log_in_editor(client: TestClient, admin_token: str) -> str:
    """Log in to /moderasi; returns the moderation CSRF token of the queue page."""
    token = csrf_from(client, "/moderasi/masuk")
    response = client.post(
        "/moderasi/masuk",
        data={"csrf_token": token, "token": admin_token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    queue = client.get("/moderasi")
    return parse(queue.text).find_all("input", name="csrf_token")[0].attrs["value"]
