"""What pages record about readers: views and contact clicks under a random visitor id,
only from this site's pages, never for a reader who said no (DNT, GPC, opt-out)."""

from __future__ import annotations

from collections.abc import Iterator
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.app import create_app
from directory.models import Business, Interaction
from directory.readers.visitor import OPTOUT_COOKIE, VISITOR_COOKIE, pseudonym
from directory.settings import Settings
from tests.factories import make_business
from tests.security import corpus
from tests.security.hostile import judge
from tests.web.html import parse

SAME_ORIGIN = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}


def _events(session: Session) -> list[Interaction]:
    session.commit()  # end the read transaction: see what the app wrote since
    session.expire_all()
    return list(session.scalars(select(Interaction).order_by(Interaction.id)))


def _set_cookie(response: Response, name: str) -> dict[str, str] | None:
    """The attributes of the Set-Cookie for ``name`` (lower-case keys), or None."""
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if name in jar:
            morsel = jar[name]
            attrs = {k.lower(): str(v) for k, v in morsel.items() if v}
            attrs["value"] = morsel.value
            return attrs
    return None


def _page_csrf(client: TestClient, slug: str, **headers: str) -> str:
    response = client.get(f"/b/{slug}", headers=headers)
    assert response.status_code == 200
    return parse(response.text).find_all("input", name="csrf_token")[0].attrs["value"]


def _click(
    client: TestClient, business_id: int, action: str, csrf: str, **headers: str
) -> Response:
    return client.post(
        "/events",
        data={"business": str(business_id), "action": action, "csrf_token": csrf},
        headers={**SAME_ORIGIN, **headers},
    )


@pytest.fixture
def place(session: Session) -> Business:
    return make_business(session, name="Kopi Catat", phone="0812-3456-7890",
                         website="https://kopicatat.id")  # fmt: skip


def test_a_business_page_records_a_view_under_a_random_visitor_cookie(
    client: TestClient, session: Session, place: Business
) -> None:
    response = client.get(f"/b/{place.slug}")
    assert response.status_code == 200
    cookie = _set_cookie(response, VISITOR_COOKIE)
    assert cookie is not None
    assert cookie["httponly"]
    assert cookie["samesite"].lower() == "lax"
    assert "secure" not in cookie  # plain http here; see the https test
    assert 360 * 86400 <= int(cookie["max-age"]) <= 366 * 86400
    visitor_id = cookie["value"]
    [event] = _events(session)
    assert (event.kind, event.action, event.source) == ("view", "view", "page")
    assert event.business_id == place.id
    # Stored under a pseudonym, not the cookie value; no address anywhere in the row.
    assert event.user_id == pseudonym(visitor_id)
    assert visitor_id not in event.user_id
    assert not any("testclient" in str(v) for v in vars(event).values())
    # The page loads the event script and tells it where to send, with its CSRF token.
    doc = parse(response.text)
    article = doc.find_all("article", class_="business")[0]
    assert article.attrs["data-events-url"] == "/events"
    assert article.attrs["data-business-id"] == str(place.id)
    assert any("js/events.js" in s.attrs.get("src", "") for s in doc.find_all("script"))
    assert doc.by_id("business-whatsapp").attrs["data-event"] == "whatsapp"
    assert doc.by_id("business-directions").attrs["data-event"] == "directions"

    # A reload does not count again, and the same visitor keeps the same id.
    again = client.get(f"/b/{place.slug}")
    assert _set_cookie(again, VISITOR_COOKIE) is None
    assert len(_events(session)) == 1
    assert session.get(Business, place.id).interaction_count == 1  # type: ignore[union-attr]


def test_over_https_the_visitor_cookie_is_secure(settings: Settings, session: Session) -> None:
    """A site configured on https gives the visitor cookie ``Secure`` (as every cookie)."""
    place = make_business(session)
    app = create_app(settings.model_copy(update={"public_base_url": "https://testserver"}))
    try:
        with TestClient(app, base_url="https://testserver") as client:
            cookie = _set_cookie(client.get(f"/b/{place.slug}"), VISITOR_COOKIE)
    finally:
        app.state.engine.dispose()
    assert cookie is not None
    assert "secure" in cookie


@pytest.mark.parametrize("header", [{"DNT": "1"}, {"Sec-GPC": "1"}])
def test_do_not_track_and_gpc_mean_no_cookie_and_nothing_stored(
    client: TestClient, session: Session, place: Business, header: dict[str, str]
) -> None:
    response = client.get(f"/b/{place.slug}", headers=header)
    assert response.status_code == 200
    assert _set_cookie(response, VISITOR_COOKIE) is None
    doc = parse(response.text)
    assert "data-events-url" not in doc.find_all("article", class_="business")[0].attrs
    assert not any("js/events.js" in s.attrs.get("src", "") for s in doc.find_all("script"))
    csrf = doc.find_all("input", name="csrf_token")[0].attrs["value"]
    click = _click(client, place.id, "whatsapp", csrf, **header)
    assert click.status_code == 202
    assert click.json()["recorded"] is False
    assert _set_cookie(click, VISITOR_COOKIE) is None
    assert _events(session) == []
    # Even a browser that already has a visitor id is not recorded while it says no.
    client.get(f"/b/{place.slug}")
    assert len(_events(session)) == 1
    client.get(f"/b/{place.slug}?lang=en", headers=header)
    _click(client, place.id, "phone", csrf, **header)
    assert len(_events(session)) == 1


