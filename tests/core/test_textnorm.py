from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.textnorm import (
    ABBREVIATIONS,
    KEPT_TERMS,
    TextInputError,
    clean_user_text,
    expand_abbreviations,
    fold,
    normalize_name,
    normalize_query,
    strip_html,
)

# ------------------------------------------------------------------------ fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Kafé  «Kopi»-Kenangan", "kafe kopi kenangan"),
        ("Jl. M.H. Thamrin No.8", "jl m h thamrin no 8"),
        ("D'Cost Seafood", "dcost seafood"),
        ("Jum’at Berkah", "jumat berkah"),
        ("STRAẞE", "strasse"),
        ("Đà Nẵng Phở", "da nang pho"),
        ("ＫＯＰＩ　１２３", "kopi 123"),
        ("Bakmi\u00a0GM\u200b", "bakmi gm"),
        ("A&W / KFC", "a w kfc"),
        ("Kopi ☕ Senja 🌅", "kopi senja"),
        ("  \t\n ", ""),
        ("Warung 咖啡", "warung 咖啡"),
    ],
)
def test_fold_examples(text: str, folded: str) -> None:
    assert fold(text) == folded


@given(st.text(max_size=50))
def test_fold_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert once == once.strip()
    assert "  " not in once


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=50))
def test_ascii_fast_path_agrees_with_general_path(text: str) -> None:
    # Appending a non-ASCII letter forces the general path.
    assert fold(text + " é") == (fold(text) + " e").strip()


# --------------------------------------------------------------- abbreviations


def test_expand_abbreviations() -> None:
    assert expand_abbreviations(["jl", "raya", "serpong", "no", "8"]) == [
        "jalan",
        "raya",
        "serpong",
        "nomor",
        "8",
    ]
    assert expand_abbreviations(["rm", "padang"]) == ["rumah", "makan", "padang"]
    assert expand_abbreviations(["rsu", "tangsel"]) == ["rumah", "sakit", "umum", "tangsel"]


@pytest.mark.parametrize("term", sorted(KEPT_TERMS | {"tb", "apt", "pd", "dr"}))
def test_school_terms_titles_and_ambiguous_words_are_kept(term: str) -> None:
    assert term not in ABBREVIATIONS
    assert expand_abbreviations(["x", term, "y"]) == ["x", term, "y"]


def test_normalize_query_and_name() -> None:
    assert normalize_query("RM. Padang, Jl. Pd. Aren Gg.Masjid No.8") == [
        "rumah",
        "makan",
        "padang",
        "jalan",
        "pd",
        "aren",
        "gang",
        "masjid",
        "nomor",
        "8",
    ]
    assert normalize_name("SMPN 2 Kec. Pamulang") == "smpn 2 kecamatan pamulang"
    assert normalize_name("Jalan Raya") == normalize_name("JL. RAYA")
    tokens = normalize_query("jl raya")
    tokens.append("mutated")  # a cached result must not leak mutations
    assert normalize_query("jl raya") == ["jalan", "raya"]


# ------------------------------------------------------------------ user text


