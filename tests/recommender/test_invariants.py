"""Invariants of ``rank`` over random pools, queries and histories (hypothesis).

* moving a place closer never lowers its score, all else equal;
* more 5★ reviews never lower it; a higher mean with the same count never lowers it;
* the score is the sum of the contributions, and the reasons are exactly the signals that
  added at least ``reason_min_contribution`` (penalties excepted), each saying something
  true of the place, in Indonesian and in English.

Each property runs against other candidates (which may cap a new listing's boost), with
or without a reader's history and an interaction model, so the interplay is exercised.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender import (
    DEFAULT_WEIGHTS,
    REASON_CODES,
    SIGNALS,
    Candidate,
    Context,
    Event,
    InteractionModel,
    Ranked,
    Reason,
    UserHistory,
    render_reason,
)
from recommender.ranking import NO_REASON
from recommender.reasons import ORIGIN_WORDS, Lang, format_distance, format_number
from recommender.timeofday import epoch_s
from tests.recommender.builders import NOW, REACH_OF, history_of, model_of, query, ranked_all

W = DEFAULT_WEIGHTS
TARGET = 100
CATEGORIES = ("kedai-kopi", "apotek", "mal", "rumah-sakit")
SETTINGS = settings(max_examples=80, deadline=None)


def _crowd() -> InteractionModel:
    """Everyone's behaviour around places 1..6 and the target: pairs visited together."""
    events = []
    for u in range(30):
        a, b = 1 + u % 6, (TARGET if u % 3 == 0 else 1 + (u + 1) % 6)
        for day in range(3):
            at = NOW - timedelta(days=day + 1, hours=u % 7)
            events.append(Event(f"u{u}", a, at, "visit"))
            events.append(Event(f"u{u}", b, at + timedelta(minutes=50), "visit"))
    events.append(Event("late", TARGET, NOW - timedelta(hours=2), "click"))
    return model_of(events)


CROWD = _crowd()

ratings = st.one_of(
    st.just((None, 0)),
    st.tuples(
        st.floats(1.0, 5.0, allow_nan=False),
        st.integers(0, 500),
    ),
)


@st.composite
def features(draw: st.DrawFn) -> dict[str, Any]:
    """Everything about a place but its id and distance."""
    category = draw(st.sampled_from(CATEGORIES))
    mean, count = draw(ratings)
    return {
        "lat": -6.3,
        "lon": 106.65,
        "category": category,
        "reach": REACH_OF[category],
        "categories": (category,),
        "rating_mean": mean,
        "rating_count": count,
        "popularity": draw(st.one_of(st.just(0.0), st.floats(0.0, 3_000.0))),
        "is_open": draw(st.sampled_from((None, True, False))),
        "age_days": draw(st.one_of(st.none(), st.floats(0.0, 400.0))),
        "text_match": draw(st.sampled_from((0.0, 0.0, 0.35, 1.0))),
    }


distances = st.floats(0.0, 30_000.0, allow_nan=False)


@st.composite
def pools(draw: st.DrawFn) -> list[Candidate]:
    """Zero to eight other places (ids 1..8), the target excluded."""
    n = draw(st.integers(0, 8))
    return [
        Candidate(business_id=i + 1, distance_m=draw(distances), **draw(features()))
        for i in range(n)
    ]


@st.composite
def contexts(draw: st.DrawFn) -> Context:
    return query(
        text=draw(st.sampled_from((None, "kopi"))),
        category=draw(st.sampled_from((None, *CATEGORIES))),
        user_id="reader",
    )


HISTORY_CATEGORIES = {b: CATEGORIES[b % len(CATEGORIES)] for b in (1, 2, 3, 4, 5, 6, TARGET)}


@st.composite
def histories(draw: st.DrawFn) -> UserHistory | None:
    """None, or up to 15 interactions with places 1..6 and the target.

    Some fall after the query time (a query ``at`` a past moment): they must not count.
    """
    if draw(st.booleans()):
        return None
    items = draw(
        st.lists(
            st.tuples(
                st.sampled_from((1, 2, 3, 4, 5, 6, TARGET)),
                st.floats(-24.0 * 3, 24.0 * 90),
                st.sampled_from(("visit", "visit", "view", "save", "call")),
            ),
            max_size=15,
        )
    )
    return history_of(
        [(b, NOW - timedelta(hours=h), kind) for b, h, kind in items],
        categories=HISTORY_CATEGORIES,
    )


