"""The reader's own history: revisits (a favourite 15 km away can come first), habits by
hour, just visited, favourite category, co-visitation and the usual next place."""

from __future__ import annotations

from datetime import datetime, timedelta

from recommender import Event, Ranked, UserHistory, render_reason
from recommender.reasons import Lang
from tests.recommender.builders import (
    NOW,
    history_of,
    ids,
    model_of,
    place,
    query,
    ranked_all,
    score_of,
    visits,
)

DAY = timedelta(days=1)
A, E, F = 10, 20, 30


def _reasons(business_id: int, results: list[Ranked], lang: Lang = "id") -> list[str]:
    ranked = next(r for r in results if r.business_id == business_id)
    return [render_reason(reason, lang) for reason in ranked.reasons]


def _codes(business_id: int, results: list[Ranked]) -> list[str]:
    ranked = next(r for r in results if r.business_id == business_id)
    return [reason.code for reason in ranked.reasons]


def test_a_place_visited_often_15_km_away_ranks_first() -> None:
    nearby = [
        place(
            i,
            category="warung-makan",
            distance_m=80.0 * i,
            rating_mean=4.2,
            rating_count=25,
            is_open=True,
        )
        for i in range(1, 6)
    ]
    favourite = place(99, category="warung-makan", distance_m=15_000.0, is_open=True)
    history = history_of(visits(99, times=14, every=DAY))
    context = query(user_id="reader")
    ranked = ranked_all(context, [*nearby, favourite], history=history)
    assert ids(ranked)[0] == 99
    assert "sering Anda kunjungi" in _reasons(99, ranked)
    assert "you visit often" in _reasons(99, ranked, "en")
    assert _codes(99, ranked)[0] == "revisit"  # the strongest reason comes first
    anonymous = ranked_all(query(), [*nearby, favourite])
    assert ids(anonymous)[-1] == 99


def test_visit_counts_choose_the_words() -> None:
    for times, words in ((1, "pernah Anda kunjungi"), (3, "sering Anda kunjungi")):
        history = history_of(visits(5, times=times, every=DAY))
        ranked = ranked_all(query(user_id="r"), [place(5), place(6)], history=history)
        assert words in _reasons(5, ranked)
    looked = history_of([(5, NOW - DAY, "view")] * 4)
    ranked = ranked_all(query(user_id="r"), [place(5), place(6)], history=looked)
    assert "sering Anda kunjungi" not in _reasons(5, ranked)


def test_habits_follow_the_hour_of_day() -> None:
    morning, evening = 1, 2
    items = []
    for d in range(1, 11):
        day = NOW.replace(hour=0) - DAY * d
        if day.weekday() < 5:
            items.append((morning, day.replace(hour=7, minute=30), "visit"))
            items.append((evening, day.replace(hour=19, minute=30), "visit"))
    history = history_of(items)
    pool = [place(morning), place(evening)]
    at_breakfast = ranked_all(query(at=NOW.replace(hour=7, minute=45)), pool, history=history)
    at_dinner = ranked_all(query(at=NOW.replace(hour=19, minute=45)), pool, history=history)
    assert ids(at_breakfast) == [morning, evening]
    assert ids(at_dinner) == [evening, morning]


def test_a_place_visited_moments_ago_is_held_back_without_a_reason() -> None:
    def history(last_visit: datetime) -> UserHistory:
        return history_of([*visits(5, times=5, every=DAY), (5, last_visit, "visit")])

    pool = [place(5), place(6, distance_m=400.0)]
    just_now = ranked_all(query(), pool, history=history(NOW - timedelta(minutes=10)))
    earlier = ranked_all(query(), pool, history=history(NOW - DAY / 2))
    assert score_of(5, just_now) < score_of(5, earlier) - 1.0
    assert "just_visited" not in _codes(5, just_now)
    item = next(r for r in just_now if r.business_id == 5)
    assert item.contributions["just_visited"] < 0


def test_a_favourite_category_lifts_a_new_place_in_it() -> None:
    items = [(b, NOW - DAY * (b - 40), "visit") for b in (41, 42, 43)]
    history = history_of(items, categories={41: "bakso", 42: "bakso", 43: "bakso"})
    pool = [place(7, category="bakso", distance_m=500.0), place(8, distance_m=450.0)]
    ranked = ranked_all(query(), pool, history=history)
    assert ids(ranked) == [7, 8]
    assert "kategori favorit Anda" in _reasons(7, ranked)
    assert "a category you like" in _reasons(7, ranked, "en")


