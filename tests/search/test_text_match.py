"""Words, typo tolerance, categories, and the full-text index agreeing with the scorer."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA
from sqlalchemy import delete
from sqlalchemy.orm import Session

from directory.models import Business
from directory.search.catalog import get_catalog
from directory.search.fulltext import TextStream, build_query
from directory.search.indexer import unindex_businesses
from directory.search.service import text_match
from directory.search.streams import fetch_docs
from directory.search.text_match import (
    QueryWord,
    deletes,
    doc_fields,
    max_typos,
    split_query,
    text_score,
    words,
)
from directory.search.vocabulary import expand_query
from directory.textnorm import normalize_query
from tests.factories import make_business


@given(st.text(max_size=80))
def test_fast_words_equal_normalize_query(text: str) -> None:
    assert words(text) == [w for w in normalize_query(text) if len(w) <= 48]


@given(
    st.text(alphabet="abcdekmnoprstu", min_size=3, max_size=10),
    st.text(alphabet="abcdekmnoprstu", min_size=3, max_size=10),
)
def test_symmetric_deletes_find_every_close_pair(a: str, b: str) -> None:
    """SymSpell's promise: within the allowance, the two words share a deletion."""
    allowed = max_typos(len(a))
    if OSA.distance(a, b) <= allowed:
        assert deletes(a, allowed) & deletes(b, 2 if len(b) >= 5 else 1 if len(b) >= 3 else 0)


def test_text_score_prefers_name_then_category_then_address() -> None:
    word = QueryWord(token="kopi", terms={"kopi": 1.0}, categories={"0c7": 1.0})
    both = doc_fields(name="Kopi Senja", address="", description="", scopes=(7,))
    cat = doc_fields(name="Senja", address="", description="", scopes=(7,))
    name = doc_fields(name="Kopi Senja", address="", description="", scopes=())
    addr = doc_fields(name="Senja", address="Jl. Kopi 3", description="", scopes=())
    desc = doc_fields(name="Senja", address="", description="kopi enak", scopes=())
    # Name and category agreeing, the category alone, the name of a business outside the
    # category the word names ("ATM Bank …" for "bank"), then the address.
    scores = [text_score([word], d).score for d in (both, cat, name, addr)]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == 4
    plain = QueryWord(token="kopi", terms={"kopi": 1.0})
    assert 0 < text_score([plain], desc).score < text_score([plain], addr).score
    # A word that names a category does not match another business's description
    # ("dekat stasiun" in a boarding house's blurb is not a station).
    assert text_score([word], desc).matched == 0
    short = doc_fields(name="Kopi", address="", description="", scopes=())
    assert text_score([word], short).score > text_score([word], name).score
    # A plain word: the name and the description agreeing beat the name alone.
    menu = doc_fields(name="Kopi Senja", address="", description="kopi susu", scopes=())
    assert text_score([plain], menu).score > text_score([plain], name).score


def test_text_match_helper_for_other_features() -> None:
    assert text_match("kopi sen", name="Kopi Senja") > 0.8
    assert text_match("bengkel", name="Kopi Senja") == 0.0
    assert text_match("jalan pahlawan", name="X", address="Jl. Pahlawan 3") > 0


@pytest.fixture
def shops(session: Session) -> list[int]:
    names = [
        ("Kopi Kenangan Serpong", "Jl. Raya Serpong No. 8", "kedai-kopi", ""),
        ("Warung Sate Pak Budi", "Jln. Pahlawan 3", "warung-makan", "sate kambing muda"),
        ("RM Padang Sederhana", "", "masakan-padang", ""),
        ("SD Negeri 1 Pamulang", "", "warung-makan", ""),
        ("Bakso Mas Joko", "Jl. Merpati", "warung-makan", "bakso urat, buka 24 jam"),
        ("Café Crème Brûlée", "", "kafe", ""),
    ]
    return [
        make_business(session, name=n, address=a, category=c, description=d).id
        for n, a, c, d in names
    ]