def _past(history: UserHistory) -> list[tuple[int, float, bool]]:
    """(business id, kind weight, was a visit) of the events up to the query time."""
    now_s = epoch_s(NOW)
    return [
        (int(b), float(weight), bool(visit))
        for b, t, weight, visit in zip(
            history.business_ids, history.epoch_s, history.weights, history.visits, strict=True
        )
        if t <= now_s
    ]


models = st.sampled_from((None, CROWD))


def _target_score(
    target: Candidate,
    others: list[Candidate],
    context: Context,
    history: UserHistory | None,
    model: InteractionModel | None,
) -> float:
    ranked = ranked_all(context, [*others, target], history=history, model=model)
    return next(r.score for r in ranked if r.business_id == TARGET)


@SETTINGS
@given(
    target=features(),
    far=distances,
    nearer_by=st.floats(0.0, 1.0),
    others=pools(),
    context=contexts(),
    history=histories(),
    model=models,
)
def test_moving_closer_never_lowers_the_score(
    target: dict[str, Any],
    far: float,
    nearer_by: float,
    others: list[Candidate],
    context: Context,
    history: UserHistory | None,
    model: InteractionModel | None,
) -> None:
    at_far = Candidate(business_id=TARGET, distance_m=far, **target)
    at_near = dataclasses.replace(at_far, distance_m=far * (1.0 - nearer_by))
    before = _target_score(at_far, others, context, history, model)
    after = _target_score(at_near, others, context, history, model)
    assert after >= before


def _with_five_stars(candidate: Candidate, extra: int) -> Candidate:
    count = candidate.rating_count if candidate.rating_mean is not None else 0
    total = (candidate.rating_mean or 0.0) * count + 5.0 * extra
    mean = min(5.0, total / (count + extra))
    return dataclasses.replace(candidate, rating_mean=mean, rating_count=count + extra)


@SETTINGS
@given(
    target=features(),
    distance=distances,
    extra=st.integers(1, 50),
    others=pools(),
    context=contexts(),
    history=histories(),
    model=models,
)
def test_more_five_star_reviews_never_lower_the_score(
    target: dict[str, Any],
    distance: float,
    extra: int,
    others: list[Candidate],
    context: Context,
    history: UserHistory | None,
    model: InteractionModel | None,
) -> None:
    before = Candidate(business_id=TARGET, distance_m=distance, **target)
    after = _with_five_stars(before, extra)
    assert _target_score(after, others, context, history, model) >= _target_score(
        before, others, context, history, model
    )


@SETTINGS
@given(
    target=features(),
    distance=distances,
    lift=st.floats(0.0, 1.0),
    others=pools(),
    context=contexts(),
    history=histories(),
    model=models,
)
def test_a_higher_mean_with_the_same_count_never_lowers_the_score(
    target: dict[str, Any],
    distance: float,
    lift: float,
    others: list[Candidate],
    context: Context,
    history: UserHistory | None,
    model: InteractionModel | None,
) -> None:
    before = Candidate(business_id=TARGET, distance_m=distance, **target)
    mean = before.rating_mean if before.rating_mean is not None else 1.0
    better = dataclasses.replace(
        before, rating_mean=min(5.0, mean + lift * (5.0 - mean)), rating_count=before.rating_count
    )
    worse = dataclasses.replace(before, rating_mean=mean, rating_count=before.rating_count)
    assert _target_score(better, others, context, history, model) >= _target_score(
        worse, others, context, history, model
    )


# ------------------------------------------------------------------ reasons


def _fired(r: Ranked, c: Candidate) -> set[str]:
    """Signals that fired and, for praise, have the evidence the weights ask for."""
    evidenced = {
        "popular": c.rating_count >= W.popular_min_reviews or c.visitors >= W.popular_min_visitors,
        "rating": c.rating_count >= W.rating_reason_min_reviews,
    }
    return {
        name
        for name, value in r.contributions.items()
        if value >= W.reason_min_contribution
        and name not in NO_REASON
        and evidenced.get(name, True)
    }


