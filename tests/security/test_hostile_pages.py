"""Hostile text shown in pages and sent through the forms: always escaped, never a crash.

Two kinds of stored text are tried. Text that passed the cleaner (an entity-escaped tag
decodes to a literal ``<script>``; quotes and ``javascript:`` survive as text) and raw
markup written straight into the database (an old import, a restored dump): pages must
escape both, in HTML, attributes, JSON-LD and embedded JSON.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from directory.models import Business, Review
from tests.factories import BSD, make_business
from tests.security import corpus
from tests.security.conftest import World
from tests.security.hostile import judge, unescaped_markup

RAW = '<script>alert(1)</script><img src=x onerror=alert(1)>" onmouseover="alert(1)'
CLEANED_BUT_DANGEROUS = "&lt;script&gt;alert(1)&lt;/script&gt; \" onmouseover=\"alert(1) 'x'"
JSON_BREAKOUT = "</script><script>alert(1)</script>"


def _raw_markers(page: str) -> list[str]:
    found = []
    if marker := unescaped_markup(page):
        found.append(marker)
    if re.search(r'onmouseover="alert', page):
        found.append('onmouseover="alert')
    if "</script><script>alert" in page:
        found.append("</script><script> break-out")
    return found


@pytest.fixture(scope="module")
def hostile_business(world: World) -> tuple[int, str]:
    """A published business whose every text field holds raw markup, with hostile reviews."""
    with world.sessions() as session:
        business = make_business(session, name="Kopi Jahat", address="Jl. Jahat 1")
        session.execute(
            update(Business)
            .where(Business.id == business.id)
            .values(name=RAW, description=f"{RAW}\n{JSON_BREAKOUT}", address=RAW)
        )
        for n, text in enumerate((RAW, JSON_BREAKOUT, CLEANED_BUT_DANGEROUS)):
            session.add(
                Review(business_id=business.id, reviewer_hash=f"{n:064x}", rating=5, text=text)
            )
        session.commit()
        return business.id, business.slug


def test_a_business_page_escapes_raw_markup(
    world: World, hostile_business: tuple[int, str]
) -> None:
    _, slug = hostile_business
    response = world.client.get(f"/b/{slug}")
    assert response.status_code == 200, response.text[:300]
    assert _raw_markers(response.text) == []
    assert "&lt;script&gt;" in response.text or "\\u003cscript" in response.text


def test_api_json_keeps_markup_as_data(world: World, hostile_business: tuple[int, str]) -> None:
    business_id, _ = hostile_business
    response = world.client.get(f"/api/v1/businesses/{business_id}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["name"] == RAW  # JSON is data; the client escapes on display
    assert judge(response, "api detail") is None


@pytest.mark.parametrize(
    "url",
    ["/", "/cari?q=kopi", "/cari?q=jahat", "/area/bsd-city", "/kategori/kafe-kopi"],
)
def test_listing_pages_escape_raw_markup(
    world: World, hostile_business: tuple[int, str], url: str
) -> None:
    response = world.client.get(url)
    assert response.status_code == 200, response.text[:300]
    assert _raw_markers(response.text) == []


@pytest.mark.parametrize("value", corpus.TEXT, ids=repr)
def test_the_search_page_echoes_queries_escaped(world: World, value: str) -> None:
    response = world.client.get("/cari", params={"q": value.encode("utf-8", "replace")})
    assert response.status_code in (200, 422), response.text[:300]
    assert _raw_markers(response.text) == []


def _csrf(client: TestClient, url: str) -> str:
    page = client.get(url).text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF field on {url}"
    return match.group(1)


FORM_FIELDS = ("name", "category", "lat", "lon", "address", "phone", "website",
               "opening_hours", "price_level", "description", "contact_email")  # fmt: skip


def test_the_submission_form_survives_every_hostile_value(world: World) -> None:
    """Each field of the public form: a clean 422 page with the value escaped, or a receipt."""
    client = world.client
    token = _csrf(client, "/daftar")
    base = {
        "csrf_token": token,
        "name": "Kopi Formulir",
        "category": "kafe-kopi",
        "lat": str(BSD[0]),
        "lon": str(BSD[1]),
        "address": "Jl. Formulir",
        "confirm_new": "1",
    }
    failures = []
    values = [*corpus.TEXT, *corpus.NUMBERS[:8], "A" * 100_000]
    for field in FORM_FIELDS:
        for value in values:
            form = {
                **base,
                field: value.encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
            }
            response = client.post("/daftar", data=form, follow_redirects=False)
            what = f"POST /daftar {field}={value[:30]!r}"
            if response.status_code >= 500:
                failures.append(f"{what}: {response.status_code}")
            elif response.status_code not in (303, 413, 422):
                failures.append(f"{what}: unexpected {response.status_code}")
            elif markers := _raw_markers(response.text):
                failures.append(f"{what}: page shows {markers}")
    assert not failures, "\n".join(failures[:20])


def test_forms_refuse_a_missing_or_forged_csrf_token(world: World) -> None:
    form = {"name": "Kopi Palsu", "category": "kafe-kopi", "lat": "-6.3", "lon": "106.65"}
    for token in ("", "forged", "<script>alert(1)</script>"):
        response = world.client.post(
            "/daftar", data={**form, "csrf_token": token}, follow_redirects=False
        )
        assert response.status_code == 403, response.text[:200]
        assert _raw_markers(response.text) == []


def test_moderation_pages_escape_pending_submissions(world: World) -> None:
    """The editor sees raw submitted text too (cleaned, then escaped)."""
    client = world.client
    response = client.post(
        "/api/v1/submissions",
        json={
            "name": "Kopi " + CLEANED_BUT_DANGEROUS,
            "category": "kafe-kopi",
            "lat": BSD[0],
            "lon": BSD[1],
            "description": CLEANED_BUT_DANGEROUS + JSON_BREAKOUT,
            "contact_email": "jahat@example.com",
        },
    )
    assert response.status_code == 201, response.text
    token = _csrf(client, "/moderasi/masuk")
    login = client.post(
        "/moderasi/masuk",
        data={"csrf_token": token, "token": world.actors.admin},
        follow_redirects=False,
    )
    assert login.status_code == 303, login.text[:300]
    queue = client.get("/moderasi")
    assert queue.status_code == 200
    assert "queue-item" in queue.text, re.sub(r"\s+", " ", queue.text)[1200:2500]
    assert _raw_markers(queue.text) == []
    reviews = client.get("/moderasi/ulasan")
    assert reviews.status_code == 200
    assert _raw_markers(reviews.text) == []
