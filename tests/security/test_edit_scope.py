"""Finding 10: an edit writes only the fields it names.

Before: approving a name edit re-validated the whole listing and wrote every field back,
so a description stored before today's cleaning rules (here a literal ``</script>`` an
earlier cleaner had decoded from ``&lt;/script&gt;``) was silently rewritten while the
audit log listed only ``name``.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from directory.models import Business
from tests.moderation_helpers import approve, bearer, make_admin, submit

OLD_TEXT = {
    "description": "Promo </script> &amp;  <b>diskon</b>\n\n\n\nhari ini",
    "address": "Jl.  Pahlawan   Seribu <i>No. 7</i>",
    "opening_hours": "Mo-Fr 08:00-22:00; Sa-Su 09:00-23:00",
}


def _published_with_old_text(
    client: TestClient, sessions: sessionmaker[Session]
) -> tuple[str, str, int]:
    admin = make_admin(sessions)
    sub = submit(client)
    business_id = approve(client, admin, sub["id"])["business_id"]
    with sessions() as session:
        session.execute(update(Business).where(Business.id == business_id).values(**OLD_TEXT))
        session.commit()
    return admin, sub["edit_token"], business_id


def _stored(sessions: sessionmaker[Session], business_id: int) -> dict[str, object]:
    with sessions() as session:
        business = session.get(Business, business_id)
        assert business is not None
        return {k: getattr(business, k) for k in (*OLD_TEXT, "name", "phone", "lat", "lon")}


def test_approving_a_name_edit_changes_only_the_name(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin, token, business_id = _published_with_old_text(client, sessions)
    before = _stored(sessions, business_id)
    response = client.patch(
        f"/api/v1/owner/businesses/{business_id}", json={"name": "Kopi Fajar"},
        headers=bearer(token),
    )  # fmt: skip
    assert response.status_code == 200, response.text
    review = response.json()["pending_review"]
    assert _stored(sessions, business_id) == before  # queued, nothing applied yet
    approve(client, admin, review["id"])
    after = _stored(sessions, business_id)
    assert after == {**before, "name": "Kopi Fajar"}
    audit = client.get("/api/v1/admin/audit", headers=bearer(admin)).json()["items"]
    edits = [e for e in audit if e["action"] == "edit" and e["subject_id"] == str(business_id)]
    assert [e["detail"]["fields"] for e in edits] == [["name"]]


def test_an_owners_phone_edit_changes_only_the_phone(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    _, token, business_id = _published_with_old_text(client, sessions)
    before = _stored(sessions, business_id)
    response = client.patch(
        f"/api/v1/owner/businesses/{business_id}", json={"phone": "0811-222-3333"},
        headers=bearer(token),
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["applied"] == ["phone"]
    assert _stored(sessions, business_id) == {**before, "phone": "+628112223333"}


def test_edit_forms_round_trip_escaped_text(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    """An owner writing ``&lt;/script&gt;`` gets exactly that text back, pass after pass."""
    _, token, business_id = _published_with_old_text(client, sessions)
    text = "Kami tulis &lt;/script&gt; apa adanya"
    for _ in range(2):
        response = client.patch(
            f"/api/v1/owner/businesses/{business_id}", json={"description": text},
            headers=bearer(token),
        )  # fmt: skip
        assert response.status_code == 200, response.text
        assert _stored(sessions, business_id)["description"] == text
