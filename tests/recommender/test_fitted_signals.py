"""The fitted-only signals (how lately, the reader's own next place, their part of town,
their share of visits, the distance curve at other scales) and the holdout's trust rule.

They are off in the shipped blend, so a site without a fit ranks as designed; a fitted
blend weighs them from the site's own next visits.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from recommender import Candidate, Event, InteractionModel
from recommender.blend import DEFAULT_BLEND, FITTED_ONLY, Blend
from recommender.events import FloatArray
from recommender.holdout import RAW, Places, build_groups
from recommender.ranking import COLUMN, score_candidates
from tests.recommender.builders import LAT, NOW, history_of, place, query, ranked_all, visits

EAST_1KM = 1_000.0 / 111_320.0  # degrees of latitude per kilometre, near enough


def _contributions(
    history_items: list[tuple[int, datetime, str]], pool: list[Candidate]
) -> FloatArray:
    scored = score_candidates(query(), pool, history=history_of(history_items), blend=RAW)
    return scored.contrib


def test_the_shipped_blend_gives_the_fitted_only_signals_no_weight() -> None:
    assert all(DEFAULT_BLEND.coefficient(s) == 0.0 for s in FITTED_ONLY)
    pool = [place(1), place(2, distance_m=3_000.0)]
    history = history_of(visits(1, times=3, every=timedelta(days=1)))
    for result in ranked_all(query(), pool, history=history):
        assert not set(result.contributions) & FITTED_ONLY


def test_recent_counts_how_lately_the_reader_was_there() -> None:
    items = visits(1, times=3, every=timedelta(days=1)) + visits(
        2, times=3, every=timedelta(days=1), until=NOW - timedelta(days=60)
    )
    contrib = _contributions(items, [place(1), place(2), place(3)])
    recent = contrib[:, COLUMN["recent"]]
    assert recent[0] > 0.8 > recent[1] > 0.0
    assert recent[2] == 0.0  # never there


def test_own_next_is_the_readers_own_move_from_where_they_were_last() -> None:
    start = NOW - timedelta(days=10)
    items = []
    for day in range(3):  # every day: 1 then 2
        items.append((1, start + timedelta(days=day, hours=8), "visit"))
        items.append((2, start + timedelta(days=day, hours=9), "visit"))
    items.append((1, NOW - timedelta(minutes=30), "visit"))
    items.append((3, NOW - timedelta(days=20), "visit"))
    contrib = _contributions(items, [place(1), place(2), place(3)])
    own_next = contrib[:, COLUMN["own_next"]]
    assert own_next[1] > 0.5
    assert own_next[2] == 0.0


def test_own_area_favours_places_near_the_readers_own() -> None:
    mine = place(1, lat=LAT + 5 * EAST_1KM, distance_m=5_000.0)
    beside_mine = place(2, lat=LAT + 5.2 * EAST_1KM, distance_m=5_200.0)
    elsewhere = place(3, lat=LAT - 5 * EAST_1KM, distance_m=5_000.0)
    contrib = _contributions(
        visits(1, times=2, every=timedelta(days=3)), [mine, beside_mine, elsewhere]
    )
    area = contrib[:, COLUMN["own_area"]]
    assert area[0] == 1.0
    assert area[1] > 0.5 > 0.2 > area[2]


def test_the_distance_scales_bracket_the_distance_signal() -> None:
    scored = score_candidates(query(), [place(1, distance_m=1_500.0, category="apotek")], blend=RAW)
    row = scored.contrib[0]
    assert row[COLUMN["distance_short"]] < row[COLUMN["distance"]] < row[COLUMN["distance_long"]]
    assert row[COLUMN["distance"]] == 0.5  # at the "local" half-life


def test_a_fitted_blend_switches_them_on() -> None:
    blend = Blend(coefficients={"recent": 2.0, "habit": 1.0})
    items = visits(1, times=2, every=timedelta(days=1)) + visits(
        2, times=2, every=timedelta(days=1), until=NOW - timedelta(days=90)
    )
    scored = score_candidates(query(), [place(1), place(2)], history=history_of(items), blend=blend)
    assert scored.contrib[0, COLUMN["recent"]] > scored.contrib[1, COLUMN["recent"]] > 0.0


def _at(day: int, hour: int) -> datetime:
    return datetime(2024, 3, 1, tzinfo=UTC) + timedelta(days=day, hours=hour)


def test_a_keys_invented_readers_beyond_its_cap_never_become_holdout_queries() -> None:
    """One key invents 40 readers who each visit the same three places: only the first
    ``key_visitor_cap`` (10) of them count at those places, so at most 10 become training
    and holdout queries — as in every count of the model."""
    events = [
        Event(f"bot-{n}", place_id, _at(n, place_id), "visit", sender=7)
        for n in range(40)
        for place_id in (1, 2, 3)
    ]
    events += [  # readers of the site's own pages are not capped as a group
        Event(f"reader-{n}", place_id, _at(n, 2 * place_id), "visit")
        for n in range(5)
        for place_id in (1, 2, 3, 4)
    ]
    model = InteractionModel.fit(events)
    rows = [
        (i, LAT + i * EAST_1KM, 106.65, "kedai-kopi", "walk", "kafe-kopi", None, 0)
        for i in (1, 2, 3, 4)
    ]
    data = build_groups(model.events, Places.build(rows), zone=UTC, params=model.params)
    assert len(data.train) == len(data.holdout) == 10 + 5
