"""Accept-Language: q-values rank the entries, Babel matches them to id/en."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from directory.api.accept_language import preferred_language, ranked_tags
from directory.api.deps import SUPPORTED_LANGS


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en;q=0.1, id", "id"),
        ("id;q=0.2, en;q=0.9", "en"),
        ("en-GB,en;q=0.8", "en"),
        ("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7", "id"),
        ("fr-FR, fr;q=0.9, en;q=0.5", "en"),
        ("EN-us", "en"),
        ("en;q=0, id;q=0.1", "id"),
        ("en;q=0.5, id;q=0.5", "en"),  # a tie keeps the header's order
        ("id ; q=0.3, en;q=0.2", "id"),
        ("en;q=2, id;q=0.1", "id"),  # an invalid q-value refuses that entry
        ("en;q=abc, id;q=0.01", "id"),
        ("*", None),
        ("fr, de;q=0.5, *;q=0.1", None),
        ("", None),
        (";;;,, ,q=1", None),
        ("en-<script>", None),
    ],
)
def test_preferred_language(header: str, expected: str | None) -> None:
    assert preferred_language(header, SUPPORTED_LANGS) == expected


def test_ranked_tags_orders_by_q_and_drops_refused() -> None:
    assert ranked_tags("a;q=0.5, b, c;q=0, d;q=0.9") == ["b", "d", "a"]


def test_only_the_first_entries_are_read() -> None:
    header = ", ".join(["fr"] * 40 + ["en"])
    assert preferred_language(header, SUPPORTED_LANGS) is None


qvalue = st.sampled_from(["", ";q=0", ";q=0.1", ";q=0.5", ";q=0.999", ";q=1", ";q=1.000"])
tag = st.sampled_from(["id", "en", "en-GB", "id-ID", "fr", "*", "zh-Hant-TW", "ms"])


@given(st.lists(st.tuples(tag, qvalue), max_size=8))
def test_the_answer_is_the_best_ranked_supported_entry(entries: list[tuple[str, str]]) -> None:
    header = ", ".join(t + q for t, q in entries)
    answer = preferred_language(header, SUPPORTED_LANGS)

    def weight(q: str) -> float:
        return float(q.removeprefix(";q=")) if q else 1.0

    wanted = [
        (-weight(q), i, t.split("-")[0])
        for i, (t, q) in enumerate(entries)
        if weight(q) > 0 and t.split("-")[0] in SUPPORTED_LANGS
    ]
    assert answer == (min(wanted)[2] if wanted else None)


@given(st.text(max_size=200))
def test_any_header_gives_a_supported_language_or_none(header: str) -> None:
    assert preferred_language(header, SUPPORTED_LANGS) in (*SUPPORTED_LANGS, None)


def test_api_follows_q_values(client: TestClient) -> None:
    def names(**headers: str) -> list[str]:
        body = client.get("/api/v1/categories", headers=headers).json()
        return [item["name"] for item in body["items"]]

    indonesian = names(**{"Accept-Language": "id"})
    english = names(**{"Accept-Language": "en"})
    assert indonesian != english
    assert names(**{"Accept-Language": "en;q=0.1, id"}) == indonesian
    assert names(**{"Accept-Language": "id;q=0.1, en-GB"}) == english
    assert names(**{"Accept-Language": "fr"}) == indonesian  # the default