def _check_reason_is_true(
    code: str,
    params: Any,
    c: Candidate,
    context: Context,
    history: UserHistory | None,
    model: InteractionModel | None,
) -> None:
    """What each reason claims holds for the place (the words are checked separately)."""
    if code == "distance":
        assert params["distance_m"] == c.distance_m
    elif code == "rating":
        assert c.rating_mean is not None
        assert c.rating_count > 0
        assert c.rating_mean > W.rating_prior_mean
        assert (params["mean"], params["count"]) == (c.rating_mean, c.rating_count)
    elif code == "popular":
        assert c.rating_count + c.popularity > 0
    elif code == "open_now":
        assert c.is_open is True
    elif code == "text_match":
        assert c.text_match > 0  # the caller's score ("your search" when no text is known)
    elif code == "category_match":
        assert context.category is not None
        assert context.category in (c.category, *c.categories)
    elif code == "new_listing":
        assert c.age_days is not None
        assert c.age_days < W.new_listing_age_days
        assert c.rating_count + c.popularity < W.new_listing_virtual_activity
    elif code in ("popular_now", "trending"):
        assert model is not None
    elif code in ("revisit", "favourite_category", "next_place"):
        assert history is not None
        past = _past(history)
        assert past
        if code == "revisit":
            assert c.business_id in {b for b, _, _ in past}
            assert params["visits"] == sum(1 for b, _, v in past if v and b == c.business_id)
        if code == "favourite_category":
            in_category = [w for b, w, _ in past if HISTORY_CATEGORIES[b] == c.category]
            assert sum(in_category) >= W.favourite_category_min_visits
    elif code == "co_visit":
        assert model is not None
        assert history is not None
    else:  # pragma: no cover - a new signal needs a line here
        raise AssertionError(f"unchecked reason {code}")


def _check_words(code: str, params: Any, c: Candidate, context: Context) -> None:
    """The rendered reason, in both languages, shows the figures the signal used."""
    langs: tuple[Lang, ...] = ("id", "en")
    for lang in langs:
        text = render_reason_of(code, params, lang)
        assert text
        assert text == text.strip()
        if code == "distance":
            where = format_distance(c.distance_m, lang=lang)
            assert text == f"{where} {ORIGIN_WORDS['reader', lang]}"
        elif code == "rating":
            mean = format_number(float(params["mean"]), decimals=1, lang=lang)
            assert text.startswith(f"{mean}★")
            assert str(params["count"]) in text.replace(".", "").replace(",", "")
        elif code == "text_match" and context.text:
            assert f"'{context.text}'" in text
    assert render_reason_of(code, params, "id") != render_reason_of(code, params, "en")


def render_reason_of(code: str, params: Any, lang: Lang) -> str:
    return render_reason(Reason(code, params), lang)


@SETTINGS
@given(
    others=pools(),
    target=features(),
    distance=distances,
    context=contexts(),
    history=histories(),
    model=models,
)
def test_reasons_are_exactly_the_signals_that_fired_and_say_true_things(
    others: list[Candidate],
    target: dict[str, Any],
    distance: float,
    context: Context,
    history: UserHistory | None,
    model: InteractionModel | None,
) -> None:
    pool = [*others, Candidate(business_id=TARGET, distance_m=distance, **target)]
    by_id = {c.business_id: c for c in pool}
    for r in ranked_all(context, pool, history=history, model=model):
        codes = [reason.code for reason in r.reasons]
        assert set(codes) == _fired(r, by_id[r.business_id])
        assert len(codes) == len(set(codes))
        assert set(codes) <= set(REASON_CODES)
        strengths = [reason.contribution for reason in r.reasons]
        assert strengths == sorted(strengths, reverse=True)
        assert r.score == pytest.approx(sum(r.contributions.values()), abs=1e-9)
        assert set(r.contributions) <= set(SIGNALS)
        for reason in r.reasons:
            assert reason.contribution == r.contributions[reason.code]
            c = by_id[r.business_id]
            _check_reason_is_true(reason.code, reason.params, c, context, history, model)
            _check_words(reason.code, reason.params, c, context)


def test_reason_codes_are_the_signals_that_can_explain() -> None:
    assert set(REASON_CODES) == set(SIGNALS) - NO_REASON