def _names(client: TestClient, q: str) -> list[str]:
    body = client.get("/api/v1/businesses", params={"q": q}).json()
    return [item["name"] for item in body["items"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("kopi kenangan", "Kopi Kenangan Serpong"),
        ("kopii kenagan", "Kopi Kenangan Serpong"),
        ("KOPI  kénangan!", "Kopi Kenangan Serpong"),
        ("coffee", "Kopi Kenangan Serpong"),
        ("ngopi", "Kopi Kenangan Serpong"),
        ("kopi kena", "Kopi Kenangan Serpong"),
        ("rumah makan padang", "RM Padang Sederhana"),
        ("rm padang", "RM Padang Sederhana"),
        ("nasi padang", "RM Padang Sederhana"),
        ("jl pahlawan", "Warung Sate Pak Budi"),
        ("jalan pahlawan", "Warung Sate Pak Budi"),
        ("sate kambing", "Warung Sate Pak Budi"),
        ("sd negeri", "SD Negeri 1 Pamulang"),
        ("cafe creme brulee", "Café Crème Brûlée"),
        ("sate pak bdui", "Warung Sate Pak Budi"),
    ],
)
def test_queries_find_their_business(
    client: TestClient, shops: list[int], q: str, expected: str
) -> None:
    assert _names(client, q)[:1] == [expected], q


def test_literal_search_keeps_intent_words_as_text(client: TestClient, shops: list[int]) -> None:
    """ "24 jam" is a filter (open around the clock); ``interpret=false`` searches it as text."""
    read = client.get("/api/v1/businesses", params={"q": "bakso 24 jam"}).json()
    assert read["interpretation"]["filters"]["open_24h"] is True
    # Bakso Mas Joko has no opening hours: nothing matches fully, and it is shown only as
    # a looser match (from position 0 on).
    assert read["interpretation"]["partial_from"] == 0
    assert [item["name"] for item in read["items"]] == ["Bakso Mas Joko"]
    literal = client.get(
        "/api/v1/businesses", params={"q": "bakso 24 jam", "interpret": "false"}
    ).json()
    assert literal["items"][0]["name"] == "Bakso Mas Joko"
    assert literal["interpretation"]["filters"]["open_24h"] is False


def test_unrelated_words_relax_to_all_but_one(client: TestClient, shops: list[int]) -> None:
    body = client.get("/api/v1/businesses", params={"q": "bakso mas joko enaknya"}).json()
    assert body["relaxed"] is True
    assert body["items"][0]["name"] == "Bakso Mas Joko"
    assert client.get("/api/v1/businesses", params={"q": "zzqx"}).json()["items"] == []


def test_expansions_come_from_the_vocabulary(session: Session, shops: list[int]) -> None:
    (kopi, kenangan) = expand_query(session, ["kopii", "kenagan"], catalog=get_catalog(session))
    assert "kopi" in kopi.terms
    assert "kenangan" in kenangan.terms
    assert any(t.startswith("0c") for t in kopi.categories)
    (prefix,) = expand_query(session, ["kenan"], catalog=get_catalog(session))
    assert prefix.terms.get("kenangan", 0) > 0


vocab = ["kopi", "kenangan", "sate", "budi", "warung", "bakso", "senja", "jalan", "raya"]
doc_s = st.tuples(
    st.lists(st.sampled_from(vocab), min_size=1, max_size=3),
    st.lists(st.sampled_from(vocab), max_size=2),
)
word_s = st.builds(
    lambda token, extra, pre: QueryWord(token=token, terms={token: 1.0, extra: 0.75}, prefix=pre),
    st.sampled_from([*vocab, "ken", "ba", "zz"]),
    st.sampled_from(vocab),
    st.booleans(),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    docs=st.lists(doc_s, max_size=10),
    query=st.lists(word_s, min_size=1, max_size=3),
    relaxed=st.booleans(),
)
def test_full_text_index_agrees_with_scorer(
    session: Session,
    docs: list[tuple[list[str], list[str]]],
    query: list[QueryWord],
    relaxed: bool,
) -> None:
    ids = [
        make_business(session, name=" ".join(n) + f" {i}", address=" ".join(a), commit=False).id
        for i, (n, a) in enumerate(docs)
    ]
    session.commit()
    try:
        required = max(1, len(query) - 1) if relaxed else len(query)
        stream = TextStream(
            session,
            build_query(query, required=required, dialect=session.get_bind().dialect.name),
            batch=3,
        )
        found: list[int] = []
        while not stream.exhausted:
            found.extend(stream.next_batch())
        stored = fetch_docs(session, ids)
        expected = [
            bid
            for bid in sorted(stored)
            if text_score(query, stored[bid].fields).matched >= required
        ]
        assert sorted(found) == expected
    finally:
        unindex_businesses(session, ids)
        session.execute(delete(Business).where(Business.id.in_(ids)))
        session.commit()


def test_split_query_drops_stopwords() -> None:
    assert split_query("kopi di dekat sini") == ["kopi"]
    assert split_query("di") == ["di"]
