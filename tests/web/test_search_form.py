"""The search form's parameters: lenient parsing, and links that reproduce the search."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from directory.web.search_form import SearchForm, parse_bbox, parse_search_form


def _params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_full_form_is_read() -> None:
    form = parse_search_form(
        {
            "q": ["  kopi   susu "],
            "area": ["pamulng"],
            "kategori": ["kafe-kopi", "warkop", "kafe-kopi", "Not A Slug"],
            "rating": ["4.5"],
            "harga": ["2", "1", "9"],
            "buka": ["1"],
            "urut": ["distance"],
            "lat": ["-6.30"],
            "lon": ["106.65"],
            "bbox": ["106.6,-6.35,106.7,-6.25"],
            "cursor": ["abc"],
        }
    )
    assert form.q == "kopi susu"
    assert form.area == "pamulng"
    assert form.categories == ("kafe-kopi", "warkop")
    assert form.min_rating == 4.5
    assert form.price_levels == (1, 2)
    assert form.open_now
    assert form.sort == "distance"
    assert (form.lat, form.lon) == (-6.30, 106.65)
    assert form.bbox == (106.6, -6.35, 106.7, -6.25)
    assert form.cursor == "abc"
    assert form.problems == ()


def test_bad_values_are_dropped_and_reported() -> None:
    form = parse_search_form(
        {"lat": ["abc"], "lon": ["106"], "bbox": ["1,2,3"], "urut": ["distance"], "rating": ["9"]}
    )
    assert form.lat is None
    assert form.bbox is None
    assert form.sort == "relevance"
    assert form.min_rating is None
    assert set(form.problems) == {"location", "bbox", "distance_needs_point"}


def test_url_round_trips_and_pager_keeps_filters() -> None:
    form = SearchForm(
        q="kopi",
        area="BSD",
        categories=("kafe-kopi",),
        min_rating=4.0,
        price_levels=(1, 2),
        open_now=True,
        sort="rating",
        bbox=(106.6, -6.35, 106.7, -6.25),
    )
    again = parse_search_form(_params(form.url()))
    assert again == form
    next_page = _params(form.url(cursor="CUR"))
    assert next_page["cursor"] == ["CUR"]
    assert next_page["kategori"] == ["kafe-kopi"]
    assert parse_search_form(next_page).without_cursor() == form


def test_empty_form_links_to_the_bare_page() -> None:
    assert SearchForm().url() == "/cari"
    assert SearchForm().is_empty


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "q",
                "area",
                "kategori",
                "rating",
                "harga",
                "buka",
                "urut",
                "lat",
                "lon",
                "bbox",
                "cursor",
                "other",
            ]
        ),
        st.lists(st.text(max_size=60), max_size=3),
    )
)
def test_parsing_never_fails_and_always_round_trips(params: dict[str, list[str]]) -> None:
    form = parse_search_form(params)
    assert parse_search_form(_params(form.url(cursor=form.cursor))) == form


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=4, max_size=4))
def test_bbox_is_ordered_or_refused(values: list[float]) -> None:
    box = parse_bbox(",".join(repr(v) for v in values))
    if box is not None:
        assert box[0] < box[2]
        assert box[1] < box[3]
