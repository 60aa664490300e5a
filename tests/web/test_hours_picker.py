"""Hours as people write them, in the forms and the API; the per-day picker (no JS)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.hours import hours_from_picker
from directory.models import Submission
from tests.web.forms import csrf_from, valid_submission
from tests.web.html import parse


def latest(session: Session) -> Submission:
    session.expire_all()
    return session.scalars(select(Submission).order_by(Submission.created_at.desc())).first()


def post(client: TestClient, **fields: object) -> int:
    token = csrf_from(client, "/daftar")
    response = client.post(
        "/daftar",
        data={"csrf_token": token, **valid_submission(), **fields},
        follow_redirects=False,
    )
    return response.status_code


def test_form_accepts_indonesian_hours(client: TestClient, session: Session) -> None:
    assert post(client, opening_hours="Senin-Jumat 08.00-17.00, Sabtu 08.00-12.00") == 303
    assert latest(session).payload["opening_hours"] == ("Mo-Fr 08:00-17:00; Sa 08:00-12:00; Su off")


def test_form_has_a_day_by_day_picker_that_works_without_js(
    client: TestClient, session: Session
) -> None:
    doc = parse(client.get("/daftar").text)
    assert len(doc.find_all("input", name="hours_open")) == 7
    assert len(doc.find_all("input", name="hours_close")) == 7
    opens = ["08:00"] * 5 + ["18:00", ""]
    closes = ["17:00"] * 5 + ["02:00", ""]
    assert post(client, opening_hours="", hours_open=opens, hours_close=closes) == 303
    assert latest(session).payload["opening_hours"] == ("Mo-Fr 08:00-17:00; Sa 18:00-02:00; Su off")


def test_the_text_field_wins_over_the_picker(client: TestClient, session: Session) -> None:
    opens, closes = ["08:00"] * 7, ["09:00"] * 7
    assert post(client, opening_hours="24 jam", hours_open=opens, hours_close=closes) == 303
    assert latest(session).payload["opening_hours"] == "24/7"


def test_unknown_part_is_named_at_the_field(client: TestClient) -> None:
    token = csrf_from(client, "/daftar")
    response = client.post(
        "/daftar",
        data={"csrf_token": token, **valid_submission(opening_hours="Senin kecuali 08.00-17.00")},
    )
    assert response.status_code == 422
    assert "kecuali" in parse(response.text).by_id("opening_hours-error").text


def test_api_accepts_written_hours(client: TestClient) -> None:
    for text, canonical in [
        ("Senin-Jumat 08.00-17.00", "Mo-Fr 08:00-17:00; Sa,Su off"),
        ("24 jam", "24/7"),
        ("Mo-Fr 07.00-15.00", "Mo-Fr 07:00-15:00; Sa,Su off"),
    ]:
        response = client.post(
            "/api/v1/submissions",
            json={"name": "Warung Uji", "category": "warung-makan", "lat": -6.3, "lon": 106.65,
                  "opening_hours": text},
        )  # fmt: skip
        assert response.status_code == 201, response.text
        mine = client.get(
            f"/api/v1/submissions/{response.json()['id']}",
            headers={"Authorization": f"Bearer {response.json()['edit_token']}"},
        )
        assert mine.json()["fields"]["opening_hours"] == canonical


def test_picker_text() -> None:
    assert hours_from_picker([""] * 7, [""] * 7) == ""
    assert hours_from_picker(["08:00"] + [""] * 6, ["17:00"] + [""] * 6) == (
        "Mo-Su off; Mo 08:00-17:00"
    )
