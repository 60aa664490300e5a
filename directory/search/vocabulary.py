"""The vocabulary: document frequencies and SymSpell deletions, and query expansion.

A misspelt word is never compared with every name. Each vocabulary word is stored with
all the strings made by deleting up to :func:`~directory.search.text_match.index_deletes`
of its characters; a query word generates its own deletions (up to its typo allowance)
and one indexed lookup returns the few vocabulary words sharing one, which are then
checked with the optimal-string-alignment distance (a transposition counts as one typo).

The last word of a query also stands for the ``MAX_COMPLETIONS`` most frequent vocabulary
words it begins ("kopi kenan" finds "kenangan"): an explicit list rather than a prefix
index keeps the full-text index small and fast to write, and a cursor can carry it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from rapidfuzz.distance import OSA
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from directory.search.catalog import Catalog
from directory.search.rawsql import FastStatement
from directory.search.tables import MAX_TERM_LEN, search_term, search_term_variant
from directory.search.text_match import (
    MIN_PREFIX_LEN,
    PREFIX,
    TYPO_FACTORS,
    QueryWord,
    category_token,
    deletes,
    index_deletes,
    max_typos,
    word_weight,
)

MAX_EXPANSIONS = 12
MAX_COMPLETIONS = 48
_CHUNK = 500


def _insert_ignore_statement(table: Table, names: Sequence[str]) -> dict[str, FastStatement]:
    values: dict[str, Any] = {name: bindparam(name) for name in names}
    return {
        "postgresql": FastStatement(
            postgresql.insert(table).values(values).on_conflict_do_nothing()
        ),
        "sqlite": FastStatement(sqlite.insert(table).values(values).on_conflict_do_nothing()),
    }


_TERM_INSERT = _insert_ignore_statement(search_term, ["term", "df"])
_VARIANT_INSERT = _insert_ignore_statement(search_term_variant, ["variant", "term"])
_TERM_UPDATE = FastStatement(
    update(search_term)
    .where(search_term.c.term == bindparam("t"))
    .values(df=search_term.c.df + bindparam("d"))
)


def apply_df_changes(session: Session, delta: Counter[str]) -> None:
    """Add ``delta`` to document frequencies; new words get their deletions indexed.

    Words are updated in sorted order so concurrent writers lock rows in the same order.
    """
    changed = sorted(t for t, d in delta.items() if d and 0 < len(t) <= MAX_TERM_LEN)
    if not changed:
        return
    existing: set[str] = set()
    for start in range(0, len(changed), _CHUNK):
        chunk = changed[start : start + _CHUNK]
        existing.update(
            session.scalars(select(search_term.c.term).where(search_term.c.term.in_(chunk)))
        )
    new = [t for t in changed if t not in existing]
    dialect = "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"
    _TERM_INSERT[dialect].execute_many(session, [{"term": t, "df": 0} for t in new])
    _VARIANT_INSERT[dialect].execute_many(
        session,
        [
            {"variant": v, "term": t}
            for t in new
            if not t.isdigit()
            for v in sorted(deletes(t, index_deletes(len(t))))
        ],
    )
    _TERM_UPDATE.execute_many(session, [{"t": t, "d": delta[t]} for t in changed])


def _candidates(session: Session, tokens: Iterable[str]) -> dict[str, dict[str, int]]:
    """For each token, vocabulary words sharing a deletion with it, with their df."""
    by_variant: dict[str, set[str]] = {}
    for token in tokens:
        if token.isdigit():
            continue
        for v in deletes(token, max_typos(len(token))):
            by_variant.setdefault(v, set()).add(token)
    found: dict[str, dict[str, int]] = {}
    keys = sorted(by_variant)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        rows = session.execute(
            select(search_term_variant.c.variant, search_term.c.term, search_term.c.df)
            .join(search_term, search_term.c.term == search_term_variant.c.term)
            .where(search_term_variant.c.variant.in_(chunk), search_term.c.df > 0)
        )
        for variant, term, df in rows:
            for token in by_variant[variant]:
                found.setdefault(token, {})[term] = int(df)
    return found


def _completions(session: Session, token: str) -> list[tuple[str, int]]:
    """The most frequent vocabulary words that begin with ``token`` (as readers type)."""
    upper = token[:-1] + chr(ord(token[-1]) + 1)
    rows = session.execute(
        select(search_term.c.term, search_term.c.df)
        .where(search_term.c.term > token, search_term.c.term < upper, search_term.c.df > 0)
        .order_by(search_term.c.df.desc(), search_term.c.term)
        .limit(MAX_COMPLETIONS)
    )
    return [(str(t), int(df)) for t, df in rows]


def _exact_df(session: Session, tokens: Sequence[str]) -> dict[str, int]:
    if not tokens:
        return {}
    rows = session.execute(
        select(search_term.c.term, search_term.c.df).where(search_term.c.term.in_(tokens))
    )
    return {t: int(df) for t, df in rows}


def _category_matches(token: str, *, prefix: bool, catalog: Catalog) -> dict[str, float]:
    """Categories a query word stands for: one of their words exactly, as the start of
    one (last word only) or within the typo allowance; the best factor per category."""
    index = catalog.category_words
    allowed = max_typos(len(token))
    factors: dict[str, float] = {token: 1.0} if token in index.by_word else {}
    if prefix:
        for word in index.starting_with(token):
            factors.setdefault(word, PREFIX)
    if allowed:
        near = {w for v in deletes(token, allowed) for w in index.variants.get(v, ())}
        for word in near - factors.keys():
            dist = OSA.distance(token, word, score_cutoff=allowed)
            if dist <= allowed:
                factors[word] = TYPO_FACTORS[dist]
    out: dict[str, float] = {}
    for word, factor in factors.items():
        for cid in index.by_word[word]:
            key = category_token(cid)
            out[key] = max(out.get(key, 0.0), factor)
    return out


def expand_query(
    session: Session, tokens: Sequence[str], *, catalog: Catalog, prefix_last: bool = True
) -> list[QueryWord]:
    """Query words with their typo, prefix and category alternatives and weights."""
    candidates = _candidates(session, tokens)
    exact = _exact_df(session, list(tokens))
    out: list[QueryWord] = []
    for i, token in enumerate(tokens):
        allowed = max_typos(len(token))
        scored: list[tuple[int, int, str]] = []
        for term, df in candidates.get(token, {}).items():
            dist = 0 if term == token else OSA.distance(token, term, score_cutoff=allowed)
            if dist <= allowed:
                scored.append((dist, -df, term))
        scored.sort()
        terms = {token: 1.0}
        for dist, _neg_df, term in scored[:MAX_EXPANSIONS]:
            terms[term] = max(terms.get(term, 0.0), TYPO_FACTORS[dist])
        best_df = exact.get(token)
        if best_df is None and scored:
            best_df = -scored[0][1]
        prefix = prefix_last and i == len(tokens) - 1 and len(token) >= MIN_PREFIX_LEN
        if prefix:
            for term, df in _completions(session, token):
                terms.setdefault(term, PREFIX)
                if best_df is None:
                    best_df = df
        out.append(
            QueryWord(
                token=token,
                terms=terms,
                categories=_category_matches(token, prefix=prefix, catalog=catalog),
                weight=word_weight(best_df or 0),
            )
        )
    return out