def test_robots_and_prefetches_are_not_readers(
    client: TestClient, session: Session, place: Business
) -> None:
    bot = {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}
    assert client.get(f"/b/{place.slug}", headers=bot).status_code == 200
    assert client.get(f"/b/{place.slug}", headers={"Sec-Purpose": "prefetch"}).status_code == 200
    assert _events(session) == []


def test_clicks_are_recorded_with_their_action(
    client: TestClient, session: Session, place: Business
) -> None:
    csrf = _page_csrf(client, place.slug)
    for action in ("phone", "whatsapp", "directions", "website"):
        response = _click(client, place.id, action, csrf)
        assert response.status_code == 202, response.text
        assert response.json() == {"recorded": True, "reason": None}
    events = _events(session)
    assert [(e.action, e.kind) for e in events] == [
        ("view", "view"),
        ("phone", "call"),
        ("whatsapp", "call"),
        ("directions", "click"),
        ("website", "click"),
    ]
    assert len({e.user_id for e in events}) == 1
    assert {e.source for e in events} == {"page"}
    # A second tap on the same link soon after is the same intent: not stored again.
    again = _click(client, place.id, "phone", csrf)
    assert again.json() == {"recorded": False, "reason": "repeat"}
    assert len(_events(session)) == 5


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "null"},
        {"Origin": "", "Sec-Fetch-Site": ""},
    ],
)
def test_events_from_other_sites_are_refused(
    client: TestClient, session: Session, place: Business, headers: dict[str, str]
) -> None:
    csrf = _page_csrf(client, place.slug)
    response = client.post(
        "/events",
        data={"business": str(place.id), "action": "phone", "csrf_token": csrf},
        headers={k: v for k, v in headers.items() if v},
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "Origin"
    assert [e.action for e in _events(session)] == ["view"]


def test_events_need_the_pages_csrf_token(
    client: TestClient, session: Session, place: Business
) -> None:
    _page_csrf(client, place.slug)
    response = _click(client, place.id, "phone", "not-the-token")
    assert response.status_code == 403
    fresh = TestClient(client.app)  # no cookies at all: no token to match
    assert _click(fresh, place.id, "phone", "x" * 43).status_code == 403
    assert [e.action for e in _events(session)] == ["view"]


def test_bad_events_name_the_field(client: TestClient, session: Session, place: Business) -> None:
    csrf = _page_csrf(client, place.slug)
    hidden = make_business(session, status="pending")
    cases = [
        ({"business": str(place.id), "action": "stare"}, "action"),
        ({"business": "abc", "action": "phone"}, "business"),
        ({"business": "999999", "action": "phone"}, "business"),
        ({"business": str(hidden.id), "action": "phone"}, "business"),
        ({"business": "9" * 30, "action": "phone"}, "business"),
        ({"business": "\u0661\u0662", "action": "phone"}, "business"),  # Arabic-Indic digits
    ]
    for data, field in cases:
        response = client.post("/events", data={**data, "csrf_token": csrf}, headers=SAME_ORIGIN)
        assert response.status_code == 422, (data, response.text)
        assert response.json()["errors"][0]["field"] == field
    assert [e.action for e in _events(session)] == ["view"]


@pytest.fixture
def strict_client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"rate_limit_events_per_minute": 4}))
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


def test_each_visitor_has_an_event_limit(
    strict_client: TestClient, session: Session, place: Business
) -> None:
    csrf = _page_csrf(strict_client, place.slug)  # the view is the first of 4
    for action in ("phone", "whatsapp", "website"):
        assert _click(strict_client, place.id, action, csrf).status_code == 202
    over = _click(strict_client, place.id, "directions", csrf)
    assert over.status_code == 429
    assert int(over.headers["Retry-After"]) >= 1
    assert len(_events(session)) == 4
    # Another visitor (another browser) is not held back by the first one.
    other = TestClient(strict_client.app)
    other_csrf = _page_csrf(other, place.slug)
    assert _click(other, place.id, "phone", other_csrf).status_code == 202
    assert len(_events(session)) == 6


