"""Area resolution with confidence (issue 12, item 5) on the shipped gazetteer.

Slug, name and alias beat near misses; a near miss is used only when it is clearly the
best and close enough, and the answer says how the area was found.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from directory.errors import NotFound
from directory.search.area_lookup import match_area, resolve_area, suggest_areas
from directory.search.catalog import AreaInfo, Catalog, get_catalog
from directory.search.text_match import words
from directory.shipped_data import AreaSeed, load_areas

SHIPPED = load_areas()


def _ancestors(catalog: Catalog, area: AreaInfo) -> list[str]:
    out: list[str] = []
    node = catalog.areas.get(area.parent_id) if area.parent_id else None
    while node is not None:
        out.append(node.slug)
        node = catalog.areas.get(node.parent_id) if node.parent_id else None
    return out


@pytest.mark.parametrize(
    ("text", "slug", "how"),
    [
        ("pondok indah", "pondok-indah", "exact"),
        ("Pondok Cabe", "pondok-cabe", "exact"),
        ("Blok M", "blok-m", "exact"),
        ("blok-m", "blok-m", "exact"),
        ("SCBD", "scbd", "exact"),
        ("Sudirman", "sudirman", "exact"),
        ("Kuningan", "kuningan", "exact"),
        ("Mega Kuningan", "kuningan", "alias"),
        ("Senayan", "senayan", "exact"),
        ("Cipete", "cipete", "exact"),
        ("Gandaria", "gandaria", "exact"),
        ("Lebak Bulus", "lebak-bulus", "exact"),
        ("PIK", "pantai-indah-kapuk", "alias"),
        ("Pantai Indah Kapuk", "pantai-indah-kapuk", "exact"),
        ("Kelapa Gading", "kelapa-gading", "exact"),
        ("Graha Raya", "graha-raya", "exact"),
        ("bintaro sektor 9", "bintaro-sektor-9", "exact"),
        ("Bintaro Sektor 3A", "bintaro-sektor-3", "alias"),
        ("Kebayoran Baru", "kebayoran-baru", "exact"),
        ("Kemayoran", "kemayoran", "exact"),
        ("Alsut", "alam-sutera", "alias"),
        ("BSD", "bsd-city", "alias"),
        ("Pd. Aren", "pondok-aren", "exact"),
        ("kelurahan serpong", "kelurahan-serpong", "exact"),
        ("pamulng", "pamulang", "corrected"),
        ("serpong utra", "serpong-utara", "corrected"),
        ("kelapa gadng", "kelapa-gading", "corrected"),
    ],
)
def test_named_places_resolve(session: Session, text: str, slug: str, how: str) -> None:
    found = match_area(get_catalog(session), text)
    assert found is not None, text
    assert (found.area.slug, found.how) == (slug, how)
    assert 0 < found.score <= 1
    assert (found.score == 1.0) == (how != "corrected")


def test_kemang_is_the_jakarta_selatan_neighbourhood(session: Session) -> None:
    catalog = get_catalog(session)
    found = match_area(catalog, "kemang")
    assert found is not None
    assert "jakarta-selatan" in _ancestors(catalog, found.area)
    assert "kabupaten-bogor" not in _ancestors(catalog, found.area)
    # The regency's kecamatan is still reachable by its slug.
    other = match_area(catalog, "kemang-kabupaten-bogor")
    assert other is not None
    assert "kabupaten-bogor" in _ancestors(catalog, other.area)


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("kebayoran", "kemayoran"),  # a word of Kebayoran Baru/Lama, not a typo
        ("pondok indh zzz", "pondok-indah"),
        ("pondok benda raya", "pondok-benda"),
        ("cabe", "pondok-cabe"),
        ("jakarta", None),  # the province's alias, not a kelurahan
    ],
)
def test_no_silent_substitution(session: Session, text: str, wrong: str | None) -> None:
    found = match_area(get_catalog(session), text)
    if wrong is None:
        assert found is not None
        assert found.area.slug == "dki-jakarta"
    else:
        assert found is None or found.area.slug != wrong
        if text == "kebayoran":
            assert found is None


def test_ambiguous_name_gets_suggestions_not_a_guess(session: Session) -> None:
    catalog = get_catalog(session)
    with pytest.raises(NotFound) as caught:
        resolve_area(catalog, "kebayoran")
    slugs = [s["slug"] for s in caught.value.extra["suggestions"]]
    assert set(slugs[:2]) == {"kebayoran-baru", "kebayoran-lama"}
    assert "kemayoran" not in slugs
    assert caught.value.extra["suggestions"][0]["parent"] == "Jakarta Selatan"


def test_unknown_words_are_not_replaced_by_other_words(session: Session) -> None:
    catalog = get_catalog(session)
    # "indah" is not a typo of "benda": two letters differ in a five-letter word.
    assert match_area(catalog, "pondok bendah") is not None  # one letter: a typo
    assert match_area(catalog, "pondok indah raya") is None
    assert match_area(catalog, "qqqq zzzz") is None
    assert [a.slug for a in suggest_areas(catalog, "gandaria")][0] == "gandaria"


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(SHIPPED))
def test_every_name_and_slug_finds_an_area_of_that_name(session: Session, seed: AreaSeed) -> None:
    catalog = get_catalog(session)
    by_slug = match_area(catalog, seed.slug)
    assert by_slug is not None
    assert by_slug.area.slug == seed.slug
    by_name = match_area(catalog, seed.name)
    assert by_name is not None
    assert by_name.how in ("exact", "alias")
    names = {" ".join(words(n)) for n in (by_name.area.name, *by_name.area.aliases)}
    assert " ".join(words(seed.name)) in names


def test_search_answer_says_which_area_and_how(client: TestClient) -> None:
    body = client.get("/api/v1/businesses", params={"area": "pondok indah"}).json()
    assert body["area_match"] == {"slug": "pondok-indah", "name": "Pondok Indah", "how": "exact"}
    assert body["area"]["slug"] == "pondok-indah"
    body = client.get("/api/v1/businesses", params={"area": "pamulng"}).json()
    assert body["area_match"] == {"slug": "pamulang", "name": "Pamulang", "how": "corrected"}
    body = client.get("/api/v1/businesses", params={"area": "PIK"}).json()
    assert body["area_match"]["how"] == "alias"
    body = client.get("/api/v1/businesses").json()
    assert body["area_match"] is None


def test_ambiguous_area_is_a_404_with_suggestions(client: TestClient) -> None:
    response = client.get("/api/v1/businesses", params={"area": "kebayoran"})
    assert response.status_code == 404
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    names = [s["name"] for s in body["suggestions"]]
    assert set(names[:2]) == {"Kebayoran Baru", "Kebayoran Lama"}
    assert "Kemayoran" not in names


def test_area_named_in_the_words_says_how(client: TestClient) -> None:
    body = client.get("/api/v1/businesses", params={"q": "kopi di bsd"}).json()
    assert body["area_match"] == {"slug": "bsd-city", "name": "BSD City", "how": "alias"}
    body = client.get("/api/v1/businesses", params={"q": "kopi di pondok indah"}).json()
    assert body["area_match"]["how"] == "exact"
