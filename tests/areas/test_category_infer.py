"""A missing category is inferred from the name, else the shipped "Lainnya / Other"."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from directory.accounts.admins import create_admin_token
from directory.areas.category_infer import CategoryInferrer
from directory.errors import InvalidInput
from directory.models import Business, Category
from tests.cli.test_io_commands import cli_db, dekat  # noqa: F401  (fixture)
from tests.factories import make_business
from tests.io.test_businesses_io import row, run, write_csv
from tests.web.forms import log_in_editor

NO_CATEGORY = ("external_id", "name", "lat", "lon", "description")


def slug_of(session: Session, category_id: int | None) -> str | None:
    if category_id is None:
        return None
    return session.scalar(select(Category.slug).where(Category.id == category_id))


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Kopi Kenangan BSD", "kafe-kopi"),
        ("Bengkel Motor Jaya Abadi", "bengkel-motor"),
        ("Salon Cantik Bu Ratna", "salon"),
        ("Apotek K-24 Pamulang", "apotek"),
        ("Warung Kopi Pak Darto", "warkop"),
        ("SALON & SPA Mawar", "salon"),
        ("Masjid Al-Ikhlas", "masjid"),
    ],
)
def test_names_say_the_category(session: Session, name: str, slug: str) -> None:
    inferrer = CategoryInferrer.from_session(session)
    found = slug_of(session, inferrer.infer(name))
    parent = session.scalar(
        select(Category.slug).where(
            Category.id
            == select(Category.parent_id).where(Category.slug == found).scalar_subquery()
        )
    )
    assert slug in (found, parent)


def test_whole_words_only_and_description_as_fallback(session: Session) -> None:
    inferrer = CategoryInferrer.from_session(session)
    assert inferrer.infer("Kopitiam Oey") is None  # "kopi" is not a word of "kopitiam"
    assert inferrer.infer("Salonpas") is None
    assert inferrer.infer("Rizky Jaya") is None
    described = inferrer.infer("Rizky Jaya", "Bengkel motor dan ganti oli")
    assert slug_of(session, described) == "bengkel-motor"
    # the name wins over the description
    assert slug_of(session, inferrer.infer("Salon Rizky", "bengkel motor")) == "salon"


def test_the_fallback_is_never_inferred(session: Session) -> None:
    inferrer = CategoryInferrer.from_session(session)
    assert inferrer.infer("Lainnya") is None
    assert inferrer.infer("Other things") is None


def test_import_without_category_column_infers_and_counts(session: Session, tmp_path: Path) -> None:
    rows = [
        {"external_id": "a", "name": "Kopi Senja", "lat": "-6.30", "lon": "106.65"},
        {"external_id": "b", "name": "Bengkel Motor Jaya", "lat": "-6.30", "lon": "106.66"},
        {"external_id": "c", "name": "Salon Cantik", "lat": "-6.30", "lon": "106.67"},
        {"external_id": "d", "name": "Rizky Jaya", "lat": "-6.30", "lon": "106.68"},
    ]
    report = run(session, write_csv(tmp_path / "b.csv", rows, columns=NO_CATEGORY))
    assert report.errors == []
    assert (report.created, report.inferred, report.defaulted) == (4, 3, 1)
    assert report.default_category == "lainnya"
    by_ext = {
        b.external_id: slug_of(session, b.primary_category_id)
        for b in session.scalars(select(Business))
    }
    assert by_ext["b"] == "bengkel-motor"
    assert by_ext["c"] == "salon"
    assert by_ext["d"] == "lainnya"


def test_no_infer_gives_every_row_the_default(session: Session, tmp_path: Path) -> None:
    rows = [{"name": "Kopi Senja", "lat": "-6.30", "lon": "106.65"}]
    path = write_csv(tmp_path / "b.csv", rows, columns=NO_CATEGORY)
    report = run(session, path, infer=False)
    assert (report.inferred, report.defaulted) == (0, 1)
    business = session.scalars(select(Business)).one()
    assert slug_of(session, business.primary_category_id) == "lainnya"


def test_default_category_lainnya_works(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", [row(1, category="", name="Rizky Jaya", description="")])
    report = run(session, path, default_category="lainnya")
    assert report.created == 1
    assert report.defaulted == 1


def test_missing_category_error_mentions_default_category(session: Session, tmp_path: Path) -> None:
    session.execute(delete(Category).where(Category.slug == "lainnya"))
    session.commit()
    path = write_csv(tmp_path / "b.csv", [row(1, category="", name="Rizky Jaya", description="")])
    report = run(session, path)
    assert not report.written
    [error] = report.errors
    assert error.field == "category"
    assert "--default-category" in error.message
    with pytest.raises(InvalidInput, match="--default-category: unknown category slug 'nope'"):
        run(session, path, default_category="nope")


@pytest.mark.usefixtures("cli_db")
def test_cli_summary_counts_inferred_and_uncategorised(tmp_path: Path) -> None:
    rows = [
        {"name": "Kopi Senja", "lat": "-6.30", "lon": "106.65"},
        {"name": "Rizky Jaya", "lat": "-6.30", "lon": "106.66"},
    ]
    path = write_csv(tmp_path / "b.csv", rows, columns=NO_CATEGORY)
    result = dekat("import", "businesses", path)
    assert result.exit_code == 0, result.output
    assert "categories: 1 inferred from the name, 1 uncategorised (given 'lainnya')" in (
        result.stderr
    )
    result = dekat("import", "businesses", path, "--no-infer", "--default-category", "lainnya")
    assert result.exit_code == 0, result.output
    assert "0 inferred from the name, 2 uncategorised" in result.stderr


def test_editors_see_uncategorised_listings(client: TestClient, session: Session) -> None:
    make_business(session, name="Rizky Jaya", category="lainnya")
    make_business(session, name="Kopi Senja", category="kafe-kopi")
    token = create_admin_token(session, "editor-uji")
    session.commit()
    log_in_editor(client, token)
    page = client.get("/moderasi").text
    assert 'id="uncategorised"' in page
    section = page.split('id="uncategorised"')[1].split("</section>")[0]
    assert "Rizky Jaya" in section
    assert "Kopi Senja" not in section


def test_submission_without_category_is_inferred(client: TestClient, session: Session) -> None:
    response = client.post(
        "/api/v1/submissions",
        json={"name": "Bengkel Motor Sinar", "lat": -6.30, "lon": 106.65},
    )
    assert response.status_code == 201, response.text
    token = response.json()["edit_token"]
    mine = client.get(
        f"/api/v1/submissions/{response.json()['id']}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert mine.json()["fields"]["category"] == "bengkel-motor"
