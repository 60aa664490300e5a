"""Reasons in plain words: Indonesian by default, English on request, figures formatted the
way each language writes them, and distances that name the right point of reference."""

from __future__ import annotations

import pytest

from recommender import REASON_CODES, SIGNALS, Origin, Reason, render_reason
from recommender.ranking import NO_REASON
from recommender.reasons import ParamValue, format_distance, format_number
from tests.recommender.builders import place, query, ranked_all

SAMPLE_PARAMS: dict[str, dict[str, ParamValue]] = {
    "distance": {"distance_m": 652.0},
    "rating": {"mean": 4.6, "count": 12},
    "popular": {"count": 250},
    "popular_now": {"lift": 2.5},
    "trending": {"recent": 12.0},
    "open_now": {},
    "text_match": {"text": "kopi", "score": 1.0},
    "category_match": {"category": "kedai-kopi"},
    "revisit": {"visits": 4, "share": 0.4},
    "favourite_category": {"category": "bakso"},
    "co_visit": {"similarity": 0.2},
    "next_place": {"probability": 0.3, "from_business_id": 7},
    "new_listing": {"age_days": 12.0},
}


def test_the_issue_examples_read_as_written() -> None:
    assert render_reason(Reason("distance", SAMPLE_PARAMS["distance"])) == "650 m dari Anda"
    assert render_reason(Reason("rating", SAMPLE_PARAMS["rating"])) == "4,6★ dari 12 ulasan"
    assert render_reason(Reason("open_now")) == "buka sekarang"
    assert render_reason(Reason("revisit", SAMPLE_PARAMS["revisit"])) == "sering Anda kunjungi"
    assert render_reason(Reason("text_match", SAMPLE_PARAMS["text_match"])) == "cocok dengan 'kopi'"


def test_english_on_request() -> None:
    assert render_reason(Reason("distance", SAMPLE_PARAMS["distance"]), "en") == "650 m from you"
    assert render_reason(Reason("rating", SAMPLE_PARAMS["rating"]), "en") == "4.6★ from 12 reviews"
    assert render_reason(Reason("rating", {"mean": 5.0, "count": 1}), "en") == "5.0★ from 1 review"
    assert render_reason(Reason("open_now"), "en") == "open now"
    assert render_reason(Reason("revisit", SAMPLE_PARAMS["revisit"]), "en") == "you visit often"
    assert (
        render_reason(Reason("text_match", SAMPLE_PARAMS["text_match"]), "en") == "matches 'kopi'"
    )


def test_every_code_has_words_in_both_languages() -> None:
    assert set(SAMPLE_PARAMS) == set(REASON_CODES)
    for code, params in SAMPLE_PARAMS.items():
        indonesian = render_reason(Reason(code, params), "id")
        english = render_reason(Reason(code, params), "en")
        assert indonesian
        assert english
        assert indonesian != english, code


@pytest.mark.parametrize(
    ("origin", "indonesian", "english"),
    [
        ("reader", "650 m dari Anda", "650 m from you"),
        ("place", "650 m dari sini", "650 m from here"),
        ("area", "650 m dari pusat area", "650 m from the area centre"),
    ],
)
def test_distance_names_the_point_it_is_measured_from(
    origin: Origin, indonesian: str, english: str
) -> None:
    reason = Reason("distance", SAMPLE_PARAMS["distance"])
    assert render_reason(reason, "id", origin=origin) == indonesian
    assert render_reason(reason, "en", origin=origin) == english


def test_origin_changes_only_the_distance_reason() -> None:
    for code, params in SAMPLE_PARAMS.items():
        if code == "distance":
            continue
        reason = Reason(code, params)
        assert render_reason(reason, origin="place") == render_reason(reason)


def test_unknown_codes_languages_and_origins_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown reason code"):
        render_reason(Reason("astrology"))
    with pytest.raises(ValueError, match="unsupported language"):
        render_reason(Reason("open_now"), "fr")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unsupported origin"):
        render_reason(Reason("distance", {"distance_m": 5.0}), origin="moon")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("metres", "indonesian", "english"),
    [
        (0.0, "10 m", "10 m"),
        (648.0, "650 m", "650 m"),
        (994.0, "990 m", "990 m"),
        (1_240.0, "1,2 km", "1.2 km"),
        (9_960.0, "10 km", "10 km"),
        (15_400.0, "15 km", "15 km"),
        (123_456.0, "123 km", "123 km"),
    ],
)
def test_distances_read_as_people_say_them(metres: float, indonesian: str, english: str) -> None:
    assert format_distance(metres, lang="id") == indonesian
    assert format_distance(metres, lang="en") == english


def test_thousands_and_decimals_follow_the_language() -> None:
    assert format_number(1_234.5, decimals=1, lang="id") == "1.234,5"
    assert format_number(1_234.5, decimals=1, lang="en") == "1,234.5"
    many = Reason("rating", {"mean": 4.26, "count": 1_200})
    assert render_reason(many) == "4,3★ dari 1.200 ulasan"


def test_a_ranked_place_explains_itself_in_order_of_strength() -> None:
    context = query(text="kopi")
    best = place(
        1, distance_m=650.0, rating_mean=4.6, rating_count=12, is_open=True, text_match=1.0
    )
    ranked = ranked_all(context, [best])
    words = [render_reason(r) for r in ranked[0].reasons]
    assert words[0] == "cocok dengan 'kopi'"  # text match adds the most (2.0)
    assert {"650 m dari Anda", "4,6★ dari 12 ulasan", "buka sekarang"} <= set(words)
    english = [render_reason(r, "en") for r in ranked[0].reasons]
    assert {"matches 'kopi'", "650 m from you", "4.6★ from 12 reviews", "open now"} <= set(english)


def test_signals_that_did_not_fire_say_nothing() -> None:
    dull = place(1, distance_m=40_000.0, is_open=None)
    ranked = ranked_all(query(), [dull])
    assert ranked[0].reasons == ()
    closed = place(2, distance_m=100.0, is_open=False)
    codes = [r.code for r in ranked_all(query(), [closed])[0].reasons]
    assert "open_now" not in codes
    assert ranked_all(query(), [closed])[0].contributions["open_now"] < 0


def test_reason_codes_are_read_from_the_signal_list_in_its_order() -> None:
    """One list of signals: the reason codes are those that can explain, never a copy."""
    assert tuple(s for s in SIGNALS if s not in NO_REASON) == REASON_CODES
    assert REASON_CODES[:2] == ("distance", "rating")  # the tie order of reasons
    assert "new_listing" in REASON_CODES
    assert not set(REASON_CODES) & NO_REASON
