"""The refresh's nearest places (``Places.nearest_rows``) are the nearest of all places."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.holdout import Places


def _places(points: list[tuple[float, float]]) -> Places:
    return Places.build(
        [(i + 1, lat, lon, "kopi", "local", "food", None, 0) for i, (lat, lon) in enumerate(points)]
    )


coords = st.tuples(
    st.floats(min_value=-6.5, max_value=-6.0, allow_nan=False),
    st.floats(min_value=106.4, max_value=107.0, allow_nan=False),
)


@settings(max_examples=80, deadline=None)
@given(points=st.lists(coords, min_size=1, max_size=60), at=coords, k=st.integers(1, 70))
def test_nearest_rows_are_the_nearest_of_every_place(
    points: list[tuple[float, float]], at: tuple[float, float], k: int
) -> None:
    places = _places(points)
    rows = places.nearest_rows(at[0], at[1], k)
    every = places.distances_m(*at)
    assert len(set(rows.tolist())) == min(k, len(points))
    # Same distances as the k smallest of all (ties may pick either place).
    assert np.allclose(np.sort(every[rows]), np.sort(every)[: min(k, len(points))])


def test_far_places_are_reached_when_the_band_holds_too_few() -> None:
    places = _places([(-6.30, 106.66), (-6.30, 106.67), (-6.9, 106.66), (-5.1, 106.66)])
    assert sorted(places.ids[places.nearest_rows(-6.30, 106.66, 3)].tolist()) == [1, 2, 3]
    assert places.nearest_rows(-6.30, 106.66, 0).shape == (0,)


def test_places_at_the_same_distance_are_taken_lower_id_first() -> None:
    places = _places([(-6.30, 106.66), (-6.31, 106.66), (-6.31, 106.66), (-6.31, 106.66)])
    assert sorted(places.ids[places.nearest_rows(-6.30, 106.66, 3)].tolist()) == [1, 2, 3]