def test_what_the_reader_did_after_the_query_time_does_not_count() -> None:
    """A query ``at`` a past moment (the API's ``at``) must not learn from later events."""
    items = [(1, NOW - 3 * DAY, "visit"), *[(1, NOW + d * DAY, "visit") for d in range(1, 6)]]
    history = history_of(items, categories={1: "warung-makan"})
    pool = [place(1, category="warung-makan", distance_m=3_000.0), place(2, category="bakso")]
    ranked = ranked_all(query(), pool, history=history)
    first = next(r for r in ranked if r.business_id == 1)
    revisit = next(reason for reason in first.reasons if reason.code == "revisit")
    assert revisit.params["visits"] == 1
    assert "pernah Anda kunjungi" in _reasons(1, ranked)
    # one visit in the category before the query: not yet a favourite (3 needed)
    assert "favourite_category" not in _codes(1, ranked)
    later = ranked_all(query(at=NOW + 10 * DAY), pool, history=history)
    assert "sering Anda kunjungi" in _reasons(1, later)
    assert "favourite_category" in _codes(1, later)


def _crowd() -> list[Event]:
    """Thirty people who all go to A, E and F; from A they go on to E within the hour,
    while F they visit on other days. Co-visitation is the same for E and F; only E is the
    usual next place after A."""
    events = []
    for u in range(30):
        for week in range(3):
            start = NOW - timedelta(days=7 * week + 2, hours=u % 5)
            events.append(Event(f"u{u}", A, start, "visit"))
            events.append(Event(f"u{u}", E, start + timedelta(minutes=45), "visit"))
            events.append(Event(f"u{u}", F, start - timedelta(days=3), "visit"))
    return events


def test_the_usual_next_place_after_the_current_one_is_lifted() -> None:
    model = model_of(_crowd())
    history = history_of([(A, NOW - timedelta(minutes=30), "visit")])
    pool = [place(E, distance_m=900.0), place(F, distance_m=600.0)]
    context = query(user_id="reader")
    ranked = ranked_all(context, pool, history=history, model=model)
    assert ids(ranked) == [E, F]
    assert "next_place" in _codes(E, ranked)
    assert "next_place" not in _codes(F, ranked)
    reason = next(r for r in ranked[0].reasons if r.code == "next_place")
    assert reason.params["from_business_id"] == A
    assert "tujuan berikutnya yang umum dari tempat terakhir Anda" in _reasons(E, ranked)
    # hours later the moment has passed: the signal fades
    later = history_of([(A, NOW - timedelta(hours=30), "visit")])
    faded = ranked_all(context, pool, history=later, model=model)
    e_now = next(r for r in ranked if r.business_id == E).contributions["next_place"]
    e_later = next(r for r in faded if r.business_id == E).contributions.get("next_place", 0.0)
    assert e_later < e_now / 10
    assert ids(ranked_all(context, pool)) == [F, E]  # without history and model: nearest


def test_the_readers_own_moves_count_without_a_model() -> None:
    """E and F are visited as often and at the same hour, F more recently and nearer; but
    from A the reader always goes on to E."""
    items = []
    for d in (2, 4, 6, 8, 10):
        start = NOW - DAY * d
        items += [(A, start, "visit"), (E, start + timedelta(minutes=40), "visit")]
        items += [(F, start + DAY + timedelta(minutes=40), "visit")]
    pool = [place(E, distance_m=900.0), place(F, distance_m=600.0)]
    before = ranked_all(query(), pool, history=history_of(items))
    assert ids(before) == [F, E]
    at_a = history_of([*items, (A, NOW - timedelta(minutes=20), "visit")])
    ranked = ranked_all(query(), pool, history=at_a)
    assert ids(ranked) == [E, F]
    assert "next_place" in _codes(E, ranked)
    assert "next_place" not in _codes(F, ranked)


def test_people_who_go_where_you_go_lift_their_places() -> None:
    events = []
    for u in range(20):  # two crowds: A-and-B people, C-and-D people, on different days
        for week in range(2):
            start = NOW - timedelta(days=7 * week + 3)
            first, second = (A, 40) if u < 10 else (50, 60)
            events.append(Event(f"u{u}", first, start, "visit"))
            events.append(Event(f"u{u}", second, start + 2 * DAY, "visit"))
    model = model_of(events)
    history = history_of(visits(A, times=3, every=2 * DAY))
    pool = [place(40, distance_m=800.0), place(60, distance_m=700.0)]
    ranked = ranked_all(query(), pool, history=history, model=model)
    assert ids(ranked) == [40, 60]
    assert "co_visit" in _codes(40, ranked)
    assert "co_visit" not in _codes(60, ranked)
    assert "next_place" not in _codes(40, ranked)  # days apart: not a "next" move
    assert "disukai orang yang sering ke tempat yang sama dengan Anda" in _reasons(40, ranked)
    assert ids(ranked_all(query(), pool, history=history)) == [60, 40]  # no model, no lift