def test_opting_out_deletes_the_history_and_stops_recording(
    client: TestClient, session: Session, place: Business
) -> None:
    other = make_business(session, name="Bakso Lain")
    csrf = _page_csrf(client, place.slug)
    _click(client, place.id, "whatsapp", csrf)
    client.get(f"/b/{other.slug}")
    someone_else = TestClient(client.app)
    someone_else.get(f"/b/{place.slug}")
    assert len(_events(session)) == 4

    privacy = client.get("/privasi")
    assert privacy.status_code == 200
    doc = parse(privacy.text)
    assert "3 catatan tersimpan" in doc.by_id("privacy-status").text
    token = doc.find_all("input", name="csrf_token")[0].attrs["value"]
    assert (
        client.post("/privasi", data={"choice": "opt-out", "csrf_token": "bad"}).status_code == 403
    )
    done = client.post(
        "/privasi", data={"choice": "opt-out", "csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/privasi?status=opted-out"
    assert _set_cookie(done, OPTOUT_COOKIE)["value"] == "1"  # type: ignore[index]
    removed = _set_cookie(done, VISITOR_COOKIE)
    assert removed is not None
    assert removed["value"] == ""
    assert int(removed["max-age"]) == 0

    # Only the other reader's view is left, and the counts agree with the rows.
    remaining = _events(session)
    assert len(remaining) == 1
    assert remaining[0].business_id == place.id
    assert session.get(Business, place.id).interaction_count == 1  # type: ignore[union-attr]
    assert session.get(Business, other.id).interaction_count == 0  # type: ignore[union-attr]

    # From now on this browser is not recorded and gets no new id.
    page = client.get(f"/b/{other.slug}")
    assert _set_cookie(page, VISITOR_COOKIE) is None
    assert _click(client, other.id, "phone", csrf).json()["recorded"] is False
    assert len(_events(session)) == 1
    status = parse(client.get("/privasi?status=opted-out").text)
    assert status.by_id("privacy-notice").text.startswith("Selesai")
    assert "memilih keluar" in status.by_id("privacy-status").text

    # Opting in again is one button away.
    token = status.find_all("input", name="csrf_token")[0].attrs["value"]
    back = client.post(
        "/privasi", data={"choice": "opt-in", "csrf_token": token}, follow_redirects=False
    )
    assert _set_cookie(back, OPTOUT_COOKIE)["value"] == ""  # type: ignore[index]
    client.get(f"/b/{other.slug}")
    assert len(_events(session)) == 2


@pytest.mark.parametrize(
    ("lang", "heading", "link"),
    [("id", "Privasi: apa yang dicatat Dekat tentang pembaca", "Privasi"),
     ("en", "Privacy: what Dekat records about readers", "Privacy")],
)  # fmt: skip
def test_the_privacy_note_is_linked_from_every_page(
    client: TestClient, lang: str, heading: str, link: str
) -> None:
    home = parse(client.get(f"/?lang={lang}").text)
    assert home.by_id("privacy-link").attrs["href"] == "/privasi"
    assert home.by_id("privacy-link").text == link
    page = client.get("/privasi")
    assert page.status_code == 200
    doc = parse(page.text)
    assert doc.find_all("h1")[0].text == heading
    assert page.headers["Cache-Control"] == "no-store"
    assert "IP" in doc.by_id("privacy").text
    assert doc.by_id("opt-out").attrs["type"] == "submit"


def test_the_privacy_page_says_when_the_browser_asks_not_to_be_tracked(
    client: TestClient,
) -> None:
    doc = parse(client.get("/privasi?lang=en", headers={"Sec-GPC": "1"}).text)
    assert "asks not to be tracked" in doc.by_id("privacy-status").text
    assert doc.find_all("button", id="opt-out") == []


def test_a_reader_who_turned_on_gpc_can_still_delete_what_was_recorded(
    client: TestClient, session: Session, place: Business
) -> None:
    client.get(f"/b/{place.slug}")
    assert len(_events(session)) == 1
    doc = parse(client.get("/privasi", headers={"Sec-GPC": "1"}).text)
    token = doc.find_all("input", name="csrf_token")[0].attrs["value"]
    assert doc.by_id("opt-out").attrs["type"] == "submit"
    done = client.post(
        "/privasi",
        data={"choice": "opt-out", "csrf_token": token},
        headers={"Sec-GPC": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert _events(session) == []


def test_hostile_event_fields_get_clean_answers(
    client: TestClient, session: Session, place: Business
) -> None:
    """Every string of the hostile corpus in every field: a clean 4xx, never a 5xx; what
    is stored is only ever a real action on a real place."""
    csrf = _page_csrf(client, place.slug)
    baseline = {"business": str(place.id), "action": "phone", "csrf_token": csrf}
    failures = []
    for field in ("business", "action", "csrf_token"):
        for value in (*corpus.TEXT, *corpus.SIZES[:3], *corpus.NUMBERS):
            raw = urlencode({**baseline, field: value}, errors="surrogatepass")
            response = client.post(
                "/events",
                content=raw.encode(),
                headers={**SAME_ORIGIN, "content-type": "application/x-www-form-urlencoded"},
            )
            reason = judge(response, f"/events {field}={value[:40]!r}")  # type: ignore[arg-type]
            if reason:
                failures.append(reason)
    assert not failures, "\n".join(failures[:20])
    stored = {(e.business_id, e.action) for e in _events(session)}
    assert stored <= {(place.id, "view"), (place.id, "phone")}
