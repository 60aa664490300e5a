"""Duplicate matching: the cases an editor would judge at a glance, plus invariants."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.businesses.matching import (
    CANDIDATE_RADIUS_M,
    MATCH_THRESHOLD,
    POSSIBLE_MATCH_THRESHOLD,
    MatchCandidate,
    MatchQuery,
    MatchResult,
    address_similarity,
    name_similarity,
    normalize_business_name,
    phone_key,
    rank_matches,
    score_match,
)
from directory.geo import METERS_PER_DEG_LAT, distance_m

LAT, LON = -6.3016, 106.6527  # BSD City


def north(dist_m: float) -> float:
    """Latitude ``dist_m`` metres north of the reference point."""
    return LAT + dist_m / METERS_PER_DEG_LAT


def candidate(
    name: str, *, dist_m: float = 0.0, business_id: int = 1, **kw: str | None
) -> MatchCandidate:
    """A listing ``dist_m`` north of the reference point."""
    return MatchCandidate(business_id=business_id, name=name, lat=north(dist_m), lon=LON, **kw)


def query(name: str, **kw: str | None) -> MatchQuery:
    """A lookup at the reference point."""
    return MatchQuery(name=name, lat=LAT, lon=LON, **kw)


def test_reference_points_are_where_the_tests_say() -> None:
    assert distance_m(LAT, LON, north(3000), LON) == pytest.approx(3000, rel=1e-3)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Warung Sate Pak Budi", "sate pak budi"),
        ("Warteg Bahari", "bahari"),
        ("RM. Sederhana", "sederhana"),
        ("Rumah Makan Sederhana", "sederhana"),
        ("Toko Bangunan Sumber Rejeki", "bangunan sumber rejeki"),
        ("PT Sumber Alfaria Trijaya Tbk", "sumber alfaria trijaya"),
        ("CV. Maju Jaya", "maju jaya"),
        ("UD Sinar Abadi", "sinar abadi"),
        ("Kedai Kopi Kulo", "kopi kulo"),
        ("Depot Mie Bu Tini", "mie bu tini"),
        ("Kopi Kenangan - BSD", "kopi kenangan"),
        ("Kopi Kenangan (Alam Sutera)", "kopi kenangan"),
        ("Kopi Kenangan BSD", "kopi kenangan"),
        ("Kopi Kenangan Cabang Gading Serpong", "kopi kenangan"),
        ("Kopi Kenangan Outlet Bintaro Jaya", "kopi kenangan"),
        ("Café Nüsantara", "cafe nusantara"),
        ("Domino's Pizza", "dominos pizza"),
        ("Maharaja Restaurant", "maharaja"),
        ("Warung", "warung"),  # nothing else to go by: keep the generic word
        ("", ""),
    ],
)
def test_normalize_business_name(raw: str, expected: str) -> None:
    assert normalize_business_name(raw) == expected


def test_caller_area_words_are_dropped_from_the_end() -> None:
    assert normalize_business_name("Bakso Pak Kumis Rawa Buntu") == "bakso pak kumis rawa buntu"
    assert (
        normalize_business_name("Bakso Pak Kumis Rawa Buntu", area_words=["Rawa Buntu"])
        == "bakso pak kumis"
    )


def test_area_name_alone_is_kept() -> None:
    assert normalize_business_name("Serpong") == "serpong"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("0062 812 3456 7890", "+6281234567890"),
        ("81234567890", "+6281234567890"),
    ],
)
def test_phone_key_sees_through_formatting(a: str, b: str) -> None:
    assert phone_key(a) == phone_key(b) == "6281234567890"


@pytest.mark.parametrize("junk", [None, "", "-", "12"])
def test_phone_key_of_nothing_is_none(junk: str | None) -> None:
    assert phone_key(junk) is None


def test_typoed_same_place_matches() -> None:
    result = score_match(query("Warung Sate Pak Budi"), candidate("Sate Pak Bdui", dist_m=30))
    assert result.score >= MATCH_THRESHOLD
    assert 0.8 < result.evidence.name_similarity < 1.0
    assert result.evidence.distance_m == pytest.approx(30, abs=0.5)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Rumah Makan Sederhana", "RM Sederhana Cabang BSD"),
        ("Maharaja Restaurant", "Maharaja Resto"),
        ("Kopi Kenangan", "Kenangan Kopi (Alam Sutera)"),
        ("Kopi Kenangan", "Toko Kopi Kenagan"),
        ("Cafe Coffee Day", "Café Coffee Dya"),
    ],
)
def test_variants_of_one_name_match_nearby(a: str, b: str) -> None:
    assert score_match(query(a), candidate(b, dist_m=40)).score >= MATCH_THRESHOLD


def test_chain_branch_three_km_away_does_not_match() -> None:
    q = query("Kopi Kenangan", phone="+6281111111111")
    other_branch = candidate("Kopi Kenangan - Pamulang", dist_m=3000, phone="+6282222222222")
    result = score_match(q, other_branch)
    assert result.evidence.name_similarity == 1.0
    assert result.evidence.phone_conflict
    assert result.score < POSSIBLE_MATCH_THRESHOLD


def test_chain_branch_without_phones_does_not_match() -> None:
    assert score_match(query("Kopi Kenangan"), candidate("Kopi Kenangan", dist_m=3000)).score < (
        MATCH_THRESHOLD
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Warung Sate Pak Budi", "Warung Soto Pak Budi"),
        ("Kopi Kenangan", "Kopi Kenari"),
        ("Toko Sumber Rejeki", "Toko Sumber Makmur"),
        ("Indomaret 12", "Indomaret 14"),
        ("Bengkel Motor Jaya", "Bengkel Mobil Jaya"),
        ("The Cafe", "The Cake"),
    ],
)
def test_similar_names_in_the_same_street_do_not_match(a: str, b: str) -> None:
    assert score_match(query(a), candidate(b, dist_m=120)).score < MATCH_THRESHOLD


def test_phone_alone_with_a_different_name_is_not_enough() -> None:
    q = query("Laundry Bersih Wangi", phone="0812-3456-7890", address="Jl. Siliwangi No. 5")
    c = candidate("Bakso Pak Kumis", phone="+6281234567890", address="Jl. Siliwangi No. 5")
    result = score_match(q, c)
    assert result.evidence.same_phone
    assert result.score < MATCH_THRESHOLD


def test_same_name_and_phone_survive_a_misplaced_pin() -> None:
    q = query("Bakso Pak Kumis", phone="0812-3456-7890")
    moved = candidate("Bakso Pak Kumis", dist_m=800, phone="+6281234567890")
    assert score_match(q, moved).score >= MATCH_THRESHOLD
    assert CANDIDATE_RADIUS_M < 800  # found by the phone lookup, not the radius search


def test_same_phone_lifts_a_borderline_name() -> None:
    without = score_match(query("Kopi Tuku"), candidate("Kopi Tukku Cilandak", dist_m=20))
    with_phone = score_match(
        query("Kopi Tuku", phone="+6281234567890"),
        candidate("Kopi Tukku Cilandak", dist_m=20, phone="081234567890"),
    )
    assert without.score < MATCH_THRESHOLD <= with_phone.score


def test_missing_fields_give_no_evidence() -> None:
    result = score_match(MatchQuery(name="Hokben"), MatchCandidate(business_id=7, name="HokBen"))
    assert isinstance(result, MatchResult)
    assert result.business_id == 7
    assert result.evidence.distance_m is None
    assert result.evidence.address_similarity is None
    assert not result.evidence.same_phone
    assert not result.evidence.phone_conflict
    assert result.score >= MATCH_THRESHOLD


def test_invalid_coordinates_count_as_missing() -> None:
    q = MatchQuery(name="Hokben", lat=0.0, lon=0.0)
    assert score_match(q, candidate("Hokben")).evidence.distance_m is None


def test_address_similarity_is_weak_but_counts() -> None:
    assert address_similarity("Jl. Pahlawan Seribu No. 12", "jalan pahlawan seribu no 12") == 1.0
    same = score_match(
        query("Roti Bakar Eddy", address="Jl. Pahlawan Seribu No. 12"),
        candidate("Roti Bakar Edy", dist_m=60, address="Jalan Pahlawan Seribu 12"),
    )
    other = score_match(
        query("Roti Bakar Eddy", address="Jl. Pahlawan Seribu No. 12"),
        candidate("Roti Bakar Edy", dist_m=60, address="Jl. Pahlawan Seribu No. 40"),
    )
    assert same.score > other.score


def test_rank_matches_orders_filters_and_limits() -> None:
    q = query("Kopi Kenangan", phone="+6281111111111")
    candidates = [
        candidate("Kopi Kenari", dist_m=80, business_id=1),
        candidate("Kopi Kenangan", dist_m=20, business_id=2, phone="0811-1111-1111"),
        candidate("Kopi Kenagan BSD", dist_m=60, business_id=3),
        candidate("Kopi Kenangan", dist_m=3500, business_id=4, phone="+6289999999999"),
    ]
    ranked = rank_matches(q, candidates)
    assert [r.business_id for r in ranked] == [2, 3]
    everything = rank_matches(q, candidates, threshold=None)
    assert [r.business_id for r in everything][:2] == [2, 3]
    assert len(everything) == 4
    assert [r.score for r in everything] == sorted((r.score for r in everything), reverse=True)
    assert len(rank_matches(q, candidates, threshold=None, limit=1)) == 1
    assert rank_matches(q, candidates, limit=0) == []


def test_thresholds_are_ordered() -> None:
    assert 0.0 < POSSIBLE_MATCH_THRESHOLD < MATCH_THRESHOLD < 1.0


texts = st.text(max_size=40)
coords = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.floats(-90, 90))


@given(
    st.builds(
        MatchQuery,
        name=texts,
        lat=coords,
        lon=coords,
        phone=st.none() | texts,
        address=st.none() | texts,
    ),
    st.builds(
        MatchCandidate,
        business_id=st.integers(0, 10),
        name=texts,
        lat=coords,
        lon=coords,
        phone=st.none() | texts,
        address=st.none() | texts,
    ),
)
def test_score_is_a_probability_and_symmetric(q: MatchQuery, c: MatchCandidate) -> None:
    result = score_match(q, c)
    assert 0.0 <= result.score <= 1.0
    assert 0.0 <= result.evidence.name_similarity <= 1.0
    swapped = score_match(
        MatchQuery(name=c.name, lat=c.lat, lon=c.lon, phone=c.phone, address=c.address),
        MatchCandidate(
            business_id=0, name=q.name, lat=q.lat, lon=q.lon, phone=q.phone, address=q.address
        ),
    )
    assert swapped.score == pytest.approx(result.score, abs=1e-9)


@given(
    name=texts,
    point=st.none() | st.tuples(st.floats(-89, 89), st.floats(-179, 179)),
    phone=st.none() | texts,
    address=st.none() | texts,
)
def test_identical_candidate_scores_at_least_the_threshold(
    name: str, point: tuple[float, float] | None, phone: str | None, address: str | None
) -> None:
    lat, lon = point if point is not None else (None, None)
    q = MatchQuery(name=name, lat=lat, lon=lon, phone=phone, address=address)
    c = MatchCandidate(business_id=1, name=name, lat=lat, lon=lon, phone=phone, address=address)
    assert score_match(q, c).score >= MATCH_THRESHOLD


@given(texts, texts)
def test_name_similarity_is_bounded_and_symmetric(a: str, b: str) -> None:
    s = name_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert math.isclose(s, name_similarity(b, a), abs_tol=1e-9)
    assert name_similarity(a, a) == 1.0
