"""With a query text, the places that are what was asked for (a strong text match) come
before those that only mention it, whatever else favours the latter; scores stay as they
are."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.ranking import STRONG_TEXT_MATCH
from tests.recommender.builders import ids, place, query, ranked_all


def test_an_open_nearby_mention_follows_the_closed_mosque_asked_for() -> None:
    mosque = place(1, category="masjid", distance_m=1_800.0, text_match=0.82, is_open=False)
    seafood = place(
        2, category="seafood", distance_m=150.0, text_match=0.43, is_open=True,
        rating_mean=4.8, rating_count=300,
    )  # fmt: skip
    pool = [seafood, mosque]
    asked = ranked_all(query(text="masjid"), pool)
    assert ids(asked) == [1, 2]
    by_id = {r.business_id: r.score for r in asked}
    assert by_id[2] > by_id[1]  # the order, not the scores, puts the mosque first
    unasked = ranked_all(query(), [place(1, category="masjid"), place(2, category="seafood")])
    assert len(unasked) == 2


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0.0, 1.0),
            st.floats(10.0, 20_000.0),
            st.sampled_from([None, True, False]),
            st.floats(1.0, 5.0),
        ),
        min_size=2,
        max_size=12,
    )
)
def test_strong_matches_lead_and_each_group_keeps_score_order(
    specs: list[tuple[float, float, bool | None, float]],
) -> None:
    pool = [
        place(i + 1, category="warung-makan", text_match=t, distance_m=d, is_open=o,
              rating_mean=r, rating_count=20)
        for i, (t, d, o, r) in enumerate(specs)
    ]  # fmt: skip
    text = {c.business_id: c.text_match for c in pool}
    # One category and no diversity cap to fill: the order is the tiers and the scores.
    ranked = ranked_all(query(text="warung", category="warung-makan"), pool)
    strong = [text[r.business_id] >= STRONG_TEXT_MATCH for r in ranked]
    assert strong == sorted(strong, reverse=True)
    for group in (True, False):
        scores = [r.score for r, s in zip(ranked, strong, strict=True) if s is group]
        assert scores == sorted(scores, reverse=True)
