"""``InteractionModel``: storage is plain ``.npz`` (no pickles), refits are exact, and the
questions it answers are the ones the ranking relies on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from recommender import Event, InteractionModel
from tests.recommender.builders import NOW, model_of

A, B, C, UNKNOWN = 1, 2, 3, 999


def _events() -> list[Event]:
    events = []
    for u in range(8):
        for day in range(3):
            at = NOW - timedelta(days=day + 1, hours=u % 3)
            events.append(Event(f"u{u}", A, at, "visit"))
            events.append(Event(f"u{u}", B, at + timedelta(minutes=30), "visit"))
    events.append(Event("solo", C, NOW - timedelta(hours=3), "view"))
    return events


def test_save_and_load_round_trip_without_pickles(tmp_path: Path) -> None:
    model = model_of(_events())
    path = tmp_path / "model.npz"
    model.save(path)
    with np.load(path, allow_pickle=False) as data:  # would raise on any object array
        assert all(data[name].dtype != object for name in data.files)
    loaded = InteractionModel.load(path)
    targets = np.array([A, B, C, UNKNOWN], dtype=np.int64)
    assert loaded.activity_of(targets).tolist() == model.activity_of(targets).tolist()
    assert loaded.related_items([A]) == model.related_items([A])
    assert loaded.transition_counts(A, targets)[1] == model.transition_counts(A, targets)[1]
    assert loaded.params == model.params


def test_update_is_an_exact_refit() -> None:
    events = _events()
    updated = model_of(events[:20]).update(events[20:])
    refit = model_of(events)
    targets = np.array([A, B, C], dtype=np.int64)
    assert updated.activity_of(targets).tolist() == refit.activity_of(targets).tolist()
    assert updated.related_items([A]) == refit.related_items([A])


def test_questions_the_ranking_asks() -> None:
    model = model_of(_events())
    targets = np.array([A, B, C, UNKNOWN], dtype=np.int64)
    activity = model.activity_of(targets)
    assert activity.tolist() == [24.0, 24.0, pytest.approx(0.1), 0.0]
    moves, total = model.transition_counts(A, targets)
    assert total == 24.0
    assert moves.tolist() == [0.0, 24.0, 0.0, 0.0]
    assert model.transition_counts(UNKNOWN, targets)[1] == 0.0
    related = dict(model.related_items([A]))
    assert set(related) == {B}
    assert related[B] > 1.0
    recent = model.recent_activity(targets, at_s=NOW.timestamp() + 7 * 3600, window_s=86_400.0)
    assert recent[2] == 1.0
