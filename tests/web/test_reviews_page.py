"""Posting a review from the business page: CSRF, errors tied to fields, rating updates."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_business
from tests.web.forms import csrf_from
from tests.web.html import parse


def test_review_is_posted_and_the_rating_changes(client: TestClient, session: Session) -> None:
    business = make_business(session, name="Kopi Ulasan", rating="4", rating_count="1")
    path = f"/b/{business.slug}"
    token = csrf_from(client, path)
    response = client.post(
        f"{path}/ulasan",
        data={"csrf_token": token, "rating": "2", "text": "Antre lama <b>sekali</b>"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{path}?ulasan=terkirim#ulasan"
    assert "dekat_reviewer" in response.cookies
    page = client.get(response.headers["location"])
    doc = parse(page.text)
    assert "(2 penilaian)" in doc.by_id("business-rating").text
    assert "3,0" in doc.by_id("business-rating").text
    reviews = doc.find_all("li", class_="review")
    assert [r.find_all("p", class_="review-text")[0].text for r in reviews] == ["Antre lama sekali"]
    # The same browser reviews again: it replaces its review instead of adding one.
    again = client.post(
        f"{path}/ulasan", data={"csrf_token": token, "rating": "5"}, follow_redirects=True
    )
    assert "(2 penilaian)" in parse(again.text).by_id("business-rating").text
    assert "4,5" in parse(again.text).by_id("business-rating").text


def test_missing_rating_is_shown_next_to_the_field(client: TestClient, session: Session) -> None:
    business = make_business(session, name="Kopi Salah")
    token = csrf_from(client, f"/b/{business.slug}")
    response = client.post(f"/b/{business.slug}/ulasan", data={"csrf_token": token, "text": "enak"})
    assert response.status_code == 422
    doc = parse(response.text)
    error = doc.by_id("rating-error")
    assert "bintang" in error.text
    fieldset = doc.find_all("fieldset", class_="stars-input")[0]
    assert fieldset.attrs["aria-describedby"] == "rating-error"
    assert doc.by_id("review-text").text == "enak"


def test_review_without_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    business = make_business(session, name="Kopi Aman")
    client.get(f"/b/{business.slug}")
    response = client.post(f"/b/{business.slug}/ulasan", data={"rating": "5"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    forged = client.post(f"/b/{business.slug}/ulasan", data={"rating": "5", "csrf_token": "x" * 43})
    assert forged.status_code == 403


def test_honeypot_review_is_dropped(client: TestClient, session: Session) -> None:
    business = make_business(session, name="Kopi Madu")
    token = csrf_from(client, f"/b/{business.slug}")
    response = client.post(
        f"/b/{business.slug}/ulasan",
        data={"csrf_token": token, "rating": "1", "website_url_confirm": "http://spam"},
    )
    assert response.status_code == 200
    assert "Belum ada rating" in parse(response.text).by_id("business-rating").text


def test_too_many_reviews_get_an_html_429(
    client: TestClient, session: Session, settings: object
) -> None:
    from directory.settings import Settings

    assert isinstance(settings, Settings)
    business = make_business(session, name="Kopi Ramai")
    token = csrf_from(client, f"/b/{business.slug}")
    statuses = [
        client.post(
            f"/b/{business.slug}/ulasan", data={"csrf_token": token, "rating": "5"}
        ).status_code
        for _ in range(settings.rate_limit_reviews_per_hour + 1)
    ]
    assert statuses[-1] == 429
    last = client.post(f"/b/{business.slug}/ulasan", data={"csrf_token": token, "rating": "5"})
    assert last.headers["content-type"].startswith("text/html")
    assert int(last.headers["retry-after"]) > 0
    assert "Terlalu banyak permintaan" in last.text