def clean(text: str, **kw: object) -> str:
    return clean_user_text(text, max_len=200, field="description", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("<script>alert(1)</script>Hi", "Hi"),
        ("<style>p{color:red}</style><b>Kopi</b> <i>enak</i>", "Kopi enak"),
        ('<img src=x onerror="alert(1)">Foto', "Foto"),
        ("Harga &lt;50rb &amp; murah", "Harga &lt;50rb &amp; murah"),
        ("&lt;/script&gt;", "&lt;/script&gt;"),
        ("<<b>b>x", "b>x"),
        ("<\x00b>x", "b>x"),
        ("harga < 50rb, 3 > 2", "harga < 50rb, 3 > 2"),
        ("Buka <!-- komentar -->setiap hari", "Buka setiap hari"),
        ("Halo <b", "Halo"),
        ("a\x00b\x07c", "abc"),
        ("  banyak    spasi\t\tdan\nbaris  ", "banyak spasi dan baris"),
        ("e\u0301", "é"),
        ("\u202eevil\u202c text", "evil text"),
        ("Kopi ☕ 👨‍👩‍👧 enak", "Kopi ☕ 👨‍👩‍👧 enak"),
        ("مرحبا بكم", "مرحبا بكم"),
        ("<p>satu</p><p>dua</p>", "satu dua"),
        ("", ""),
    ],
)
def test_clean_user_text_single_line(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


def test_clean_user_text_multiline_keeps_lines_and_tabs() -> None:
    raw = "Menu:\r\n\r\n\r\n\r\n- kopi\t15rb   \n- teh\u2028<br>selesai  \x0b"
    assert clean(raw, multiline=True) == "Menu:\n\n- kopi\t15rb\n- teh\n\nselesai"


def test_clean_user_text_enforces_max_len_with_field() -> None:
    assert clean_user_text("x" * 10, max_len=10, field="name") == "x" * 10
    with pytest.raises(TextInputError) as info:
        clean_user_text("x" * 11, max_len=10, field="name")
    assert info.value.field == "name"
    assert info.value.max_len == 10
    assert "at most 10" in str(info.value)
    assert isinstance(info.value, ValueError)
    # Markup does not count: the limit applies to the cleaned text.
    assert clean_user_text("<b>" + "x" * 10 + "</b>", max_len=10, field="name") == "x" * 10
    with pytest.raises(TextInputError):
        clean_user_text("<b></b>" * 100_000, max_len=10, field="name")


def test_strip_html_leaves_plain_text_alone() -> None:
    text = "Kopi susu gula aren, 18rb"
    assert strip_html(text) is text


@given(st.text(max_size=200), st.booleans())
def test_clean_user_text_output_invariants(raw: str, multiline: bool) -> None:
    try:
        out = clean_user_text(raw, max_len=150, field="f", multiline=multiline)
    except TextInputError as exc:
        field = exc.field
        assert field == "f"
        return
    assert len(out) <= 150
    assert out == out.strip()
    assert "\x00" not in out
    assert not any(ord(c) < 32 and c not in "\n\t" for c in out)
    if not multiline:
        assert "\n" not in out
        assert "\t" not in out
        assert "  " not in out
    assert "<script" not in out.lower() or "&lt;script" in raw.lower()


@given(st.text(alphabet="<>/&;!-=\"' abscriptyle", max_size=80))
def test_clean_user_text_survives_markup_soup(raw: str) -> None:
    clean_user_text(raw, max_len=1000, field="f", multiline=True)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60), st.booleans())
def test_clean_user_text_ascii_shortcut_agrees_with_general_path(raw: str, multiline: bool) -> None:
    from directory.textnorm import _clean_markup_and_spaces

    assert clean_user_text(raw, max_len=500, field="x", multiline=multiline) == (
        _clean_markup_and_spaces(raw, multiline=multiline)
    )


_MARKUP = st.text(alphabet="<>/&;!?#-=\"' abscriptyl\x00\n\t\u2028\u0338", max_size=60)


@given(st.one_of(st.text(max_size=120), _MARKUP), st.booleans())
def test_cleaning_is_idempotent(raw: str, multiline: bool) -> None:
    """Clean twice == clean once: re-validating stored text never changes it."""
    try:
        once = clean_user_text(raw, max_len=10_000, field="f", multiline=multiline)
    except TextInputError:
        return
    assert clean_user_text(once, max_len=10_000, field="f", multiline=multiline) == once


@given(_MARKUP)
def test_cleaned_text_opens_no_tag(raw: str) -> None:
    out = clean_user_text(raw, max_len=10_000, field="f", multiline=True)
    assert re.search(r"<[A-Za-z!/?]", out) is None


@pytest.mark.parametrize(
    "raw", ["&lt;/script&gt;", "&amp;lt;/script&amp;gt;", "&#60;/script&#62;", "&lt;script&gt;x"]
)
def test_escaped_markup_stays_escaped_text(raw: str) -> None:
    out = raw
    for _ in range(3):
        out = clean_user_text(out, max_len=100, field="f")
        assert out == raw
        assert "</script" not in out.lower()
